"""A return's page: the verdict word first (通过 / 通过·须说明 / 退回·须改正), then the
problems in workbook order (the correction notice's lines: sheet!cell, the value read,
what to do), the versions of the same period, the office's decisions; for the office,
the buttons 退回 / 强制受理 / 通过 with a required reason (``api.review``)."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tianbao import api
from tianbao.errors import TianbaoError
from tianbao.findings import Finding, Severity
from tianbao.report import notice
from tianbao.serve import accounts, audit, auth, words
from tianbao.serve.views.base import off_loop, opened, render, root, said
from tianbao.serve.views.changes import Changes, against_previous
from tianbao.serve.views.dept import download, versions

VERDICTS = {  # 中文 | English
    "accepted": ("通过 | accepted", "ok"),
    "accepted_with_warnings": ("通过·须说明 | accepted · to explain", "warn"),
    "rejected": ("退回·须改正 | returned · to correct", "bad"),
}
SEVERITY_ZH = {
    Severity.ERROR: "错误 | error",
    Severity.WARNING: "预警 | warning",
    Severity.NOTE: "提示 | note",
}
ACTIONS = {
    "return": "退回 | return",
    "force": "强制受理 | accept anyway",
    "approve": "审核通过 | approve",
}
OFFICE_ROLES = (accounts.OFFICE, accounts.ADMIN)


def routes() -> list[Route]:
    return [
        Route("/returns/{id:int}", page, methods=["GET"]),
        Route("/returns/{id:int}/review", review, methods=["POST"]),
        Route("/returns/{id:int}/annotated", annotated, methods=["GET"]),
    ]


@dataclass
class Shown:
    sub: Any  # ledger Submission
    department_name: str
    verdict: str
    tone: str
    headline: str
    what_to_do: str
    lines: list[dict[str, Any]]
    versions: list[Any]
    changes: Changes | None  # against the department's previous version of the period

    @property
    def decision(self) -> dict[str, str] | None:
        """The office's decision that stands on this return (退回 with its reason...)."""
        if not self.sub.review:
            return None
        mine = next((v for v in self.versions if v.id == self.sub.id), None)
        return mine.decisions[-1] if mine and mine.decisions else None


def _where(line: notice.Line) -> str:
    """sheet!cell for one cell; the notice's 「重点项目 第10–28行」 for a run of rows."""
    if line.link is not None and line.where == f"{line.link[0]} {line.link[1].replace('$', '')}":
        return f"{line.link[0]}!{line.link[1].replace('$', '')}"
    return line.where


def located(ws: Any, submission_id: int) -> tuple[str, str] | None:
    """(period, department) of a recorded return, or None."""
    from tianbao.ledger.db import Ledger

    if not (ws.root / ".tianbao" / "ledger.sqlite").exists():
        return None
    with Ledger(ws.root, readonly=True) as ledger:
        sub = ledger.submission(submission_id)
    return (sub.period, sub.department) if sub is not None else None


def shown(where: Path, submission_id: int) -> Shown | None:
    ws = opened(where)
    plan = ws.plan
    assert plan is not None
    found = located(ws, submission_id)
    if found is None:
        return None
    log = api.history_log(ws, *found)  # its department's versions of its period only
    sub = next((s for s in log.submissions if s.id == submission_id), None)
    if sub is None:
        return None
    report = sub.report
    findings = [Finding.from_dict(f) for f in report.get("findings", [])]
    order = [ws.forms[f].sheet for f in plan.form_ids if f in ws.forms]
    lines = [
        {"severity": said(SEVERITY_ZH[x.severity]), "tone": x.severity.value, "where": _where(x),
         "problem": x.problem, "value": "" if x.value is None else x.value,
         "expected": "" if x.expected is None else x.expected}
        for x in words.notice_lines(findings, order)
    ]  # fmt: skip
    ctx = notice.context_for(plan, sub.file_name, sub.department, sub.period)
    verdict, tone = VERDICTS.get(sub.status, ("已被替代 | superseded", "old"))
    dept = plan.departments.get(sub.department)
    return Shown(
        sub, dept.name if dept else sub.department, said(verdict), tone, words.headline(findings),
        words.what_to_do(findings, ctx), lines, versions(ws, sub.department, sub.period, log),
        against_previous(ws, sub, log.submissions),
    )  # fmt: skip


async def _page(request: Request, status_code: int = 200, message: str = "") -> Response:
    account = auth.require(request)
    found = await off_loop(shown, root(request), request.path_params["id"])
    if found is None:
        raise HTTPException(404)
    auth.own_department(account, found.sub.department)
    title = said("报表 #{n} | Return #{n}").format(n=found.sub.id)
    return render(
        request, "return.html", status_code, title=title,
        r=found, again=bool(request.query_params.get("again")), message=message,
        office=account.role in OFFICE_ROLES, actions={k: said(v) for k, v in ACTIONS.items()},
    )  # fmt: skip


async def page(request: Request) -> Response:
    return await _page(request)


def decide(where: Path, sub_id: int, action: str, reason: str, by: str) -> str:
    """'' when recorded, else the library's reason why not (in the request's language)."""
    found = shown(where, sub_id)
    if found is None:
        return said("没有这份报表。 | There is no such return.")
    try:
        api.review(opened(where), action, found.sub.period, found.sub.department,
                   reason=reason, by=by, submission=sub_id)  # fmt: skip
    except TianbaoError as exc:
        return said(exc)
    return ""


async def review(request: Request) -> Response:
    account = auth.require(request, *OFFICE_ROLES)
    form = await request.form(max_files=0, max_fields=10)
    auth.check_csrf(request, form.get("csrf"))
    action, reason = str(form.get("action", "")), str(form.get("reason", "")).strip()
    sub_id = request.path_params["id"]
    if action not in ACTIONS:
        return await _page(
            request, 400, said("请从页面上的按钮操作。 | Please use the buttons on the page.")
        )
    if not reason:
        zh_word, en_word = ACTIONS[action].split(" | ")
        return await _page(request, 400, said(f"{zh_word}须写明原因。 | Say why ({en_word})."))
    why = await off_loop(decide, root(request), sub_id, action, reason, account.name)
    if why:
        return await _page(request, 400, why)
    detail = f"#{sub_id} {action}: {reason}"
    await off_loop(audit.record, root(request), account.name, auth.client_ip(request),
                   audit.REVIEW, detail)  # fmt: skip
    return RedirectResponse(f"/returns/{sub_id}", 303)


def _annotated(where: Path, sub: Any) -> tuple[str, bytes] | None:
    """The 审核意见 workbook of a recorded return, as ``validate --annotate`` writes it:
    the archived bytes with the recorded findings marked and the notice in front."""
    from tianbao.ledger.archive import archive_file
    from tianbao.report.annotate import ANNOTATED_SUFFIX, annotated_copy

    ws = opened(where)
    data = archive_file(ws.root, sub.archive_path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sub.sha256:
        return None  # the archive is not what was recorded: no marks on the wrong cells
    findings = [Finding.from_dict(f) for f in sub.report.get("findings", [])]
    ctx = notice.context_for(ws.plan, sub.file_name, sub.department, sub.period)
    name = f"{Path(sub.file_name).stem}{ANNOTATED_SUFFIX}.xlsx"
    with tempfile.TemporaryDirectory(prefix="tianbao-annotated-") as tmp:
        target = Path(tmp) / "annotated.xlsx"
        if not annotated_copy(data, findings, target, ctx):
            return None
        return name, target.read_bytes()


async def annotated(request: Request) -> Response:
    account = auth.require(request)
    found = await off_loop(shown, root(request), request.path_params["id"])
    if found is None:
        raise HTTPException(404)
    auth.own_department(account, found.sub.department)
    made = await off_loop(_annotated, root(request), found.sub)
    if made is None:
        why = said(
            "这份文件不是可以标注的工作簿（审核时已无法读取），请按页面上列出的问题改正。 | "
            "This file is not a workbook that can be marked (it could not be read when checked):"
            " correct the problems listed on the page."
        )
        title = said("没有审核意见 | No marked copy")
        return render(request, "error.html", 404, title=title, message=why)
    name, data = made
    sha = hashlib.sha256(data).hexdigest()
    ip = auth.client_ip(request)
    await off_loop(audit.record, root(request), account.name, ip, audit.DOWNLOAD, name, sha)
    return download(name, data)
