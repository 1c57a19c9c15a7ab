"""The 催报 list of ``tianbao status``: whom to chase, why, by when, and the text to send.

A department is told what to do (send, correct and resend) and by when — a 退回's own
due date when the office gave one — never the office's internal causes (a key, the
ledger, a machine fault). Once the period is signed off no text asks for a return the
ledger would refuse: it says the figures are locked and how the office reopens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tianbao.ledger.records import REJECTED, RETURNED

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.status import DepartmentStatus, StatusReport

FIRST_FINDINGS = 2  # a rejected return's 催报 names its first blocking findings
# findings whose cause is the office's own (its workspace key): never sent out
INTERNAL_CODES = frozenset({"ID_KEY_MISMATCH"})


@dataclass
class ChaseEntry:
    """A department to chase (催报): what is missing or was rejected, and whom to call."""

    department: str
    name: str
    contact_name: str
    contact_phone: str
    reason: str  # missing | rejected | returned (the worst of its forms)
    forms: list[str]
    days_overdue: int
    submission_id: int | None = None  # the rejected return, to tell them what to fix
    file_name: str = ""
    why: str = ""  # the office's reason (returned) or the first findings (rejected)
    text: str = ""  # the 催报 message, ready to send
    due: dt.date | None = None  # by when: a 退回's own due date, else the period's deadline
    reopen: str = ""  # signed off: the command that lets a correction in

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "name": self.name,
            "reason": self.reason,
            "contact": {"name": self.contact_name, "phone": self.contact_phone},
            "forms": self.forms,
            "days_overdue": self.days_overdue,
            "due": self.due.isoformat() if self.due else None,
            "submission_id": self.submission_id,
            "file_name": self.file_name,
            "why": self.why,
            "text": self.text,
            "reopen": self.reopen or None,
        }


def chase(ds: DepartmentStatus, states: tuple[str, ...], as_of: dt.date) -> ChaseEntry:
    todo = [f for f in ds.forms if f.state in states]
    rejected = next((f for f in todo if f.state == REJECTED), None)
    due = max(f.due for f in todo if f.due is not None)
    return ChaseEntry(
        ds.code,
        ds.name,
        ds.contact_name,
        ds.contact_phone,
        ds.state,
        [f.form for f in todo],
        max(0, (as_of - due).days),
        rejected.submission_id if rejected else None,
        rejected.file_name if rejected else "",
        due=due,
    )


def returned_review(ledger: Ledger, submission_id: int | None) -> dict[str, Any] | None:
    """The office's last 退回 of a submission (reason, due, cells), if any."""
    if submission_id is None:
        return None
    said = [r for r in ledger.reviews(submission_id) if r["action"] == RETURNED]
    return said[-1] if said else None


def why(ledger: Ledger, ds: DepartmentStatus) -> str:
    """Why the department must send again: the office's reason for a return sent back,
    else the first blocking findings of a rejected one that are the department's to fix
    (a finding about the office's key or ledger is the office's, not theirs)."""
    for f in ds.forms:
        if f.state == RETURNED and (said := returned_review(ledger, f.submission_id)):
            return str(said["reason"])
    for f in ds.forms:
        if f.state == REJECTED and f.submission_id is not None:
            sub = ledger.submission(f.submission_id)
            found = sub.report.get("findings", []) if sub is not None else []
            blocking = [
                x["message"]
                for x in found
                if x.get("severity") == "error" and not internal(str(x.get("code", "")))
            ]
            more = f"等 {len(blocking)} 处" if len(blocking) > FIRST_FINDINGS else ""
            return "；".join(blocking[:FIRST_FINDINGS]) + more
    return ""


def internal(code: str) -> bool:
    """A finding about the office's own setup (its workspace key)."""
    return code in INTERNAL_CODES


def chase_text(entry: ChaseEntry, report: StatusReport, plan: Any) -> str:
    """The 催报 message for one department, ready to paste into a text or an email."""
    titles = {f.form: f.title for d in report.departments for f in d.forms}
    forms = "、".join(titles.get(f, f) for f in entry.forms)
    head = f"{entry.name}：{report.period_label}《{forms}》"
    office = plan.office
    ask = f"。联系：{office.reach}" if office is not None else ""
    if report.signed is not None:  # locked: nothing to send until the office reopens
        said = {RETURNED: "已被统计局退回", REJECTED: "审核未通过"}.get(entry.reason, "未报送")
        return (
            f"{head}{said}；本期已签发，数字已锁定，暂不接收重报。如须更正，"
            f"请先与统计局联系，由统计局重新打开后再报送{ask}。"
        )
    late = f"，已逾期 {entry.days_overdue} 天" if entry.days_overdue else ""
    if entry.reason == RETURNED:
        body = f"已被统计局退回（退回原因：{entry.why}），请核实后重新报送"
    elif entry.reason == REJECTED:
        why_ = f"（{entry.why}）" if entry.why else ""
        body = f"审核未通过{why_}，请改正后重新报送"
    else:
        body = f"尚未报送{late}，请尽快报送"
    due = (entry.due or report.deadline).isoformat()
    return f"{head}{body}（报送截止 {due}）{ask}。"
