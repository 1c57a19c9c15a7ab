"""数据来源's rows, and their writing on the second core.

Of the summary's work, turning each figure's trace into a 数据来源 row (its row
name, field label and unit, then the row's XML) is a third, and it depends on
nothing the other sheets write. So once a sheet of 数据来源 has many rows (and
there is a second core), a forked worker (``forked.SheetWorker``) writes that
sheet's later rows while the main process writes the other sheets: the main
process sends each batch of traces (``Trace``) and the worker writes them with
its copy of the worksheet through the same ``write_plain_rows`` the serial path
calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tianbao.consolidate.forked import SheetWorker
from tianbao.consolidate.longcsv import Names

# (summary sheet, summary cell, form, row key, field, value, return id, department,
# sheet in the return, cell in the return): a figure's trace before it has names
Trace = tuple[str, str, str, str, str, Any, int, str, str, str]
Row = tuple[Any, ...]


def rows_of(traces: Iterable[Trace], names: Names) -> list[Row]:
    """数据来源's rows of some traces: the figure's row name, field label and unit in
    place of the form, row key and field."""
    out = []
    for sheet, where, form, key, name, value, sub, dept, o_sheet, o_cell in traces:
        row_name, field_name, unit = names.of(form, key, name)
        out.append((sheet, where, row_name, field_name, unit, value, sub, dept, o_sheet, o_cell))
    return out


def rows_worker(ws: Any, names: Names, fmt: Any, since: int) -> SheetWorker:
    """A worker writing rows of the 数据来源 sheet ``ws`` in ``fmt`` from row ``since``:
    each message is (first row, traces)."""

    def write(batch: tuple[int, list[Trace]]) -> None:
        first, traces = batch
        ws.write_plain_rows(first, rows_of(traces, names), fmt)

    return SheetWorker(ws, write, since)
