"""The office's decisions on a return: return (退回), force (强制受理), approve (审核通过)
and reopen; each an append-only record in the ledger with who, when and why.

Every check that allows a decision (the period not signed off, the return that
counts) is made inside the transaction that writes it, and a return's 退回通知 is
drafted before that transaction commits: a folder that cannot be written leaves no
decision behind, and a decision never stands without its notice being made."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import UsageError
from tianbao.ledger.records import APPROVED, FORCED, REJECTED, REOPENED, RETURNED, WITHDRAWN
from tianbao.review.states import REVIEW_WORDS, VERBS
from tianbao.review.units import Units
from tianbao.support import usertext as text
from tianbao.support.pausepoint import pause_point

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.records import Submission
    from tianbao.plan.periods import Period
    from tianbao.report.notice import Pointed, Returned
    from tianbao.workspace import Workspace

__all__ = ["REVIEW_WORDS", "Reviewed", "review"]


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
    due: str = ""  # a return: the corrected return is due (ISO date)
    cells: tuple[str, ...] = ()  # a return: the cells and rows it points at

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
            "due": self.due or None,
            "cells": list(self.cells),
        }


def review(
    where: Path | str | Workspace | Units,
    action: str,
    period: str,
    department: str,
    *,
    reason: str = "",
    by: str | None = None,
    submission: int | None = None,
    due: str | None = None,
    notice_dir: Path | None = None,
    cells: tuple[str, ...] = (),
    rows: tuple[str, ...] = (),
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
    ``notice_dir``, the corrected return due on ``due`` (ISO date, not before the
    period ends; kept with the decision: status and 催报 count from it), the ``cells``
    (重点项目!I12) and ``rows`` (P047) it points at marked red ahead of the findings.

    ``where`` may be other ``Units`` (a city's districts: ``city.review``), which say
    the places a return names and write its notice."""
    from tianbao.ledger.db import Ledger
    from tianbao.report.notice import Returned
    from tianbao.workspace import usable as workspace

    what = REVIEW_WORDS.get(action)
    if what is None:
        raise UsageError(
            f"未知的审核操作 {action!r}（可用：{'、'.join(REVIEW_WORDS)}） | "
            f"unknown review action {action!r}: {', '.join(REVIEW_WORDS)}"
        )
    ws = where if isinstance(where, Units) else workspace(where)
    assert ws.plan is not None
    p = ws.plan.period(period)
    dept = ws.plan.department_code(department)
    why = text.reason(reason)
    if what in (RETURNED, FORCED) and not why:
        raise UsageError(
            f"{action} 须写明原因（--reason） | --reason is required to {action} a return"
        )
    if what == FORCED and isinstance(ws, Units) and ws.not_forceable:
        raise UsageError(ws.not_forceable)
    who = text.name(by)
    now = dt.datetime.now(ws.plan.tz)
    at = now.isoformat(timespec="seconds")
    due_day = _due(ws, what, due, p, now.date(), bool(cells or rows))
    draft = None
    with Ledger(ws.root) as ledger, ledger.transaction():
        signed = ledger.signed_off(p)
        if signed is not None:
            if what != REOPENED:
                raise _closed(ws, str(p), dept, signed)
            return _reopen_signed(ledger, str(p), dept, why, who, at)
        target = _review_target(ledger, what, submission, dept, str(p))
        marks = _pointed(ws, ledger, target, cells, rows)
        pause_point("checked")
        named = (*cells, *rows)
        rid = ledger.add_review(target.id, what, why, who, at, _iso(due_day), list(named))
        after = ledger.submission(target.id)
        assert after is not None
        if due_day is not None:  # a return: its notice
            returned = Returned(why, who, now.date(), due_day, tuple(marks))
            draft = _draft_notice(ws, after, returned, notice_dir)
        pause_point("decided")
    written = None
    if draft is not None:  # the decision stands: a failure now is said, not an exit code
        with contextlib.suppress(OSError):
            written = _publish(ws, draft, after)
    return Reviewed(rid, what, after, why, who, at, written, due=_iso(due_day), cells=named)


def _due(
    ws: Workspace | Units, what: str, due: str | None, p: Period, today: dt.date, marks: bool
) -> dt.date | None:
    """A return's one deadline: ``--due`` (after the period ends), else the default the
    notice states (``return_notice.due_date``); kept with the decision. None otherwise."""
    from tianbao.plan.clock import date_option as day
    from tianbao.report.return_notice import due_date

    if what != RETURNED:
        if marks:
            raise UsageError("--cell/--row 只用于退回 | --cell and --row go with return only")
        return None
    given = day(due, "--due")
    if given is not None and given <= p.end:
        raise UsageError(
            f"--due {given} 不在 {p.label_zh} 结束之后 | --due {given} is not after "
            f"{p} ends ({p.end})"
        )
    if isinstance(ws, Units):
        return given or ws.due(p, today)
    return given or due_date(ws, str(p), today)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""


def _draft_notice(
    ws: Workspace | Units, sub: Submission, returned: Returned, notice_dir: Path | None
) -> Path | None:
    from tianbao.report.return_notice import draft_return_notice

    if isinstance(ws, Units):  # other units write their own notice (a city: 差错清单)
        return ws.draft(sub, returned, notice_dir)
    return draft_return_notice(ws, sub, returned, notice_dir)


def _pointed(
    ws: Workspace | Units,
    ledger: Ledger,
    sub: Submission,
    cells: tuple[str, ...],
    rows: tuple[str, ...],
) -> list[Pointed]:
    from tianbao.review.pointed import pointed

    return (ws.pointed if isinstance(ws, Units) else pointed)(ledger, sub, cells, rows)


def _publish(ws: Workspace | Units, draft: Path, sub: Submission) -> Path:
    from tianbao.report.return_notice import publish_notice

    return (ws.publish if isinstance(ws, Units) else publish_notice)(draft, sub)


def _closed(ws: Workspace | Units, p: str, dept: str, signed: dict[str, Any]) -> UsageError:
    from tianbao.plan.clock import shown_zh

    assert ws.plan is not None
    who = text.shown(str(signed["by"]))
    return UsageError(
        f"{p} 已于 {shown_zh(str(signed['at']), ws.plan.tz)} 由 {who} "
        f"签发，不能再审核；如须更正，请先重新打开：tianbao review reopen -p {p} "
        f'--dept {dept} --reason "…" | {p} was signed off by {who}: '
        f'reopen it first (tianbao review reopen -p {p} --dept {dept} --reason "…")'
    )


def _reopen_signed(
    ledger: Ledger, period: str, dept: str, reason: str, who: str, at: str
) -> Reviewed:
    """Withdraw a period's sign-off for one department's correction (reason required)."""
    if not reason:
        raise UsageError(
            "重新打开已签发的报告期须写明原因 --reason is required to reopen a signed-off period"
        )
    subs = ledger.history(dept, period)
    target = ledger.latest_accepted_of(dept, period) or (subs[-1] if subs else None)
    if target is None:
        raise UsageError(f"{dept} {period}: 没有报表 no return of theirs to reopen")
    pause_point("checked")
    ledger.add_signoff(period, WITHDRAWN, who, at, f"{dept}：{reason}")
    return Reviewed(0, REOPENED, target, reason, who, at, period_reopened=True)


def _review_target(
    ledger: Ledger, what: str, wanted: int | None, dept: str, period: str
) -> Submission:
    """The submission the decision is about, or why there is none."""
    subs = ledger.history(dept, period)
    if wanted is not None:
        found = next((s for s in subs if s.id == wanted), None)
        if found is None:
            raise UsageError(f"#{wanted} 不是 {dept} {period} 的报表 is not a return of theirs")
    elif what == FORCED:  # the latest rejected one
        found = next((s for s in reversed(subs) if s.status == REJECTED and not s.counts), None)
    elif what == REOPENED:  # the submission decided on last
        found = _last_decided(ledger, subs)
    else:
        found = ledger.latest_accepted_of(dept, period)
    if found is None:
        raise UsageError(f"{dept} {period}: 没有可{VERBS[what]}的报表 no return to act on")
    if what == FORCED and found.status != REJECTED:
        raise UsageError(f"#{found.id} 不是未通过的报表 only a rejected return can be forced")
    if what in (RETURNED, APPROVED) and not found.counts:
        raise UsageError(f"#{found.id} 不是计入的报表 only the counting return can be {what}")
    if what == REOPENED and not found.review:
        raise UsageError(f"#{found.id} 没有可撤销的审核决定 no decision to take back")
    return found


def _last_decided(ledger: Ledger, subs: list[Submission]) -> Submission | None:
    last = {s.id: r[-1]["id"] for s in subs if (r := ledger.reviews(s.id))}
    return max((s for s in subs if s.id in last), key=lambda s: last[s.id], default=None)
