"""Evaluate a form's audit rules (审核公式) on its records.

Scope of a row: its entered fields, its pre-filled columns, ``plan.<attr>``
of its plan item, ``prev.<field>`` of the same row in the department's last
accepted return, and ``period.month|index|year|start|end|year_start`` (the dates as
ISO dates, comparable with date cells). A rule's message gets
these values filled in, plus ``{expected}`` (the right-hand side of a
comparison or of ``approx``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from tianbao.findings import Code, Finding, make
from tianbao.forms.expr import Missing, evaluate_node, parse
from tianbao.forms.model import FormDef, Rule
from tianbao.forms.prepared import prepared
from tianbao.plan.periods import Period
from tianbao.validate.records import FormRecords, RowRecord, row_name, row_name_en

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.RULE_FAILED,
    Code.RULE_WARNING,
    Code.RULE_WARNING_EXPLAINED,
    Code.RULE_MISSING_VALUE,
)

_FIELD = re.compile(r"\{([a-z_]+(?:\.[A-Za-z_.]+)?)\}")


def _references(form: FormDef) -> set[str]:
    """Every name a form's rules or messages may read: the scope holds only these."""
    names: set[str] = set()
    for rule in form.rules:
        names |= parse(rule.expr).names
        if rule.when:
            names |= parse(rule.when).names
        names.update(_FIELD.findall(rule.message_zh))
    return names


def _namespaced(names: set[str], prefix: str) -> list[tuple[str, str]]:
    return sorted((n, n[len(prefix) :]) for n in names if n.startswith(prefix))


def _scope(
    row: RowRecord,
    previous: Mapping[str, Any] | None,
    fixed: dict[str, Any],  # the period's names and the sheet totals
    plan_names: list[tuple[str, str]],
    prev_names: list[tuple[str, str]],
) -> dict[str, Any]:
    scope: dict[str, Any] = dict(row.prefill)
    if row.blocked:
        scope.update({k: v for k, v in row.record.items() if k not in row.blocked})
    else:
        scope.update(row.record)
    values = row.item.values
    for name, attr in plan_names:
        scope[name] = values.get(attr)
    if previous:  # else every prev.* name reads as blank: the scope is only ever .get
        for name, attr in prev_names:
            scope[name] = previous.get(attr)
    scope.update(fixed)
    return scope


def _period_scope(period: Period) -> dict[str, Any]:
    """The period's names, the same for every row: worked out once per form, not per row."""
    return {
        "period.month": period.last_month,
        "period.index": period.index,
        "period.year": period.year,
        # ISO dates, like the normalised date cells they are compared with
        "period.start": period.start.isoformat(),
        "period.end": period.end.isoformat(),
        "period.year_start": f"{period.year:04d}-01-01",
    }


def totals(
    all_records: Mapping[str, FormRecords], wanted: set[str] | None = None
) -> dict[str, float]:
    """Sums of numeric entered fields, as 'total.<form>.<field>' (only those in
    ``wanted`` when given); check_rules also offers a form's own sums to its
    rules as 'total.<field>'."""
    out: dict[str, float] = {}
    for form_id, recs in all_records.items():
        for col in recs.form.entry_columns:
            name = f"total.{form_id}.{col.field}"
            if wanted is not None and name not in wanted:
                continue
            values = [r.record.get(col.field) for r in recs.rows if col.field not in r.blocked]
            nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if nums:
                out[name] = float(sum(Decimal(str(v)) for v in nums))
    return out


def totals_wanted(forms: Iterable[FormDef]) -> set[str]:
    """The 'total.<form>.<field>' names any rule of these forms reads."""
    out: set[str] = set()
    for form in forms:
        for name in _references(form):
            if name.startswith("total."):
                rest = name[len("total.") :]
                out.add(name if "." in rest else f"total.{form.id}.{rest}")
    return out


def check_rules(
    records: FormRecords,
    previous: Mapping[str, Mapping[str, Any]] | None,
    period: Period,
    where: dict[str, Any],
    sums: Mapping[str, float] | None = None,
) -> list[Finding]:
    form = records.form
    explain = form.explanation_column
    explain_field = explain.field if explain else None
    out: list[Finding] = []
    # the sheet totals are the same for every row: build their names once per form
    prefix = f"total.{form.id}."
    totals_scope = dict(sums or {})
    totals_scope.update(
        {"total." + k[len(prefix) :]: v for k, v in (sums or {}).items() if k.startswith(prefix)}
    )
    plan_names, prev_names, compiled, every = _prepared(form)
    fixed = {**_period_scope(period), **totals_scope}  # the same for every row
    for row in records.rows:
        prev = previous.get(row.key) if previous is not None else None
        scope = _scope(row, prev, fixed, plan_names, prev_names)
        # the loop runs for every rule of every row: only a failure leaves it
        for rule, test, when in _judging(compiled, row) if row.blocked else every:
            try:
                if (when is not None and not when(scope)) or test(scope):
                    continue
            except Missing as missing:
                if missing.name.startswith("prev.") or rule.missing == "skip":
                    continue
                out.append(_missing(rule, missing.name, scope, row, records.sheet, where, form))
                continue
            except (ZeroDivisionError, TypeError, ValueError, OverflowError):
                continue  # e.g. a growth rule on a zero base: nothing to say
            out.append(_failed(rule, scope, row, records.sheet, where, form, explain_field))
    return out


def _prepared(form: FormDef) -> tuple[Any, Any, list[Any], list[Any]]:
    """(plan names, prev names, compiled rules with what they read, compiled rules) of a
    form: the same for every return, worked out once per loaded form, not per file."""
    return prepared(form, "rules", _prepare)


def _prepare(form: FormDef) -> tuple[Any, Any, list[Any], list[Any]]:
    names = _references(form)
    compiled = [
        (r, parse(r.expr).fn, parse(r.when).fn if r.when else None, _reads(r)) for r in form.rules
    ]
    every = [c[:3] for c in compiled]  # a row with no unusable input: every rule judges it
    return (_namespaced(names, "plan."), _namespaced(names, "prev."), compiled, every)


def _judging(compiled: list[Any], row: RowRecord) -> list[Any]:
    """(rule, test, condition) of the rules that can judge the row: not those reading an
    unusable input (said once, at its cell, not again as 「须填写…」)."""
    return [c[:3] for c in compiled if not row.blocked or c[3].isdisjoint(row.blocked)]


def _reads(rule: Rule) -> frozenset[str]:
    """The fields of its own row a rule reads (its condition included)."""
    names = parse(rule.expr).names | (parse(rule.when).names if rule.when else set())
    return frozenset(names)


def _missing(
    rule: Rule,
    name: str,
    scope: dict[str, Any],
    row: RowRecord,
    sheet: str,
    where: dict[str, Any],
    form: FormDef,
) -> Finding:
    return make(
        Code.RULE_MISSING_VALUE,
        row=row_name(row),
        row_en=row_name_en(row),
        rule_zh=_fill(rule.message_zh, scope),
        rule_en=_fill(rule.message_en, scope),
        name=name,
        value=None,
        expected=name,
        **_where(rule, row, sheet, where, form),
    )


def _failed(
    rule: Rule,
    scope: dict[str, Any],
    row: RowRecord,
    sheet: str,
    where: dict[str, Any],
    form: FormDef,
    explain_field: str | None,
) -> Finding:
    at = _where(rule, row, sheet, where, form)
    expected = _expected(parse(rule.expr).tree.body, scope)
    values = {**scope, "expected": _round(expected)}
    # the row a clerk looks for, not the rule's id (that is the finding's "rule" field)
    said = {
        "row": row_name(row),
        "row_en": row_name_en(row),
        "rule_zh": _fill(rule.message_zh, values),
        "rule_en": _fill(rule.message_en, values),
        "value": scope.get(rule.cell) if rule.cell else None,
        "expected": _round(expected),
    }
    if rule.severity == "error":
        return make(Code.RULE_FAILED, **said, **at)
    note = scope.get(explain_field) if explain_field else None
    if note not in (None, ""):
        return make(Code.RULE_WARNING_EXPLAINED, note=note, **said, **at)
    return make(Code.RULE_WARNING, **said, **at)


def _where(
    rule: Rule, row: RowRecord, sheet: str, where: dict[str, Any], form: FormDef
) -> dict[str, Any]:
    return {
        **where,
        "form": form.id,
        "sheet": sheet,
        "row_key": row.key,
        "rule": rule.id,
        "field": rule.cell or "",
        "cell": row.cell(rule.cell) if rule.cell else row.cell(form.key),
    }


def _expected(node: ast.AST, scope: dict[str, Any]) -> Any:
    """The value the rule wanted: right side of a comparison, 2nd argument of approx."""
    try:
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            return evaluate_node(node.comparators[0], scope)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "approx":
            return evaluate_node(node.args[1], scope)
    except Exception:  # best effort: a message without the figure is still right
        return None
    return None


def _round(v: Any) -> Any:
    return round(v, 4) if isinstance(v, float) else v


def _fill(template: str, values: Mapping[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        v = values.get(m.group(1))
        if v is None:
            return "空"
        return f"{_round(v):g}" if isinstance(v, float) else str(v)

    return _FIELD.sub(sub, template)
