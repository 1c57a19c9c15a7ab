"""Locked content the template wrote and no entered figure depends on: the cover,
the title rows, the helper formulas.

A department that removes the protection can overwrite them (年度计划完成率 typed
as 100, a forged 填报单位 on the cover). Nothing recorded changes, but the printed
and annotated return would show the forged text, so each change is a warning at
its cell: what the template wrote and what the file holds (a number as its cell shows
it). Helper formulas turned into values at once, as a program that reads and rewrites
the figures leaves them (a pandas script, an openpyxl round trip), are one warning for
the return: how many, the first few cells, and to fill the office's template again.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from tianbao.findings import Code, Finding, make
from tianbao.template.content import FormRows, TemplateContent, cover_texts, form_titles
from tianbao.template.writer import COVER_SHEET
from tianbao.validate.records import FormRecords, SheetView

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.STRUCT_LOCKED_CHANGED,)

MAX_PER_SHEET = 10  # more changes of one sheet are counted in one last finding
NAMED_LOST = 3  # of the helper formulas lost, the cells named in their one finding
FORMULA = "公式（自动计算）"
Changed = list[tuple[tuple[int, int], str, Any]]  # (row, column), what was issued, what is


def check_locked(
    content: TemplateContent,
    sheets: dict[str, SheetView],
    records: dict[str, FormRecords],
    where: dict[str, Any],
) -> list[Finding]:
    found: list[Finding] = []
    cover = sheets.get(COVER_SHEET)
    if cover is not None:
        changed = [
            (rc, want, cover.value(*rc))
            for rc, want in cover_texts(content).items()
            if _text(cover.value(*rc)) != want.strip()
        ]
        found += _findings(COVER_SHEET, changed, where)
    lost: list[tuple[str, tuple[int, int], str, dict[str, Any]]] = []
    for fr in content.forms:
        recs = records.get(fr.form.id)
        sheet = sheets.get(recs.sheet) if recs else None
        if recs is None or sheet is None:
            continue
        at = {**where, "form": fr.form.id}
        found += _findings(recs.sheet, _titles(content, fr, recs, sheet), at)
        lost += [(recs.sheet, rc, got, at) for rc, got in _formulas_lost(fr, recs, sheet)]
    if len(lost) == 1:  # one cell typed over: said at its cell
        name, rc, got, at = lost[0]
        found += _findings(name, [(rc, FORMULA, got)], at)
    elif lost:  # many at once: what a program that rewrites the figures does
        named = [f"{name}!{xl_rowcol_to_cell(*rc)}" for name, rc, _, _ in lost[:NAMED_LOST]]
        name, rc, _, at = lost[0]
        here = {**at, "sheet": name, "cell": xl_rowcol_to_cell(*rc)}
        found.append(
            make(Code.STRUCT_LOCKED_CHANGED, "formulas", count=len(lost),
                 sheets="、".join(dict.fromkeys(n for n, _, _, _ in lost)),
                 cells="、".join(named) + ("等" if len(lost) > NAMED_LOST else ""),
                 cells_en=", ".join(named) + (", …" if len(lost) > NAMED_LOST else ""),
                 value=len(lost), expected=FORMULA, **here)
        )  # fmt: skip
    return found


def _titles(content: TemplateContent, fr: FormRows, recs: FormRecords, sheet: SheetView) -> Changed:
    """The form's title rows as the sheet holds them, where they differ from the issued."""
    changed: Changed = []
    title_row = recs.header_row - 2
    if title_row >= 0:
        legacy = form_titles(content, fr, legacy=True)  # issued before 表号 was shown
        for i, want in enumerate(form_titles(content, fr)):
            got = sheet.value(title_row + i, 0)
            if _text(got) not in (want.strip(), legacy[i].strip()):
                changed.append(((title_row + i, 0), want, got))
    return changed


def _formulas_lost(
    fr: FormRows, recs: FormRecords, sheet: SheetView
) -> list[tuple[tuple[int, int], str]]:
    """The helper formula cells of the form's rows that hold no formula: (row, column)
    and what they show instead, as the column's number format shows it."""
    helpers = [
        (recs.columns[c.field], c.number_format)
        for c in fr.form.columns
        if not c.entry and not c.prefill and c.field in recs.columns
    ]
    kept = sheet.formula_cells | set(sheet.hidden)  # under a merge: validate.merges
    return [
        ((r, col), _as_shown(sheet.value(r, col), fmt))
        for r in (row.excel_row - 1 for row in recs.rows)
        for col, fmt in helpers
        if (r, col) not in kept
    ]


def _as_shown(v: Any, fmt: str | None) -> str:
    """A value as its cell shows it: 37.5 in a "0.0" cell, never 37.499999999999993."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "空" if v in (None, "") else str(v)
    places = len(fmt.split(".", 1)[1].rstrip("%#")) if fmt and "." in fmt else 2
    try:
        d = Decimal(repr(v)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # NaN, infinity, beyond the context: as it is
        return str(v)
    text = format(d, ",f" if fmt and "," in fmt else "f")
    return text if fmt else (text.rstrip("0").rstrip(".") if "." in text else text)


def _findings(sheet: str, changed: Changed, where: dict[str, Any]) -> list[Finding]:
    out = [
        make(
            Code.STRUCT_LOCKED_CHANGED,
            sheet=sheet,
            cell=xl_rowcol_to_cell(*rc),
            value=_as_shown(got, None),  # a number as a clerk reads it
            expected=want,
            **where,
        )
        for rc, want, got in changed[:MAX_PER_SHEET]
    ]
    if len(changed) > MAX_PER_SHEET:
        rest = len(changed) - MAX_PER_SHEET
        out.append(
            make(Code.STRUCT_LOCKED_CHANGED, "more", rest=rest, sheet=sheet, value=rest, **where)
        )
    return out


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()
