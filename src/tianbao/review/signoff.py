"""A period's sign-off (签发): its figures stay put — collect refuses returns of it and
the office's review of it is closed — until it is withdrawn with a note.

The checks (signed already? ended? anything counted?) are made inside the
transaction that writes the sign-off, so two sign-offs at once give one ``signed``
row, and a decision or a return recorded meanwhile is what the sign-off saw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import Refused, UsageError
from tianbao.ledger.records import SIGNED, WITHDRAWN
from tianbao.support import usertext as text
from tianbao.support.pausepoint import pause_point

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.plan.periods import Period
    from tianbao.workspace import Workspace


def signoff(
    where: Path | str | Workspace,
    period: str,
    *,
    by: str | None = None,
    note: str = "",
    withdraw: bool = False,
    as_of: str | dt.date | None = None,
) -> dict[str, Any]:
    """Sign ``period`` off (签发), or withdraw its sign-off (a note saying why).

    A period is signed off once it has ended (by ``as_of``, default today in the
    plan's time zone) and a return counts for it; else ``Refused`` (exit 1)."""
    from tianbao.ledger.db import Ledger
    from tianbao.plan.clock import date_option as day
    from tianbao.workspace import usable as workspace

    ws = workspace(where)
    assert ws.plan is not None
    p = ws.plan.period(period)
    who = text.name(by)
    why = text.reason(note, "--note")
    now = dt.datetime.now(ws.plan.tz)
    today = day(as_of) or now.date()
    at = now.isoformat(timespec="seconds")
    with Ledger(ws.root) as ledger, ledger.transaction():
        current = ledger.signed_off(p)
        if withdraw:
            if current is None:
                raise UsageError(f"{p} 尚未签发 is not signed off")
            if not why:
                raise UsageError("撤销签发须写明原因 --note is required to withdraw a sign-off")
        else:
            if current is not None:
                raise UsageError(
                    f"{p} 已于 {current['at']} 由 {text.shown(str(current['by']))} 签发 "
                    "already signed off"
                )
            _ready(ledger, p, today)
        pause_point("checked")
        ledger.add_signoff(str(p), WITHDRAWN if withdraw else SIGNED, who, at, why)
    return {"period": str(p), "signed": not withdraw, "by": who, "at": at, "note": why}


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
