"""From a sheet's cells to records: find the sheet, its header and its rows by
key, check the pre-filled plan values (validate.prefilled), and normalise what was
typed (validate.entries).

Rows are found by key, never by position: a clerk may insert a blank row or
sort the sheet. Columns are found by their header label.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import Column, FormDef
from tianbao.forms.prepared import prepared
from tianbao.plan.model import Plan, PlanItem
from tianbao.template.content import HEADER_ROWS, SIGNATURE_LABELS, prefill_values
from tianbao.template.writer import column_label_text
from tianbao.validate.entries import (
    check_bounds,
    check_entry,
    check_plausible,
    default_sum,
    plain_test,
)
from tianbao.validate.merges import hide, merged_findings
from tianbao.validate.prefilled import check_carried, check_prefilled
from tianbao.validate.records import FormRecords, RowCells, RowRecord, SheetView

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.STRUCT_SHEET_MISSING,
    Code.STRUCT_SHEET_RENAMED,
    Code.STRUCT_HEADER_CHANGED,
    Code.STRUCT_ROW_MISSING,
    Code.STRUCT_ROW_DUPLICATE,
    Code.STRUCT_EXTRA_ROW,
    Code.STRUCT_ROW_MOVED,
)

HEADER_SEARCH_ROWS = 12


def _norm_label(v: Any) -> str:
    if v is None:
        return ""
    return _squeezed(v) if type(v) is str else "".join(str(v).split())


@functools.lru_cache(maxsize=4096)  # a header's texts recur in every return: squeezed once
def _squeezed(text: str) -> str:
    return "".join(text.split())


def find_header(sheet: SheetView, labels: list[str]) -> tuple[int, dict[int, int]] | None:
    """(header row index, {layout column index: sheet column index}) or None: the first
    row with the most labels found, at least half of them."""
    want = [_norm_label(x) for x in labels]
    best: tuple[int, dict[int, int]] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        row = [_norm_label(v) for v in sheet.rows[r]]
        mapping = {i: row.index(lab) for i, lab in enumerate(want) if lab in row}
        if len(mapping) * 2 >= len(want) and (best is None or len(mapping) > len(best[1])):
            best = (r, mapping)
            if len(mapping) == len(want):
                break  # no later row can find more: the rows below are not looked at
    return best


def extract_form(
    form: FormDef,
    plan: Plan,
    department: str,
    sheets: dict[str, SheetView],
    claimed: set[str],
    date1904: bool,
    where: dict[str, Any],
    issued: Plan | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[FormRecords | None, list[Finding]]:
    """The form's rows of ``department`` in the return, judged against ``plan``.

    ``issued``: the earlier plan revision the template was made from (None: this plan).
    Its pre-filled values are what the clerk saw: one the office has revised since is
    PLAN_REVISED, not the clerk's edit; a row the revision added or removed says so.
    ``previous``: this form's rows of the previous period's counting return, by key,
    which the ``previous.*`` columns must show (None: not known, not checked).
    """
    findings: list[Finding] = []
    at = {**where, "form": form.id}
    labels = [column_label_text(c, plan) for c in form.columns]
    located = _locate(form, sheets, claimed, labels, at, findings)
    if located is None:
        return None, findings
    sheet, hrow, mapping = located
    col_of = {form.columns[i].field: c for i, c in mapping.items()}
    key_col = col_of.get(form.key)
    if key_col is None:
        return None, findings

    items = {it.key: it for it in plan.rows_for(form.rows, department)}
    was = {it.key: it for it in (issued or plan).rows_for(form.rows, department)}
    out = FormRecords(form, sheet.name, header_row=hrow, columns=col_of)
    if sheet.merges:  # the cells a clerk's merge hid are read as unusable, said once
        hide(sheet, hrow + 1, col_of.values())
    seen = _read_rows(
        form, plan, sheet, hrow, col_of, key_col, items, was, date1904, at, issued, previous,
        out, findings,
    )  # fmt: skip
    findings.extend(_missing_rows(list(items), seen, was, hrow, key_col, at))
    if sheet.hidden:
        findings = merged_findings(sheet, set(seen.values()), findings, at)
    return out, findings


def _key_text(raw_key: Any) -> str:
    """A key cell as text: a whole number typed as 12.0 reads as 12."""
    if isinstance(raw_key, float) and raw_key.is_integer():
        return str(int(raw_key))
    return str(raw_key).strip()


def _read_rows(
    form: FormDef,
    plan: Plan,
    sheet: SheetView,
    hrow: int,
    col_of: dict[str, int],
    key_col: int,
    items: dict[str, PlanItem],
    was: dict[str, PlanItem],
    date1904: bool,
    at: dict[str, Any],
    issued: Plan | None,
    previous: Mapping[str, Mapping[str, Any]] | None,
    out: FormRecords,
    findings: list[Finding],
) -> dict[str, int]:
    """The rows below the header into ``out``, found by key; {key: sheet row index}."""
    seen: dict[str, int] = {}
    entry_cols = [c for c in form.columns if c.entry and c.field in col_of]
    letters = {f: xl_col_to_name(c) for f, c in col_of.items()}
    entries = _entries(form, col_of)
    special_rows = {r for r, _ in sheet.special}  # rows with a cell to look at closely
    for r in range(hrow + 1, len(sheet.rows)):
        raw_key = sheet.value(r, key_col)
        if raw_key is None:
            continue
        key = _key_text(raw_key)
        if key not in items:
            findings.extend(_stray_row(sheet, r, key, key_col, entry_cols, col_of, was, at))
            continue
        if key in seen:
            findings.append(_duplicate_row(r, key, key_col, seen[key], at))
            continue
        seen[key] = r
        # what an earlier revision's template showed (only then: the hot path skips it)
        shown = prefill_values(form, was[key]) if issued is not None and key in was else None
        out.rows.append(
            _row(form, items[key], sheet, r, col_of, letters, entries, r in special_rows, date1904,
                 findings, at, plan, shown, None if previous is None else previous.get(key) or {})
        )  # fmt: skip
    return seen


def _entries(
    form: FormDef, col_of: dict[str, int]
) -> list[tuple[Column, int, Callable[[Any], bool]]]:
    """(column, its place in the sheet, its quick test) of the entered fields found."""
    plain = prepared(form, "plain", _plain_tests)
    found = ((col, col_of.get(col.field)) for col in form.entry_columns)
    return [(col, c, plain[col.field]) for col, c in found if c is not None]


def _plain_tests(form: FormDef) -> dict[str, Callable[[Any], bool]]:
    """Each entered field's quick test (entries.plain_test), by field."""
    return {c.field: plain_test(form, c.field) for c in form.entry_columns}


def _stray_row(
    sheet: SheetView,
    r: int,
    key: str,
    key_col: int,
    entry_cols: list[Column],
    col_of: dict[str, int],
    was: dict[str, PlanItem],
    at: dict[str, Any],
) -> list[Finding]:
    """A row whose key the plan does not give: an extra row when figures were typed in it."""
    if key in SIGNATURE_LABELS or sheet.value(r, 0) in SIGNATURE_LABELS:
        return []  # the signature block below the table, not a row of figures
    if all(sheet.value(r, col_of[c.field]) is None for c in entry_cols):
        return []
    cell = xl_rowcol_to_cell(r, key_col)
    removed = "removed" if key in was else ""
    return [make(Code.STRUCT_EXTRA_ROW, removed, key=key, cell=cell, row_key=key, value=key, **at)]


def _duplicate_row(r: int, key: str, key_col: int, first: int, at: dict[str, Any]) -> Finding:
    return make(
        Code.STRUCT_ROW_DUPLICATE,
        cell=xl_rowcol_to_cell(r, key_col),
        row_key=key,
        value=key,
        expected=f"only row {first + 1}",
        **at,
    )


def _missing_rows(
    order: list[str],
    seen: dict[str, int],
    was: dict[str, PlanItem],
    hrow: int,
    key_col: int,
    at: dict[str, Any],
) -> list[Finding]:
    """The plan's rows the sheet lacks, and whether the found ones left the plan's order."""
    findings = [
        make(
            Code.STRUCT_ROW_MISSING,
            "added" if key not in was else "",
            key=key,
            row_key=key,
            value=None,
            expected=key,
            cell=xl_rowcol_to_cell(hrow + 1 + i, key_col),  # i: 20,000 missing rows
            **at,
        )
        for i, key in enumerate(order)
        if key not in seen
    ]
    positions = [seen[k] for k in order if k in seen]
    if positions != list(range(hrow + 1, hrow + 1 + len(positions))):
        findings.append(make(Code.STRUCT_ROW_MOVED, **at))
    return findings


def _locate(
    form: FormDef,
    sheets: dict[str, SheetView],
    claimed: set[str],
    labels: list[str],
    at: dict[str, Any],
    findings: list[Finding],
) -> tuple[SheetView, int, dict[int, int]] | None:
    """The form's sheet (renamed ones found by their header), its header row and the
    column of each label; None when the form cannot be read (the finding says why)."""
    sheet = sheets.get(form.sheet)
    if sheet is None:
        for name, candidate in sheets.items():
            if name in claimed or name.startswith("_"):
                continue
            if find_header(candidate, labels):
                sheet = candidate
                findings.append(
                    make(
                        Code.STRUCT_SHEET_RENAMED, sheet=name, value=name, expected=form.sheet, **at
                    )
                )
                break
    if sheet is None:
        findings.append(
            make(Code.STRUCT_SHEET_MISSING, sheet=form.sheet, expected=form.sheet, **at)
        )
        return None
    claimed.add(sheet.name)
    at["sheet"] = sheet.name
    header = find_header(sheet, labels)
    if header is None:
        findings.append(
            make(
                Code.STRUCT_HEADER_CHANGED,
                cell=f"A{HEADER_ROWS}",
                expected=" | ".join(labels),
                **at,
            )
        )
        return None
    hrow, mapping = header
    for i, label in enumerate(labels):
        if i not in mapping:
            got = sheet.value(hrow, i)
            findings.append(
                make(
                    Code.STRUCT_HEADER_CHANGED,
                    cell=xl_rowcol_to_cell(hrow, i),
                    field=form.columns[i].field,
                    value=got,
                    expected=label,
                    **at,
                )
            )
    return sheet, hrow, mapping


def _row(
    form: FormDef,
    item: PlanItem,
    sheet: SheetView,
    r: int,
    col_of: dict[str, int],
    letters: dict[str, str],
    entries: list[tuple[Column, int, Callable[[Any], bool]]],
    special_row: bool,
    date1904: bool,
    findings: list[Finding],
    at: dict[str, Any],
    plan: Plan,
    shown: dict[str, Any] | None = None,
    last: Mapping[str, Any] | None = None,
) -> RowRecord:
    """One row; ``shown``: the pre-filled values the clerk's template had, when it
    was made from an earlier plan revision (None: the template had this plan's);
    ``last``: the row's record in the previous period's counting return (None: not
    known)."""
    n = str(r + 1)
    cells = RowCells(letters, n)
    expected = prefill_values(form, item)
    rec = RowRecord(item.key, item, r + 1, {form.key: item.key}, cells, prefill=expected)
    here = {**at, "row_key": item.key}
    line = sheet.rows[r]
    width = len(line)
    check_prefilled(form, line, col_of, expected, cells, shown, last, plan, findings, here)
    special = sheet.special
    for col, c, plain in entries:
        # the common case inline: a blank or a plain number where a number goes
        raw = line[c] if c < width else None
        if (
            (not special_row or (r, c) not in special)
            and (raw is None or raw == "" or plain(raw))
            and (not col.only_if or col.applies_to(item.values))
        ):
            if raw not in (None, ""):
                # a date cell as normalise() gives it (only a date column's test passes one)
                rec.record[col.field] = raw.isoformat() if type(raw) is date else raw
            continue
        if (r, c) in sheet.hidden:  # under a merge: validate.merges says so, once
            rec.blocked.add(col.field)
            continue
        if col.default_sum and _own_sum(col, rec, sheet, r, c, line, col_of, raw):
            continue  # the template's own sum, worked out here (its cache not trusted)
        check_entry(form, col, item, sheet, r, c, date1904, rec, findings, here)
    check_bounds(form, rec, plan, findings, here)  # first: an impossible rate is one finding
    check_plausible(form, rec, sheet, r, col_of, plan, findings, here)
    check_carried(form, rec.record, cells, last, findings, here)
    return rec


def _own_sum(
    col: Column,
    rec: RowRecord,
    sheet: SheetView,
    r: int,
    c: int,
    line: list[Any],
    col_of: dict[str, int],
    raw: Any,
) -> bool:
    """A formula left in a default-sum column, its value worked out here (True: done)."""
    formula = (r, c) in sheet.formula_cells or (r, c) in sheet.formula_no_value
    return formula and default_sum(col, rec, line, col_of, raw)
