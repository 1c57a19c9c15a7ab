"""How often the data-quality checks speak, and whether they catch what they should.

    PYTHONPATH=src python benchmarks/quality_rates.py [--seed 1] [--no-demo]

1. The demo's months (``tianbao demo``: January–June of the sample, the simulator's
   values plus its planted mistakes), every return validated as ``collect`` would,
   against its earlier months in the ledger: quality warnings per 10 returns.
2. A year of plausible data for the sample plan's departments: each project's
   annual plan spread over its months from its start (a seasonal curve, ±25 %
   log-normal noise, a paused month now and then), each indicator's month figure
   ±10 % around its level; every department's January–December returns judged by
   validate.quality against their earlier months: warnings per 10 returns.
3. Planted cases in that year (from June on, one at a time): a figure 5× its row's
   median, a return repeating last month's 本月 figures exactly, a month holding
   90 % of the row's year: how many are caught.

Prints the figures; not a test (tests/test_quality.py holds the cases).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from tianbao.forms.model import FormDef
from tianbao.plan.model import PlanItem
from tianbao.plan.periods import Period
from tianbao.validate.history import EarlierMonths
from tianbao.validate.quality import check_quality
from tianbao.validate.records import FormRecords, RowRecord
from tianbao.workspace import Workspace, init_workspace, open_workspace

SEASON = (0.5, 0.6, 1.0, 1.0, 1.1, 1.3, 1.0, 1.0, 1.1, 1.1, 1.1, 1.4)
Year = dict[str, dict[str, list[dict[str, Any]]]]  # {form: {row key: 12 records}}


def project_year(item: PlanItem, year: int, rnd: random.Random) -> list[dict[str, Any]]:
    v = item.values
    annual = float(v.get("annual_plan") or 0)
    start = str(v.get("start") or f"{year}-01-01")
    first = int(start[5:7]) if start.startswith(str(year)) else 1
    if annual <= 0 or v.get("category") in ("运作", "储备") or first > 12:
        return [{"month_investment": 0, "ytd_investment": 0, "status": "前期"}] * 12
    weights = [
        0.0 if m < first or rnd.random() < 0.04 else SEASON[m - 1] * rnd.lognormvariate(0, 0.25)
        for m in range(1, 13)
    ]
    scale = annual * rnd.uniform(0.8, 1.1) / (sum(weights) or 1)
    out, ytd = [], 0.0
    for m, w in enumerate(weights, 1):
        month = round(w * scale, 2)
        ytd = round(ytd + month, 2)
        out.append(
            {
                "month_investment": month,
                "ytd_investment": ytd,
                "status": "在建" if m >= first else "未开工",
            }
        )
    return out


def indicator_year(item: PlanItem, rnd: random.Random) -> list[dict[str, Any]]:
    v = item.values
    level = float(v.get("target_level") or (v.get("base.value") or 100) * 1.1)
    out, ytd = [], 0.0
    for _ in range(12):
        month = round(level / 12 * rnd.lognormvariate(0, 0.1), 2)
        ytd = round(ytd + month, 2)
        out.append({"month_value": month, "ytd": ytd})
    return out


def plausible_year(ws: Workspace, dept: str, rnd: random.Random) -> tuple[list[Any], Year]:
    forms = [f for f in ws.forms.values() if f.quality and ws.plan.rows_for(f.rows, dept)]
    year: Year = {}
    for form in forms:
        rows = year.setdefault(form.id, {})
        for item in ws.plan.rows_for(form.rows, dept):
            if form.rows == "projects":
                rows[item.key] = project_year(item, ws.plan.year, rnd)
            elif item.values.get("accumulation") == "ytd":
                rows[item.key] = indicator_year(item, rnd)
    return forms, year


def judge(ws: Workspace, forms: list[FormDef], dept: str, year: Year, month: int) -> list[Any]:
    """The quality findings of the department's return of ``month``."""
    records = {}
    for form in forms:
        items = {i.key: i for i in ws.plan.rows_for(form.rows, dept)}
        rows = [
            RowRecord(
                key,
                items[key],
                4 + n,
                {"id": key, **recs[month - 1]},
                {f: f"{f}:{4 + n}" for f in recs[month - 1]},
            )
            for n, (key, recs) in enumerate(year[form.id].items())
        ]
        records[form.id] = FormRecords(form, form.sheet, rows)
    earlier = tuple(
        (
            Period(ws.plan.year, "month", m),
            {f: {k: r[m - 1] for k, r in rows.items()} for f, rows in year.items()},
        )
        for m in range(1, month)
    )
    return check_quality(records, EarlierMonths(earlier), Period(ws.plan.year, "month", month), {})


def field_of(form_id: str) -> tuple[str, str]:
    return (
        ("month_investment", "ytd_investment") if "project" in form_id else ("month_value", "ytd")
    )


def set_month(recs: list[dict[str, Any]], month: int, figure: float, name: str, ytd: str) -> None:
    before = recs[month - 2][ytd] if month > 1 else 0
    recs[month - 1] = {**recs[month - 1], name: round(figure, 2), ytd: round(before + figure, 2)}


def planted(year: Year, month: int, kind: str) -> tuple[Year, str] | None:
    """The year with one planted case in ``month``, and the row it is in ("" for the
    whole return); None when the department has no row for it."""
    copy = {f: {k: [dict(r) for r in recs] for k, recs in rows.items()} for f, rows in year.items()}
    if kind == "repeat":
        figures = 0
        for form_id, rows in copy.items():
            name, ytd = field_of(form_id)
            for recs in rows.values():
                set_month(recs, month, recs[month - 2][name], name, ytd)
                figures += recs[month - 1][name] != 0
        return (copy, "") if figures >= 3 else None
    for form_id, rows in copy.items():
        name, ytd = field_of(form_id)
        for key, recs in rows.items():
            history = [r[name] for r in recs[: month - 1] if r[name]]
            if len(history) < 4:
                continue
            if kind == "outlier":
                set_month(recs, month, 5 * median(history), name, ytd)
            else:  # this month 90 % of the year to date
                set_month(recs, month, 9 * recs[month - 2][ytd], name, ytd)
            return copy, key
    return None


def plausible(ws: Workspace, seed: int) -> None:
    rnd = random.Random(seed)
    codes: Counter[str] = Counter()
    returns = 0
    caught: dict[str, list[int]] = {"outlier": [0, 0], "repeat": [0, 0], "concentrated": [0, 0]}
    want = {
        "outlier": "QUALITY_OUTLIER",
        "repeat": "QUALITY_REPEATED_MONTH",
        "concentrated": "QUALITY_CONCENTRATED",
    }
    for dept in sorted(ws.plan.departments):
        forms, year = plausible_year(ws, dept, rnd)
        if not year:
            continue
        for month in range(1, 13):
            returns += 1
            codes.update(f.code.value for f in judge(ws, forms, dept, year, month))
            for kind in caught if month >= 6 else ():
                case = planted(year, month, kind)
                if case is None:
                    continue
                found = judge(ws, forms, dept, case[0], month)
                hit = any(f.code.value == want[kind] and f.row_key in ("", case[1]) for f in found)
                caught[kind][0] += hit
                caught[kind][1] += 1
    total = sum(codes.values())
    print(
        f"plausible year: {returns} returns, {total} quality warnings = "
        f"{10 * total / returns:.2f} per 10 returns {dict(sorted(codes.items()))}"
    )
    for kind, (hit, of) in caught.items():
        print(f"  planted {kind:<13} caught {hit} of {of}")


def demo_months(say: Callable[[str], None]) -> None:
    from tianbao import api
    from tianbao.dev.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        run_demo(root, say=lambda _: None)
        codes: Counter[str] = Counter()
        returns = 0
        for folder in sorted((root / "returns").iterdir()):
            for r in api.validate_files(root / "workspace", [folder]).reports:
                returns += 1
                codes.update(
                    f.code.value for f in r.findings if f.code.value.startswith("QUALITY_")
                )
        total = sum(codes.values())
        say(
            f"demo Jan–Jun: {returns} returns, {total} quality warnings = "
            f"{10 * total / returns:.2f} per 10 returns {dict(sorted(codes.items()))}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-demo", action="store_true")
    args = ap.parse_args()
    if not args.no_demo:
        demo_months(print)
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(init_workspace(Path(tmp) / "ws", "jiefang-2014"))
        plausible(ws, args.seed)


if __name__ == "__main__":
    main()
