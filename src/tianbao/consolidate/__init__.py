"""``tianbao consolidate``: the district summary of a period.

From the latest accepted return of each department (never a rejected or
superseded one) build the summary workbook (its sheets: ``workbook.SHEETS``) and,
optionally, a long CSV of every entered value. Completion rates and statuses: see
``tianbao.consolidate.rates`` and docs/completion-rate.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.consolidate.data import COLLECTIONS, gather
from tianbao.consolidate.rates import STATUSES
from tianbao.plan.periods import Period
from tianbao.workspace import Workspace

__all__ = ["ConsolidateResult", "consolidate"]


@dataclass
class ConsolidateResult:
    period: str
    out: Path
    csv: Path | None
    departments_expected: int
    departments_reported: int
    sources: int  # figures taken from returns (rows of 数据来源)
    csv_rows: int
    # collection -> status -> number of rows
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def consolidate(
    ws: Workspace,
    period: str,
    out: Path,
    csv: Path | None = None,
    as_of: dt.date | None = None,
) -> ConsolidateResult:
    """Write the summary workbook for ``period`` to ``out`` (and the long CSV)."""
    from tianbao.consolidate.longcsv import write_long_csv
    from tianbao.consolidate.workbook import Written, write_summary
    from tianbao.ledger.db import Ledger
    from tianbao.support.atomic import write_atomic

    ws.require_ok()
    p, shown = _periods(ws, period)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Written] = []
    csv_rows = 0
    with Ledger(ws.root, readonly=True) as ledger:
        data = gather(ws, ledger, p, as_of)
        data.shown = shown
        data.forms = ws.forms
        write_atomic(out, lambda path: written.append(write_summary(data, path)))
        if csv is not None:
            csv = Path(csv)
            csv.parent.mkdir(parents=True, exist_ok=True)
            counter: list[int] = []
            write_atomic(csv, lambda path: counter.append(write_long_csv(data, path)))
            csv_rows = counter[0]
    counts = {
        collection: {s: written[0].counts.get(collection, {}).get(s, 0) for s in STATUSES}
        for collection in COLLECTIONS
    }
    return ConsolidateResult(
        str(shown),
        out,
        csv,
        len(data.expected),
        len(data.reported),
        written[0].sources,
        csv_rows,
        counts,
    )


def _periods(ws: Workspace, text: str) -> tuple[Period, Period]:
    """(the period whose returns are summed, the period the summary is of). A quarter,
    half-year or year of a monthly plan is summed from its last month: every figure is
    a year-to-date one, so 2014-Q1 is March's state, 序时进度 3/12."""
    from tianbao.errors import UsageError

    plan = ws.plan
    assert plan is not None
    try:
        asked = Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if plan.frequency == "month" and asked.kind in ("quarter", "half", "year"):
        last = plan.period(f"{asked.year:04d}-{asked.last_month:02d}")
        return last, asked
    p = plan.period(text)
    return p, p
