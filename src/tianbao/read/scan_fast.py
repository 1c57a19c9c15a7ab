"""The fast scan (every cell written <c r="A1" ...>: byte counts and one regex pass)
and the rows-only scan (numbered rows, cells without references); see cells.py."""

from __future__ import annotations

import functools
import operator
import re

from tianbao.read.cellbase import (
    _A_T,
    _C_SAMPLE,
    _F_NO_V,
    _REF,
    _V,
    MAX_FAST_UPDATES,
    CellScan,
    _attr,
    _formula_without_value,
    _text,
    col_letters,
    col_number,
)


# -- fast path ----------------------------------------------------------------------
def _canonical_refs(buf: bytes, start: int, end: int, n_refs: int) -> bool:
    """Every attribute named r is written ' r="', there are n_refs of them, and every
    attribute is spelled ' name="value"'.

    calamine takes the last r of a tag, in any spelling (r='..', tab before r,
    r = "..."), so any other spelling or a duplicate sends the sheet to the
    exact path, which reads every form (and refuses duplicates).
    """
    plain = buf.count(b' r="', start, end)
    if plain != n_refs or buf.count(b"r=", start, end) != plain:
        return False
    return _plain_attributes(buf, start, end)


def _plain_attributes(buf: bytes, start: int, end: int) -> bool:
    """No attribute spelled otherwise than ' name="value"' (no t='e', t = "e", tab or
    line break before t= or s=): the byte searches for ' t="e"' and ' s="N"' would
    miss such cells (an error value read as blank). Single-byte finds run at memchr
    speed; a pretty-printer's line breaks between tags cost three more finds. An
    "=" in a formula or a text also sends the sheet to the exact path: still right."""
    if buf.count(b"=", start, end) != buf.count(b'="', start, end):
        return False  # = followed by a space, a line break or a single quote
    if buf.find(b"\t", start, end) >= 0 or buf.find(b"\r", start, end) >= 0:
        return False
    if buf.find(b' ="', start, end) >= 0:
        return False
    return buf.find(b"\n", start, end) < 0 or all(
        buf.find(odd, start, end) < 0 for odd in (b'\n="', b"\nt=", b"\ns=")
    )


def _fast(
    buf: bytes, start: int, end: int, pct: frozenset[int], hint: tuple[int, int] | None
) -> CellScan | None:
    n_cells = _fast_cells(buf, start, end)
    if n_cells is None:
        return None
    scan = CellScan(s_cells=n_cells, s_exact=False)
    if n_cells == 0:
        return scan
    bounds = _fast_bounds(buf, start, end, _first_bounds(buf, start, end, hint))
    if bounds is None:
        return None
    row, col = bounds
    scan.max_row, scan.row_ref = row - 1, f"row {row}"
    scan.max_col, scan.col_ref = col - 1, f"column {col_letters(col)}"
    _fast_attr_cells(buf, start, end, b' t="e"', scan, _add_error)
    _fast_formulas(buf, start, end, scan)
    for k in sorted(pct):
        _fast_attr_cells(buf, start, end, b' s="%d"' % k, scan, _add_percent)
    return scan


def _fast_cells(buf: bytes, start: int, end: int) -> int | None:
    """The number of cells when every one is written <c r="..."> in the canonical
    spelling (no <c>, no other layout, no prefixed tag); None sends the sheet on."""
    n_cells = buf.count(b'<c r="', start, end)
    if n_cells != buf.count(b"<c", start, end):
        return None
    if _colon_before(buf, start, end, b"cf"):
        return None  # maybe a prefixed cell or formula tag: <x:c>, <x:f>
    if not _canonical_refs(buf, start, end, n_cells + buf.count(b'<row r="', start, end)):
        return None
    return n_cells


def _colon_before(buf: bytes, start: int, end: int, letters: bytes) -> bool:
    """Whether ':' followed by one of `letters` occurs in buf[start:end]. Most sheets
    have few colons or none (a single-byte find is memchr-fast, a two-byte one is
    not); past 64 of them, one two-byte find per letter."""
    pos = buf.find(b":", start, end)
    for _ in range(64):
        if pos < 0:
            return False
        if pos + 1 < end and buf[pos + 1] in letters:
            return True
        pos = buf.find(b":", pos + 1, end)
    return pos >= 0 and any(buf.find(b":%c" % x, pos, end) >= 0 for x in letters)


def _first_bounds(
    buf: bytes, start: int, end: int, hint: tuple[int, int] | None
) -> tuple[int, int]:
    """Candidates: the hint, the last cell, the last cell of the first row; rounded up
    (to 199, 2999, column Z, AZ...) so that the search pattern stays short and cached."""
    row, col = hint or (1, 1)
    first_row_end = buf.find(b"</row>", start, end)
    for at in (
        buf.rfind(b'<c r="', start, end),
        buf.rfind(b'<c r="', start, first_row_end) if first_row_end > 0 else -1,
    ):
        ref = _REF.match(buf, at + 6) if at >= 0 else None
        if ref is not None and len(ref.group(1)) <= 3 and len(ref.group(2)) <= 7:
            row, col = max(row, int(ref.group(2))), max(col, col_number(ref.group(1)))
    return _round_row(row), _round_col(col)


def _fast_bounds(
    buf: bytes, start: int, end: int, bounds: tuple[int, int]
) -> tuple[int, int] | None:
    """One pass for an invalid reference or a valued cell beyond the bounds; raise them
    and go on. None (the exact path reports it) for an invalid one or too many raises."""
    row, col = bounds
    pos, steps = start, 0
    pattern = _beyond(row, col)
    while True:
        m = pattern.search(buf, pos, end)
        if not m:
            return row, col
        ref = _REF.match(buf, m.start() + 6)
        if ref is None or not _fast_ref_ok(buf, ref):
            return None
        steps += 1
        if steps > MAX_FAST_UPDATES:
            return None
        if _fast_has_value(buf, m.end(), end):
            row = _round_row(max(row, int(ref.group(2))))
            col = _round_col(max(col, col_number(ref.group(1))))
            pattern = _beyond(row, col)
        pos = m.end()


def _fast_ref_ok(buf: bytes, ref: re.Match[bytes]) -> bool:
    """A reference the fast path reads as calamine does: closed by its quote, no
    leading zero, upper-case letters, within XFD and 7 digits."""
    return (
        buf[ref.end() : ref.end() + 1] == b'"'
        and ref.group(2)[:1] != b"0"
        and ref.group(1).isupper()
        and len(ref.group(1)) <= 3
        and len(ref.group(2)) <= 7
    )


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
    """Every formula cell, and those without a cached value, in one pass: in a
    well-formed part '<' only opens a tag, so _F_NO_V's matches start exactly at
    the '<f' tags where it matches."""
    if buf.find(b"<f", start, end) < 0:
        return
    for m in _F_TAG.finditer(buf, start, end):  # every formula cell, valued or not
        at = m.start()
        cell = buf.rfind(b'<c r="', start, at)
        ref = _REF.match(buf, cell + 6) if cell >= 0 else None
        if ref is None:
            continue
        rc = (int(ref.group(2)) - 1, col_number(ref.group(1)) - 1)
        scan.formula_cells.add(rc)
        if _F_NO_V.match(buf, at, end) is None:
            continue
        tag_end = buf.find(b">", cell, at)
        if tag_end < 0:
            continue
        close = buf.find(b"</c>", at, end)
        if _no_value(buf[tag_end + 1 : close if close > 0 else end], buf[cell + 2 : tag_end]):
            scan.formula_no_value.add(rc)


def _no_value(content: bytes, tag: bytes) -> bool:
    """_formula_without_value, reading the cell's type only when it can matter (an
    empty value, and 'str' in the tag: t="str" or t="inlineStr")."""
    v = _V.search(content)
    if v is None:
        return True
    if (v.group(1) or b"").strip():
        return False
    return b"str" not in tag or _formula_without_value(content, _attr(tag, _A_T))


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
    counts = _rows_only_counts(buf, start, end, pct)
    if counts is None:
        return None
    n_rows, n_refs = counts
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


def _rows_only_counts(
    buf: bytes, start: int, end: int, pct: frozenset[int]
) -> tuple[int, int] | None:
    """(rows, cell references) when every row is numbered, at most one cell per row has
    a reference, all in the canonical spelling, and nothing needs locating (no prefixed
    tag, error value, formula or percent style); else None."""
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
    return n_rows, n_refs
