"""Merged cells over a form's rows: one finding per merge, naming its range.

A merge keeps its top-left cell; the others are hidden, and every program drops or
hides what they held (Excel and openpyxl drop it, LibreOffice may keep it unseen). So
each hidden cell of a row is unusable: its field is blocked (validate.extract), and no
finding of its own is made there or for what depends on it (the template's sum of the
row, a rule). The clerk reads one line: which range, and to unmerge it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from tianbao.findings import Code, Finding, make
from tianbao.validate.records import SheetView

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.STRUCT_MERGED_CELLS,)

MAX_NAMED = 10  # more merges of one sheet are counted in one last finding
_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


def _cell(text: str) -> tuple[int, int] | None:
    """An A1 reference as a 0-based (row, column); None when it is not one."""
    m = _REF.fullmatch(text.strip().upper())
    if m is None or int(m[2]) < 1:
        return None
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]) - 1, col - 1


@lru_cache(maxsize=1024)  # the template's own merges recur in every return
def bounds(ref: str) -> tuple[int, int, int, int] | None:
    """A merged range as (first row, first column, last row, last column), 0-based."""
    ends = [_cell(p) for p in ref.split(":", 1)]
    if any(e is None for e in ends):
        return None
    (r0, c0), (r1, c1) = ends[0], ends[-1]  # type: ignore[misc]
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def hide(sheet: SheetView, first_row: int, columns: Collection[int]) -> None:
    """The cells merges hide in the form's columns from ``first_row`` down, into
    ``sheet.hidden`` (and ``special``, so a row's quick path looks at them)."""
    last = len(sheet.rows) - 1
    cols = sorted(set(columns))
    for ref in sheet.merges:
        box = bounds(ref)
        if box is None or box[2] < first_row or box[0] > last:
            continue
        r0, c0, r1, c1 = box
        shown = ref.replace("$", "").upper()
        for r in range(max(r0, first_row), min(r1, last) + 1):
            for c in cols:
                if c0 <= c <= c1 and (r, c) != (r0, c0):
                    sheet.hidden[(r, c)] = shown
    sheet.special |= set(sheet.hidden)


def merged_findings(
    sheet: SheetView, rows: Collection[int], findings: list[Finding], at: dict[str, Any]
) -> list[Finding]:
    """``findings`` without those at a hidden cell, and one finding per merge that hides
    a cell of a form's row (``rows``, 0-based) or what stood at one (a key, a row's
    position), at its top-left cell."""
    hidden_refs = {xl_rowcol_to_cell(*rc): ref for rc, ref in sheet.hidden.items()}
    merges = {ref: None for (r, _), ref in sheet.hidden.items() if r in rows}
    # and its top-left cell: what a program moved into it (LibreOffice can join the
    # merged cells' texts there) is the merge's doing too, said once
    hidden_refs.update({ref.partition(":")[0]: ref for ref in merges})
    kept, follows = [], []
    for f in findings:
        ref = hidden_refs.get(f.cell)
        if ref is None:
            kept.append(f)
        else:  # a follow-on of the merge: said by the merge's own finding
            merges[ref] = None
            follows.append(f.code)
    if any(c is Code.STRUCT_ROW_MISSING for c in follows):  # a hidden key: no row moved
        kept = [f for f in kept if f.code is not Code.STRUCT_ROW_MOVED]
    for i, ref in enumerate(sorted(merges, key=_order)):
        if i == MAX_NAMED:
            rest = len(merges) - MAX_NAMED
            kept.append(make(Code.STRUCT_MERGED_CELLS, "more", rest=rest, value=rest, **at))
            break
        first = ref.partition(":")[0]
        kept.append(make(Code.STRUCT_MERGED_CELLS, cell=first, first=first, value=ref, **at))
    return kept


def _order(ref: str) -> tuple[int, int]:
    box = bounds(ref)
    return (box[0], box[1]) if box else (0, 0)
