"""Which period a return is collected for: the round, corrections of a past period,
and two versions received at the same time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tianbao.ledger.db import COUNTING, Ledger, NewSubmission
from tianbao.plan.clock import local_date, shown, shown_zh
from tianbao.plan.periods import Period

as_json = json.JSONEncoder(ensure_ascii=False, default=str).encode  # a value as recorded


@dataclass(frozen=True)
class Round:
    """What this run collects: the period of the round (None: each file's own, from
    its receipt time) and whether returns of a past period may correct it."""

    period: Period | None = None
    corrections: bool = False
    # the department whose returns these are (a web page's logged-in one): a file whose
    # identity names another department, or none, is refused and nothing is recorded
    department: str | None = None


def round_check(ledger: Ledger, plan: Any, new: NewSubmission, round_: Round) -> tuple[str, bool]:
    """(why the file is refused or '', whether it is recorded as a correction).

    Only a return that would count is held to the round: a rejected one is
    recorded whatever its period, so the department is told what to fix."""
    if not_theirs := _not_theirs(plan, new.department, round_.department):
        return not_theirs, False
    if signed := _signed_off(ledger, plan, new):
        return signed, False
    if new.status not in COUNTING or not new.department or not new.period:
        return "", False
    try:
        own = Period.parse(new.period)
    except ValueError:
        return "", False
    current = ledger.latest_accepted_of(new.department, new.period)
    this_round = round_.period or _round_of(new.received_at, plan)
    correction = False
    if this_round is not None and own != this_round:
        if own > this_round:
            return (
                f"这是 {own.label_zh} 的模板，本轮收取 {this_round.label_zh}，未收取"
                f"（请在该期收取） | a template for {own}, collected in the {this_round} round: "
                "not recorded",
                False,
            )
        if current is not None and not round_.corrections:
            return (
                f"这是 {own.label_zh} 的模板（本轮收取 {this_round.label_zh}），会替代已受理的 "
                f"#{current.id}（{current.file_name}）；如确为更正，请用 --corrections 收取 "
                f"a template for {own}, which would replace accepted #{current.id}: "
                "collect it with --corrections if it is a correction",
                False,
            )
        correction = current is not None
    if (
        current is not None
        and current.received_at == new.received_at
        and _values(ledger, current.id) != {c[:4] for c in new.cells}
    ):
        at = shown(current.received_at, plan.tz)
        return (
            f"与已受理的 #{current.id}（{current.file_name}）收到时间相同（{at}），"
            "内容不同，无法判断哪份更新：请用 --manifest 给出各自的收到时间 "
            f"received at the same time as accepted #{current.id} ({current.file_name}) "
            "with other figures: say which is newer with --manifest",
            False,
        )
    return "", correction


def _signed_off(ledger: Ledger, plan: Any, new: NewSubmission) -> str:
    """Why a return of a signed-off period is not taken (the leadership has its
    figures: nothing may change them), or ''."""
    signed = ledger.signed_off(new.period) if new.period else None
    if signed is None:
        return ""
    return (
        f"{new.period} 已于 {shown_zh(str(signed['at']), plan.tz)} 由 {signed['by']} 签发，"
        f"数字已锁定，未收取；如须更正，请先重新打开：tianbao review reopen -p {new.period} "
        f'--dept {new.department or "单位代码"} --reason "…" | '
        f"{new.period} was signed off: not recorded (to correct it: tianbao review reopen "
        f'-p {new.period} --dept {new.department or "CODE"} --reason "…")'
    )


def _not_theirs(plan: Any, named: str, expected: str | None) -> str:
    """Why a file naming ``named`` is not taken from ``expected``'s account, or ''."""
    if expected is None or named == expected:
        return ""
    if named not in plan.departments:
        return (
            "读不出模板身份：请上传统计局为您单位下发的本期模板填好后的 .xlsx 文件"
            "（不要另存为其他格式，也不要复制到新工作簿）。未登记。 | the template's identity "
            "cannot be read: upload the .xlsx template the office issued to your department, "
            "filled in (not saved as another format or copied into a new workbook); not recorded"
        )
    return (
        f"这是 {plan.departments[named].name}（{named}）的报表，不是您单位的，未登记。"
        f"请确认是否选错了文件。 | this is the return of {named}, not of your department: "
        "not recorded (was it the wrong file?)"
    )


def issued_name(plan: Any, department: str, period: str) -> str | None:
    """The name ``tianbao generate`` gave the department's template of ``period``."""
    from tianbao.template.generate import file_name

    try:
        return file_name(Period.parse(period), department, plan.departments[department].name)
    except (ValueError, KeyError):
        return None


def _round_of(received_at: str, plan: Any) -> Period | None:
    """The period whose reporting window holds the receipt; None outside the plan's year."""
    period = Period.reported_on(local_date(received_at, plan.tz), plan.frequency)
    return period if period.year == plan.year else None


def _values(ledger: Ledger, submission_id: int) -> set[tuple[str, str, str, str]]:
    return {(v.form, v.row_key, v.field, as_json(v.value)) for v in ledger.values(submission_id)}
