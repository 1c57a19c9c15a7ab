"""The entry cells of a row: what was typed, normalised (validate.normalize), an Excel
error or a formula where a figure goes, a cell that does not apply to the row, the
template's own default sums, figures outside their column's usual range and rates
above their whole (validate.bounds)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import RATIO_UNITS, Column, FormDef
from tianbao.plan.model import Plan, PlanItem
from tianbao.template.writer import column_label_text
from tianbao.validate.bounds import LIMITS, bound_of, row_text
from tianbao.validate.normalize import normalise, shown
from tianbao.validate.records import RowRecord, SheetView, row_name, row_name_en
from tianbao.validate.typed import COUNTED, plain

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.PLAN_NOT_APPLICABLE_FILLED,
    Code.VALUE_IMPLAUSIBLE,
    Code.VALUE_ABOVE_WHOLE,
    Code.VALUE_EXCEL_ERROR,
    Code.VALUE_FORMULA_IN_ENTRY,
)


def default_sum(
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
        parts.append(_part(name, rec, line, col_of))
    computed = None if parts[-1] is None else sum(p or 0.0 for p in parts)
    if cached is None or cached == "":
        if computed is not None:
            rec.record[col.field] = round(computed, 6)
        return True
    if computed is None or not _agrees(cached, computed):
        return False
    rec.record[col.field] = round(computed, 6)
    return True


def _part(name: str, rec: RowRecord, line: list[Any], col_of: dict[str, int]) -> float | None:
    """A part of a default sum: as recorded, else as the sheet holds it; None: no number."""
    v = rec.record.get(name)
    if v is None and name in col_of and col_of[name] < len(line):
        v = line[col_of[name]]
    ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    return float(v) if ok else None  # type: ignore[arg-type]


def _agrees(cached: Any, computed: float) -> bool:
    """The formula's cached value is a number within rounding of the sum worked out."""
    if isinstance(cached, bool) or not isinstance(cached, (int, float)):
        return False
    return not abs(cached - computed) > 0.005 + 1e-9 * abs(computed)  # NaN: agrees, as before


def check_plausible(
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
    for col in form.plausible_columns:
        v = rec.record.get(col.field)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or col.field in rec.blocked:
            continue
        lo, hi, fraction_hint = col.plausible  # type: ignore[misc]
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
                label=column_label_text(col, plan),
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


def check_bounds(
    form: FormDef,
    rec: RowRecord,
    plan: Plan,
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    """The row's figures in % or ‰ against the whole; an impossible one is not used."""
    for col in form.rate_columns:
        unit = rec.item.values.get("unit") if col.unit == "row" else col.unit
        if unit not in RATIO_UNITS or col.field in rec.blocked:
            continue
        v = rec.record.get(col.field)
        limit = LIMITS[str(unit)]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > limit:
            continue
        label = column_label_text(col, plan)
        bound = bound_of(str(row_text(rec) if col.unit == "row" else label))
        if bound is None:
            continue
        at = {**here, "cell": rec.cells[col.field], "field": col.field, "value": v}
        number, most = plain(Decimal(str(round(v, 6)))), f"{limit:g}"
        row, row_en = row_name(rec), row_name_en(rec)
        if bound.kind == "whole":
            rec.blocked.add(col.field)  # an impossible figure: no rule or total reads it
            findings.append(
                make(Code.VALUE_ABOVE_WHOLE, row=row, row_en=row_en, label=label, number=number,
                     unit=unit, limit=most, word=bound.word, expected=f"≤{most}{unit}", **at)
            )  # fmt: skip
            continue
        findings.append(
            make(Code.VALUE_IMPLAUSIBLE, "over_target" if bound.kind == "target" else "over_rate",
                 row=row, row_en=row_en, label=label, number=number, unit=unit, limit=most,
                 expected=f"≤{most}{unit}", **at)
        )  # fmt: skip


def plain_test(form: FormDef, name: str) -> Callable[[Any], bool]:
    """For one field, a test for values that normalise to themselves with no note
    (a finite number, a choice as listed, trimmed text) or, a date, to its ISO text:
    the common case, which then skips normalise()."""
    kind = form.field_kind(name)
    col = form.column(name)
    if kind == "number" and col is not None and (col.unit == "row" or col.unit in COUNTED):
        # a figure in persons or things must be whole: a fraction goes to normalise()
        return lambda v: type(v) is int or (type(v) is float and v.is_integer())
    if kind == "number":
        return lambda v: type(v) in (float, int) and math.isfinite(v)
    if kind == "text":
        return lambda v: type(v) is str and v == v.strip() and v != ""
    if kind == "date":  # a date cell (no time of day): recorded as its ISO text (_row)
        return lambda v: type(v) is date
    if kind == "enum":
        schema = form.field_schema(name)
        same = frozenset(
            v
            for v in schema["enum"]
            if isinstance(v, str) and (n := normalise(v, schema, None)).value == v and not n.notes
        )
        return lambda v: type(v) is str and v in same
    return lambda v: False


def check_entry(
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
