"""上传: one returned workbook, taken exactly as ``tianbao collect`` takes it, its verdict
on the next page.

The body is streamed to a temporary file under a size cap (a larger one gets a Chinese
page, never a raw 413); the client's file name is only written to the audit log, never
used as a path. ``api.collect`` validates it once and records it with the upload's time
as its receipt time, under the name ``tianbao generate`` gave the template; a file
whose signed identity names another department than the logged-in one is refused
inside collect and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

from tianbao import api
from tianbao.collect.pipeline import REFUSED
from tianbao.plan.periods import Period
from tianbao.serve import accounts, audit, auth, words
from tianbao.serve.keep import keep_open
from tianbao.serve.views.base import off_loop, opened, render, root, said
from tianbao.template.generate import file_name

ENVELOPE = 64 * 1024  # the multipart headers and the form's other fields around the file


UPLOAD = "上传报表 | Upload a return"


class TooLarge(Exception):
    pass


def routes() -> list[Route]:
    return [
        Route("/upload", upload_page, methods=["GET"]),
        Route("/upload", upload_post, methods=["POST"]),
    ]


async def upload_page(request: Request) -> Response:
    auth.require(request, accounts.DEPT)
    return render(request, "upload.html", title=said(UPLOAD), message="", cap=_mib(request))


def _mib(request: Request) -> str:
    return f"{request.app.state.max_upload / 1024 / 1024:g} MB"


def _capped(receive: Receive, cap: int) -> Receive:
    """``receive`` that stops the body once it passes ``cap`` bytes (a client may send
    no Content-Length, or a false one)."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > cap:
            raise TooLarge()
        return message

    return counted


def _too_large(request: Request) -> Response:
    return render(
        request, "upload.html", 413, title=said("文件过大 | File too large"),
        message=said(
            f"文件过大：上传的报表不能超过 {_mib(request)}。请确认选的是本系统下发的 .xlsx "
            f"模板填好后的文件（不要放入图片或附件），再重新上传。 | File too large: a return may"
            f" be at most {_mib(request)}. Check that it is the .xlsx template from this system,"
            " filled in (no pictures or attachments), and upload it again."
        ),
        cap=_mib(request),
    )  # fmt: skip


@dataclass
class Taken:
    result: Any = None  # the CollectResult, when collect ran
    refused: str = ""  # why it was not recorded (「中文 | English」)
    findings: list[Any] | None = None  # a refused file's findings, when it could not be read


_CLAIMED = re.compile(rb'name="tianbao_(department|period)"[^>]*>\s*<vt:lpwstr>([^<]{1,40})<')


def claimed_name(path: Path, plan: Any) -> str:
    """The name ``tianbao generate`` gave the template this file says it is (its custom
    properties, read with a byte cap; unverified: collect checks the signature), or
    ``upload.xlsx``. Collect takes the name as its first guess of the previous return to
    validate against, and checks it against the identity."""
    try:
        if not _few_entries(path):  # zipfile reads a whole central directory first: seconds
            return "upload.xlsx"  # of this process's time for a hostile one; the guard says why
        with zipfile.ZipFile(path) as z, z.open("docProps/custom.xml") as f:
            found = dict(_CLAIMED.findall(f.read(64 * 1024)))
        dept, period = found[b"department"].decode(), found[b"period"].decode()
        return file_name(Period.parse(period), dept, plan.departments[dept].name)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        return "upload.xlsx"


def _few_entries(path: Path) -> bool:
    """The zip's end record (the one zipfile itself will use) lists no more entries than
    the guarded reader allows."""
    from tianbao.read.limits import Limits

    with path.open("rb") as f:
        end = getattr(zipfile, "_EndRecData")(f)  # noqa: B009 - private, stable since 2.x
    return end is not None and end[4] <= Limits().max_entries  # [4]: _ECD_ENTRIES_TOTAL


def ledger_path(root: Path) -> Path:
    from tianbao.ledger.records import LEDGER_FILE

    return root / ".tianbao" / LEDGER_FILE


def take(where: Path, path: Path, dept: str, received_at: str) -> Taken:
    """Record as ``tianbao collect`` does, refused inside collect when the identity names
    another department (one validation per upload, in a worker thread; the workbook is
    read by the guarded reader), under the name ``tianbao generate`` gave its template."""
    ws = opened(where)
    named = path.rename(path.with_name(claimed_name(path, ws.plan)))
    (result,) = api.collect(ws, [named], received_at=received_at, department=dept)
    keep_open(ledger_path(ws.root))  # the first upload of a new workspace made it
    if result.status == REFUSED:
        report = result.report
        unread = report.findings if report is not None and not report.department else None
        return Taken(refused=str(result.message), findings=unread)
    return Taken(result=result)


async def upload_post(request: Request) -> Response:
    account = auth.require(request, accounts.DEPT)
    cap = request.app.state.max_upload
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap + ENVELOPE:
        return _too_large(request)
    capped = Request(request.scope, _capped(request.receive, cap + ENVELOPE))
    try:
        form = await capped.form(max_files=1, max_fields=5)
    except TooLarge:
        return _too_large(request)
    try:
        auth.check_csrf(request, form.get("csrf"))
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            why = said("请选择要上传的 .xlsx 文件。 | Choose the .xlsx file to upload.")
            return render(request, "upload.html", 400, title=said(UPLOAD), message=why,
                          cap=_mib(request))  # fmt: skip
        if (upload.size or 0) > cap:
            return _too_large(request)
        return await _taken(request, account, upload)
    finally:
        await form.close()


def _save(source: Any, path: Path) -> str:
    """Copy the spooled upload to ``path``; its sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


async def _taken(request: Request, account: accounts.Account, upload: UploadFile) -> Response:
    client_name = str(upload.filename).replace("\\", "/").rsplit("/", 1)[-1][:120]
    tz = request.app.state.tz
    with tempfile.TemporaryDirectory(prefix="tianbao-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"  # our name: the client's never becomes a path
        sha = await off_loop(_save, upload.file, path)
        received = dt.datetime.now(tz).isoformat(timespec="seconds")
        taken = await off_loop(take, root(request), path, account.department, received)
    ip = auth.client_ip(request)
    result = taken.result
    if taken.refused or result.submission_id is None:
        why = taken.refused or str(result.message)
        detail = f"{client_name}: {words.zh(why)}"
        await off_loop(audit.record, root(request), account.name, ip, audit.UPLOAD_REFUSED,
                       detail, sha)  # fmt: skip
        title = said("未受理 | Not taken")
        return render(request, "refused.html", 422, title=title, message=said(why),
                      findings=taken.findings or [], file=client_name)  # fmt: skip
    detail = f"{client_name} → #{result.submission_id} {result.period} {result.status}"
    if result.duplicate:
        detail += " (duplicate)"
    await off_loop(audit.record, root(request), account.name, ip, audit.UPLOAD, detail, sha)
    again = "?again=1" if result.duplicate else ""
    return RedirectResponse(f"/returns/{result.submission_id}{again}", 303)
