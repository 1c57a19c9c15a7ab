"""The exact scan: walks the row and cell tags and places cells as calamine does."""

from __future__ import annotations

from tianbao.read.cellbase import (
    _A_CUSTOM_FORMAT,
    _A_R,
    _A_S,
    _A_T,
    _C_START,
    _CELL,
    _CELL_END,
    _HAS_F,
    _HAS_VALUE,
    _R_ATTR_ANY,
    _REF,
    _ROW_START,
    _ROW_TAG,
    _V,
    HUGE,
    CellScan,
    _attr,
    _duplicate,
    _formula_without_value,
    _text,
    col_number,
    ref_name,
)


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

    # the exact path's per-cell loop, kept in one piece so the per-cell work stays inline
    def cells(self, buf: bytes, start: int, end: int) -> None:  # noqa: C901
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
    stop_row: int = 0,
) -> CellScan:
    """The exact walk; with ``stop_row``, it stops at the first value on or past that
    (0-based) row: the sheet is refused then, and the rest would only cost time."""
    walk = _Walk(pct, percent_cols)
    scan = walk.scan
    pos = start
    starts = 0
    for m in _ROW_TAG.finditer(buf, start, end):
        walk.cells(buf, pos, m.start())
        if stop_row and walk.max_row >= stop_row:
            scan.max_row, scan.row_ref = walk.max_row, ref_name(*walk.at_row)
            scan.max_col, scan.col_ref = walk.max_col, ref_name(*walk.at_col)
            return scan
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
