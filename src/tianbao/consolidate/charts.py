"""Native Excel charts on the dashboard (xlsxwriter ``add_chart``).

Each chart is a column chart of completion rates with 序时进度 as a line, the
series pointing at the detail or subtotal cells of the other sheets, so the
charts follow the workbook when Excel or LibreOffice recalculates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_col_to_name

from tianbao.consolidate.projects import P_RATE
from tianbao.consolidate.sheets import IND_LABEL, IND_RATE

if TYPE_CHECKING:
    from tianbao.consolidate.book import Book

WIDTH = 780
HEIGHT = 420
ROWS_PER_CHART = 23  # rows of 20 px a chart takes, with a gap; one chart per page


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
            "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
            "marker": {"type": "none"},
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
    breaks = []
    for chart in charts:
        breaks.append(row)
        ws.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4, "object_position": 1})
        row += ROWS_PER_CHART
    ws.set_h_pagebreaks(breaks)
    return row
