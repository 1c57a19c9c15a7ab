"""Native Excel charts on the dashboard (xlsxwriter ``add_chart``).

Each chart is a column chart of completion rates with each bar's benchmark
(序时进度, or 100 for a point-in-time figure) as a red tick on it, never a line
joining unrelated categories; a bar without a rate is labelled (未报, 目标待定, a
ceiling's 达标/超标). The series point at the detail or subtotal cells of the other
sheets, so the charts follow the workbook when Excel or LibreOffice recalculates it.
A big district's bar chart draws the ``BARS`` lowest rates only, from a few hidden
cells to the right of the dashboard that point at the rows it picked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from tianbao.consolidate.book import Bar, Block, chart_note
from tianbao.consolidate.grid import PAGE_HEIGHT, WIDTHS
from tianbao.consolidate.rates import WITHIN
from tianbao.consolidate.sheets import IND_LABEL, IND_RATE
from tianbao.consolidate.trend import chart_lines

if TYPE_CHECKING:
    from tianbao.consolidate.book import Book

CHARTS_PER_PAGE = 2  # one above the other, each the page's width
ROW_PT = 15.0  # the dashboard's rows below page 1 (xlsxwriter's default height)
# the dashboard's columns in pixels as xlsxwriter anchors a chart to them (7 a character
# and 5 of padding): the chart spans the columns, so it spans the printed page
AREA_PIXELS = sum(int(w * 7 + 5) for w in WIDTHS)
PRINTED_PT = 8.5  # the smallest text a chart prints, in points (at the sheet's scale)
# bars a chart draws at most: 1,000 departments' bars on a page are a grey smear, so a
# big district's chart draws the lowest rates, its title says so, its sheet lists all
BARS = 15
KEPT = Decimal("Infinity")  # how a ceiling kept ranks: after every rate
PICKED_COL = len(WIDTHS) + 1  # the dashboard's hidden cells a capped chart points at


@dataclass(frozen=True)
class Layout:
    """Sizes of the charts, for a sheet printed at ``scale`` percent: two charts to a
    page, and fonts that print at 8.5 pt or more however much the page is shrunk."""

    scale: int = 100

    @property
    def rows(self) -> int:  # rows of the sheet one chart takes, with its gap
        return int(PAGE_HEIGHT * 100 / self.scale / ROW_PT) // CHARTS_PER_PAGE

    @property
    def width(self) -> int:  # pixels (4/3 of a point)
        return AREA_PIXELS - 12  # the print area's: wider would be cut off

    @property
    def height(self) -> int:
        return int(self.rows * ROW_PT * 4 / 3) - 14

    def font(self, printed: float = PRINTED_PT) -> float:
        """The size to give a chart's text so that it prints at ``printed`` points."""
        return math.ceil(printed * 100 / self.scale * 2) / 2


def _ref(sheet: str, col: int, first: int, last: int) -> str:
    c = xl_col_to_name(col)
    return f"='{sheet}'!${c}${first + 1}:${c}${last + 1}"


def _rate_chart(
    book: Book,
    title: str,
    sheet: str,
    first: int,
    last: int,
    label_col: int,
    rate_col: int,
    bench_col: int,
    bench_name: str = "序时进度(%)",
    layout: Layout = Layout(),
) -> Any:
    wb = book.wb
    small, big = layout.font(), layout.font(PRINTED_PT + 2)
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "完成率(%)",
            "categories": _ref(sheet, label_col, first, last),
            "values": _ref(sheet, rate_col, first, last),
            "fill": {"color": "#4472C4"},
            "data_labels": {"value": True, "num_format": "0.0", "font": {"size": small}},
            "gap": 80,
        }
    )
    line = wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": bench_name,
            "categories": _ref(sheet, label_col, first, last),
            "values": _ref(sheet, bench_col, first, last),
            "line": {"none": True},
            "marker": {
                "type": "dash",
                "size": 14,
                "border": {"color": "#C00000", "width": 2},
                "fill": {"color": "#C00000"},
            },
        }
    )
    chart.combine(line)
    chart.set_title({"name": title, "name_font": {"size": big, "name": "黑体"}})
    # upright names, wrapped by the spreadsheet: a slanted name prints tiny
    chart.set_x_axis({"num_font": {"size": small, "name": "宋体", "rotation": 0}})
    chart.set_y_axis(
        {
            "name": "%",
            "name_font": {"size": small, "rotation": 0},  # upright: as readable
            "num_font": {"size": small},
            "num_format": "0",
            "min": 0,
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_legend({"position": "top", "font": {"size": small, "name": "宋体"}})
    chart.set_size({"width": layout.width, "height": layout.height})
    chart.show_blanks_as("gap")
    chart.show_hidden_data()  # the categories come from a hidden label column
    return chart


def add_charts(book: Book, ws: Any, row: int, scale: int = 100) -> int:
    """Insert the charts from ``row`` down, two to a printed page of a sheet printed at
    ``scale`` percent; returns the last row they cover."""
    layout = Layout(scale)
    charts = []
    sheet, first, last, _ = book.refs["indicator_rows"]
    indicators = Block(sheet, first, last, IND_LABEL, IND_RATE, IND_RATE + 1)
    indicators.bars = [
        Bar(
            x.row,
            x.name + chart_note(x.status, "indicators"),
            x.rate,
            x.benchmark,
            x.status == WITHIN,
        )
        for x in book.indicators
    ]
    picked = Picked(ws, row)
    block, more = picked.bars(indicators, "项")
    charts.append(
        _rate_chart(
            book,
            "主要指标：完成目标(%)与序时进度" + more,
            block.sheet,
            block.first,
            block.last,
            block.label_col,
            block.rate_col,
            block.bench_col,
            "序时进度/基准(%)",
            layout,
        )
    )
    for name, title in (
        ("类别", "重点项目：分类别完成率与序时进度"),
        ("责任单位", "重点项目：分责任单位完成率与序时进度"),
    ):
        b = book.blocks.get(name)
        if b is not None and b.last >= b.first:
            # the bars are named from column B (the group's name)
            named = Block(b.sheet, b.first, b.last, 1, b.rate_col, b.bench_col, b.bars)
            b, more = picked.bars(named, "个")
            cols = (b.label_col, b.rate_col, b.bench_col)
            chart = _rate_chart(book, title + more, b.sheet, b.first, b.last, *cols, layout=layout)
            charts.append(chart)
    charts += _trend_charts(book, layout)
    breaks = []
    for n, chart in enumerate(charts):
        if n % CHARTS_PER_PAGE == 0:
            breaks.append(row)
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4, "object_position": 1})
        row += layout.rows
    ws.set_h_pagebreaks(breaks)
    return row


def picked_rows(block: Block) -> list[int]:
    """The rows a bar chart of ``block`` draws, in sheet order: every one up to
    ``BARS``, else the ``BARS`` lowest rates (no rate first: 未报 is what a leader must
    see; a ceiling kept is never behind), ties in sheet order."""
    ranks = [(KEPT if bar.kept else bar.rate, bar.row) for bar in block.bars]
    return chart_lines(ranks, BARS)


@dataclass
class Picked:
    """Hidden cells on the dashboard (``ws``), from row ``row`` down in the columns
    past its print area, that copy the rows a capped chart draws: label, rate (#N/A,
    no bar, where the row has none) and benchmark, by formula, so the chart follows
    its sheet. Rows go down chart after chart (the sheet is written top to bottom)."""

    ws: Any
    row: int

    def bars(self, block: Block, unit: str) -> tuple[Block, str]:
        """The block the chart points at, and what its title adds: itself and "" for
        ``BARS`` rows or fewer, else the hidden copy of the picked rows."""
        rows = picked_rows(block)
        if len(rows) == len(block.bars):
            return block, ""
        by_row = {bar.row: bar for bar in block.bars}
        c, first = PICKED_COL, self.row
        self.ws.set_column(c, c + 2, None, None, {"hidden": True})
        for r in rows:
            bar, there = by_row[r], f"'{block.sheet}'!"
            name = f"={there}{xl_rowcol_to_cell(r, block.label_col)}"
            self.ws.write_formula(self.row, c, name, None, bar.label)
            rate = there + xl_rowcol_to_cell(r, block.rate_col)
            value = "#N/A" if bar.rate is None else float(bar.rate)
            formula = f"=IF(ISNUMBER({rate}),{rate},NA())"
            self.ws.write_formula(self.row, c + 1, formula, None, value)
            bench = f"={there}{xl_rowcol_to_cell(r, block.bench_col)}"
            self.ws.write_formula(self.row, c + 2, bench, None, float(bar.benchmark))
            self.row += 1
        n, sheet = len(block.bars), self.ws.get_name()
        more = f"（{n}{unit}中完成率最低的{len(rows)}{unit}，全部见「{block.sheet}」表）"
        return Block(sheet, first, self.row - 1, c, c + 1, c + 2), more


def _trend_charts(book: Book, layout: Layout) -> list[Any]:
    """The completion rates month by month against 序时进度 (the 趋势 sheet's rows)."""
    if "trend_months" not in book.refs:
        return []
    sheet, head, c1, c2 = book.refs["trend_months"]
    months = f"='{sheet}'!${xl_col_to_name(c1)}${head + 1}:${xl_col_to_name(c2)}${head + 1}"
    out = []
    for ref, title in (
        ("trend_indicators", "主要指标完成率逐月走势与序时进度"),
        ("trend_investment", "投资完成率逐月走势与序时进度"),
    ):
        _, first, last, bench = book.refs[ref]
        if last < first:
            continue
        rows = list(range(first, last + 1))
        if ref == "trend_indicators":
            _, total, _, rows = book.refs["trend_indicator_lines"]
            if len(rows) < total:  # a big plan: the lines furthest behind, said in the title
                title += f"（{total}项中末月完成率最低的{len(rows)}项，全部见「{sheet}」）"
        chart = book.wb.add_chart({"type": "line"})
        for r in [*rows, bench]:
            values = f"='{sheet}'!${xl_col_to_name(c1)}${r + 1}:${xl_col_to_name(c2)}${r + 1}"
            series: dict[str, Any] = {
                "name": f"='{sheet}'!$B${r + 1}",
                "categories": months,
                "values": values,
                "marker": {"type": "circle", "size": 5},
            }
            if r == bench:
                series["line"] = {"color": "#C00000", "width": 2.25, "dash_type": "dash"}
                series["marker"] = {"type": "none"}
            chart.add_series(series)
        small, big = layout.font(), layout.font(PRINTED_PT + 2)
        chart.set_title({"name": title, "name_font": {"size": big, "name": "黑体"}})
        chart.set_x_axis({"num_font": {"size": small, "name": "宋体"}})
        chart.set_y_axis(
            {
                "name": "%",
                "name_font": {"size": small, "rotation": 0},  # upright: as readable
                "num_font": {"size": small},
                "num_format": "0",
                "min": 0,
            }
        )
        chart.set_legend({"position": "right", "font": {"size": small, "name": "宋体"}})
        chart.set_size({"width": layout.width, "height": layout.height})
        chart.show_blanks_as("gap")
        chart.show_hidden_data()  # as the others: a filtered 趋势 still draws
        out.append(chart)
    return out
