"""Print layout of every workbook tianbao writes with XlsxWriter (templates, summary,
report, status): landscape, one page wide at a readable scale, header rows on every
page, page numbers.

A4 when the sheet fits it at 70 % or more, else A3 when it fits that at 70 %; a sheet
wider still prints on A3 at a fixed 75 % with its key columns (code, name) repeated
on every page across, so that no printed text is smaller than about 7 pt. Measured
through LibreOffice with margins of 0.5": 136 column-width characters (with the 0.71
padding each column gets) fill A4 landscape at 100 %, 197 fill A3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

A4, A3 = 9, 8
READABLE = 0.70
A4_AT_100 = 136.0
A3_AT_100 = 197.0
WIDE_SCALE = 75  # percent, for the sheets that take more than one page across
PADDING = 0.71  # what a column of width w takes beyond w characters
# points between margins of 0.75" top and bottom, landscape
PAGE_HEIGHTS = {A4: 595.3 - 108, A3: 841.9 - 108}


def printed_width(widths: Sequence[float]) -> float:
    return sum(w + PADDING for w in widths if w > 0)


def paper_for(widths: Sequence[float]) -> tuple[int, int | None]:
    """(paper, fixed scale or None to fit one page wide) for a sheet's column widths."""
    need = printed_width(widths)
    if need <= A4_AT_100 / READABLE:
        return A4, None
    if need <= A3_AT_100 / READABLE:
        return A3, None
    return A3, WIDE_SCALE


def print_landscape(
    ws: Any,
    widths: Sequence[float],
    header_rows: tuple[int, int] | None,
    title: str = "",
    key_cols: tuple[int, int] | None = None,
    header: str | None = None,
    height: float | None = None,
) -> None:
    """``widths``: the printed columns' widths (a hidden column 0); ``header_rows``:
    0-based first and last row repeated on every page; ``key_cols``: the columns
    repeated on every page across when the sheet is too wide for one; ``header``: a
    ready page header (XlsxWriter codes), else ``title`` centred; ``height``: the
    sheet's rows in points, when known: a sheet a little taller than its page is
    fitted on that one page if it stays readable, not left with a few rows on a
    second."""
    paper, scale = paper_for(widths)
    ws.set_landscape()
    ws.set_paper(paper)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    if scale is None:
        # 5 % to spare: the height is worked out from the text, the printed rows may differ
        one_page = height is not None and height * READABLE <= PAGE_HEIGHTS[paper] * 0.95
        ws.fit_to_pages(1, 1 if one_page else 0)
    else:
        ws.set_print_scale(scale)
        ws.print_across()
        if key_cols is not None:
            ws.repeat_columns(*key_cols)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    if header is not None:
        ws.set_header(header)
    elif title:
        # no font-size codes: "&9" followed by "2014" would read as size 92014
        ws.set_header("&C" + title.replace("&", "&&"))
    ws.set_footer("&C第 &P 页，共 &N 页")
