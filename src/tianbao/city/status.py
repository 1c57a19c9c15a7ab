"""``tianbao status`` on a city workspace: each district's package for a period."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.city.collect import signed_at
from tianbao.city.plan import CityPlan, load_city

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger


def city_status(root: Path, period: str) -> dict[str, Any]:
    """{period, districts: [{district, name, state, ...}]}: received (the package that
    counts), returned (sent back by the city), refused (only refused packages came) or
    missing."""
    from tianbao.ledger.db import Ledger

    city = load_city(root)
    period = city.month(period)
    with Ledger(root, readonly=True) as ledger:
        rows = district_rows(ledger, city, period)
        signed = ledger.signed_off(period)
    got = sum(r["state"] == "received" for r in rows)
    return {
        "city": city.name,
        "period": period,
        "received": got,
        "expected": len(rows),
        "districts": rows,
        "signed_off": {k: signed[k] for k in ("by", "at", "note")} if signed else None,
    }


def district_rows(
    ledger: Ledger, city: CityPlan, period: str, as_of: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """Each district's state for ``period`` as the open ``ledger`` holds it; ``as_of``
    (a sign-off's last submission and review ids): as that sign-off saw it."""
    counting = {s.department: s for s in ledger.latest_accepted(period, as_of)}
    rows = []
    for d in city.districts:
        sub = counting.get(d.code)
        tried = [s for s in ledger.history(d.code, period) if as_of is None or s.id <= as_of[0]]
        rows.append(
            {
                "district": d.code,
                "name": d.name,
                "state": _state(sub is not None, tried),
                "illustrative": d.illustrative,
                "submission_id": sub.id if sub else None,
                "sha256": sub.sha256 if sub else None,
                "signed_at": signed_at(sub.template_id) if sub else None,
                "received_at": sub.received_at if sub else None,
                "correction": bool(sub and sub.correction),
                "packages": len(tried),
            }
        )
    return rows


# the states that keep a city period open, as review.signoff names them
OPEN_STATES = {"returned": "returned", "refused": "rejected", "missing": "missing"}


def outstanding(ledger: Ledger, city: CityPlan, period: str) -> list[dict[str, Any]]:
    """The districts a sign-off of ``period`` leaves open: returned (退回), refused
    (未通过) or missing (未报), in the shape of ``review.signoff.outstanding``."""
    order = list(OPEN_STATES)
    rows = sorted(
        (r for r in district_rows(ledger, city, period) if r["state"] in OPEN_STATES),
        key=lambda r: order.index(r["state"]),
    )
    return [
        {"department": r["district"], "name": r["name"], "state": OPEN_STATES[r["state"]],
         "forms": [], "warnings": 0}
        for r in rows
    ]  # fmt: skip


def _state(counting: bool, tried: list[Any]) -> str:
    """received (a package counts), returned (the city sent the last one back: 退回),
    refused (only refused packages came) or missing."""
    from tianbao.ledger.records import RETURNED

    if counting:
        return "received"
    if tried and tried[-1].review == RETURNED:
        return "returned"
    return "refused" if tried else "missing"


STATE_WORDS = {"received": "已报", "returned": "退回", "refused": "拒收", "missing": "未报"}


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
    if signed := report.get("signed_off"):
        by, at = signed["by"], signed["at"]
        lines.append(f"{p} 市里已签发（{by}，{at}） | {p} signed off by the city ({by}, {at})")
    return lines
