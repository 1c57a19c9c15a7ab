"""Cell references, the patterns the sheet scans share, and what a scan finds (CellScan)."""

from __future__ import annotations

import functools
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
_A_HIDDEN = re.compile(rb"(?<![\w:.-])hidden\s*=\s*(?:\"(?:1|true)\"|'(?:1|true)')")

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


@functools.lru_cache(maxsize=4096)  # the returns of one template merge the same ranges
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


def _attr(raw: bytes, pattern: re.Pattern[bytes]) -> bytes | None:
    """The attribute's value; calamine keeps the last of duplicates, and so do we."""
    found = pattern.findall(raw)
    if not found:
        return None
    a, b = found[-1]
    return a if a or not b else b


def _duplicate(raw: bytes, pattern: re.Pattern[bytes]) -> bool:
    return len(pattern.findall(raw)) > 1


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})


def _formula_without_value(content: bytes, t: bytes | None) -> bool:
    """<f> with no cached <v>, or an empty one where only text may be empty."""
    v = _V.search(content)
    if v is None:
        return True
    return not (v.group(1) or b"").strip() and t not in (b"str", b"inlineStr")
