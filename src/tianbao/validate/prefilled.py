"""The pre-filled cells of a row against the plan (PLAN_VALUE_CHANGED), against an
earlier plan revision the template was made from (PLAN_REVISED), and the previous
period's figures against the ledger's (PLAN_PREVIOUS_DIFFERS); a carried fact (a start
date) that moved since last period's return (PLAN_CARRIED_CHANGED)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import Column, FormDef
from tianbao.plan.model import Plan
from tianbao.template.writer import column_label_text

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.PLAN_VALUE_CHANGED,
    Code.PLAN_REVISED,
    Code.PLAN_PREVIOUS_DIFFERS,
    Code.PLAN_CARRIED_CHANGED,
)


def check_prefilled(
    form: FormDef,
    line: list[Any],
    col_of: dict[str, int],
    expected: dict[str, Any],
    cells: Mapping[str, str],
    shown: dict[str, Any] | None,
    last: Mapping[str, Any] | None,
    plan: Plan,
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    """One row's pre-filled cells; ``shown``: what the clerk's template had, when it was
    made from an earlier plan revision; ``last``: the previous period's record."""
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


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
        except (TypeError, ValueError):
            return False
    return str(a).strip() == str(b).strip()


def _show(v: Any) -> str:
    return "空" if v in (None, "") else (f"{v:g}" if isinstance(v, float) else str(v))


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
    cells: Mapping[str, str],
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
    cells: Mapping[str, str],
    got: Any,
    want: Any,
    here: dict[str, Any],
    variant: str = "",
    **named: Any,
) -> Finding:
    """A finding on one pre-filled cell: what it holds, what it should (both shown)."""
    return make(code, variant, got=_show(got), want=_show(want), cell=cells[col.field],
                field=col.field, value=got, expected=want, **here, **named)  # fmt: skip


def check_carried(
    form: FormDef,
    record: Mapping[str, Any],
    cells: Mapping[str, str],
    last: Mapping[str, Any] | None,
    findings: list[Finding],
    here: dict[str, Any],
) -> None:
    """A ``carry: fact`` cell (issued with last period's value) against that value: a
    start date does not move, so a change is a correction the department explains. A
    blank cell is left to the form's own rules (在建 须填写实际开工日期)."""
    if not last:
        return
    for col in form.carried_columns:
        if col.carry != "fact":
            continue
        got, want = _plain(record.get(col.field)), _plain(last.get(col.field))
        if got in (None, "") or want in (None, "") or _same(got, want):
            continue
        findings.append(_at_cell(Code.PLAN_CARRIED_CHANGED, col, cells, got, want, here,
                                 label=col.label_zh))  # fmt: skip


def _plain(v: Any) -> Any:
    """A date as its ISO text, so a date cell and last period's record compare."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return v.isoformat() if isinstance(v, dt.date) else v
