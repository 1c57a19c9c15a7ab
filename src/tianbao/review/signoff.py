"""A period's sign-off (签发): its figures stay put — collect refuses returns of it and
the office's review of it is closed — until it is withdrawn with a note.

The checks (signed already? ended? anything counted? anything still open?) are made
inside the transaction that writes the sign-off, so two sign-offs at once give one
``signed`` row, and a decision or a return recorded meanwhile is what the sign-off saw.
What is still open (未报, 退回, 未通过, warnings not explained) refuses the sign-off
unless the office signs anyway with a note; the list is then kept with the sign-off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import Refused, UsageError
from tianbao.ledger.records import SIGNED, WITHDRAWN
from tianbao.plan import clock
from tianbao.review.units import Units
from tianbao.support import usertext as text
from tianbao.support.pausepoint import pause_point

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.status import DepartmentStatus
    from tianbao.plan.periods import Period
    from tianbao.workspace import Workspace


def signoff(
    where: Path | str | Workspace | Units,
    period: str,
    *,
    by: str | None = None,
    note: str = "",
    withdraw: bool = False,
    as_of: str | dt.date | None = None,
    anyway: bool = False,
) -> dict[str, Any]:
    """Sign ``period`` off (签发), or withdraw its sign-off (a note saying why).

    A period is signed off once it has ended (by ``as_of``, default today in the
    plan's time zone), a return counts for it and nothing is open (``outstanding``);
    else ``Refused`` (exit 1). ``anyway`` with a note signs with what is open listed.
    ``where`` may be other ``Units`` (a city's districts), which say what is open."""
    from tianbao.ledger.db import Ledger
    from tianbao.plan.clock import date_option as day
    from tianbao.workspace import usable as workspace

    ws = where if isinstance(where, Units) else workspace(where)
    assert ws.plan is not None
    p = ws.plan.period(period)
    who = text.name(by)
    why = text.reason(note, "--note")
    now = dt.datetime.now(ws.plan.tz)
    today = day(as_of) or now.date()
    at = now.isoformat(timespec="seconds")
    if anyway and not withdraw and not why:
        raise UsageError(
            "--anyway 须写明原因 --note | --note is required to sign off with returns open"
        )
    open_: list[dict[str, Any]] = []
    with Ledger(ws.root) as ledger, ledger.transaction():
        current = ledger.signed_off(p)
        if withdraw:
            if current is None:
                raise UsageError(f"{p} 尚未签发 | {p} is not signed off")
            if not why:
                raise UsageError(
                    "撤销签发须写明原因 | a note is required to withdraw a sign-off"
                )
        else:
            if current is not None:
                by, at = text.shown(str(current["by"])), clock.shown(current["at"], ws.plan.tz)
                raise UsageError(
                    f"{p} 已于 {at} 由 {by} 签发 | {p} was already signed off on {at} by {by}"
                )
            _ready(ledger, p, today)
            open_ = (
                ws.outstanding(ledger, p)
                if isinstance(ws, Units)
                else outstanding(ledger, ws, p, today)
            )
            if open_ and not anyway:
                raise _still_open(p, open_)
        pause_point("checked")
        ledger.add_signoff(str(p), WITHDRAWN if withdraw else SIGNED, who, at, why, open_)
    return {
        "period": str(p),
        "signed": not withdraw,
        "by": who,
        "at": at,
        "note": why,
        "outstanding": open_,
    }


def _ready(ledger: Ledger, p: Period, today: dt.date) -> None:
    """Refuse a sign-off that would lock a period before anything can be summed."""
    if today <= p.end:
        raise Refused(
            f"{p.label_zh}尚未结束（{p.end} 结束，今天 {today}），不能签发 | {p} has not "
            f"ended ({p.end}; today is {today}): not signed off"
        )
    if not ledger.latest_accepted(p):
        raise Refused(
            f"{p.label_zh}没有计入的报表，不能签发 | {p} has no counting return: not signed off"
        )


# what keeps a department open, in the order the office reads it
OPEN_WORDS = {
    "returned": "退回 | returned",
    "rejected": "未通过 | rejected",
    "missing": "未报 | missing",
    "warnings": "预警未说明 | warnings not explained",
}


def outstanding(ledger: Ledger, ws: Workspace, p: Period, today: dt.date) -> list[dict[str, Any]]:
    """What is still open for ``p``: departments 退回, 未通过 or 未报, and counting returns
    with warnings neither explained nor accepted by the office (审核通过/强制受理)."""
    from tianbao.ledger.status import status_in

    report = status_in(ledger, ws, p, today)
    found = []
    for d in report.departments:
        warned = 0 if d.state in OPEN_WORDS else _unexplained(ledger, d)
        state = d.state if d.state in OPEN_WORDS else ("warnings" if warned else "")
        if state:
            forms = [
                f.title
                for f in d.forms
                if f.state == state or (state == "warnings" and f.submission_id is not None)
            ]
            found.append(
                {"department": d.code, "name": d.name, "state": state, "forms": forms,
                 "warnings": warned}
            )  # fmt: skip
    order = list(OPEN_WORDS)
    return sorted(found, key=lambda x: order.index(x["state"]))


def _unexplained(ledger: Ledger, d: DepartmentStatus) -> int:
    """How many warnings of the department's counting returns nobody has explained."""
    from tianbao.ledger.records import APPROVED, FORCED

    ids = sorted({f.submission_id for f in d.forms if f.submission_id is not None})
    subs = [s for i in ids if (s := ledger.submission(i)) is not None]
    return sum(
        1
        for s in subs
        if s.review not in (APPROVED, FORCED)
        for x in s.report.get("findings", [])
        if x.get("severity") == "warning" and not _explained(x)
    )


def _explained(finding: dict[str, Any]) -> bool:
    """An audit warning explained in the 说明 cell (its own code), or a quality warning
    whose message carries the explanation."""
    return finding.get("code") == "RULE_WARNING_EXPLAINED" or "（已说明：" in str(
        finding.get("message", "")
    )


def open_list(items: list[dict[str, Any]]) -> str:
    """「ZJJ 退回、TJJ 未通过、WLQ 未报 | ZJJ returned, TJJ rejected, WLQ missing」."""
    zh = "、".join(f"{x['department']} {OPEN_WORDS[x['state']].split(' | ')[0]}" for x in items)
    en = ", ".join(f"{x['department']} {OPEN_WORDS[x['state']].split(' | ')[1]}" for x in items)
    return f"{zh} | {en}"


def _still_open(p: Period, items: list[dict[str, Any]]) -> Refused:
    zh, en = open_list(items).split(" | ")
    return Refused(
        f"{p.label_zh}尚有 {len(items)} 个单位未完结，不能签发：{zh}；如确须签发，"
        f'请加 --anyway --note "原因" | {p} has {len(items)} departments open: {en}; '
        'to sign off anyway: --anyway --note "why"',
        details={"outstanding": items},
    )
