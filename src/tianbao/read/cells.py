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

import functools
import operator
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

MAX_FAST_UPDATES = 2_000

# -- fast path patterns (all cells are <c r="A1" ...>) -------------------------
_C_PREFIXED = re.compile(rb"<[^\s<>/=:\"']+:c[\s/>]")
_C_SAMPLE = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
# a formula not followed by a non-empty cached value
_F_NO_V = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)(?!<v>[^<])")

# -- exact path patterns ------------------------------------------------------------
_ROW_TAG = re.compile(  # a row start tag (attributes, self-closing) or a row end tag
    rb"<(?:(?:[^\s<>/=:\"']+:)?row(?=[\s/>])((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
    rb"\s*(/?)|/(?:[^\s<>/=:\"']+:)?row\s*)>"
)
_ROW_START = re.compile(rb"<(?:[^\s<>/=:\"']+:)?row(?=[\s/>])")
_CELL = re.compile(
    rb"<(?:[^\s<>/=:\"']+:)?c(?=[\s/>])((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_CELL_END = re.compile(rb"</(?:[^\s<>/=:\"']+:)?c\s*>")
_C_START = re.compile(rb"<(?:[^\s<>/=:\"']+:)?c(?=[\s/>])")
_R_ATTR_ANY = re.compile(rb"\sr\s*=")
_A_R = re.compile(rb"(?<![\w:.-])r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A_T = re.compile(rb"(?<![\w:.-])t\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A_S = re.compile(rb"(?<![\w:.-])s\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A_CUSTOM_FORMAT = re.compile(rb"(?<![\w:.-])customFormat\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_COL_TAG = re.compile(rb"<(?:[^\s<>/=:\"']+:)?col(?=[\s/>])([^<>]*)>")
_A_MIN = re.compile(rb"(?<![\w:.-])min\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A_MAX = re.compile(rb"(?<![\w:.-])max\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_A_STYLE = re.compile(rb"(?<![\w:.-])style\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_HAS_VALUE = re.compile(rb"<(?:[^\s<>/=:\"']+:)?(?:v|is)[\s/>]")
_HAS_F = re.compile(rb"<(?:[^\s<>/=:\"']+:)?f[\s/>]")
_V = re.compile(rb"<(?:[^\s<>/=:\"']+:)?v(?:\s[^>]*)?(?:/>|>([^<]*)<)")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")

# -- both ---------------------------------------------------------------------------
_DIMENSION = re.compile(rb"<(?:[^\s<>/=:\"']+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_MERGE = re.compile(rb"<(?:[^\s<>/=:\"']+:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")

# Excel error values calamine accepts; any other makes it fail the whole sheet
CALAMINE_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
HUGE = 1 << 40


@functools.lru_cache(maxsize=4096)
def col_number(letters: bytes | str) -> int:
    """'A' -> 1, 'XFD' -> 16384 (case-insensitive); absurd lengths -> HUGE."""
    if len(letters) > 7:
        return HUGE
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def ref_name(row: int, col: int) -> str:
    """0-based (row, col) -> 'A1'; absurd values are shown as numbers."""
    if row >= HUGE or col >= HUGE:
        return f"R{row + 1}C{col + 1}"
    return f"{col_letters(col + 1)}{row + 1}"


def parse_range(text: str) -> tuple[int, int] | None:
    """'A1:XFD1048576' -> (rows, cols) it spans; None if not a range."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 2:
        return None
    cells = []
    for p in parts:
        m = _REF.fullmatch(p.strip().replace("$", "").encode())
        if not m:
            return None
        digits = m.group(2)
        cells.append((int(digits) if len(digits) < 12 else HUGE, col_number(m.group(1))))
    (r1, c1), (r2, c2) = cells[0], cells[-1]
    return abs(r2 - r1) + 1, abs(c2 - c1) + 1


def range_end(text: str) -> tuple[int, int] | None:
    """'A1:T153' -> (153, 20): the last row and column (1-based) of a range."""
    m = _REF.fullmatch(text.strip().rpartition(":")[2].replace("$", "").encode())
    if m is None or len(m.group(2)) > 7 or len(m.group(1)) > 3:
        return None
    return int(m.group(2)), col_number(m.group(1).upper())


@dataclass
class CellScan:
    """What the cells of one sheet hold, from its XML. Indices are 0-based."""

    max_row: int = -1  # farthest row / column of a cell holding a value
    max_col: int = -1
    row_ref: str = ""  # a cell on that row / column, for messages
    col_ref: str = ""
    s_cells: int = 0  # cells typed as shared strings (each gets its own copy)
    s_exact: bool = True  # False: s_cells counts every cell (an upper bound)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # any <f>, valued or not
    bad_ref: str = ""  # first reference calamine cannot parse
    malformed: str = ""  # a row/cell tag the exact path could not read
    exact: bool = False  # which path produced this

    @property
    def unsupported_errors(self) -> set[str]:
        return {v for v in self.error_cells.values() if v not in CALAMINE_ERRORS}


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
    return _exact(buf, start, end, percent_styles)


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


# -- fast path ----------------------------------------------------------------------
_R_ODD = (b"r =", b"r\t=", b"r\n=", b"r\r=")


def _canonical_refs(buf: bytes, start: int, end: int, n_refs: int) -> bool:
    """Every attribute named r is written ' r="' and there are n_refs of them.

    calamine takes the last r of a tag, in any spelling (r='..', tab before r,
    r = "..."), so any other spelling or a duplicate sends the sheet to the
    exact path, which reads every form (and refuses duplicates).
    """
    plain = buf.count(b' r="', start, end)
    if plain != n_refs or buf.count(b"r=", start, end) != plain:
        return False
    return all(buf.find(odd, start, end) < 0 for odd in _R_ODD)


def _fast(
    buf: bytes, start: int, end: int, pct: frozenset[int], hint: tuple[int, int] | None
) -> CellScan | None:
    n_cells = buf.count(b'<c r="', start, end)
    # every tag starting "<c" is a cell written as <c r="..."> (no <c>, no other layout)
    if n_cells != buf.count(b"<c", start, end):
        return None
    if buf.find(b":c", start, end) >= 0 or buf.find(b":f", start, end) >= 0:
        return None  # maybe a prefixed cell or formula tag: <x:c>, <x:f>
    if not _canonical_refs(buf, start, end, n_cells + buf.count(b'<row r="', start, end)):
        return None
    scan = CellScan(s_cells=n_cells, s_exact=False)
    if n_cells == 0:
        return scan
    # candidates: the hint, the last cell, the last cell of the first row; rounded up
    # (to 199, 2999, column Z, AZ...) so that the search pattern stays short and cached
    row, col = hint or (1, 1)
    first_row_end = buf.find(b"</row>", start, end)
    for at in (
        buf.rfind(b'<c r="', start, end),
        buf.rfind(b'<c r="', start, first_row_end) if first_row_end > 0 else -1,
    ):
        ref = _REF.match(buf, at + 6) if at >= 0 else None
        if ref is not None and len(ref.group(1)) <= 3 and len(ref.group(2)) <= 7:
            row, col = max(row, int(ref.group(2))), max(col, col_number(ref.group(1)))
    row, col = _round_row(row), _round_col(col)
    # one pass for an invalid reference or a valued cell beyond them; raise and go on
    pos, steps = start, 0
    pattern = _beyond(row, col)
    while True:
        m = pattern.search(buf, pos, end)
        if not m:
            break
        ref = _REF.match(buf, m.start() + 6)
        if (
            ref is None
            or buf[ref.end() : ref.end() + 1] != b'"'
            or ref.group(2)[:1] == b"0"
            or not ref.group(1).isupper()
            or len(ref.group(1)) > 3
            or len(ref.group(2)) > 7
        ):
            return None  # the exact path reports the bad reference
        steps += 1
        if steps > MAX_FAST_UPDATES:
            return None
        if _fast_has_value(buf, m.end(), end):
            row = _round_row(max(row, int(ref.group(2))))
            col = _round_col(max(col, col_number(ref.group(1))))
            pattern = _beyond(row, col)
        pos = m.end()
    scan.max_row, scan.row_ref = row - 1, f"row {row}"
    scan.max_col, scan.col_ref = col - 1, f"column {col_letters(col)}"
    _fast_attr_cells(buf, start, end, b' t="e"', scan, _add_error)
    _fast_formulas(buf, start, end, scan)
    for k in sorted(pct):
        _fast_attr_cells(buf, start, end, b' s="%d"' % k, scan, _add_percent)
    return scan


def _round_row(n: int) -> int:
    """Up to the leading digit's end: 153 -> 199, 20001 -> 29999."""
    digits = str(n)
    lead = int(digits[0])
    return (lead + 1) * 10 ** (len(digits) - 1) - 1


def _round_col(n: int) -> int:
    """Up to the leading letter's end: T -> T, AB -> AZ, XFD -> XZZ."""
    letters = col_letters(n)
    return col_number(letters[0] + "Z" * (len(letters) - 1))


def _fast_has_value(buf: bytes, after_ref: int, end: int) -> bool:
    tag_end = buf.find(b">", after_ref, end)
    if tag_end < 0 or buf[tag_end - 1 : tag_end] == b"/":
        return False
    close = buf.find(b"</c>", tag_end, end)
    content = buf[tag_end + 1 : close if close > 0 else end]
    return b"<v" in content or b"<is" in content


@functools.lru_cache(maxsize=256)
def _beyond(row: int, col: int) -> re.Pattern[bytes]:
    """<c r="..."> with an invalid reference, or after column `col` or row `row`.

    row and col are rounded (a leading digit or letter, then 9s or Zs), so this
    is a short trie, tried in order: too many letters, no letter, a later first
    letter; then (letters within) too many digits, a later first digit, no
    digit or a leading zero, anything but the closing quote after the digits.
    """
    letters, digits = col_letters(col), str(row)
    nl, x = len(letters), letters[0]
    nd, f = len(digits), digits[0]
    alts = [f"[A-Z]{{{nl + 1}}}", "(?![A-Z])"]
    if x != "Z":
        alts.append(f"[{chr(ord(x) + 1)}-Z][A-Z]{{{nl - 1}}}")
    within = f"[A-{x}][A-Z]{{{nl - 1}}}" + (f"|[A-Z]{{1,{nl - 1}}}" if nl > 1 else "")
    more = [f"[1-9][0-9]{{{nd}}}"]
    if f != "9":
        more.append(f"[{int(f) + 1}-9][0-9]{{{nd - 1}}}")
    tail = "|".join([*more, "(?![1-9])", '[0-9]++(?!")'])
    alts.append(f"(?>{within})(?:{tail})")
    return re.compile(('<c r="(?:' + "|".join(alts) + ")").encode())


def _fast_attr_cells(
    buf: bytes, start: int, end: int, needle: bytes, scan: CellScan, add: object
) -> None:
    """Cells whose start tag holds `needle` (e.g. ' t="e"') and a value."""
    pos = buf.find(needle, start, end)
    while pos >= 0:
        cell = buf.rfind(b'<c r="', start, pos)
        tag_end = buf.find(b">", pos, end)
        if cell >= 0 and tag_end >= 0 and buf.find(b">", cell, pos) < 0:
            ref = _REF.match(buf, cell + 6)
            if ref is not None and buf[tag_end - 1 : tag_end] != b"/":
                close = buf.find(b"</c>", tag_end, end)
                content = buf[tag_end + 1 : close if close > 0 else end]
                rc = (int(ref.group(2)) - 1, col_number(ref.group(1)) - 1)
                add(scan, rc, content)  # type: ignore[operator]
        pos = buf.find(needle, pos + len(needle), end)


def _add_error(scan: CellScan, rc: tuple[int, int], content: bytes) -> None:
    v = _V.search(content)
    if v is not None:
        scan.error_cells[rc] = _text(v.group(1) or b"")


def _add_percent(scan: CellScan, rc: tuple[int, int], content: bytes) -> None:
    if b"<v" in content or b"<is" in content:
        scan.percent_cells.add(rc)


_F_TAG = re.compile(rb"<f[\s/>]")


def _fast_formulas(buf: bytes, start: int, end: int, scan: CellScan) -> None:
    if buf.find(b"<f", start, end) < 0:
        return
    for m in _F_TAG.finditer(buf, start, end):  # every formula cell, valued or not
        cell = buf.rfind(b'<c r="', start, m.start())
        ref = _REF.match(buf, cell + 6) if cell >= 0 else None
        if ref is not None:
            scan.formula_cells.add((int(ref.group(2)) - 1, col_number(ref.group(1)) - 1))
    for m in _F_NO_V.finditer(buf, start, end):
        cell = buf.rfind(b'<c r="', start, m.start())
        tag_end = buf.find(b">", cell, m.start()) if cell >= 0 else -1
        ref = _REF.match(buf, cell + 6) if cell >= 0 else None
        if ref is None or tag_end < 0:
            continue
        close = buf.find(b"</c>", m.start(), end)
        content = buf[tag_end + 1 : close if close > 0 else end]
        if _formula_without_value(content, _attr(buf[cell + 2 : tag_end], _A_T)):
            scan.formula_no_value.add((int(ref.group(2)) - 1, col_number(ref.group(1)) - 1))


# -- cells without references in numbered rows --------------------------------------
_ROW_R = re.compile(rb'<row r="([0-9]{1,12})"')
_COUNT_C = operator.methodcaller("count", b"<c")


def _rows_only(buf: bytes, start: int, end: int, pct: frozenset[int]) -> CellScan | None:
    """Some exporters omit the (optional) cell references but number every row.

    A cell without a reference sits after the previous cell of its row, so its
    column is at most (the row's last referenced column) + (cells in the row):
    bound rows and columns from row numbers, the few references and per-row cell
    counts, no walk needed. Only for plain data (no error values, formulas or
    percent formats to locate).
    """
    n_rows = buf.count(b"<row", start, end)
    if not n_rows or n_rows != buf.count(b'<row r="', start, end):
        return None
    n_refs = buf.count(b'<c r="', start, end)
    if n_refs > n_rows or not _canonical_refs(buf, start, end, n_rows + n_refs):
        return None
    if buf.find(b":c", start, end) >= 0 or buf.find(b":row", start, end) >= 0:
        return None
    if buf.find(b' t="e"', start, end) >= 0 or buf.find(b"<f", start, end) >= 0:
        return None
    if any(buf.find(b' s="%d"' % k, start, end) >= 0 for k in pct):
        return None
    numbers = _ROW_R.findall(buf, start, end)
    refs = _C_SAMPLE.findall(buf, start, end) if n_refs else []
    if len(numbers) != n_rows or len(refs) != n_refs:
        return None
    rows = {int(n) for n in set(numbers)} | {int(d) for _, d in refs}
    if 0 in rows:
        return None
    scan = CellScan(s_cells=buf.count(b't="s"', start, end), exact=True)
    widest = max(map(_COUNT_C, buf[start:end].split(b"</row>")), default=0)
    if widest:
        last = max(rows)
        col = max((col_number(c) for c, _ in refs), default=0) + widest
        scan.max_row, scan.row_ref = last - 1, f"row {last}"
        scan.max_col, scan.col_ref = col - 1, f"column {col_letters(col)}"
    return scan


# -- exact path -----------------------------------------------------------------------
class _Walk:
    """Row and cell positions as calamine assigns them (it expands <x/> to <x></x>)."""

    def __init__(self, pct: frozenset[int], percent_cols: tuple[tuple[int, int], ...] = ()) -> None:
        self.scan = CellScan(exact=True)
        self.pct = pct
        self.percent_cols = percent_cols
        self.row_percent = False  # the current row's own style (customFormat) is a percent
        self.row_index = self.col_index = 0
        self.max_row = self.max_col = -1
        self.at_row = self.at_col = (0, 0)

    def _inherits_percent(self, raw: bytes, col: int) -> bool:
        """A cell with no style of its own, in a percent-styled row or column."""
        if not (self.row_percent or self.percent_cols) or _attr(raw, _A_S) is not None:
            return False
        return self.row_percent or any(a <= col <= b for a, b in self.percent_cols)

    def valued(self, row: int, col: int) -> None:
        if row > self.max_row:
            self.max_row, self.at_row = row, (row, col)
        if col > self.max_col:
            self.max_col, self.at_col = col, (row, col)

    def cells(self, buf: bytes, start: int, end: int) -> None:
        """The cells between two row tags."""
        if start >= end:
            return
        region = buf[start:end]
        if b"<" not in region:
            return
        scan = self.scan
        simple = (
            b":" not in region
            and _R_ATTR_ANY.search(region) is None
            and b't="e"' not in region
            and b"t='e'" not in region
            and b"<f" not in region
            and not (self.pct and b"s=" in region)
            and not (self.percent_cols or self.row_percent)
        )
        if simple:  # no references: the cells just follow each other
            n = len(_C_START.findall(region))
            if n and (b"<v" in region or b"<is" in region):
                self.valued(self.row_index, self.col_index + n - 1)
            self.col_index += n
            scan.s_cells += region.count(b't="s"') + region.count(b"t='s'")
            return
        starts = 0
        for m in _CELL.finditer(region):
            starts += 1
            raw, selfclose = m.group(1), m.group(2)
            row, col = self.row_index, self.col_index
            if raw:
                r = _attr(raw, _A_R) if b"r" in raw else None
                if r is not None and _duplicate(raw, _A_R):
                    scan.malformed = "a cell tag with two r attributes"
                if r is not None:
                    ref = _REF.fullmatch(r)
                    if ref is None or int(ref.group(2)[:12]) == 0:
                        scan.bad_ref = scan.bad_ref or f'cell r="{_text(r)[:20]}"'
                    else:
                        digits = ref.group(2)
                        row = int(digits) - 1 if len(digits) < 12 else HUGE
                        col = col_number(ref.group(1)) - 1
                if b"t" in raw and _attr(raw, _A_T) == b"s":
                    scan.s_cells += 1
            self.col_index = col + 1
            if selfclose:
                continue
            close = _CELL_END.search(region, m.end())
            content = region[m.end() : close.start() if close else len(region)]
            if _HAS_VALUE.search(content):
                self.valued(row, col)
                _cell_extras(scan, row, col, raw or b"", content, self.pct)
                if self._inherits_percent(raw or b"", col):
                    scan.percent_cells.add((row, col))
            elif _HAS_F.search(content):
                scan.formula_cells.add((row, col))
                if _attr(raw or b"", _A_T) not in (b"str", b"inlineStr"):
                    scan.formula_no_value.add((row, col))
        if starts != len(_C_START.findall(region)):
            scan.malformed = "a cell tag with malformed attributes"


def _exact(
    buf: bytes,
    start: int,
    end: int,
    pct: frozenset[int],
    percent_cols: tuple[tuple[int, int], ...] = (),
) -> CellScan:
    walk = _Walk(pct, percent_cols)
    scan = walk.scan
    pos = start
    starts = 0
    for m in _ROW_TAG.finditer(buf, start, end):
        walk.cells(buf, pos, m.start())
        pos = m.end()
        raw, selfclose = m.group(1), m.group(2)
        if raw is None:  # </row>
            walk.row_index, walk.col_index = walk.row_index + 1, 0
            walk.row_percent = False
            continue
        starts += 1
        walk.row_percent = bool(pct) and _row_percent(raw or b"", pct)
        r = _attr(raw, _A_R) if raw and b"r" in raw else None
        if r is not None and _duplicate(raw, _A_R):
            scan.malformed = "a row tag with two r attributes"
        if r is not None:
            if not r.isdigit() or int(r[:12]) == 0:
                scan.bad_ref = scan.bad_ref or f'row r="{_text(r)[:20]}"'
            else:
                walk.row_index = int(r) - 1 if len(r) < 12 else HUGE
        if selfclose:
            walk.row_index, walk.col_index = walk.row_index + 1, 0
    walk.cells(buf, pos, end)
    if walk.max_row >= 0:
        scan.max_row, scan.row_ref = walk.max_row, ref_name(*walk.at_row)
        scan.max_col, scan.col_ref = walk.max_col, ref_name(*walk.at_col)
    if starts != len(_ROW_START.findall(buf, start, end)):
        scan.malformed = "a row tag with malformed attributes"
    return scan


def _row_percent(raw: bytes, pct: frozenset[int]) -> bool:
    """A row tag whose own style (it applies with customFormat) is a percent format."""
    s = _attr(raw, _A_S) if b"s" in raw else None
    if s is None or not s.isdigit() or int(s[:9]) not in pct:
        return False
    return _attr(raw, _A_CUSTOM_FORMAT) in (b"1", b"true")


def _attr(raw: bytes, pattern: re.Pattern[bytes]) -> bytes | None:
    """The attribute's value; calamine keeps the last of duplicates, and so do we."""
    found = pattern.findall(raw)
    if not found:
        return None
    a, b = found[-1]
    return a if a or not b else b


def _duplicate(raw: bytes, pattern: re.Pattern[bytes]) -> bool:
    return len(pattern.findall(raw)) > 1


def _cell_extras(
    scan: CellScan, row: int, col: int, raw: bytes, content: bytes, pct: frozenset[int]
) -> None:
    """Error value, formula without a cached value, percent format of a valued cell."""
    t = _attr(raw, _A_T) if b"t" in raw else None
    if t == b"e":
        v = _V.search(content)
        if v is not None:
            scan.error_cells[(row, col)] = _text(v.group(1) or b"")
    if _HAS_F.search(content):
        scan.formula_cells.add((row, col))
        if _formula_without_value(content, t):
            scan.formula_no_value.add((row, col))
    if pct:
        s = _attr(raw, _A_S)
        if s is not None and s.isdigit() and int(s) in pct:
            scan.percent_cells.add((row, col))


def _formula_without_value(content: bytes, t: bytes | None) -> bool:
    """<f> with no cached <v>, or an empty one where only text may be empty."""
    v = _V.search(content)
    if v is None:
        return True
    return not (v.group(1) or b"").strip() and t not in (b"str", b"inlineStr")


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
