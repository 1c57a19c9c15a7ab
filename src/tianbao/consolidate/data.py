"""Gather what the summary shows: the plan's rows, each with the values of its
department's latest accepted return (never a rejected or superseded one), the
cell each value came from, and its completion rate.

Everything is ordered as the plan orders it (rows) or by department code
(submissions), so the same ledger gives the same summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tianbao.consolidate import prefetch
from tianbao.consolidate.provenance import YTD_OF_FLOW, Part, origins
from tianbao.consolidate.rates import (
    Rate,
    amount_rate,
    dec,
    growth_judged,
    indicator_rate,
    overdue,
    time_progress,
)
from tianbao.ledger.db import REJECTED, Ledger, Submission
from tianbao.ledger.records import RETURNED
from tianbao.ledger.status import StatusReport, received_date, status
from tianbao.plan.clock import parse_iso
from tianbao.plan.model import Department, Plan, PlanItem
from tianbao.plan.periods import Period
from tianbao.workspace import Workspace

COLLECTIONS = ("indicators", "projects", "livelihood", "tasks")
FLOWS = {"indicators": "month_value", "projects": "month_investment"}  # 本月: summed
# the figures 趋势 shows month by month, per collection (a flow's months add its 本月)
MONTHLY = {
    "indicators": ("month_value", "ytd"),
    "projects": ("ytd_investment",),
    "livelihood": ("ytd_investment",),
}


@dataclass
class Row:
    """One plan row with the figures its department returned."""

    collection: str
    form: str  # the form id that carries this collection
    item: PlanItem
    department: Department
    submission: Submission | None  # the accepted return that counts; None: unreported
    values: dict[str, Any] = field(default_factory=dict)  # field -> value as recorded
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (sheet, cell)
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
    """What the summary is made of. Rows are not held: ``rows(collection)`` streams
    them from the ledger (which must stay open while they are read), so memory
    does not grow with the number of returns; only the few figures 趋势 and the
    period's flows need are kept, each read once (``month_figures``)."""

    plan: Plan
    period: Period
    progress: Decimal  # 序时进度, percent
    created: dt.datetime  # pinned workbook time: from the ledger, not the clock
    expected: list[str]  # department codes that answer for at least one row
    submissions: dict[str, Submission]  # department code -> the return that counts
    status: StatusReport
    ledger: Ledger
    form_of: dict[str, str]  # collection -> the form id that carries it
    shown: Period | None = None  # the period the summary is of (a quarter...), else period
    later: Plan | None = None  # plan.yaml, when a dated revision of it begins after period
    forms: dict[str, Any] = field(default_factory=dict)  # layouts by id: fields' names, units
    _months: dict[Period, dict[str, Submission]] | None = None
    # collection -> the months before the summary's: (month, key, field) -> figure
    _figures: dict[str, dict[tuple[Period, str, str], Any]] = field(default_factory=dict)
    # collection -> the summary's month, noted as rows streamed: (key, field) -> figure
    _now: dict[str, dict[tuple[str, str], Any]] = field(default_factory=dict)
    _held: dict[str, list[Row]] = field(default_factory=dict)  # rows read for month_figures
    _ahead: dict[str, prefetch.Reader] = field(default_factory=dict)  # started: read_ahead
    # collection -> (submission id, row key, flow field) -> (sheet, cell) in that return
    _origins: dict[str, dict[tuple[int, str, str], tuple[str, str]]] = field(default_factory=dict)

    def months(self) -> dict[Period, dict[str, Submission]]:
        """Month -> department -> its counting return, January to the summary's month.
        The summary's own month is what its sheets show; for a signed-off period the
        earlier months are as the sign-off saw them (the summary stays what was signed)."""
        if self._months is None:
            p = self.period
            signed = self.ledger.signed_off(p)
            as_of = signed["upto"] if signed is not None else None
            self._months = {}
            for m in range(1, p.last_month + 1):
                month = Period(p.year, "month", m)
                self._months[month] = (
                    dict(self.submissions)
                    if month == p
                    else {s.department: s for s in self.ledger.latest_accepted(month, as_of)}
                )
        return self._months

    def gaps(self) -> dict[Period, list[tuple[str, str]]]:
        """Month -> the expected departments whose return does not count that month
        (``months``), each with why: 退回 (sent back by the office), 未通过 (rejected
        by the checks) or 未报 (nothing came). A month's sums are over the others, so
        趋势 must say so rather than show a silent fall."""
        signed = self.ledger.signed_off(self.period)
        upto = signed["upto"][0] if signed is not None and signed["upto"] else None
        out: dict[Period, list[tuple[str, str]]] = {}
        for month, counting in self.months().items():
            absent = [c for c in self.expected if c not in counting]
            if not absent:
                continue
            came: dict[str, set[str]] = {}
            for s in self.ledger.history(period=str(month)):
                if upto is None or s.id <= upto:
                    came.setdefault(s.department, set()).update((s.status, s.review))
            out[month] = [(c, _why(came.get(c, set()))) for c in absent]
        return out

    @property
    def spans_months(self) -> bool:
        """A quarter, half-year or year summary of monthly returns."""
        return self.of != self.period and self.period.kind == "month"

    def of_months(self) -> list[Period]:
        """The months of the period the summary is of (one for a month's summary)."""
        first = self.of.start.month if self.spans_months else self.period.last_month
        return [m for m in self.months() if m.last_month >= first]

    def flow_parts(self, row: Row) -> list[Part] | None:
        """A monthly flow (本月) over the summary's period, month by month: each month's
        figure from that month's counting return (the summary's own month is the row's)
        and the cell it was in; their sum is the period's figure. None unless every
        month of the period gave it (a sum short of a month would read as the period's
        total). Point-in-time indicators are not flows (``Book.flow`` shows their last
        value)."""
        name = FLOWS[row.collection]
        earlier = self._earlier(row.collection)
        where = self._origins.get(row.collection, {})
        parts: list[Part] = []
        for m in self.of_months():
            if m == self.period:
                origin = row.cells.get(name)
                if row.submission is None or origin is None or row.num(name) is None:
                    return None
                parts.append(Part(m, row.submission, row.values[name], *origin))
                continue
            value, sub = earlier.get((m, row.key, name)), self.months()[m].get(row.item.department)
            if dec(value) is None or sub is None:
                return None
            sheet, cell = where.get((sub.id, row.key, name), ("", ""))
            parts.append(Part(m, sub, value, sheet, cell))
        return parts

    def ytd_before(self, row: Row) -> tuple[Period | None, Decimal | None]:
        """The month before the summary's period and the row's year-to-date figure then
        (what a flow over the period adds to); (None, None) for a period from January."""
        first = self.of_months()[0]
        if first.last_month == 1:
            return None, None
        before = Period(first.year, "month", first.last_month - 1)
        figure = self._earlier(row.collection).get((before, row.key, YTD_OF_FLOW[row.collection]))
        return before, dec(figure)

    def month_figures(self, collection: str) -> dict[tuple[Period, str, str], Any]:
        """(month, row key, field) -> the figure (a ``MONTHLY`` field) of the row's
        department's counting return that month (``months``), January to the
        summary's. Each value is read from the ledger once: the earlier months here,
        the summary's own month as ``rows`` streams it (the detail sheets come first;
        asked before them, the rows are read now and held for ``rows``)."""
        if collection not in self._now:
            self._held[collection] = list(self._stream(collection))
        now = {(self.period, k, f): v for (k, f), v in self._now[collection].items()}
        return {**self._earlier(collection), **now}

    def _earlier(self, collection: str) -> dict[tuple[Period, str, str], Any]:
        """``month_figures`` of the months before the summary's: one read of the
        ``MONTHLY`` fields a month needs, kept for the flows and 趋势."""
        if collection not in self._figures:
            form, fields = self.form_of.get(collection), MONTHLY.get(collection, ())
            flow = (FLOWS[collection],) if collection in FLOWS and self.spans_months else ()
            summed = set(self.of_months())
            out: dict[tuple[Period, str, str], Any] = {}
            for m, by_dept in self.months().items() if form and (fields or flow) else ():
                if m == self.period:
                    continue  # the summary's month: from rows, read once there
                assert form is not None
                # 本月 only for the months a flow sums
                month_flow = flow if m in summed else ()
                out.update(self._month(collection, m, by_dept, form, fields, month_flow))
            self._figures[collection] = out
        return self._figures[collection]

    def _month(
        self,
        collection: str,
        m: Period,
        by_dept: dict[str, Submission],
        form: str,
        fields: tuple[str, ...],
        flow: tuple[str, ...],
    ) -> dict[tuple[Period, str, str], Any]:
        """One earlier month's figures of a collection from its counting returns; where
        ``flow`` is summed that month, the cells it was in too (for 数据来源)."""
        wanted = _fields(fields, flow)
        ids = [s.id for s in by_dept.values() if form in s.forms]
        got = {(sid, k, f): v for sid, k, f, v in self.ledger.field_values(ids, form, wanted)}
        if flow:
            found = origins(self.ledger, ids, form, flow)
            self._origins.setdefault(collection, {}).update(found)
        out: dict[tuple[Period, str, str], Any] = {}
        for it in self.plan.items.get(collection, []):
            sub = by_dept.get(it.department)
            if sub is None or form not in sub.forms:
                continue
            for f in wanted:
                if (value := got.get((sub.id, it.key, f))) is not None:
                    out[(m, it.key, f)] = value
        return out

    @property
    def of(self) -> Period:
        """The period the summary shows in its titles."""
        return self.shown or self.period

    @property
    def reported(self) -> list[str]:
        return [c for c in self.expected if c in self.submissions]

    def dept_name(self, code: str) -> str:
        d = self.plan.departments.get(code)
        return d.name if d else code

    def _counting(self, item: PlanItem, form: str | None) -> Submission | None:
        sub = self.submissions.get(item.department)
        return sub if sub is not None and form in sub.forms else None

    def rows(self, collection: str) -> Iterator[Row]:
        """The collection's plan rows in plan order, each with its figures and rate."""
        held = self._held.pop(collection, None)
        return iter(held) if held is not None else self._stream(collection)

    def read_ahead(self, collection: str) -> None:
        """Start reading the collection's rows now, on the second core where ``prefetch``
        would read them there, for ``rows`` to take later (``close_readers`` if not)."""
        if collection not in self._ahead and collection not in self._held:
            items = self.plan.items.get(collection, [])
            reader = prefetch.start(self.ledger, self._wanted(collection), len(items))
            if reader is not None:
                self._ahead[collection] = reader

    def close_readers(self) -> None:
        """Stop the readers started by ``read_ahead`` whose rows were not taken."""
        while self._ahead:
            self._ahead.popitem()[1].close()

    def _wanted(self, collection: str) -> prefetch.Wanted:
        """The (return, form, row key) of the collection's rows that have a return."""
        form = self.form_of.get(collection)
        items = self.plan.items.get(collection, [])
        return lambda: (
            (sub.id, form or "", it.key)
            for it in items
            if (sub := self._counting(it, form)) is not None
        )

    def _stream(self, collection: str) -> Iterator[Row]:
        """``rows`` from the ledger; the ``MONTHLY`` figures noted on the way for
        ``month_figures`` (complete once the last row is read)."""
        plan, form = self.plan, self.form_of.get(collection)
        items = plan.items.get(collection, [])
        flow = (FLOWS[collection],) if collection in FLOWS else ()
        wanted = _fields(MONTHLY.get(collection, ()), flow)
        now: dict[tuple[str, str], Any] = {}
        ahead = self._ahead.pop(collection, None)
        found = (
            ahead.rows()
            if ahead is not None
            else prefetch.row_values(self.ledger, self._wanted(collection), len(items))
        )
        try:
            for item in items:
                sub = self._counting(item, form)
                row = Row(collection, form or "", item, plan.departments[item.department], sub)
                if sub is not None:
                    row.values, row.cells = next(found)
                    for f in wanted:
                        if (value := row.values.get(f)) is not None:
                            now[(item.key, f)] = value
                row.rate = _rate(row, self.progress, self.period)
                yield row
        finally:
            found.close()
        self._now[collection] = now


def gather(
    ws: Workspace, ledger: Ledger, period: Period, as_of: dt.date | None = None
) -> Consolidated:
    plan = ws.plan_for(period)  # the targets in force then (a dated revision)
    form_of = {ws.forms[f].rows: f for f in plan.form_ids if f in ws.forms}
    subs = {s.department: s for s in ledger.latest_accepted(period)}
    received_at = [s.received_at for s in ledger.history(period=str(period))]
    received = [received_date(r, plan.tz) for r in received_at if r]
    deadline = period.deadline(plan.deadline_days)
    # the as-of day and created time come from the ledger, so re-runs are identical
    day = as_of or max([deadline, *received])
    latest = max(received_at, default="")
    created = (
        parse_iso(latest, plan.tz).replace(tzinfo=None, microsecond=0)
        if latest
        else dt.datetime.combine(deadline, dt.time())
    )
    report = status(ws, str(period), day)
    answering = {it.department for c in COLLECTIONS for it in plan.items.get(c, [])}
    expected = [code for code in plan.departments if code in answering]
    progress = time_progress(period.last_month)
    later = ws.plan if ws.plan is not plan else None
    return Consolidated(
        plan, period, progress, created, expected, subs, report, ledger, form_of, later=later
    )


def _why(marks: set[str]) -> str:
    """Why a department's return does not count, from its returns' statuses and the
    office's decisions on them."""
    if RETURNED in marks:
        return "退回"
    return "未通过" if REJECTED in marks else "未报"


def _fields(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of some groups, each once, in order."""
    return tuple(dict.fromkeys(f for g in groups for f in g))


def _rate(row: Row, progress: Decimal, period: Period) -> Rate:
    if row.collection == "indicators":
        actual = row.num(row.actual_field) if row.submission else None
        level = indicator_rate(
            actual,
            row.plan_num("target_level"),
            row.plan("target_direction"),
            row.point,
            progress,
        )
        if row.plan("target_kind") not in ("growth", "growth_and_level"):
            return level
        growth = row.num("yoy_pct") if row.submission else None
        return growth_judged(level, growth, row.plan_num("target_rate"))
    plan_field, actual_field = {
        "projects": ("annual_plan", "ytd_investment"),
        "livelihood": ("budget", "ytd_investment"),
        "tasks": ("target", "ytd_done"),
    }[row.collection]
    actual = row.num(actual_field) if row.submission else None
    if row.collection == "tasks" and row.submission and row.plan_num("target") is None:
        actual = Decimal(0) if actual is None else actual  # judged by text only: no target
    rate = amount_rate(actual, row.plan_num(plan_field), progress)
    if row.collection == "tasks":
        return overdue(rate, row.plan("deadline"), period.end, row.plan_num("target"), row.values)
    return rate
