"""From a sheet's cells to records: find the sheet, its header and its rows by
key, check the pre-filled plan values, and normalise what was typed.

Rows are found by key, never by position: a clerk may insert a blank row or
sort the sheet. Columns are found by their header label.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import Column, FormDef
from tianbao.plan.model import Plan, PlanItem
from tianbao.template.content import HEADER_ROWS, SIGNATURE_LABELS, prefill_values
from tianbao.template.writer import column_label_text
from tianbao.validate.normalize import normalise, shown

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.STRUCT_SHEET_MISSING,
    Code.STRUCT_SHEET_RENAMED,
    Code.STRUCT_HEADER_CHANGED,
    Code.STRUCT_ROW_MISSING,
    Code.STRUCT_ROW_DUPLICATE,
    Code.STRUCT_EXTRA_ROW,
    Code.STRUCT_ROW_MOVED,
    Code.PLAN_VALUE_CHANGED,
    Code.PLAN_REVISED,
    Code.PLAN_PREVIOUS_DIFFERS,
    Code.PLAN_NOT_APPLICABLE_FILLED,
    Code.VALUE_IMPLAUSIBLE,
    Code.VALUE_EXCEL_ERROR,
    Code.VALUE_FORMULA_IN_ENTRY,
)

HEADER_SEARCH_ROWS = 12


@dataclass
class RowRecord:
    key: str
    item: PlanItem
    excel_row: int  # 1-based
    record: dict[str, Any]  # key + entered fields that are filled, normalised
    cells: dict[str, str]  # field -> A1 reference
    blocked: set[str] = field(default_factory=set)  # fields whose input was unusable
    prefill: dict[str, Any] = field(default_factory=dict)  # field -> value the plan pre-fills
    placeholders: dict[str, str] = field(default_factory=dict)  # field -> "无" typed for nothing

    def cell(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class FormRecords:
    form: FormDef
    sheet: str
    rows: list[RowRecord] = field(default_factory=list)
    header_row: int = HEADER_ROWS - 1  # 0-based row of the column labels
    columns: dict[str, int] = field(default_factory=dict)  # field -> 0-based column


@dataclass
class SheetView:
    """What extraction needs of one read sheet."""

    name: str
    rows: list[list[Any]]
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    special: set[tuple[int, int]] = field(init=False)  # any of the four above

    def __post_init__(self) -> None:
        self.special = (
            set(self.error_cells) | self.formula_no_value | self.percent_cells | self.formula_cells
        )

    def value(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            v = self.rows[r][c]
            return None if v == "" else v
        return None


def _norm_label(v: Any) -> str:
    return "".join(str(v).split()) if v is not None else ""


def find_header(sheet: SheetView, labels: list[str]) -> tuple[int, dict[int, int]] | None:
    """(header row index, {layout column index: sheet column index}) or None."""
    want = [_norm_label(x) for x in labels]
    best: tuple[int, dict[int, int]] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        row = [_norm_label(v) for v in sheet.rows[r]]
        mapping = {i: row.index(lab) for i, lab in enumerate(want) if lab in row}
        if len(mapping) * 2 >= len(want) and (best is None or len(mapping) > len(best[1])):
            best = (r, mapping)
    return best


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
        except (TypeError, ValueError):
            return False
    return str(a).strip() == str(b).strip()


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
    order = list(items)
    out = FormRecords(form, sheet.name, header_row=hrow, columns=col_of)
    seen: dict[str, int] = {}
    entry_cols = [c for c in form.columns if c.entry and c.field in col_of]
    letters = {f: xl_col_to_name(c) for f, c in col_of.items()}
    plain = {c.field: _plain_test(form, c.field) for c in entry_cols}
    for r in range(hrow + 1, len(sheet.rows)):
        raw_key = sheet.value(r, key_col)
        if raw_key is None:
            continue
        key = (
            str(int(raw_key))
            if isinstance(raw_key, float) and raw_key.is_integer()
            else str(raw_key).strip()
        )
        if key not in items:
            if key in SIGNATURE_LABELS or sheet.value(r, 0) in SIGNATURE_LABELS:
                continue  # the signature block below the table, not a row of figures
            if any(sheet.value(r, col_of[c.field]) is not None for c in entry_cols):
                cell = xl_rowcol_to_cell(r, key_col)
                removed = "removed" if key in was else ""
                findings.append(
                    make(Code.STRUCT_EXTRA_ROW, removed, key=key, cell=cell, row_key=key, value=key,
                         **at)
                )  # fmt: skip
            continue
        if key in seen:
            findings.append(
                make(
                    Code.STRUCT_ROW_DUPLICATE,
                    cell=xl_rowcol_to_cell(r, key_col),
                    row_key=key,
                    value=key,
                    expected=f"only row {seen[key] + 1}",
                    **at,
                )
            )
            continue
        seen[key] = r
        # what an earlier revision's template showed (only then: the hot path skips it)
        shown = prefill_values(form, was[key]) if issued is not None and key in was else None
        out.rows.append(
            _row(form, items[key], sheet, r, col_of, letters, plain, date1904, findings, at, plan,
                 shown, None if previous is None else previous.get(key) or {})
        )  # fmt: skip
    for key in order:
        if key not in seen:
            findings.append(
                make(
                    Code.STRUCT_ROW_MISSING,
                    "added" if key not in was else "",
                    key=key,
                    row_key=key,
                    value=None,
                    expected=key,
                    cell=xl_rowcol_to_cell(hrow + 1 + order.index(key), key_col),
                    **at,
                )
            )
    positions = [seen[k] for k in order if k in seen]
    if positions != list(range(hrow + 1, hrow + 1 + len(positions))):
        findings.append(make(Code.STRUCT_ROW_MOVED, **at))
    return out, findings


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


def _show(v: Any) -> str:
    return "空" if v in (None, "") else (f"{v:g}" if isinstance(v, float) else str(v))


def _row(
    form: FormDef,
    item: PlanItem,
    sheet: SheetView,
    r: int,
    col_of: dict[str, int],
    letters: dict[str, str],
    plain: dict[str, Callable[[Any], bool]],
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
    cells = {f: col + n for f, col in letters.items()}
    expected = prefill_values(form, item)
    rec = RowRecord(item.key, item, r + 1, {form.key: item.key}, cells, prefill=expected)
    here = {**at, "row_key": item.key}
    line = sheet.rows[r]
    width = len(line)
    for col in form.prefill_columns:
        c = col_of.get(col.field)
        if c is None:
            continue
        got = line[c] if c < width else None
        if col.previous_field is not None:  # from the ledger, not the plan
            if last is not None:
                _check_previous(col, got, last.get(col.previous_field), cells, findings, here)
            continue
        want = expected[col.field]
        if got == want or _same(got, want):
            continue
        got = None if got == "" else got
        before = shown.get(col.field) if shown is not None else want
        label = column_label_text(col, plan)
        if shown is not None and (got == before or _same(got, before)):
            variant, why = _revised(plan)
            findings.append(_at_cell(Code.PLAN_REVISED, col, cells, got, want, here, variant,
                                     label=label, before=_show(before), **why))  # fmt: skip
            continue
        want = before  # what the template showed is what the clerk changed
        findings.append(_at_cell(Code.PLAN_VALUE_CHANGED, col, cells, got, want, here, label=label))
    special = sheet.special
    for col in form.entry_columns:
        c = col_of.get(col.field)
        if c is None:
            continue
        # the common case inline: a blank or a plain number where a number goes
        raw = line[c] if c < width else None
        if (
            (r, c) not in special
            and (raw is None or raw == "" or plain[col.field](raw))
            and col.applies_to(item.values)
        ):
            if raw is not None and raw != "":
                rec.record[col.field] = raw
            continue
        formula = (r, c) in sheet.formula_cells or (r, c) in sheet.formula_no_value
        if col.default_sum and formula and _default_sum(col, rec, line, col_of, raw):
            continue  # the template's own sum, worked out here (its cache not trusted)
        _entry(form, col, item, sheet, r, c, date1904, rec, findings, here)
    _plausibility(form, rec, sheet, r, col_of, plan, findings, here)
    return rec


def _revised(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The office's revision, not the clerk's edit; a dated one says since when (and why)."""
    if plan.effective is None:
        return "", {}
    if plan.revision_reason:
        return "dated_why", {"effective": plan.effective, "reason": plan.revision_reason}
    return "dated", {"effective": plan.effective}


def _check_previous(
    col: Column,
    got: Any,
    want: Any,
    cells: dict[str, str],
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    """A ``previous.*`` cell against the ledger's counting previous return: a difference
    is a previous return corrected since the template was issued, or the cell was
    edited; either way the period is judged with the ledger's figure."""
    got = None if got == "" else got
    if got == want or _same(got, want):
        return
    findings.append(
        _at_cell(Code.PLAN_PREVIOUS_DIFFERS, col, cells, got, want, here, label=col.label_zh)
    )


def _at_cell(
    code: Code,
    col: Column,
    cells: dict[str, str],
    got: Any,
    want: Any,
    here: dict[str, Any],
    variant: str = "",
    **named: Any,
) -> Finding:
    """A finding on one pre-filled cell: what it holds, what it should (both shown)."""
    return make(code, variant, got=_show(got), want=_show(want), cell=cells[col.field],
                field=col.field, value=got, expected=want, **here, **named)  # fmt: skip


def _default_sum(
    col: Column, rec: RowRecord, line: list[Any], col_of: dict[str, int], cached: Any
) -> bool:
    """An entry cell still holding the template's default formula (the sum of its parts
    once the last is filled): its value is worked out from the parts as read; True when
    the cell's cached value agrees (or is missing: a program that did not recalculate).
    False: another formula or a stale value, reported as a formula in an entry cell."""
    parts: list[float | None] = []
    for name in col.default_sum or ():
        if name in rec.blocked:
            rec.blocked.add(col.field)  # the part's own finding says why
            return True
        v = rec.record.get(name)
        if v is None and name in col_of and col_of[name] < len(line):
            v = line[col_of[name]]
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        parts.append(float(v) if ok else None)  # type: ignore[arg-type]
    computed = None if parts[-1] is None else sum(p or 0.0 for p in parts)
    if cached is None or cached == "":
        if computed is not None:
            rec.record[col.field] = round(computed, 6)
        return True
    if computed is None or isinstance(cached, bool) or not isinstance(cached, (int, float)):
        return False
    if abs(cached - computed) > 0.005 + 1e-9 * abs(computed):
        return False
    rec.record[col.field] = round(computed, 6)
    return True


# what row_name puts before a row's message (the notice groups messages without it)
ROW_NAME_PREFIX = re.compile(r"^第 [0-9]+ 行“[^”]*”：")


def row_name(row: Any) -> str:
    """A row as a clerk finds it: its plan name (or key) and its line in the sheet."""
    values = getattr(row.item, "values", {}) or {}
    name = values.get("name") or values.get("name.zh") or values.get("description") or row.key
    text = str(name)
    if len(text) > 24:
        text = text[:23] + "…"
    return f"第 {row.excel_row} 行“{text}”"


def _plausibility(
    form: FormDef,
    rec: RowRecord,
    sheet: SheetView,
    r: int,
    col_of: dict[str, int],
    plan: Plan,
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    """A number outside its column's usual range: most often typed 100 times too big
    (1200 for 12 %) or, in a percent-point column, as a bare fraction (0.45 for 45 %)."""
    for col in form.entry_columns:
        v = rec.record.get(col.field)
        if (
            col.plausible is None
            or not isinstance(v, (int, float))
            or isinstance(v, bool)
            or col.field in rec.blocked
        ):
            continue
        lo, hi, fraction_hint = col.plausible
        label = column_label_text(col, plan)
        if v < lo or v > hi:
            variant = "guess" if lo <= v / 100 <= hi else ""
        elif (
            fraction_hint
            and 0 < abs(v) < 1
            and (r, col_of[col.field]) not in sheet.percent_cells
            and lo <= v * 100 <= hi
        ):
            variant = "percent"
        else:
            continue
        findings.append(
            make(
                Code.VALUE_IMPLAUSIBLE,
                variant,
                row=row_name(rec),
                label=label,
                number=v,
                lo=lo,
                hi=hi,
                guess=v / 100,
                percent=v * 100,
                value=v,
                expected=f"{lo:g}..{hi:g}",
                cell=rec.cells[col.field],
                field=col.field,
                **here,
            )
        )


def _plain_test(form: FormDef, name: str) -> Callable[[Any], bool]:
    """For one field, a test for values that normalise to themselves with no note
    (a finite number, a choice as listed, trimmed text): the common case, which
    then skips normalise()."""
    kind = form.field_kind(name)
    if kind == "number":
        return lambda v: type(v) in (float, int) and math.isfinite(v)
    if kind == "text":
        return lambda v: type(v) is str and v == v.strip() and v != ""
    if kind == "enum":
        schema = form.field_schema(name)
        same = frozenset(
            v
            for v in schema["enum"]
            if isinstance(v, str) and (n := normalise(v, schema, None)).value == v and not n.notes
        )
        return lambda v: type(v) is str and v in same
    return lambda v: False


def _entry(
    form: FormDef,
    col: Column,
    item: PlanItem,
    sheet: SheetView,
    r: int,
    c: int,
    date1904: bool,
    rec: RowRecord,
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    ctx = {**here, "cell": rec.cells[col.field], "field": col.field}
    if (r, c) in sheet.error_cells:
        findings.append(make(Code.VALUE_EXCEL_ERROR, value=sheet.error_cells[(r, c)], **ctx))
        rec.blocked.add(col.field)
        return
    if (r, c) in sheet.formula_cells or (r, c) in sheet.formula_no_value:
        # its cached value is what the last program computed, and the templates ask for
        # recalculation on open: the ledger and the screen could disagree (999 and 2)
        findings.append(make(Code.VALUE_FORMULA_IN_ENTRY, value=shown(sheet.value(r, c)), **ctx))
        rec.blocked.add(col.field)
        return
    raw = sheet.value(r, c)
    if not col.applies_to(item.values):
        if raw is not None:
            findings.append(_not_applicable(rec, col, raw, here))
        return
    unit = item.values.get("unit") if col.unit == "row" else col.unit
    n = normalise(
        raw,
        form.field_schema(col.field),
        unit,
        date1904=date1904,
        percent_cell=(r, c) in sheet.percent_cells,
    )
    if n.failure is not None:
        findings.append(
            make(n.code, n.failure.variant, **dict(n.failure.fields), value=shown(raw),
                 expected=unit, **ctx)
        )  # fmt: skip
        rec.blocked.add(col.field)
        return
    for note in n.notes:
        findings.append(
            make(n.code, note.variant, **dict(note.fields), value=raw, expected=n.value, **ctx)
        )
    if n.value is not None:
        rec.record[col.field] = n.value
    elif n.notes and isinstance(raw, str):  # '无', '—': the schema check says what to do
        rec.placeholders[col.field] = shown(raw.strip())


def _not_applicable(rec: RowRecord, col: Column, raw: Any, here: dict[str, Any]) -> Finding:
    return make(
        Code.PLAN_NOT_APPLICABLE_FILLED,
        value=raw,
        expected=None,
        cell=rec.cells[col.field],
        field=col.field,
        **here,
    )
