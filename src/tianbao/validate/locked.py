"""Locked content the template wrote and no entered figure depends on: the cover,
the title rows, the helper formulas.

A department that removes the protection can overwrite them (年度计划完成率 typed
as 100, a forged 填报单位 on the cover). Nothing recorded changes, but the printed
and annotated return would show the forged text, so each change is a warning at
its cell: what the template wrote and what the file holds.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from tianbao.findings import Code, Finding, make
from tianbao.template.content import TemplateContent, cover_texts, form_titles
from tianbao.template.writer import COVER_SHEET
from tianbao.validate.records import FormRecords, SheetView

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.STRUCT_LOCKED_CHANGED,)

MAX_PER_SHEET = 10  # more changes of one sheet are counted in one last finding
FORMULA = "公式（自动计算）"


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
    for fr in content.forms:
        recs = records.get(fr.form.id)
        sheet = sheets.get(recs.sheet) if recs else None
        if recs is None or sheet is None:
            continue
        changed = []
        title_row = recs.header_row - 2
        if title_row >= 0:
            legacy = form_titles(content, fr, legacy=True)  # issued before 表号 was shown
            for i, want in enumerate(form_titles(content, fr)):
                got = sheet.value(title_row + i, 0)
                if _text(got) not in (want.strip(), legacy[i].strip()):
                    changed.append(((title_row + i, 0), want, got))
        helpers = [
            recs.columns[c.field]
            for c in fr.form.columns
            if not c.entry and not c.prefill and c.field in recs.columns
        ]
        kept = sheet.formula_cells | set(sheet.hidden)  # under a merge: validate.merges
        for row in recs.rows:
            r = row.excel_row - 1
            for col in helpers:
                if (r, col) not in kept:
                    changed.append(((r, col), FORMULA, sheet.value(r, col)))
        found += _findings(recs.sheet, changed, {**where, "form": fr.form.id})
    return found


def _findings(
    sheet: str, changed: list[tuple[tuple[int, int], str, Any]], where: dict[str, Any]
) -> list[Finding]:
    out = [
        make(
            Code.STRUCT_LOCKED_CHANGED,
            sheet=sheet,
            cell=xl_rowcol_to_cell(*rc),
            value="空" if got in (None, "") else got,
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
