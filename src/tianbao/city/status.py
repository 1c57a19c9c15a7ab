"""``tianbao status`` on a city workspace: each district's package for a period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tianbao.city.collect import signed_at
from tianbao.city.plan import load_city


def city_status(root: Path, period: str) -> dict[str, Any]:
    """{period, districts: [{district, name, state, ...}]}: received (the package that
    counts), refused (only refused packages came) or missing."""
    from tianbao.ledger.db import Ledger

    city = load_city(root)
    period = city.month(period)
    rows = []
    with Ledger(root, readonly=True) as ledger:
        counting = {s.department: s for s in ledger.latest_accepted(period)}
        for d in city.districts:
            sub = counting.get(d.code)
            tried = ledger.history(d.code, period)
            state = "received" if sub else "refused" if tried else "missing"
            rows.append(
                {
                    "district": d.code,
                    "name": d.name,
                    "state": state,
                    "illustrative": d.illustrative,
                    "submission_id": sub.id if sub else None,
                    "sha256": sub.sha256 if sub else None,
                    "signed_at": signed_at(sub.template_id) if sub else None,
                    "received_at": sub.received_at if sub else None,
                    "correction": bool(sub and sub.correction),
                    "packages": len(tried),
                }
            )
    got = sum(r["state"] == "received" for r in rows)
    return {
        "city": city.name,
        "period": period,
        "received": got,
        "expected": len(rows),
        "districts": rows,
    }


STATE_WORDS = {"received": "已报", "refused": "拒收", "missing": "未报"}


def status_lines(report: dict[str, Any]) -> list[str]:
    lines = []
    for r in report["districts"]:
        zh = STATE_WORDS[r["state"]] + ("（更正）" if r["correction"] else "")
        en = r["state"] + (" (corrected)" if r["correction"] else "")
        at = f" {r['signed_at']}" if r["signed_at"] else ""
        lines.append(
            f"{r['district']} {r['name']}：{zh}{at} | {r['district']} {r['name']}: {en}{at}"
        )
    n, m, p = report["received"], report["expected"], report["period"]
    lines.append(f"{p}：{n}/{m} 个区县已报 | {p}: {n}/{m} districts reported")
    return lines
