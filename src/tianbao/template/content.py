"""What goes into one department's workbook, before any Excel is written.

Pure data: which forms, which rows, the pre-filled values, the identity and
its signature. The writer turns this into xlsx; validation re-derives the same
content from the plan to check a return against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tianbao import identity as ident
from tianbao.forms.model import FormDef
from tianbao.plan.model import Department, Plan, PlanItem
from tianbao.plan.periods import Period

HEADER_ROWS = 3  # title, sub-title, column labels; data starts on the 4th row
TEMPLATE_VERSION = 1


@dataclass
class FormRows:
    form: FormDef
    items: list[PlanItem]

    def prefill(self) -> list[tuple[str, dict[str, Any]]]:
        """(row key, {field: value}) for every pre-filled cell, in row order."""
        return [(it.key, prefill_values(self.form, it)) for it in self.items]


@dataclass
class TemplateContent:
    plan: Plan
    department: Department
    period: Period
    forms: list[FormRows]
    generated_at: str
    identity: dict[str, str] = field(default_factory=dict)
    signature: str = ""

    @property
    def deadline(self) -> dt.date:
        return self.period.deadline(self.plan.deadline_days)


def prefill_values(form: FormDef, item: PlanItem) -> dict[str, Any]:
    return {c.field: _cell_value(item.values.get(c.prefill)) for c in form.prefill_columns}


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def default_generated_at(period: Period) -> str:
    """A pinned time so the same inputs give the same bytes: the period's end, 00:00 UTC."""
    return f"{period.end.isoformat()}T00:00:00Z"


def template_id(plan: Plan, period: Period, dept: str) -> str:
    return f"{plan.district_code}-{period}-{dept}"


def build_content(
    plan: Plan,
    forms: list[FormDef],
    dept_code: str,
    period: Period,
    secret: bytes,
    generated_at: str | None = None,
) -> TemplateContent:
    dept = plan.departments[dept_code]
    rows = [FormRows(f, plan.rows_for(f.rows, dept_code)) for f in forms]
    rows = [r for r in rows if r.items]
    content = TemplateContent(
        plan, dept, period, rows, generated_at or default_generated_at(period)
    )
    prefill = {r.form.id: r.prefill() for r in rows}
    content.identity = {
        "format": ident.FORMAT,
        "template_id": template_id(plan, period, dept_code),
        "district": plan.district_code,
        "year": str(plan.year),
        "period": str(period),
        "department": dept_code,
        "plan_version": str(plan.version),
        "plan_fingerprint": plan.fingerprint,
        "forms": ident.forms_text({r.form.id: r.form.version for r in rows}),
        "generated_at": content.generated_at,
        "prefill_digest": ident.prefill_digest(prefill),
    }
    content.signature = ident.sign(secret, content.identity)
    return content
