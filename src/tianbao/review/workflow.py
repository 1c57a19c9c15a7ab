"""The office's review workflow: return (退回), force (强制受理), approve (审核通过),
reopen, and the period's sign-off (签发); each an append-only record in the ledger
with who, when and why. ``tianbao.api`` calls these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import UsageError

if TYPE_CHECKING:
    from tianbao.ledger.records import Submission
    from tianbao.workspace import Workspace

REVIEW_WORDS = {
    "return": "returned",
    "force": "forced",
    "approve": "approved",
    "reopen": "reopened",
}


@dataclass
class Reviewed:
    review_id: int
    action: str
    submission: Submission  # as it stands after the decision
    reason: str
    by: str
    at: str
    notice: Path | None = None  # 退回通知 written for a return sent back
    period_reopened: bool = False  # reopen of a signed-off period: its sign-off withdrawn

    def as_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "period_reopened": self.period_reopened,
            "action": self.action,
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
            "submission": self.submission.as_dict(),
            "notice": str(self.notice) if self.notice is not None else None,
        }


def review(
    where: Path | str | Workspace,
    action: str,
    period: str,
    department: str,
    *,
    reason: str = "",
    by: str | None = None,
    submission: int | None = None,
    due: str | None = None,
    notice_dir: Path | None = None,
) -> Reviewed:
    """Record the office's decision on a return (append-only, with who, when, why):
    ``return`` (退回: it stops counting; reasons required), ``force`` (强制受理 of a
    rejected return: it counts; reasons required), ``approve`` (审核通过), ``reopen``
    (takes the last decision back; on a signed-off period, with reasons, withdraws the
    sign-off so that the department's correction can come in: it is then shown as
    更正·签发后). The target is the department's return that
    counts for the period (for force: its latest rejected one; for reopen: the one
    last decided on) unless ``submission`` names another.

    A return writes the 退回通知 for the department (``report.return_notice``) into
    ``notice_dir``, the corrected return due on ``due`` (ISO date)."""
    import getpass

    from tianbao.ledger.db import Ledger
    from tianbao.plan.clock import shown_zh

    what = REVIEW_WORDS.get(action)
    if what is None:
        raise UsageError(
            f"未知的审核操作 {action!r}（可用：{'、'.join(REVIEW_WORDS)}） | "
            f"unknown review action {action!r}: {', '.join(REVIEW_WORDS)}"
        )
    ws = _workspace(where)
    assert ws.plan is not None
    p = str(ws.plan.period(period))
    dept = ws.plan.department_code(department)
    if what in ("returned", "forced") and not reason.strip():
        raise UsageError(
            f"{action} 须写明原因（--reason） | --reason is required to {action} a return"
        )
    who = by or getpass.getuser()
    now = dt.datetime.now(ws.plan.tz)
    at = now.isoformat(timespec="seconds")
    due_day = _day(due, "--due") if what == "returned" else None
    with Ledger(ws.root) as ledger:
        signed = ledger.signed_off(p)
        if signed is not None:
            if what != "reopened":
                raise UsageError(
                    f"{p} 已于 {shown_zh(str(signed['at']), ws.plan.tz)} 由 {signed['by']} "
                    f"签发，不能再审核；如须更正，请先重新打开：tianbao review reopen -p {p} "
                    f'--dept {dept} --reason "…" | {p} was signed off by {signed["by"]}: '
                    f'reopen it first (tianbao review reopen -p {p} --dept {dept} --reason "…")'
                )
            return _reopen_signed(ledger, p, dept, reason.strip(), who, at)
        subs = ledger.history(dept, p)
        target = _review_target(ledger, subs, what, submission, dept, p)
        rid = ledger.add_review(target.id, what, reason.strip(), who, at)
        after = ledger.submission(target.id)
    assert after is not None
    written = None
    if what == "returned":
        from tianbao.report.notice import Returned
        from tianbao.report.return_notice import due_date, write_return_notice

        due_on = due_day or due_date(ws, p, now.date())
        returned = Returned(reason.strip(), who, now.date(), due_on)
        written = write_return_notice(ws, after, returned, notice_dir)
    return Reviewed(rid, what, after, reason.strip(), who, at, written)


def _reopen_signed(ledger: Any, period: str, dept: str, reason: str, who: str, at: str) -> Reviewed:
    """Withdraw a period's sign-off for one department's correction (reason required)."""
    if not reason:
        raise UsageError(
            "重新打开已签发的报告期须写明原因 --reason is required to reopen a signed-off period"
        )
    subs = ledger.history(dept, period)
    target = ledger.latest_accepted_of(dept, period) or (subs[-1] if subs else None)
    if target is None:
        raise UsageError(f"{dept} {period}: 没有报表 no return of theirs to reopen")
    ledger.add_signoff(period, "withdrawn", who, at, f"{dept}：{reason}")
    return Reviewed(0, "reopened", target, reason, who, at, period_reopened=True)


def signoff(
    where: Path | str | Workspace,
    period: str,
    *,
    by: str | None = None,
    note: str = "",
    withdraw: bool = False,
) -> dict[str, Any]:
    """Sign ``period`` off (签发): its figures stay put — collect refuses returns of it
    and the office's review of it is closed — until the sign-off is withdrawn (with a
    note saying why)."""
    import getpass

    from tianbao.ledger.db import Ledger

    ws = _workspace(where)
    assert ws.plan is not None
    p = str(ws.plan.period(period))
    who = by or getpass.getuser()
    at = dt.datetime.now(ws.plan.tz).isoformat(timespec="seconds")
    with Ledger(ws.root) as ledger:
        current = ledger.signed_off(p)
        if withdraw:
            if current is None:
                raise UsageError(f"{p} 尚未签发 is not signed off")
            if not note.strip():
                raise UsageError("撤销签发须写明原因 --note is required to withdraw a sign-off")
            ledger.add_signoff(p, "withdrawn", who, at, note.strip())
        else:
            if current is not None:
                raise UsageError(
                    f"{p} 已于 {current['at']} 由 {current['by']} 签发 already signed off"
                )
            ledger.add_signoff(p, "signed", who, at, note.strip())
    return {"period": p, "signed": not withdraw, "by": who, "at": at, "note": note.strip()}


def _review_target(
    ledger: Any, subs: list[Submission], what: str, wanted: int | None, dept: str, period: str
) -> Submission:
    if wanted is not None:
        found = next((s for s in subs if s.id == wanted), None)
        if found is None:
            raise UsageError(f"#{wanted} 不是 {dept} {period} 的报表 is not a return of theirs")
    elif what == "forced":
        found = next((s for s in reversed(subs) if s.status == "rejected" and not s.counts), None)
    elif what == "reopened":  # the submission decided on last
        last = {s.id: r[-1]["id"] for s in subs if (r := ledger.reviews(s.id))}
        found = max((s for s in subs if s.id in last), key=lambda s: last[s.id], default=None)
    else:
        found = ledger.latest_accepted_of(dept, period)
    if found is None:
        raise UsageError(f"{dept} {period}: 没有可{_VERB[what]}的报表 no return to act on")
    if what == "forced" and found.status != "rejected":
        raise UsageError(f"#{found.id} 不是未通过的报表 only a rejected return can be forced")
    if what in ("returned", "approved") and not found.counts:
        raise UsageError(f"#{found.id} 不是计入的报表 only the counting return can be {what}")
    if what == "reopened" and not found.review:
        raise UsageError(f"#{found.id} 没有可撤销的审核决定 no decision to take back")
    return found


_VERB = {"returned": "退回", "forced": "强制受理", "approved": "审核通过", "reopened": "撤销决定"}


def _workspace(where: Path | str | Workspace) -> Workspace:
    from tianbao.api import workspace

    return workspace(where)


def _day(text: str | None, option: str) -> dt.date | None:
    from tianbao.api import day

    return day(text, option)
