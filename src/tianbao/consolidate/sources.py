"""数据来源: one row per figure taken from a return, written as the figure is; a
figure summed over months (a quarter's 本季（各月合计）...) has one row per month,
each naming that month's return and cell (``provenance.Part``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tianbao.consolidate.book import HEAD, MAX_ROWS, NOT_PRINTED, SOURCES
from tianbao.consolidate.data import Row
from tianbao.consolidate.longcsv import Names
from tianbao.consolidate.provenance import Part
from tianbao.ledger.db import Submission
from tianbao.support.print_layout import print_landscape

if TYPE_CHECKING:
    from tianbao.consolidate.book import Book

SOURCES_PER_SHEET = MAX_ROWS - HEAD  # figures per 数据来源 sheet


class Sources:
    """数据来源: one row per figure taken from a return, written as the figure is;
    past Excel's row limit it goes on in 数据来源（续2）, （续3）..."""

    HEADS = (
        ("汇总表工作表", 10),
        ("汇总表单元格", 8),
        ("报表", 18),  # the form's title (主要指标月报); the long CSV keeps its id
        ("行", 10),
        ("字段", 18),
        ("数值", 18),
        ("登记编号", 8),
        ("单位代码", 8),
        ("文件", 36),
        ("文件SHA-256校验值", 66),
        ("原表工作表", 10),
        ("原表单元格", 8),
        ("报表期", 9),  # the month the return is of: a quarter's figure has one per month
        # appended: the codes above in words (DOMESTIC_CAPITAL, ytd_investment)
        ("行名称", 18),
        ("字段名称", 14),
        ("计量单位", 6),  # all on one sheet of A3 with the rest (print_layout.paper_for)
    )

    def __init__(self, book: Book, ws: Any) -> None:
        self.book = book
        self.per_sheet = SOURCES_PER_SHEET
        self.count = 0
        self.sheets: list[tuple[Any, int]] = []  # (sheet, rows written)
        self.names = Names(book.data, book.data.forms)
        self._start(ws)

    def _start(self, ws: Any) -> None:
        book = self.book
        n = len(self.sheets) + 1
        title = "数据来源：汇总表中每个填报数据的出处" + (f"（续{n}）" if n > 1 else "")
        book.titles(ws, title, len(self.HEADS))
        ws.write_string(HEAD - 2, 0, NOT_PRINTED, book.styles.get("subtitle"))
        book.header(ws, HEAD - 1, list(self.HEADS))
        self.sheets.append((ws, 0))
        self.ws, self.r = ws, HEAD

    def add(self, sheet: str, where: str, row: Row, name: str) -> None:
        """The figure ``name`` of ``row``, written at ``sheet``!``where``."""
        sub = row.submission
        assert sub is not None
        o = row.sources[name]
        self._write(sheet, where, sub, o.form, o.row_key, o.field, o.value, o.sheet, o.cell)

    def add_part(self, sheet: str, where: str, row: Row, name: str, part: Part) -> None:
        """One month's share of a figure summed over months (``provenance.Part``)."""
        sub, value = part.submission, part.value
        self._write(sheet, where, sub, row.form, row.key, name, value, part.sheet, part.cell)

    def _write(
        self,
        sheet: str,
        where: str,
        sub: Submission,
        form: str,
        key: str,
        name: str,
        value: Any,
        origin_sheet: str,
        origin_cell: str,
    ) -> None:
        if self.r - HEAD >= self.per_sheet:
            ws = self.book.wb.add_worksheet(f"{SOURCES}（续{len(self.sheets) + 1}）")
            self.sheets[-1] = (self.ws, self.r - HEAD)
            self._start(ws)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)  # as recorded: no Decimal on the way (the same float)
        else:
            value = str(value)
        self.ws.write_plain_row(
            self.r,
            (
                sheet,
                where,
                self.names.form_name(form),
                key,
                name,
                value,
                sub.id,
                sub.department,
                sub.file_name,
                sub.sha256,
                origin_sheet,
                origin_cell,
                sub.period,
                *self.names.of(form, key, name),
            ),
            self.book.plain,
        )
        self.r += 1
        self.count += 1

    def finish(self) -> None:
        self.sheets[-1] = (self.ws, self.r - HEAD)
        ncols = len(self.HEADS)
        for ws, n in self.sheets:
            last = HEAD + max(n, 1) - 1
            ws.freeze_panes(HEAD, 0)
            # thousands of rows of file names and checksums are read on screen, not
            # on paper: only the title and the note print
            print_landscape(ws, [w for _, w in self.HEADS], None)
            ws.print_area(0, 0, HEAD - 2, ncols - 1)
            ws.autofilter(HEAD - 1, 0, last, ncols - 1)
