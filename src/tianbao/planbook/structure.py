"""The plan workbook's shape, checked before its values are read: every sheet there by
its name (a renamed one found by its header row), each header as the template has it
(columns found by name, so inserted or moved ones are read), no merged cells, no hidden
rows with content. Each problem is placed at its cell, once; its message is a template of
the findings catalog (tianbao.findings), written 「中文 | English」 for --lang to pick a half.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tianbao.findings import Code, fill
from tianbao.planbook.sheets import BASICS_SHEET, GUIDE_SHEET, SHEETS, Sheet
from tianbao.problems import Problem
from tianbao.read import RawSheet, RawWorkbook
from tianbao.read.cells import col_number, ref_name

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.SHEET_MISSING, Code.HEADER_CHANGED, Code.MERGED_CELLS, Code.HIDDEN_ROW)


def both(code: Code, variant: str = "", **named: Any) -> str:
    """A problem of the plan workbook: the code's template filled, 「中文 | English」
    (plan import prints the half --lang asks for). A template led by a ``{header}``
    left empty (a schema problem of no one column) drops the colon after it."""
    zh, en = fill(code, variant, **named)
    if named.get("header") == "":
        zh, en = zh.removeprefix("："), en.removeprefix(": ")
    return f"{zh} | {en}"


def cell_name(sheet: str, row: int, col: int) -> str:
    """「重点项目!F12」 of a 0-based cell."""
    return f"{sheet}!{ref_name(row, col)}"


class SheetChecks:
    """The problems found so far (one per cell) and the checks of the workbook's shape;
    the plan reader (``planbook.read``) goes on from here to the values."""

    def __init__(self, book: RawWorkbook, name: str) -> None:
        self.book = book
        self.name = name
        self.problems: list[Problem] = []
        self.reported: set[str] = set()
        self.rows_reported: set[str] = set()  # 「重点项目!12」: a row with a problem

    # -- problems ----------------------------------------------------------------------
    def add(self, code: Code, cell: str, message: str, found: Any = None) -> None:
        if cell in self.reported:
            return
        self.reported.add(cell)
        self.rows_reported.add(row_of(cell))
        self.problems.append(Problem(code, self.name, message, cell, None, found))

    # -- structure ---------------------------------------------------------------------
    def sheets(self) -> dict[str, RawSheet] | None:
        """The sheets by name, headers checked; None when one is missing or its header
        changed (nothing below can be placed then)."""
        wanted = [BASICS_SHEET, *(s.name for s in SHEETS)]
        found = {s.name: s for s in self.book.sheets if s.kind == "worksheet"}
        extra = [n for n in found if n not in wanted and n != GUIDE_SHEET]
        for name in wanted:
            if name not in found:
                self._missing_sheet(name, [found[n] for n in extra])
        if self.problems:
            return None
        for name in wanted:
            sheet = found[name]
            self._merges(sheet)
            for r in sorted(sheet.hidden_rows):
                if r >= len(sheet.rows) or all(blank(v) for v in sheet.rows[r]):
                    continue  # an empty hidden row imports nothing
                self.add(
                    Code.HIDDEN_ROW,
                    cell_name(name, r, 0),
                    both(Code.HIDDEN_ROW, sheet=name, row=r + 1),
                )
        complete = [self._header(spec, found[spec.name]) for spec in SHEETS]
        return found if all(complete) else None

    def _missing_sheet(self, name: str, extra: list[RawSheet]) -> None:
        """SHEET_MISSING: at the sheet that looks renamed (its header row is this
        sheet's), else at where the sheet should be."""
        spec = next((s for s in SHEETS if s.name == name), None)
        wanted = {clean_header(c.header) for c in spec.cols} if spec else {"项目", "值"}
        for sheet in extra:
            got = {clean_header(sheet.value(0, c)) for c in range(width(sheet))}
            if len(got & wanted) * 2 > len(wanted):
                said = both(Code.SHEET_MISSING, "renamed", sheet=sheet.name, name=name)
                self.add(Code.SHEET_MISSING, f"{sheet.name}!A1", said, sheet.name)
                return
        self.add(Code.SHEET_MISSING, f"{name}!A1", both(Code.SHEET_MISSING, name=name))

    def _merges(self, sheet: RawSheet) -> None:
        for ref in sheet.merges:
            first = ref.split(":")[0]
            self.add(
                Code.MERGED_CELLS, f"{sheet.name}!{first}", both(Code.MERGED_CELLS, ref=ref), ref
            )
            span = _span(ref)
            if span is not None:  # the covered cells read blank: not reported again
                (r0, c0), (r1, c1) = span
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self.reported.add(cell_name(sheet.name, r, c))

    def _header(self, spec: Sheet, sheet: RawSheet) -> bool:
        """Every column of ``spec`` is in the header row (found by name, so inserted
        or moved columns are read); the changed ones are reported."""
        got = [clean_header(sheet.value(0, c)) for c in range(width(sheet))]
        known = {clean_header(col.header) for col in spec.cols}
        unknown = {c: h for c, h in enumerate(got) if h and h not in known}
        for c, col in enumerate(spec.cols):
            if clean_header(col.header) in got or col.optional:
                continue
            cell = cell_name(spec.name, 0, c)
            if c in unknown:
                msg = both(Code.HEADER_CHANGED, "changed", header=col.header, got=unknown.pop(c))
            else:
                msg = both(Code.HEADER_CHANGED, "missing", header=col.header)
            self.add(Code.HEADER_CHANGED, cell, msg)
        for c, h in unknown.items():
            self.add(
                Code.HEADER_CHANGED,
                cell_name(spec.name, 0, c),
                both(Code.HEADER_CHANGED, "unknown", got=h),
            )
        return (
            all(clean_header(col.header) in got for col in spec.cols if not col.optional)
            and not unknown
        )


def row_of(cell: str) -> str:
    """「重点项目!12」 of 「重点项目!F12」."""
    return re.sub(r"!\$?[A-Z]+\$?", "!", cell)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_header(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def width(sheet: RawSheet) -> int:
    return max((len(r) for r in sheet.rows[:1]), default=0)


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _span(ref: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """0-based ((row, col), (row, col)) of A1:B2."""
    ends = []
    for part in ref.split(":"):
        m = _A1.fullmatch(part.strip())
        if m is None:
            return None
        ends.append((int(m.group(2)) - 1, col_number(m.group(1)) - 1))
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    return (min(r0, r1), min(c0, c1)), (max(r0, r1), max(c0, c1))
