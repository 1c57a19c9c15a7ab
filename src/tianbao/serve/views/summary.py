"""The office's 签发 (what is still outstanding first, then sign: ``api.signoff``, its
refusal said on the page) and 汇总 (the period's summary workbook and CSV, made by
``api.consolidate`` on demand and kept while the ledger has not changed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tianbao import api
from tianbao.errors import TianbaoError
from tianbao.ledger.status import CHASE_STATES, LABELS
from tianbao.plan.clock import shown
from tianbao.serve import audit, auth, words
from tianbao.serve.views.base import off_loop, opened, render, root, said
from tianbao.serve.views.dept import XLSX, download
from tianbao.serve.views.office import OFFICE_ROLES

CACHE = Path(".tianbao") / "serve-cache" / "summary"


def routes() -> list[Route]:
    return [
        Route("/office/{period}/signoff", signoff_page, methods=["GET"]),
        Route("/office/{period}/signoff", signoff_post, methods=["POST"]),
        Route("/office/{period}/summary", summary_page),
        Route("/office/{period}/summary.{kind:str}", summary_file),
    ]


# -- 签发 ----------------------------------------------------------------------------------
@dataclass
class Standing:
    period: str
    label: str
    outstanding: list[Any]  # ledger.status.ChaseEntry: who has not handed in a return that counts
    counts: list[tuple[str, int, str]]
    signed: dict[str, Any] | None  # the sign-off in force, its time shown


def standing(where: Path, period: str, today: dt.date) -> Standing | str:
    """The period as the office decides on signing it: outstanding first; or why not."""
    ws = opened(where)
    assert ws.plan is not None
    try:
        report = api.status(ws, period, today)
    except TianbaoError as exc:
        return said(exc)
    last = api.history_log(ws, report.period).signoffs[-1:]
    signed = None
    if last and last[0]["action"] == "signed":
        signed = {**last[0], "at": shown(str(last[0]["at"]), ws.plan.tz)}
    counts = report.counts()
    return Standing(
        report.period, report.period_label, report.chase,
        [(words.state_word(s, LABELS[s]), counts[s], s) for s in CHASE_STATES if counts[s]],
        signed,
    )  # fmt: skip


async def _signoff(request: Request, status_code: int = 200, message: str = "") -> Response:
    auth.require(request, *OFFICE_ROLES)
    found = await off_loop(standing, root(request), request.path_params["period"],
                           request.app.state.today())  # fmt: skip
    if isinstance(found, str):
        return render(request, "error.html", 404, title=said("没有这个报告期 | No such period"),
                      message=found)  # fmt: skip
    title = said(f"{found.label} 签发 | Sign off {found.period}")
    return render(request, "signoff.html", status_code, title=title, s=found,
                  message=message, labels=LABELS)  # fmt: skip


async def signoff_page(request: Request) -> Response:
    return await _signoff(request)


def sign(
    where: Path, period: str, by: str, note: str, withdraw: bool, today: dt.date, anyway: bool
) -> str:
    """'' when recorded, else the library's reason why not (in Chinese): what is still
    open, unless the office signs anyway with a note."""
    try:
        api.signoff(
            opened(where), period, by=by, note=note, withdraw=withdraw, as_of=today,
            anyway=anyway,
        )  # fmt: skip
    except TianbaoError as exc:
        return said(exc)
    return ""


async def signoff_post(request: Request) -> Response:
    account = auth.require(request, *OFFICE_ROLES)
    form = await request.form(max_files=0, max_fields=10)
    auth.check_csrf(request, form.get("csrf"))
    period = request.path_params["period"]
    withdraw = form.get("action") == "withdraw"
    note = str(form.get("note", "")).strip()
    anyway = form.get("anyway") == "1"
    why = await off_loop(sign, root(request), period, account.name, note, withdraw,
                         request.app.state.today(), anyway)  # fmt: skip
    if why:
        return await _signoff(request, 409, why)
    detail = f"{period} {'withdrawn' if withdraw else 'signed'}" + (f": {note}" if note else "")
    await off_loop(audit.record, root(request), account.name, auth.client_ip(request),
                   audit.SIGNOFF, detail)  # fmt: skip
    return RedirectResponse(f"/office/{period}/signoff", 303)


# -- 汇总 ----------------------------------------------------------------------------------
@dataclass
class Summary:
    period: str
    label: str
    xlsx: Path
    csv: Path
    reported: int
    expected: int
    signed: bool


def ledger_mark(where: Path) -> str:
    """What the summary stands on: the ledger's last submission, decision and sign-off.
    The ledger only grows (its tables are append-only or superseded by new rows), so a
    new mark means a new summary."""
    from tianbao.ledger.db import Ledger

    ws = opened(where)
    if not (ws.root / ".tianbao" / "ledger.sqlite").exists():
        return "0-0-0"
    with Ledger(ws.root, readonly=True) as ledger:
        row = ledger.conn.execute(
            "SELECT (SELECT ifnull(max(id), 0) FROM submissions),"
            " (SELECT ifnull(max(id), 0) FROM reviews), (SELECT ifnull(max(id), 0) FROM signoffs)"
        ).fetchone()
    return "-".join(str(n) for n in row)


def summary(where: Path, period: str, today: dt.date) -> Summary | str:
    """The period's summary as of ``today``, made when the ledger (or the plan, or the
    day) changed since the last one; or why it cannot be made (in Chinese)."""
    ws = opened(where)
    assert ws.plan is not None
    try:
        p = ws.plan.period(period)
    except TianbaoError as exc:
        return said(exc)
    key = f"{ledger_mark(ws.root)}-{today}-{ws.plan.fingerprint[:16]}"
    folder = ws.root / CACHE / str(p)
    kept = folder / key
    names = (f"{p}_汇总.xlsx", f"{p}_汇总.csv")
    facts = kept / "facts.txt"
    if not facts.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".making-", dir=folder))
        try:
            made = api.consolidate(ws, str(p), tmp / names[0], tmp / names[1], today)
            signed = api.history_log(ws, str(p)).signoffs[-1:]
            is_signed = bool(signed) and signed[0]["action"] == "signed"
            (tmp / "facts.txt").write_text(
                f"{made.departments_reported} {made.departments_expected} {int(is_signed)}"
            )
            try:
                os.rename(tmp, kept)  # whole, or not there: a parallel request may beat us
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        except TianbaoError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            return said(exc)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in folder.iterdir():  # summaries of a ledger that has since changed
            if old.name != key and not old.name.startswith(".making-"):
                shutil.rmtree(old, ignore_errors=True)
    reported, expected, signed_flag = (int(n) for n in facts.read_text().split())
    return Summary(str(p), words.period_label(p), kept / names[0], kept / names[1], reported,
                   expected, bool(signed_flag))  # fmt: skip


async def _summary(request: Request) -> Summary | Response:
    auth.require(request, *OFFICE_ROLES)
    found = await off_loop(summary, root(request), request.path_params["period"],
                           request.app.state.today())  # fmt: skip
    if isinstance(found, str):
        return render(request, "error.html", 404, title=said("无法汇总 | No summary"),
                      message=found)  # fmt: skip
    return found


async def summary_page(request: Request) -> Response:
    found = await _summary(request)
    if isinstance(found, Response):
        return found
    title = said(f"{found.label} 汇总 | Summary of {found.period}")
    return render(request, "summary.html", title=title, s=found)


async def summary_file(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in ("xlsx", "csv"):
        return render(request, "error.html", 404, title=said("页面不存在 | No such page"),
                      message=said("没有这种文件。 | There is no such file."))  # fmt: skip
    found = await _summary(request)
    if isinstance(found, Response):
        return found
    path = found.xlsx if kind == "xlsx" else found.csv
    data = await off_loop(path.read_bytes)
    sha = hashlib.sha256(data).hexdigest()
    account = getattr(request.state, "account", None)
    await off_loop(audit.record, root(request), account.name if account else "",
                   auth.client_ip(request), audit.DOWNLOAD, path.name, sha)  # fmt: skip
    media = XLSX if kind == "xlsx" else "text/csv; charset=utf-8"
    return download(path.name, data, media)
