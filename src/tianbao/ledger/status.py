"""``tianbao status``: who has reported for a period, on time or late, and whom
to chase (催报).

Per department that answers for rows of a form in the plan, and per form:

* ``on_time`` / ``accepted_with_warnings``: an accepted return counts, first
  received by the deadline (period end + ``deadline_days_after_period_end``);
* ``late``: the first accepted return came after the deadline (``days_late``
  calendar days: received date minus deadline);
* ``rejected``: returns came, none was accepted;
* ``missing``: nothing came.

Each row is one submission, the one that counts now: its id, file, receipt
time, state and lateness (its local receipt date against the deadline); the
versions it superseded are listed beside it, and a correction of a past
period is marked (更正), one recorded after the period was signed off and
reopened (更正·签发后). The 催报 list holds the departments with a
form missing or rejected, with their contact and phone, and the days overdue
as of ``as_of`` (default today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tianbao.findings.verdict import verdict_en
from tianbao.ledger.chase import ChaseEntry, chase, chase_text, returned_review, why
from tianbao.ledger.db import ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED, Ledger
from tianbao.ledger.db import Submission as Sub
from tianbao.ledger.records import APPROVED, FORCED, RETURNED, WARNINGS_EXPLAINED, verdict_zh
from tianbao.plan.clock import local_date, shown
from tianbao.plan.periods import Period
from tianbao.workspace import Workspace

__all__ = ["ChaseEntry", "DepartmentStatus", "FormStatus", "StatusReport", "chase_text", "status"]

STATUS_VERSION = "1.0"
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
STATES = (ON_TIME, LATE, MISSING, REJECTED, RETURNED, ACCEPTED_WITH_WARNINGS)
# worst first: a department's state is the worst of its forms'
_SEVERITY = (MISSING, REJECTED, RETURNED, LATE, ACCEPTED_WITH_WARNINGS, ON_TIME)
CHASE_STATES = (MISSING, REJECTED, RETURNED)
REVIEW_NOTES = {FORCED: "·强制受理", APPROVED: "·审核通过"}  # after the state's label
REVIEW_NOTES_EN = {FORCED: ", forced", APPROVED: ", approved"}

LABELS = {
    ON_TIME: "按时报送",
    LATE: "迟报",
    MISSING: "未报",
    REJECTED: "退回未通过",
    RETURNED: "统计局退回待重报",
    ACCEPTED_WITH_WARNINGS: verdict_zh(ACCEPTED_WITH_WARNINGS),  # one word with history's
}
# the same states in English (the web pages' and the command line's --lang en)
LABELS_EN = {
    ON_TIME: "on time",
    LATE: "late",
    MISSING: "missing",
    REJECTED: "rejected, not yet corrected",
    RETURNED: "returned by the office, to send again",
    ACCEPTED_WITH_WARNINGS: verdict_en(ACCEPTED_WITH_WARNINGS),
}


@dataclass
class FormStatus:
    form: str
    title: str
    state: str
    days_late: int | None = None  # accepted: received date minus deadline, 0 when on time
    submission_id: int | None = None  # the submission that counts (or the latest rejected)
    file_name: str = ""
    received_at: str = ""  # of the submission shown (ISO, local with offset)
    days_overdue: int | None = None  # missing/rejected: as_of minus deadline, 0 before it
    correction: bool = False  # the counting return is a correction of this past period (更正)
    review: str = ""  # the office's decision on the submission shown (forced, approved...)
    superseded: tuple[tuple[int, str], ...] = ()  # (id, received_at) of earlier versions
    received_local: str = ""  # received_at as people read it: 2014-07-04 10:00
    after_signoff: bool = False  # recorded after the period was signed off (then reopened)
    # the first accepted version, when a later one counts now: lateness is that one's
    first_received_at: str = ""
    due: dt.date | None = None  # waiting: by when (a 退回's own due date, else the deadline)
    explained: bool = False  # accepted with warnings, every one explained in its row's 说明

    @property
    def resubmitted(self) -> bool:
        """A later version replaced a return already accepted: it shows as 更正."""
        return bool(self.first_received_at) and self.first_received_at != self.received_at

    @property
    def label(self) -> str:
        """The state as the office reads it, with the office's decision: 按时报送·强制受理."""
        return self._label(LABELS, verdict_zh, REVIEW_NOTES)

    @property
    def label_en(self) -> str:
        """The same in English: on time, forced."""
        return self._label(LABELS_EN, verdict_en, REVIEW_NOTES_EN)

    def _label(
        self, words: dict[str, str], verdict: Callable[[str], str], notes: dict[str, str]
    ) -> str:
        state = words[self.state]
        if self.state == ACCEPTED_WITH_WARNINGS and self.explained:
            state = verdict(WARNINGS_EXPLAINED)
        return state + notes.get(self.review, "")

    @property
    def received_note(self) -> str:
        """What follows the receipt time where people read it: （更正）, （更正·签发后）."""
        if self.after_signoff:
            return "（更正·签发后）"
        return "（更正）" if self.correction or self.resubmitted else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "title": self.title,
            "state": self.state,
            "days_late": self.days_late,
            "days_overdue": self.days_overdue,
            "due": self.due.isoformat() if self.due else None,
            "submission_id": self.submission_id,
            "file_name": self.file_name,
            "received_at": self.received_at,
            "received_local": self.received_local,
            "correction": self.correction,
            "after_signoff": self.after_signoff,
            "first_received_at": self.first_received_at,
            "superseded": [{"id": i, "received_at": t} for i, t in self.superseded],
            "review": self.review,
        }


@dataclass
class DepartmentStatus:
    code: str
    name: str
    contact_name: str
    contact_phone: str
    forms: list[FormStatus] = field(default_factory=list)

    @property
    def state(self) -> str:
        return min((f.state for f in self.forms), key=_SEVERITY.index, default=ON_TIME)

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.code,
            "name": self.name,
            "state": self.state,
            "contact": {"name": self.contact_name, "phone": self.contact_phone},
            "forms": [f.as_dict() for f in self.forms],
        }


@dataclass
class StatusReport:
    period: str
    period_label: str
    deadline: dt.date
    as_of: dt.date
    departments: list[DepartmentStatus] = field(default_factory=list)
    chase: list[ChaseEntry] = field(default_factory=list)
    signed: dict[str, Any] | None = None  # the sign-off that stands: by, at, note

    @property
    def signed_line(self) -> str:
        """「已签发：王局长，2014-07-10 09:00」 once signed off, else ''."""
        if self.signed is None:
            return ""
        return f"已签发：{self.signed['by']}，{self.signed.get('at_local') or self.signed['at']}"

    def counts(self) -> dict[str, int]:
        """How many (department, form) pairs are in each state."""
        out = dict.fromkeys(STATES, 0)
        for d in self.departments:
            for f in d.forms:
                out[f.state] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "status_version": STATUS_VERSION,
            "period": self.period,
            "deadline": self.deadline.isoformat(),
            "as_of": self.as_of.isoformat(),
            "signed_off": self.signed,
            "summary": {
                "departments": len(self.departments),
                "complete": sum(d.state not in CHASE_STATES for d in self.departments),
                "to_chase": len(self.chase),
                **self.counts(),
            },
            "departments": [d.as_dict() for d in self.departments],
            "chase": [c.as_dict() for c in self.chase],
        }


def received_date(text: str, tz: dt.tzinfo) -> dt.date:
    """The local calendar day of a receipt time (a time without offset is local)."""
    return local_date(text, tz)


def status(ws: Workspace, period: str, as_of: dt.date | None = None) -> StatusReport:
    """Completeness and timeliness of ``period`` per department and form."""
    ws.require_ok()
    assert ws.plan is not None
    p = ws.plan.period(period)
    with Ledger(ws.root, readonly=True) as ledger:
        return status_in(ledger, ws, p, as_of)


def status_in(
    ledger: Ledger, ws: Workspace, p: Period, as_of: dt.date | None = None
) -> StatusReport:
    """``status`` on a ledger already open (sign-off reads it in its transaction)."""
    plan = ws.plan_for(p)  # who answers for what in that period
    deadline = p.deadline(plan.deadline_days)
    as_of = as_of or dt.date.today()
    overdue = max(0, (as_of - deadline).days)
    report = StatusReport(str(p), p.label_zh, deadline, as_of)
    report.signed = _signed(ledger, p, plan.tz)
    forms = [ws.forms[f] for f in plan.form_ids]
    upto = ledger.signed_upto(p)  # a return recorded later came after a sign-off
    for code, dept in plan.departments.items():
        answers = [f for f in forms if plan.rows_for(f.rows, code)]
        if not answers:
            continue
        subs = ledger.history(code, str(p))
        ds = DepartmentStatus(code, dept.name, dept.contact_name, dept.contact_phone)
        for form in answers:
            fs = _form_status(form.id, form.title_zh, subs, deadline, overdue, plan.tz)
            fs.received_local = shown(fs.received_at, plan.tz)
            fs.after_signoff = bool(upto and fs.submission_id and fs.submission_id > upto)
            _due(ledger, fs, deadline, as_of)
            ds.forms.append(fs)
        report.departments.append(ds)
        if ds.state in CHASE_STATES:
            entry = chase(ds, CHASE_STATES, as_of)
            entry.why = why(ledger, ds)
            entry.text = chase_text(entry, report, plan)
            if report.signed is not None:
                entry.reopen = f'tianbao review reopen -p {p} --dept {code} --reason "…"'
            report.chase.append(entry)
    return report


def _signed(ledger: Ledger, p: Period, tz: dt.tzinfo) -> dict[str, Any] | None:
    signed = ledger.signed_off(p)
    if signed is None:
        return None
    return {
        "by": signed["by"],
        "at": signed["at"],
        "at_local": shown(str(signed["at"]), tz),
        "note": signed["note"],
        "outstanding": signed.get("outstanding", []),
    }


def _due(ledger: Ledger, fs: FormStatus, deadline: dt.date, as_of: dt.date) -> None:
    """A waiting form's deadline: the 退回's own due date when the office gave one."""
    if fs.state not in CHASE_STATES:
        return
    fs.due = deadline
    said = returned_review(ledger, fs.submission_id) if fs.state == RETURNED else None
    if said and said.get("due"):
        fs.due = dt.date.fromisoformat(str(said["due"]))
    fs.days_overdue = max(0, (as_of - fs.due).days)


def _latest(subs: list[Sub]) -> Sub | None:
    return max(subs, key=lambda s: (s.received_at, s.id), default=None)


def _first_accepted(subs: list[Sub]) -> Sub | None:
    """The first version that was accepted and not sent back by the office: a department
    that reported on time stays on time when it corrects later (a superseded version was
    accepted once; a rejected one only when forced)."""
    ever = [
        s for s in subs if s.review != RETURNED and (s.status != REJECTED or s.review == FORCED)
    ]
    return min(ever, key=lambda s: (s.received_at, s.id), default=None)


def _form_status(
    form: str, title: str, subs: list[Sub], deadline: dt.date, overdue: int, tz: dt.tzinfo
) -> FormStatus:
    mine = [s for s in subs if form in s.forms or (s.status == REJECTED and s.counts)]
    current = _latest([s for s in mine if s.counts])
    if current is not None:
        return _counting_row(form, title, mine, current, deadline, tz)
    return _waiting_row(form, title, mine, subs, overdue)


def _waiting_row(
    form: str, title: str, mine: list[Sub], subs: list[Sub], overdue: int
) -> FormStatus:
    """No return counts: the latest one sent back, else the latest rejected, else missing."""
    # sent back by the office: the department must send it again
    returned = _latest([s for s in mine if s.review == RETURNED])
    if returned is not None and returned.status != SUPERSEDED:
        return FormStatus(
            form,
            title,
            RETURNED,
            None,
            returned.id,
            returned.file_name,
            returned.received_at,
            overdue,
            review=RETURNED,
        )
    # a rejected return may lack the form's sheet altogether: any rejected one counts
    rejected = _latest([s for s in subs if s.status == REJECTED and s.review != FORCED])
    if rejected is not None:
        return FormStatus(
            form,
            title,
            REJECTED,
            None,
            rejected.id,
            rejected.file_name,
            rejected.received_at,
            overdue,
        )
    return FormStatus(form, title, MISSING, days_overdue=overdue)


def _counting_row(
    form: str, title: str, mine: list[Sub], current: Sub, deadline: dt.date, tz: dt.tzinfo
) -> FormStatus:
    # one submission per row: id, file, receipt time and state are the counting
    # return's, lateness the first accepted version's; the superseded ones are listed
    first = _first_accepted(mine) or current
    late = max(0, (received_date(first.received_at, tz) - deadline).days)
    if late:
        state = LATE
    elif current.status == ACCEPTED_WITH_WARNINGS:
        state = ACCEPTED_WITH_WARNINGS
    else:
        state = ON_TIME
    earlier = sorted(
        (s for s in mine if s.status == SUPERSEDED), key=lambda s: (s.received_at, s.id)
    )
    return FormStatus(
        form,
        title,
        state,
        late,
        current.id,
        current.file_name,
        current.received_at,
        correction=current.correction,
        superseded=tuple((s.id, s.received_at) for s in earlier),
        review=current.review,
        first_received_at=first.received_at if first is not current else "",
        explained=state == ACCEPTED_WITH_WARNINGS and current.verdict == WARNINGS_EXPLAINED,
    )
