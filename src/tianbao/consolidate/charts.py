"""Native Excel charts on the dashboard (xlsxwriter ``add_chart``).

Each chart is a column chart of completion rates with each bar's benchmark
(序时进度, or 100 for a point-in-time figure) as a red tick on it, never a line
joining unrelated categories; a bar without a rate is labelled (未报, 目标待定, a
ceiling's 达标/超标). The series point at the detail or subtotal cells of the other
sheets, so the charts follow the workbook when Excel or LibreOffice recalculates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_col_to_name

from tianbao.consolidate.projects import P_RATE
from tianbao.consolidate.sheets import IND_LABEL, IND_RATE

if TYPE_CHECKING:
    from tianbao.consolidate.book import Book

WIDTH = 1000
HEIGHT = 520
ROWS_PER_CHART = 28  # rows of 15 pt a chart takes, with a gap; one chart per page


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
) -> Any:
    wb = book.wb
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "完成率(%)",
            "categories": _ref(sheet, label_col, first, last),
            "values": _ref(sheet, rate_col, first, last),
            "fill": {"color": "#4472C4"},
            "data_labels": {"value": True, "num_format": "0.0", "font": {"size": 8}},
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
    chart.set_title({"name": title, "name_font": {"size": 12, "name": "黑体"}})
    chart.set_x_axis({"num_font": {"size": 8, "name": "宋体"}})
    chart.set_y_axis(
        {"name": "%", "num_format": "0", "min": 0, "major_gridlines": {"visible": True}}
    )
    chart.set_legend({"position": "top"})
    chart.set_size({"width": WIDTH, "height": HEIGHT})
    chart.show_blanks_as("gap")
    chart.show_hidden_data()  # the categories come from a hidden label column
    return chart


def add_charts(book: Book, ws: Any, row: int) -> int:
    """Insert the charts from ``row`` down, each on its own printed page; returns the
    last row they cover."""
    charts = []
    sheet, first, last, _ = book.refs["indicator_rows"]
    charts.append(
        _rate_chart(
            book,
            "主要指标：完成目标(%)与序时进度",
            sheet,
            first,
            last,
            IND_LABEL,
            IND_RATE,
            IND_RATE + 1,
            "序时进度/基准(%)",
        )
    )
    for name, title in (
        ("类别", "重点项目：分类别完成率与序时进度"),
        ("责任单位", "重点项目：分责任单位完成率与序时进度"),
    ):
        b = book.blocks.get(name)
        if b is not None and b.last >= b.first:
            charts.append(_rate_chart(book, title, b.sheet, b.first, b.last, 1, P_RATE, P_RATE + 1))
    charts += _trend_charts(book)
    breaks = []
    for chart in charts:
        breaks.append(row)
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4, "object_position": 1})
        row += ROWS_PER_CHART
    ws.set_h_pagebreaks(breaks)
    return row


def _trend_charts(book: Book) -> list[Any]:
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
        chart = book.wb.add_chart({"type": "line"})
        for r in [*range(first, last + 1), bench]:
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
        chart.set_title({"name": title, "name_font": {"size": 12, "name": "黑体"}})
        chart.set_x_axis({"num_font": {"size": 9, "name": "宋体"}})
        chart.set_y_axis({"name": "%", "num_format": "0", "min": 0})
        chart.set_legend({"position": "right", "font": {"size": 8, "name": "宋体"}})
        chart.set_size({"width": WIDTH, "height": HEIGHT})
        chart.show_blanks_as("gap")
        chart.show_hidden_data()  # as the others: a filtered 趋势 still draws
        out.append(chart)
    return out
