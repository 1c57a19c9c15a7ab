"""The summary workbook's shared parts: sheet names, cell helpers, and ``Book``,
the writing primitives every sheet uses.

The workbook is written in xlsxwriter's ``constant_memory`` mode: each sheet's
rows go to a temporary file as soon as a later row is started, so rows must be
written top to bottom within a sheet (sheets may interleave), and strings are
stored inline rather than in a shared-string table. Figures taken from returns
are listed in 数据来源 as they are written (``Sources``), not kept; only the
returns they come from are, for 来源报表.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell, xl_rowcol_to_cell_fast

from tianbao.consolidate.data import FLOWS, Consolidated, Row
from tianbao.consolidate.provenance import YTD_OF_FLOW, disagreement, sum_parts
from tianbao.consolidate.rates import LABELS, NO_TARGET, OVER, PENDING_LABEL, UNREPORTED, WITHIN
from tianbao.consolidate.rowwriter import Cell
from tianbao.consolidate.styles import LATE_RED, PCT, Styles
from tianbao.errors import TianbaoError
from tianbao.support.print_layout import print_landscape
from tianbao.support.xlsx import WRAP_MARGIN, display_width, row_height

if TYPE_CHECKING:
    from tianbao.consolidate.sources import Sources

OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "constant_memory": True,
}
HEAD = 4  # 0-based row of the first detail row (title, subtitle, blank, header)
DEFAULT_ROW = 15.0  # points: a row's height unless set
MAX_ROWS = 1_048_576  # rows of an Excel sheet
DASHBOARD = "总览"
INDICATORS = "主要指标"
PROJECTS = "重点项目"
LIVELIHOOD = "民生工程"
TASKS = "重点任务"
STATUS = "报送情况"
SOURCES = "数据来源"
RETURNS = "来源报表"  # the returns 数据来源 names, each once
NOT_PRINTED = (
    "本表供审计在屏幕上核对汇总表每个数字的出处（可按列筛选），不在打印范围内；"
    "如需打印，请在页面设置中取消打印区域。"
)


# what a chart's category says where its row has no bar: (status label, note)
CHART_NOTES = (
    (LABELS[UNREPORTED], "（未报）"),
    (PENDING_LABEL, "（目标待定）"),
    (LABELS[WITHIN], "（上限：达标）"),
    (LABELS[OVER], "（上限：超标）"),
)


class SummaryError(TianbaoError):
    """The summary cannot be written as it should be (a sheet would overflow)."""


def chart_note(state: str, collection: str = "") -> str:
    """What a chart's category adds to a row's name where it has no bar (or "")."""
    return next((why for text, why in CHART_NOTES if label(state, collection).startswith(text)), "")


def label(state: str, collection: str = "") -> str:
    if state == NO_TARGET and collection == "indicators":
        return PENDING_LABEL
    return LABELS[state]


def fnum(value: Decimal | None) -> float | str:
    """A cached formula value: the decimal as a float, '' for none."""
    return "" if value is None else float(value)


def cell(row: int, col: int, absolute: bool = False) -> str:
    if not absolute:  # the same text, from xlsxwriter's cache of column names
        return xl_rowcol_to_cell_fast(row, col)
    return xl_rowcol_to_cell(row, col, True, True)


def col_range(col: int, first: int, last: int) -> str:
    c = xl_col_to_name(col)
    return f"${c}${first + 1}:${c}${last + 1}"


def pct_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


@dataclass
class Block:
    """A group of subtotal rows, for the charts: rows of label, rate and benchmark."""

    sheet: str
    first: int
    last: int
    label_col: int
    rate_col: int
    bench_col: int
    bars: list[Bar] = field(default_factory=list)  # what each row's bar shows


@dataclass(frozen=True)
class Bar:
    """One bar of a chart as written: its row, category label, rate and benchmark."""

    row: int
    label: str
    rate: Decimal | None
    benchmark: Decimal
    kept: bool = False  # a ceiling kept: no rate, yet nothing a leader must chase


@dataclass(frozen=True)
class IndicatorLine:
    """One main indicator as 总览 shows it: its 主要指标 row and the values cached there."""

    row: int  # 0-based row on 主要指标
    name: str
    unit: str
    target: str  # the plan's words: 增长10%以上, 控制在4%以内
    point: bool
    value: Decimal | None  # 本年累计, or 本月 for a point-in-time figure
    growth: Decimal | None  # 同比增长(%)
    rate: Decimal | None
    benchmark: Decimal
    status: str


@dataclass
class Book:
    data: Consolidated
    wb: Any
    styles: Styles
    sources: Sources | None = None
    # sheet -> (status column, first row, last row) of the detail rows
    status_ranges: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)
    refs: dict[str, tuple[str, int, int, Any]] = field(default_factory=dict)
    # collection -> status -> detail rows in that status
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)  # groups the dashboard shows
    indicators: list[IndicatorLine] = field(default_factory=list)  # for 总览
    milestones: list[Any] = field(default_factory=list)  # due milestones, for 总览
    widths: list[float] = field(default_factory=list)  # the current sheet's column widths
    texts: list[tuple[int, str]] = field(default_factory=list)  # this row's text cells
    tall: float = 0.0  # the current sheet's rows beyond DEFAULT_ROW each, in points

    def __post_init__(self) -> None:
        self.plain = self.styles.get("cell")
        self.wrap = self.styles.get("cell", None, text_wrap=True)
        self.late = self.styles.get("cell", None, text_wrap=True, font_color=LATE_RED)
        self._row = -1  # the row being buffered (begin .. fit or end), -1: none
        self._cells: dict[int, Cell] = {}
        self._hidden: set[tuple[str, int]] = set()  # (sheet, column) of chart labels

    def begin(self, r: int) -> None:
        """Buffer the cells of row ``r`` until ``fit``/``end`` writes them at once."""
        self._row, self._cells = r, {}

    def end(self, ws: Any, r: int) -> None:
        if self._row == r:
            self._row = -1
            ws.write_cells(r, self._cells)

    def put(
        self, ws: Any, r: int, c: int, kind: str, value: Any, fmt: Any, cached: Any = 0
    ) -> None:
        """One cell: kind "s" text, "n" number, "b" blank, "f" formula (cached value)."""
        if r == self._row:
            self._cells[c] = (kind, value, fmt, cached)
        else:
            ws.write_kind(r, c, kind, value, fmt, cached)

    def detail_row(self, ws: Any, r: int) -> int:
        """``r``, once sure it fits in the sheet (xlsxwriter drops what does not)."""
        if r >= MAX_ROWS:
            raise SummaryError(
                f"{ws.get_name()}: 超过 Excel 的 {MAX_ROWS} 行 more rows than an Excel sheet holds"
            )
        return r

    def count(self, row: Row) -> None:
        assert row.rate is not None
        states = self.counts.setdefault(row.collection, {})
        states[row.rate.status] = states.get(row.rate.status, 0) + 1

    def fit(self, ws: Any, r: int, minimum: float = 15.0) -> None:
        """Row height for the row's wrapped text (LibreOffice/Excel do not grow rows)."""
        widths = self.widths
        cells = [(t, widths[c] * WRAP_MARGIN) for c, t in self.texts if c < len(widths)]
        height = max(minimum, row_height(cells, 13.0)) if cells else minimum
        ws.set_row(r, height)
        self.tall += height - DEFAULT_ROW  # the page layout's measure of the sheet
        self.texts = []
        self.end(ws, r)

    # -- primitives ----------------------------------------------------------------
    def num(self, ws: Any, r: int, c: int, value: Decimal | None, fmt: Any) -> None:
        if value is None:
            self.put(ws, r, c, "b", None, fmt)
        else:
            self.put(ws, r, c, "n", float(value), fmt)

    def text(self, ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
        if value is None or value == "":
            self.put(ws, r, c, "b", None, fmt)
        else:
            self.put(ws, r, c, "s", str(value), fmt)
            if fmt is self.wrap or fmt is self.late:
                self.texts.append((c, str(value)))

    def flow(self, ws: Any, r: int, c: int, row: Row, name: str, fmt: Any) -> Decimal | None:
        """本月 of a month's summary (from its return); over a quarter, half-year or year
        the sum of its months (the 趋势 sheet shows each). Returns the figure written."""
        d = self.data
        if not d.spans_months or (row.collection == "indicators" and row.point):
            self.returned(ws, r, c, row, name, fmt)  # a point-in-time figure: the last
            return row.num(name)
        parts = d.flow_parts(row)
        value = None if parts is None else sum_parts(parts)
        self.num(ws, r, c, value, fmt)
        if parts is None or value is None:
            return value
        assert self.sources is not None
        for part in parts:  # every month's return the sum is of, each in 数据来源
            self.sources.add_part(ws.name, cell(r, c), row, FLOWS[row.collection], part)
        # the months' sum against what the year-to-date figures say the period added
        before, base = d.ytd_before(row)
        ytd = row.num(YTD_OF_FLOW[row.collection])
        base_return = d.months()[before].get(row.item.department) if before else None
        note = disagreement(value, parts, ytd, base, before, base_return)
        if note:
            ws.write_comment(r, c, note, {"author": "tianbao", "x_scale": 2, "y_scale": 1.5})
        return value

    def flow_label(self, what: str = "") -> str:
        """The header of a 本月 column: 本月完成投资, or 本季完成投资（各月合计） in a
        quarter's summary."""
        d = self.data
        if not d.spans_months:
            return f"本月{what}"
        word = {"quarter": "本季", "half": "本半年", "year": "全年"}[d.of.kind]
        return f"{word}{what}（各月合计）"

    def returned(self, ws: Any, r: int, c: int, row: Row, name: str, fmt: Any) -> None:
        """A value from the return (number or text), its origin listed in 数据来源."""
        value = row.values.get(name)
        if value is None:
            self.put(ws, r, c, "b", None, fmt)
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.put(ws, r, c, "n", float(value), fmt)  # as recorded, the same float
        else:
            self.put(ws, r, c, "s", str(value), fmt)  # never a formula, whatever it says
            if fmt is self.wrap:
                self.texts.append((c, str(value)))
        assert self.sources is not None
        self.sources.add(ws.name, cell(r, c), row, name)

    def status_cell(self, ws: Any, r: int, c: int, state: str, collection: str = "") -> None:
        self.put(ws, r, c, "s", label(state, collection), self.styles.status(state))

    def header(
        self, ws: Any, r: int, heads: Sequence[tuple[str, float]], first_col: int = 0
    ) -> None:
        for i, (text, width) in enumerate(heads):
            ws.write_string(r, first_col + i, text, self.styles.get("header"))
            if r == HEAD - 1:
                ws.set_column(first_col + i, first_col + i, width)
        if r == HEAD - 1:
            self.widths = [w for _, w in heads]
            self.texts = []
        lines = max(display_width(t) / max(w - 1, 1) for t, w in heads)
        ws.set_row(r, max(15, 14 * min(int(lines) + 1, 4)))
        if r == HEAD - 1:
            self.tall = 28.0 + max(15, 14 * min(int(lines) + 1, 4)) - 2 * DEFAULT_ROW

    def hide_codes(self, ws: Any) -> None:
        """Column 0's codes (DOMESTIC_CAPITAL) hidden, neither shown nor printed: the
        name beside them is what people read; formulas and filters still have them."""
        ws.set_column(0, 0, self.widths[0], None, {"hidden": True})
        self.widths[0] = 0  # not printed: the paper and scale are for the rest

    def titles(self, ws: Any, title: str, ncols: int, note: str = "") -> None:
        d = self.data
        ws.merge_range(0, 0, 0, ncols - 1, title, self.styles.get("title"))
        ws.set_row(0, 28)
        sub = (
            f"报告期：{d.of.label_zh}（{d.of}）    序时进度：{pct_text(d.progress)}%    "
            f"数据：各单位最新受理的报表{('    ' + note) if note else ''}"
        )
        ws.merge_range(1, 0, 1, ncols - 1, sub, self.styles.get("subtitle"))

    def chart_label(
        self,
        ws: Any,
        r: int,
        c: int,
        name_col: int,
        status_col: int,
        name: str,
        state: str,
        collection: str = "",
    ) -> None:
        """A hidden cell a chart takes its category from: the row's name, with the reason
        where the row has no rate (（未报）, （目标待定）, a ceiling's （上限：达标）), so
        that a missing bar is labelled, never read as 0."""
        if (ws.name, c) not in self._hidden:  # once: the same setting on every row
            self._hidden.add((ws.name, c))
            ws.set_column(c, c, None, None, {"hidden": True})
        n, st = cell(r, name_col), cell(r, status_col)
        tests = "".join(f'IF(LEFT({st},{len(text)})="{text}","{why}",' for text, why in CHART_NOTES)
        formula = f'={n}&{tests}""{")" * len(CHART_NOTES)}'
        shown = name + chart_note(state, collection)
        self.put(ws, r, c, "f", formula, self.plain, shown)

    def page(self, ws: Any, ncols: int, last_row: int, freeze_col: int = 2) -> None:
        """The sheet's view and print layout: the table's header row on every page, and
        its code and name columns on every page across where it needs more than one."""
        ws.freeze_panes(HEAD, freeze_col)
        keys = (0, freeze_col - 1) if freeze_col else None
        tall = self.tall + DEFAULT_ROW * (last_row + 1)  # rows left at the default height
        widths = self.widths[:ncols]
        print_landscape(ws, widths, (HEAD - 1, HEAD - 1), key_cols=keys, height=tall)
        ws.print_area(0, 0, last_row, ncols - 1)

    def rate_cells(
        self,
        ws: Any,
        r: int,
        c: int,
        rate_formula: str | None,
        rate: Decimal | None,
        bench: Decimal,
        state: str,
        collection: str = "",
        total: bool = False,
        note: str = "",
    ) -> None:
        """Completion rate, benchmark, gap and status at columns c .. c+3; ``note``
        follows the status label (a subtotal's ·已报 n/m: incomplete)."""
        role = "total" if total else "cell"
        pct = self.styles.get(role, PCT)
        if rate_formula is not None:
            self.put(ws, r, c, "f", rate_formula, pct, fnum(rate))
        else:
            self.num(ws, r, c, rate, pct)
        self.put(ws, r, c + 1, "n", float(bench), pct)
        gap = None if rate is None else rate - bench
        rc, bc = cell(r, c), cell(r, c + 1)
        self.put(ws, r, c + 2, "f", f'=IF(ISNUMBER({rc}),{rc}-{bc},"")', pct, fnum(gap))
        status = self.styles.status(state, total)
        self.put(ws, r, c + 3, "s", label(state, collection) + note, status)
