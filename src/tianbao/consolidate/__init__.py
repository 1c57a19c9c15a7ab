"""``tianbao consolidate``: the district summary of a period.

From the latest accepted return of each department (never a rejected or
superseded one) build the summary workbook (总览 with charts, 主要指标, 重点项目,
民生工程, 重点任务, 报送情况, 数据来源) and, optionally, a long CSV of every
entered value. Completion rates and statuses: see ``tianbao.consolidate.rates``
and docs/completion-rate.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.consolidate.data import Consolidated, gather
from tianbao.consolidate.rates import STATUSES
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
    from tianbao.atomic import write_atomic
    from tianbao.consolidate.longcsv import write_long_csv
    from tianbao.consolidate.workbook import write_summary
    from tianbao.template.generate import parse_period

    ws.require_ok()
    p = parse_period(ws, period)
    data: Consolidated = gather(ws, p, as_of)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sources: list = []
    write_atomic(out, lambda path: sources.extend(write_summary(data, path)))
    csv_rows = 0
    if csv is not None:
        csv = Path(csv)
        csv.parent.mkdir(parents=True, exist_ok=True)
        counter: list[int] = []
        write_atomic(csv, lambda path: counter.append(write_long_csv(data, path)))
        csv_rows = counter[0]
    counts = {
        collection: {
            s: sum(1 for r in rows if r.rate is not None and r.rate.status == s) for s in STATUSES
        }
        for collection, rows in data.rows.items()
    }
    return ConsolidateResult(
        str(p),
        out,
        csv,
        len(data.expected),
        len(data.reported),
        len(sources),
        csv_rows,
        counts,
    )
