"""The lines of the correction notice in the order a clerk walks the workbook (sheet
by sheet, row by row): one per finding, except blank required cells of consecutive
rows missing the same columns, and the same problem down one column of consecutive
rows, each grouped into one line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils.cell import column_index_from_string

from tianbao.findings import Code, Finding, Severity
from tianbao.validate.records import ROW_NAME_PREFIX

RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


@dataclass(frozen=True)
class Line:
    """One line of the notice: a finding, or blank cells of consecutive rows."""

    severity: Severity
    where: str
    problem: str
    value: Any = None
    expected: Any = None
    link: tuple[str, str] | None = None  # (sheet, cell) the 位置 links to


def lines(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Line]:
    """The notice's lines in the clerk's order: blank required cells grouped by row,
    then the same problem down one column of consecutive rows grouped."""
    ordered = in_sheet_order(findings, sheet_order)
    runs = _blank_runs(ordered)
    first: dict[int, Line] = {id(run[0][1][0]): _run_line(run) for run in runs}
    grouped = {id(f) for run in runs for _, fs in run for f in fs}
    for column in _column_runs([f for f in ordered if id(f) not in grouped]):
        first[id(column[0])] = _column_line(column)
        grouped.update(id(f) for f in column)
    out: list[Line] = []
    for f in ordered:
        if id(f) in first:
            out.append(first[id(f)])
        elif id(f) not in grouped:
            out.append(_line(f))
    return out


def _column_runs(ordered: list[Finding]) -> list[list[Finding]]:
    """Findings saying the same thing (code, message without its row, value, expected)
    in one column of consecutive rows: 「重点项目 I4–I11：……（8 行）」 instead of 8 lines."""
    chains: dict[tuple[Any, ...], list[Finding]] = {}
    runs: list[list[Finding]] = []
    for f in ordered:
        row, col = _row_col(f)
        if not f.sheet or not row:
            continue
        what = (f.sheet, col, f.code, f.severity, ROW_NAME_PREFIX.sub("", f.message),
                repr(f.value), repr(f.expected))  # fmt: skip
        chain = chains.get(what)
        if chain is not None and _row_col(chain[-1])[0] == row - 1:
            chain.append(f)
        else:
            chains[what] = chain = [f]
            runs.append(chain)
    return [run for run in runs if len(run) > 1]


def _column_line(run: list[Finding]) -> Line:
    first, last = run[0], run[-1]
    ref = f"{first.cell.replace('$', '')}–{last.cell.replace('$', '')}"
    problem = f"{ROW_NAME_PREFIX.sub('', first.message)}（{len(run)} 行）"
    return Line(first.severity, f"{first.sheet} {ref}", problem, first.value, first.expected,
                (first.sheet, first.cell))  # fmt: skip


def in_sheet_order(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    """File-level first, then sheet by sheet, row by row, column by column; errors
    before warnings at one cell."""
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple[int, int, int, int]:
        row, col = _row_col(f)
        return (order.get(f.sheet, -1) if f.sheet else -1, row, col, RANK[f.severity])

    return sorted(findings, key=key)


def _row_col(f: Finding) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(str(f.cell or "").rpartition("!")[2].replace("$", "").upper())
    return (int(m.group(2)), column_index_from_string(m.group(1))) if m else (0, 0)


def _blank(f: Finding) -> bool:
    """A required cell left empty (not one filled with a word for nothing)."""
    return (
        f.code is Code.SCHEMA_REQUIRED
        and f.value is None
        and bool(f.extra.get("label"))
        and bool(f.sheet)
        and _row_col(f)[0] > 0
    )


Run = list[tuple[int, list[Finding]]]  # (excel row, its blank findings by column)


def _blank_runs(ordered: list[Finding]) -> list[Run]:
    """Consecutive rows of one sheet missing the same columns: one run each."""
    rows: dict[tuple[str, int], list[Finding]] = {}
    for f in ordered:
        if _blank(f):
            rows.setdefault((f.sheet, _row_col(f)[0]), []).append(f)
    runs: list[Run] = []
    last: tuple[str, int, tuple[str, ...]] | None = None
    for (sheet, row), found in rows.items():  # in sheet order already
        labels = tuple(str(f.extra["label"]) for f in found)
        if last == (sheet, row - 1, labels):
            runs[-1].append((row, found))
        else:
            runs.append([(row, found)])
        last = (sheet, row, labels)
    return [run for run in runs if len(run) > 1 or len(run[0][1]) > 1]


def _run_line(run: Run) -> Line:
    first = run[0][1][0]
    labels = "、".join(str(f.extra["label"]) for f in run[0][1])
    if len(run) == 1:
        where = f"{first.sheet} 第{run[0][0]}行"
        name = first.extra.get("row_name")
        problem = f"{name}：{labels}未填，请填写" if name else f"{labels}未填，请填写"
    else:
        where = f"{first.sheet} 第{run[0][0]}–{run[-1][0]}行"
        cells = sum(len(fs) for _, fs in run)
        problem = f"{labels}未填（{len(run)} 行共 {cells} 处），请填写"
    return Line(Severity.ERROR, where, problem, link=(first.sheet, first.cell))


def _line(f: Finding) -> Line:
    if f.sheet and f.cell and _row_col(f)[0]:
        where, link = f"{f.sheet} {f.cell.replace('$', '')}", (f.sheet, f.cell)
    else:
        where, link = (f.sheet or "整个文件"), None
    return Line(f.severity, where, f.message, f.value, f.expected, link)
