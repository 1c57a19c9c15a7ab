"""A department's pages: 报送任务 (the open periods, each with its forms, deadline, days
left, the state of this department's return and its template to download) and 我的报送
(every version it sent, with the office's decisions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tianbao import api
from tianbao.errors import TianbaoError
from tianbao.plan.clock import shown
from tianbao.plan.periods import Period
from tianbao.review.states import HISTORY_LABELS
from tianbao.review.states import LABELS as REVIEW_LABELS
from tianbao.serve import accounts, audit, auth, words
from tianbao.serve.views.base import off_loop, opened, render, root, said

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def routes() -> list[Route]:
    return [
        Route("/tasks", tasks),
        Route("/tasks/{period}/template", template),
        Route("/mine", mine),
    ]


@dataclass
class Task:
    period: str
    label: str
    deadline: dt.date
    days_left: int
    forms: list[Any]  # ledger.status.FormStatus of this department
    state: str


def ended_periods(ws: Any, today: dt.date) -> list[Period]:
    """The plan's periods that have ended by ``today`` (their returns are due), newest
    first."""
    plan = ws.plan
    return [p for p in reversed(Period.all_of_year(plan.year, plan.frequency)) if p.end < today]


def open_tasks(where: Path, dept: str, today: dt.date) -> list[Task]:
    """The department's tasks: each ended period not signed off, with its forms' states
    as ``tianbao status`` gives them."""
    from tianbao.ledger.status import LABELS

    ws = opened(where)
    out = []
    for p in ended_periods(ws, today):
        log = api.history_log(ws, str(p), dept)
        if log.signoffs and log.signoffs[-1]["action"] == "signed":
            continue
        report = api.status(ws, str(p), today)
        mine = next((d for d in report.departments if d.code == dept), None)
        if mine is None:  # answers for no row this period
            continue
        days = (report.deadline - today).days
        label = words.state_word(mine.state, LABELS[mine.state])
        out.append(Task(str(p), words.period_label(p), report.deadline, days, mine.forms, label))
    return out


async def tasks(request: Request) -> Response:
    account = auth.require(request, accounts.DEPT)
    today = request.app.state.today()
    found = await off_loop(open_tasks, root(request), account.department, today)
    named = words.titles(await off_loop(opened, root(request)))
    return render(request, "tasks.html", title=said("报送任务 | Tasks"), tasks=found,
                  today=today, titles=named)  # fmt: skip


def _generate(where: Path, period: str, dept: str) -> tuple[str, bytes] | str:
    """(file name, bytes) of the department's template, as ``tianbao generate`` writes
    it; or why not (in the request's language)."""
    missing = _previous_missing(where, period, dept)
    if missing:
        return missing
    with tempfile.TemporaryDirectory(prefix="tianbao-template-") as tmp:
        try:
            (made,) = api.generate(opened(where), period, [dept], out_dir=Path(tmp))
        except TianbaoError as exc:
            return said(exc)
        if made.path is None:
            return said("本期您单位没有需要填报的报表。 | Your department has no form to fill"
                        " in this period.")  # fmt: skip
        return made.path.name, made.path.read_bytes()


def _previous_missing(where: Path, period: str, dept: str) -> str:
    """Why the template cannot be made yet, in the department's terms: its previous
    period's return (whose figures the template carries) has not come in or counts not;
    '' when it has (``generate`` refuses then, and says so to the office)."""
    from tianbao.ledger.status import CHASE_STATES

    ws = opened(where)
    assert ws.plan is not None
    try:
        before = ws.plan.period(period).previous()
    except TianbaoError:
        return ""  # generate names the mistake
    if before is None:
        return ""
    mine = [d for d in api.status(ws, str(before)).departments if d.code == dept]
    if not mine or mine[0].state not in CHASE_STATES:
        return ""
    return said(
        f"本期模板要预填您单位上期（{before.label_zh}）的数据，但上期报表尚未报送或未通过："
        "请先下载并上传上期报表，通过后再下载本期模板；如有疑问请联系统计局。 | "
        f"This period's template carries your figures of the previous period ({before}), but"
        " that return has not come in or has not passed: download and upload it first, then"
        " this period's template once it has passed; call the statistics office if unsure."
    )


async def template(request: Request) -> Response:
    account = auth.require(request, accounts.DEPT)
    period = request.path_params["period"]
    made = await off_loop(_generate, root(request), period, account.department)
    if isinstance(made, str):
        return render(request, "error.html", 400, title=said("无法生成模板 | No template"),
                      message=made)  # fmt: skip
    name, data = made
    sha = hashlib.sha256(data).hexdigest()
    ip = auth.client_ip(request)
    await off_loop(audit.record, root(request), account.name, ip, audit.DOWNLOAD, name, sha)
    return download(name, data)


def download(name: str, data: bytes, media_type: str = XLSX) -> Response:
    """A file as an attachment; its Chinese name in RFC 5987 form (no raw header text)."""
    plain = "download" + Path(name).suffix
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


@dataclass
class Version:
    id: int
    period: str
    received: str
    sha256: str
    file_name: str
    state: str
    superseded_by: int | None
    decisions: list[dict[str, str]]


def versions(
    where: Any, dept: str | None, period: str | None = None, log: Any = None
) -> list[Version]:
    """Every submission (of ``dept``), newest first, with the office's decisions;
    ``log``: the history already read for them."""
    ws = opened(where)
    assert ws.plan is not None
    tz = ws.plan.tz
    log = log or api.history_log(ws, period, dept)
    out = []
    for s in reversed(log.submissions):
        state = words.history(s.verdict, HISTORY_LABELS.get(s.verdict, s.status))
        if s.review:
            state += "·" + words.decision(s.review, REVIEW_LABELS.get(s.review, s.review))
        decided = [
            {"action": words.decision(str(r["action"]), REVIEW_LABELS.get(r["action"], "撤销决定")),
             "by": str(r["by"]), "at": shown(str(r["at"]), tz), "reason": str(r["reason"]),
             "id": str(r["id"]), "notice": "1" if r["action"] == "returned" and r["due"] else ""}
            for r in log.reviews.get(s.id, [])
        ]  # fmt: skip
        out.append(
            Version(
                s.id,
                s.period,
                shown(s.received_at, tz),
                s.sha256,
                s.file_name,
                state,
                s.superseded_by,
                decided,
            )
        )
    return out


async def mine(request: Request) -> Response:
    account = auth.require(request, accounts.DEPT)
    found = await off_loop(versions, root(request), account.department)
    return render(request, "mine.html", title=said("我的报送 | My returns"), versions=found)
