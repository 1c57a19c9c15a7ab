"""数据来源 and 来源报表: where every figure taken from a return comes from.

数据来源 has one row per figure, written as the figure is: where it is in the
summary, what it is in words, its value, and the return (登记编号) and cell it was
taken from; a figure summed over months (a quarter's 本季（各月合计）...) has one
row per month, each naming that month's return and cell (``provenance.Part``).
What belongs to the return (department, form, period, file and checksum) is said
once, in 来源报表, one row per return in the order first used: at 10,000 returns
repeating it for every figure made 数据来源 three quarters of the workbook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tianbao.consolidate.book import HEAD, MAX_ROWS, NOT_PRINTED, RETURNS, SOURCES
from tianbao.consolidate.data import Row
from tianbao.consolidate.forked import SheetWorker, worth_it
from tianbao.consolidate.longcsv import Names
from tianbao.consolidate.provenance import Part
from tianbao.consolidate.sourcerows import Trace, rows_of, rows_worker
from tianbao.ledger.db import Submission
from tianbao.support.print_layout import print_landscape
from tianbao.support.xlsx import WRAP_MARGIN, row_height

if TYPE_CHECKING:
    from tianbao.consolidate.book import Book

SOURCES_PER_SHEET = MAX_ROWS - HEAD  # figures per 数据来源 sheet
BATCH = 500  # rows written (or sent to the worker) together
# rows of a 数据来源 sheet written here before a worker on the second core writes the
# rest (``sourcerows``): below that, starting one costs more than it saves
PARALLEL_FROM = 5_000
# the note under 数据来源's title: not printed, and where the rest of a figure's trace is
SOURCES_NOTE = (
    f"{NOT_PRINTED}每个数据所在报表的文件及其SHA-256校验值见「{RETURNS}」（按登记编号）。"
)


class Sources:
    """数据来源: one row per figure taken from a return, written as the figure is;
    past Excel's row limit it goes on in 数据来源（续2）, （续3）... The returns the
    figures name are kept (one per department and month summed) and listed in
    来源报表 at the end."""

    HEADS = (
        ("汇总表工作表", 10),
        ("汇总表单元格", 8),
        ("行名称", 18),
        ("字段名称", 14),
        ("计量单位", 6),
        ("数值", 18),
        ("登记编号", 8),  # the return: its file and checksum are in 来源报表
        ("单位代码", 8),
        ("原表工作表", 10),
        ("原表单元格", 8),
    )
    RETURN_HEADS = (
        ("登记编号", 8),
        ("单位代码", 9),
        ("单位名称", 20),
        ("报表", 26),  # the titles of the return's forms (主要指标月报)
        ("报表期", 9),
        ("文件", 36),
        ("文件SHA-256校验值", 66),
    )

    def __init__(self, book: Book, ws: Any, returns_ws: Any) -> None:
        self.book = book
        self.per_sheet = SOURCES_PER_SHEET
        self.count = 0
        self.sheets: list[tuple[Any, int]] = []  # (sheet, rows written)
        self.names = Names(book.data, book.data.forms)
        self.returns_ws = returns_ws
        self.returns: dict[int, Submission] = {}  # by id, in the order first named
        # rows waiting to be written together (``write_plain_rows``), from row r - len
        self.pending: list[Trace] = []
        self.indexed = False  # the rows' format has its index (see ``_write``)
        self.parallel = worth_it()
        self.worker: SheetWorker | None = None  # writing the current sheet's later rows
        self._start(ws)

    def _start(self, ws: Any) -> None:
        book = self.book
        n = len(self.sheets) + 1
        title = "数据来源：汇总表中每个填报数据的出处" + (f"（续{n}）" if n > 1 else "")
        ncols = len(self.HEADS)
        book.titles(ws, title, ncols)
        wide = sum(w for _, w in self.HEADS) * WRAP_MARGIN
        ws.merge_range(
            HEAD - 2,
            0,
            HEAD - 2,
            ncols - 1,
            SOURCES_NOTE,
            book.styles.get("subtitle", None, text_wrap=True),
        )
        ws.set_row(HEAD - 2, row_height([(SOURCES_NOTE, wide)], 13.0))
        book.header(ws, HEAD - 1, list(self.HEADS))
        self.sheets.append((ws, 0))
        self.ws, self.r = ws, HEAD

    def add(self, sheet: str, where: str, row: Row, name: str) -> None:
        """The figure ``name`` of ``row``, written at ``sheet``!``where``."""
        sub = row.submission
        assert sub is not None
        o_sheet, o_cell = row.cells[name]
        self._write(sheet, where, sub, row.form, row.key, name, row.values[name], o_sheet, o_cell)

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
            self._flush()
            self._settle()
            ws = self.book.wb.add_worksheet(f"{SOURCES}（续{len(self.sheets) + 1}）")
            self.sheets[-1] = (self.ws, self.r - HEAD)
            self._start(ws)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)  # as recorded: no Decimal on the way (the same float)
        else:
            value = str(value)
        if sub.id not in self.returns:
            self.returns[sub.id] = sub
        dept, o_sheet, o_cell = sub.department, origin_sheet, origin_cell
        self.pending.append((sheet, where, form, key, name, value, sub.id, dept, o_sheet, o_cell))
        self.r += 1
        self.count += 1
        # at once until the format has its index: formats get theirs in the order first
        # written, whichever the sheet, and later rows must not change that order
        if len(self.pending) >= BATCH or not self.indexed:
            self._flush()
            self.indexed = self.book.plain.xf_index is not None

    def _flush(self) -> None:
        if not self.pending:
            return
        first, plain = self.r - len(self.pending), self.book.plain
        # the worker only once the format's index is fixed: it numbers none itself
        if self.worker is None and self.parallel and self.indexed and first - HEAD >= PARALLEL_FROM:
            self.worker = rows_worker(self.ws, self.names, plain, first)
        if self.worker is not None:
            self.worker.send((first, self.pending))
        else:
            self.ws.write_plain_rows(first, rows_of(self.pending, self.names), plain)
        self.pending = []

    def _settle(self) -> None:
        """The current sheet's rows all written (the worker's, if one writes them)."""
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.finish()

    def close(self) -> None:
        """Stop a worker still writing (the summary failed before ``finish``)."""
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.close()

    def finish(self) -> None:
        self._flush()
        self._settle()
        self.sheets[-1] = (self.ws, self.r - HEAD)
        ncols = len(self.HEADS)
        for ws, n in self.sheets:
            last = HEAD + max(n, 1) - 1
            ws.freeze_panes(HEAD, 0)
            # thousands of rows are read on screen, filtered, not on paper: only the
            # title and the note print
            print_landscape(ws, [w for _, w in self.HEADS], None)
            ws.print_area(0, 0, HEAD - 2, ncols - 1)
            ws.autofilter(HEAD - 1, 0, last, ncols - 1)
        self._write_returns()

    def _write_returns(self) -> None:
        """来源报表: each return 数据来源 names, once, in the order first named."""
        book, ws = self.book, self.returns_ws
        heads = self.RETURN_HEADS
        book.titles(
            ws, f"{RETURNS}：数据来源中各登记编号所指的报表文件及其SHA-256校验值", len(heads)
        )
        book.header(ws, HEAD - 1, list(heads))
        departments = book.data.plan.departments
        r = HEAD - 1
        for sub in self.returns.values():
            r = book.detail_row(ws, r + 1)
            dept = departments.get(sub.department)
            forms = "、".join(self.names.form_name(f) for f in sub.forms)
            book.begin(r)
            book.put(ws, r, 0, "n", float(sub.id), book.plain)
            book.put(ws, r, 1, "s", sub.department, book.plain)
            book.text(ws, r, 2, dept.name if dept is not None else "", book.wrap)
            book.text(ws, r, 3, forms, book.wrap)
            book.put(ws, r, 4, "s", sub.period, book.plain)
            book.text(ws, r, 5, sub.file_name, book.wrap)
            book.put(ws, r, 6, "s", sub.sha256, book.plain)
            book.fit(ws, r)
        book.page(ws, len(heads), max(r, HEAD), freeze_col=1)
        ws.autofilter(HEAD - 1, 0, max(r, HEAD), len(heads) - 1)
