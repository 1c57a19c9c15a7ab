"""What every xlsx we write shares: the workbook options, text widths and row heights
sized for CJK text, and cell writers (templates, summaries, reports all use these)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from math import ceil
from typing import Any

WORKBOOK_OPTIONS = {
    # plan and user strings are data, never formulas, numbers or links
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # no temporary file per sheet: a template is small, and removing them cost
    # about a sixth of the generation time
    "in_memory": True,
}


@lru_cache(maxsize=1 << 15)  # each header, label and plan text of every template and summary
def display_width(text: str) -> float:
    """Column width Excel needs: CJK characters take two cells."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


# LibreOffice wraps CJK text a little before row_height's width estimate reaches the
# column's edge: a report that must print whole sizes its rows for 85 % of the width
WRAP_MARGIN = 0.85


def row_height(cells: list[tuple[str, float]], line: float = 14.0) -> float:
    """Height for wrapped text: Excel and LibreOffice do not grow rows on open."""
    lines = 1
    for text, width in cells:
        lines = max(lines, _lines(text, max(width - 1, 1)))
    return max(15.0, lines * line + 2)


@lru_cache(maxsize=1 << 15)  # the same texts in the same columns, template after template
def _lines(text: str, per_line: float) -> int:
    return max(ceil(display_width(part) / per_line) for part in text.split("\n"))


def header_footer_text(text: str) -> str:
    """Text for a page header or footer: ``&`` starts a code there."""
    return text.replace("&", "&&")


def write_value(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """A blank, a number or text (anything else as its text). Cells are (row, col):
    xlsxwriter's methods without the check for "A1" arguments, once a cell adds up."""
    if value is None:
        ws._write_blank(row, col, None, fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws._write_number(row, col, value, fmt)
    else:
        ws._write_string(row, col, str(value), fmt)


def write_typed(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """A value as a clerk would type it: dates as dates, text always as text."""
    if isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        write_value(ws, row, col, value, fmt)


def write_merged(ws: Any, row: int, c1: int, c2: int, text: str | None, fmt: Any) -> None:
    """Text, or a blank cell to fill (never an empty string), over columns c1..c2."""
    if c1 != c2:
        ws.merge_range(row, c1, row, c2, text or "", fmt)
    if text is None:
        ws.write_blank(row, c1, None, fmt)
    else:
        ws.write_string(row, c1, text, fmt)


def even_spans(widths: list[float], n: int) -> list[tuple[int, int]]:
    """``n`` runs of consecutive columns, each of at least two, of about equal width."""
    total, spans, start = sum(widths), [], 0
    for i in range(n):
        end, goal = start + 1, total * (i + 1) / n
        while end < len(widths) - 2 * (n - i - 1) - 1 and sum(widths[: end + 1]) < goal:
            end += 1
        if i == n - 1:
            end = len(widths) - 1
        spans.append((start, end))
        start = end + 1
    return spans
