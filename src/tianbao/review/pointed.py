"""The cells and rows a 退回 points at (``review return --cell 重点项目!I12 --row P047``):
checked against the return's recorded cells, so a typo is a usage mistake before
anything is written, and resolved to the cells the 退回通知 marks red."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tianbao.errors import UsageError
from tianbao.report.notice import Pointed

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.records import Submission

_CELL = re.compile(r"(?P<sheet>[^!]+)!\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>[0-9]{1,7})")
_ROW = re.compile(r"[0-9]+")


def pointed(
    ledger: Ledger, sub: Submission, cells: tuple[str, ...], rows: tuple[str, ...]
) -> list[Pointed]:
    """The places the office names, in the order it named them (cells, then rows)."""
    values = ledger.values(sub.id)
    sheets = {v.sheet for v in values}
    out = []
    for given in cells:
        m = _CELL.fullmatch(given.strip())
        if m is None:
            raise UsageError(
                f"--cell {given!r} 应写作 工作表!单元格，如 重点项目!I12 | --cell {given!r}: "
                "write SHEET!CELL, e.g. 重点项目!I12"
            )
        sheet, cell = m["sheet"].strip(), f"{m['col'].upper()}{m['row']}"
        if sheet not in sheets:
            named = "、".join(sorted(sheets))
            raise UsageError(
                f"--cell {given}：报表中没有工作表「{sheet}」（有：{named}） | --cell {given}: "
                f"no sheet {sheet!r} in the return ({named})"
            )
        out.append(Pointed(sheet, (cell,), f"{sheet} {cell}"))
    for key in rows:
        mine = [v for v in values if v.row_key == key.strip()]
        if not mine:
            raise UsageError(f"--row {key}：该报表没有此行 | --row {key}: no such row in #{sub.id}")
        sheet = mine[0].sheet
        number = _ROW.search(mine[0].cell)
        at = f"第{number.group(0)}行" if number else ""
        cells_of = tuple(dict.fromkeys(v.cell for v in mine if v.sheet == sheet and v.cell))
        out.append(Pointed(sheet, cells_of, f"{sheet} {at}（{key.strip()}）"))
    return out
