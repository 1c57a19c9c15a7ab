"""Print setup of the workbooks tianbao writes with XlsxWriter (report, status): a
table prints landscape, one page wide, its header rows on every page, a title and
page numbers. A4 unless that would shrink the text below about 70 %: then A3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

A4, A3 = 9, 8
# column widths (characters) that fit A4 landscape at 100 % and at 70 %, margins 0.5"
A4_WIDTH_AT_100 = 136
A3_OVER = A4_WIDTH_AT_100 / 0.7


def print_table(ws: Any, widths: Sequence[float], header_row: int, title: str) -> None:
    """``widths``: the sheet's column widths; ``header_row``: 0-based row of the table
    header, repeated on every page."""
    ws.set_landscape()
    ws.set_paper(A3 if sum(widths) > A3_OVER else A4)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.repeat_rows(header_row)
    ws.set_header("&C" + title.replace("&", "&&"))
    ws.set_footer("&C第 &P 页，共 &N 页")
