"""Gather what the summary shows: the plan's rows, each with the values of its
department's latest accepted return (never a rejected or superseded one), the
cell each value came from, and its completion rate.

Everything is ordered as the plan orders it (rows) or by department code
(submissions), so the same ledger gives the same summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tianbao.consolidate.rates import (
    Rate,
    amount_rate,
    dec,
    indicator_rate,
    time_progress,
)
from tianbao.ledger.db import CellValue, Ledger, Submission
from tianbao.ledger.status import StatusReport, received_date, status
from tianbao.plan.model import Department, Plan, PlanItem
from tianbao.plan.periods import Period
from tianbao.workspace import Workspace

COLLECTIONS = ("indicators", "projects", "livelihood", "tasks")


@dataclass
class Row:
    """One plan row with the figures its department returned."""

    collection: str
    form: str  # the form id that carries this collection
    item: PlanItem
    department: Department
    submission: Submission | None  # the accepted return that counts; None: unreported
    values: dict[str, Any] = field(default_factory=dict)  # field -> value as recorded
    sources: dict[str, CellValue] = field(default_factory=dict)
    rate: Rate | None = None

    @property
    def key(self) -> str:
        return self.item.key

    def plan(self, name: str) -> Any:
        return self.item.values.get(name)

    def plan_num(self, name: str) -> Decimal | None:
        return dec(self.item.values.get(name))

    def num(self, name: str) -> Decimal | None:
        return dec(self.values.get(name))

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if value is None:
            return ""
        return value if isinstance(value, str) else str(value)

    @property
    def point(self) -> bool:
        return self.item.values.get("accumulation") == "point"

    @property
    def actual_field(self) -> str:
        """The field an indicator is judged on: 本年累计, or 本月 for point figures."""
        return "month_value" if self.point else "ytd"


@dataclass
class Consolidated:
    plan: Plan
    period: Period
    progress: Decimal  # 序时进度, percent
    created: dt.datetime  # pinned workbook time: from the ledger, not the clock
    expected: list[str]  # department codes that answer for at least one row
    submissions: dict[str, Submission]  # department code -> the return that counts
    values: dict[int, list[CellValue]]  # submission id -> every recorded value
    rows: dict[str, list[Row]]  # collection -> rows in plan order
    status: StatusReport

    @property
    def reported(self) -> list[str]:
        return [c for c in self.expected if c in self.submissions]

    def dept_name(self, code: str) -> str:
        d = self.plan.departments.get(code)
        return d.name if d else code


def gather(ws: Workspace, period: Period, as_of: dt.date | None = None) -> Consolidated:
    plan = ws.plan
    assert plan is not None
    form_of = {ws.forms[f].rows: f for f in plan.form_ids if f in ws.forms}
    with Ledger(ws.root) as ledger:
        subs = {s.department: s for s in ledger.latest_accepted(period)}
        values = {s.id: ledger.values(s.id) for s in subs.values()}
        history = ledger.history(period=str(period))
    received = [received_date(s.received_at) for s in history if s.received_at]
    deadline = period.deadline(plan.deadline_days)
    # the as-of day and created time come from the ledger, so re-runs are identical
    day = as_of or max([deadline, *received])
    latest = max((s.received_at for s in history), default="")
    created = (
        dt.datetime.fromisoformat(latest).replace(tzinfo=None, microsecond=0)
        if latest
        else dt.datetime.combine(deadline, dt.time())
    )
    report = status(ws, str(period), day)
    by_row: dict[tuple[int, str, str], dict[str, CellValue]] = {}
    for sid, cells in values.items():
        for cv in cells:
            by_row.setdefault((sid, cv.form, cv.row_key), {})[cv.field] = cv
    progress = time_progress(period.last_month)
    rows: dict[str, list[Row]] = {}
    for collection in COLLECTIONS:
        form = form_of.get(collection)
        out: list[Row] = []
        for item in plan.items.get(collection, []):
            dept = plan.departments[item.department]
            sub = subs.get(item.department)
            if sub is not None and form not in sub.forms:
                sub = None
            row = Row(collection, form or "", item, dept, sub)
            if sub is not None:
                row.sources = by_row.get((sub.id, form or "", item.key), {})
                row.values = {k: cv.value for k, cv in row.sources.items()}
            row.rate = _rate(row, progress)
            out.append(row)
        rows[collection] = out
    expected = [
        code
        for code in plan.departments
        if any(r.item.department == code for rs in rows.values() for r in rs)
    ]
    return Consolidated(plan, period, progress, created, expected, subs, values, rows, report)


def _rate(row: Row, progress: Decimal) -> Rate:
    if row.collection == "indicators":
        actual = row.num(row.actual_field) if row.submission else None
        return indicator_rate(
            actual,
            row.plan_num("target_level"),
            row.plan("target_direction"),
            row.point,
            progress,
        )
    plan_field, actual_field = {
        "projects": ("annual_plan", "ytd_investment"),
        "livelihood": ("budget", "ytd_investment"),
        "tasks": ("target", "ytd_done"),
    }[row.collection]
    actual = row.num(actual_field) if row.submission else None
    if row.collection == "tasks" and row.submission and row.plan_num("target") is None:
        actual = Decimal(0) if actual is None else actual  # judged by text only: no target
    return amount_rate(actual, row.plan_num(plan_field), progress)
