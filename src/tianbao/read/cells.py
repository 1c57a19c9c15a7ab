"""Where a sheet's cells are and what they hold, found without parsing the sheet.

The reader (calamine) builds a dense grid from A1 to the farthest cell that
holds a value; one cell at XFD1048576 makes it ask for 512 GiB and abort the
process. So before it runs we need a bound on that farthest cell, and the
facts calamine does not report: error values (it returns them as empty),
formulas without a cached value, cells in a percent format.

Three paths, tried in order:

* fast: real writers (Excel, WPS, LibreOffice, xlsxwriter, openpyxl) write
  every cell as ``<c r="A1" ...>``. Byte counts prove that every cell tag and
  every ``r`` attribute has that form; candidates (the <dimension>, the last
  cell, the last cell of the first row) are rounded up (153 -> 199, T -> T,
  AB -> AZ) and one regex pass looks for an invalid reference or a valued cell
  beyond them, raising them when found. C speed, no object per cell.
* rows only: some exporters omit the optional cell references but number every
  row; bound rows and columns from row numbers and per-row cell counts.
* exact: anything else (prefixed tags, odd quoting, duplicate or invalid
  references) walks the row and cell tags and places cells as calamine does.

The first two give upper bounds; whenever a bound would be refused, the exact
path decides, so only real data is ever refused.
"""

from __future__ import annotations

import re

from tianbao.read.cellbase import (
    _A_HIDDEN,
    _A_MAX,
    _A_MIN,
    _A_R,
    _A_STYLE,
    _CELL_END,
    _COL_TAG,
    _DIMENSION,
    _MERGE,
    _ROW_TAG,
    _V,
    CellScan,
    _attr,
    _text,
)
from tianbao.read.cellbase import (  # the vocabulary callers use through this module
    CALAMINE_ERRORS as CALAMINE_ERRORS,
)
from tianbao.read.cellbase import HUGE as HUGE
from tianbao.read.cellbase import col_letters as col_letters
from tianbao.read.cellbase import col_number as col_number
from tianbao.read.cellbase import parse_range as parse_range
from tianbao.read.cellbase import range_end as range_end
from tianbao.read.cellbase import ref_name as ref_name
from tianbao.read.scan_exact import _exact
from tianbao.read.scan_fast import _fast, _rows_only


def sheet_data_span(buf: bytes) -> tuple[int, int]:
    """[start, end) of the <sheetData> content; (0, 0) if there is none.

    By the bare name, whatever the prefix: the first mention starts it, the last
    ends it (a wider span only means more to scan).
    """
    first = buf.find(b"sheetData")
    if first < 0:
        return 0, 0
    tag_end = buf.find(b">", first)
    if tag_end < 0:
        return first, len(buf)
    if buf[tag_end - 1 : tag_end] == b"/" and buf.find(b"sheetData", tag_end) < 0:
        return 0, 0  # <sheetData/>: no cells
    close = buf.rfind(b"sheetData", tag_end)
    end = buf.rfind(b"<", tag_end, close) if close > 0 else -1
    return tag_end + 1, end if end > 0 else len(buf)


def dimension_of(buf: bytes, before: int) -> str:
    m = _DIMENSION.search(buf, 0, before or len(buf))
    return m.group(1).decode("ascii", "replace") if m else ""


def merges_of(buf: bytes, after: int) -> list[str]:
    return [m.group(1).decode("ascii", "replace") for m in _MERGE.finditer(buf, after)]


def hidden_rows(buf: bytes, start: int, end: int) -> frozenset[int]:
    """0-based rows of buf[start:end] (a sheet's <sheetData>) marked hidden."""
    if buf.find(b"hidden", start, end) < 0:  # the common case: one memchr-speed find
        return frozenset()
    found = set()
    for m in _ROW_TAG.finditer(buf, start, end):
        attrs = m.group(1)
        if attrs and _A_HIDDEN.search(attrs):
            r = _attr(attrs, _A_R)
            if r and r.isdigit() and int(r[:9]) > 0:
                found.add(int(r[:9]) - 1)
    return frozenset(found)


def percent_columns(buf: bytes, before: int, pct: frozenset[int]) -> tuple[tuple[int, int], ...]:
    """0-based (first, last) column ranges whose column style is a percent format.

    A cell written without a style (no s attribute) takes its row's style
    (customFormat) or else its column's: LibreOffice shows it, and saves it, so.
    """
    if not pct:
        return ()
    found = []
    for m in _COL_TAG.finditer(buf, 0, before or len(buf)):
        raw = m.group(1)
        style, lo, hi = _attr(raw, _A_STYLE), _attr(raw, _A_MIN), _attr(raw, _A_MAX)
        if not (style and style.isdigit() and int(style[:9]) in pct):
            continue
        if lo and hi and lo.isdigit() and hi.isdigit():
            first, last = int(lo[:9]) - 1, int(hi[:9]) - 1
            if 0 <= first <= last:
                found.append((first, last))
    return tuple(found)


def scan_cells(
    buf: bytes,
    start: int,
    end: int,
    percent_styles: frozenset[int],
    limits: tuple[int, int, int] = (0, 0, 0),
    hint: tuple[int, int] | None = None,
    percent_cols: tuple[tuple[int, int], ...] = (),
) -> CellScan:
    """The cells of buf[start:end] (a sheet's <sheetData>).

    limits: (rows, columns, cells) that would be refused; a bound from the fast
    or rows-only path that reaches one of them is replaced by the exact walk.
    hint: (last row, last column), 1-based, e.g. from <dimension>; only a start.
    percent_cols: column ranges styled in a percent format (``percent_columns``).
    """
    if start >= end:
        return CellScan()
    if percent_cols or (percent_styles and buf.find(b"customFormat", start, end) >= 0):
        # cells that inherit a row or column style: only the walk knows their rows
        return _exact(buf, start, end, percent_styles, percent_cols)
    scan = _fast(buf, start, end, percent_styles, hint) or _rows_only(
        buf, start, end, percent_styles
    )
    if scan is not None and _within(scan, *limits):
        return scan
    return _exact(buf, start, end, percent_styles, stop_row=limits[0])


_SHARED_CELL = re.compile(
    rb"<(?:[^\s<>/=:\"']+:)?c(?=[\s/>])[^<>]*?(?<![\w:.-])t\s*=\s*(?:\"s\"|'s')[^<>]*>"
)
_INDEX = re.compile(rb"[0-9]{1,10}")


def bad_shared_index(buf: bytes, start: int, end: int, count: int) -> tuple[str, int] | None:
    """The first shared-string cell whose value is not an index into the table.

    (value, offset) or None. calamine reads "1e308" or an index past the table
    as the first string; LibreOffice shows nothing: refused, not guessed.
    """
    for m in _SHARED_CELL.finditer(buf, start, end):
        if buf[m.end() - 2 : m.end()] == b"/>":
            continue
        close = _CELL_END.search(buf, m.end(), end)
        content = buf[m.end() : close.start() if close else end]
        v = _V.search(content)
        if v is None:
            continue
        value = v.group(1) or b""
        if _INDEX.fullmatch(value) is None or int(value) >= count:
            return _text(value)[:24], m.start()
    return None


def _within(scan: CellScan, rows: int, cols: int, cells: int) -> bool:
    return (
        (not rows or scan.max_row < rows)
        and (not cols or scan.max_col < cols)
        and (not cells or (scan.max_row + 1) * (scan.max_col + 1) <= cells)
    )
