"""Evaluate a form's audit rules (审核公式) on its records.

Scope of a row: its entered fields, its pre-filled columns, ``plan.<attr>``
of its plan item, ``prev.<field>`` of the same row in the department's last
accepted return, and ``period.month|index|year``. A rule's message gets
these values filled in, plus ``{expected}`` (the right-hand side of a
comparison or of ``approx``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from tianbao.forms.expr import Missing, evaluate_node, parse
from tianbao.forms.model import FormDef, Rule
from tianbao.plan.periods import Period
from tianbao.template.content import prefill_values
from tianbao.validate.extract import FormRecords, RowRecord
from tianbao.validate.findings import Code, Finding, make

_FIELD = re.compile(r"\{([a-z_]+(?:\.[A-Za-z_.]+)?)\}")


def row_scope(
    form: FormDef, row: RowRecord, previous: Mapping[str, Any] | None, period: Period
) -> dict[str, Any]:
    scope: dict[str, Any] = dict(prefill_values(form, row.item))
    scope.update({k: v for k, v in row.record.items() if k not in row.blocked})
    for name, value in row.item.values.items():
        scope[f"plan.{name}"] = value
    for name, value in (previous or {}).items():
        scope[f"prev.{name}"] = value
    scope["period.month"] = period.last_month
    scope["period.index"] = period.index
    scope["period.year"] = period.year
    return scope


def totals(all_records: Mapping[str, FormRecords]) -> dict[str, float]:
    """Sums of every numeric entered field, as 'total.<form>.<field>'; check_rules
    also offers a form's own sums to its rules as 'total.<field>'."""
    out: dict[str, float] = {}
    for form_id, recs in all_records.items():
        for col in recs.form.entry_columns:
            values = [r.record.get(col.field) for r in recs.rows if col.field not in r.blocked]
            nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if nums:
                out[f"total.{form_id}.{col.field}"] = float(sum(Decimal(str(v)) for v in nums))
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
    out: list[Finding] = []
    # the sheet totals are the same for every row: build their names once per form
    prefix = f"total.{form.id}."
    totals_scope = dict(sums or {})
    totals_scope.update(
        {"total." + k[len(prefix) :]: v for k, v in (sums or {}).items() if k.startswith(prefix)}
    )
    for row in records.rows:
        prev = previous.get(row.key) if previous is not None else None
        scope = row_scope(form, row, prev, period)
        scope.update(totals_scope)
        for rule in form.rules:
            f = _apply(
                rule, scope, row, records.sheet, where, form, explain.field if explain else None
            )
            if f is not None:
                out.append(f)
    return out


def _apply(
    rule: Rule,
    scope: dict[str, Any],
    row: RowRecord,
    sheet: str,
    where: dict[str, Any],
    form: FormDef,
    explain_field: str | None,
) -> Finding | None:
    expr = parse(rule.expr)
    at = {
        **where,
        "form": form.id,
        "sheet": sheet,
        "row_key": row.key,
        "rule": rule.id,
        "field": rule.cell or "",
        "cell": row.cell(rule.cell) if rule.cell else row.cell(form.key),
    }
    try:
        if rule.when and not parse(rule.when).evaluate(scope):
            return None
        ok = expr.evaluate(scope)
    except Missing as missing:
        if missing.name.startswith("prev.") or rule.missing == "skip":
            return None
        return make(
            Code.RULE_MISSING_VALUE,
            message=f"{rule.id}: {_fill(rule.message_zh, scope)}（缺少 {missing.name}）",
            value=None,
            expected=missing.name,
            **at,
        )
    except (ZeroDivisionError, TypeError, ValueError, OverflowError):
        return None  # e.g. a growth rule on a zero base: nothing to say
    if ok:
        return None
    expected = _expected(expr.tree.body, scope)
    values = {**scope, "expected": _round(expected)}
    message = f"{rule.id}：{_fill(rule.message_zh, values)}"
    value = scope.get(rule.cell) if rule.cell else None
    if rule.severity == "error":
        return make(Code.RULE_FAILED, message=message, value=value, expected=_round(expected), **at)
    note = scope.get(explain_field) if explain_field else None
    if note not in (None, ""):
        return make(
            Code.RULE_WARNING_EXPLAINED,
            message=f"{message}（已说明：{note}）",
            value=value,
            expected=_round(expected),
            **at,
        )
    return make(
        Code.RULE_WARNING,
        message=f"{message}（请在“说明”栏解释）",
        value=value,
        expected=_round(expected),
        **at,
    )


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
