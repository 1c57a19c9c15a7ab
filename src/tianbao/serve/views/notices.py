"""退回通知 to download: the notice of a return the office sent back, the file ``tianbao
review return`` wrote for it. Made again from what the ledger kept of the decision (its
reason, who, when, the due date and the cells or rows it pointed at) and the archived
return; the copy the command wrote in its default folder is handed out when it is
that same workbook (only the moment it was saved differs), so its sha256 is the one of
the file the office has; a notice written elsewhere (``--out``) is the one made again."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tianbao.serve import audit, auth
from tianbao.serve.views.base import off_loop, opened, render, root, said
from tianbao.serve.views.dept import download
from tianbao.serve.views.returns import located


def routes() -> list[Route]:
    return [Route("/returns/{id:int}/notice/{review:int}", notice_file)]


def _decision(ledger: Any, sub_id: int, review_id: int) -> tuple[Any, dict[str, Any]] | None:
    """(the submission, the 退回 decision ``review_id`` on it), or None."""
    from tianbao.review.states import RETURNED

    sub = ledger.submission(sub_id)
    if sub is None:
        return None
    mine = [r for r in ledger.reviews(sub_id) if r["id"] == review_id]
    if not mine or mine[0]["action"] != RETURNED or not mine[0]["due"]:
        return None
    return sub, mine[0]


def made(where: Path, sub_id: int, review_id: int) -> tuple[str, bytes | None] | None:
    """(file name, bytes) of the notice; bytes None when the archived return is gone or
    changed (no marks on the wrong cells); None when there is no such 退回."""
    from tianbao.ledger.db import Ledger
    from tianbao.report.notice import Returned
    from tianbao.report.return_notice import SUFFIX, draft_return_notice
    from tianbao.review.pointed import pointed
    from tianbao.support.plaintext import safe_name_part

    ws = opened(where)
    if not (ws.root / ".tianbao" / "ledger.sqlite").exists():
        return None
    with Ledger(ws.root, readonly=True) as ledger:
        found = _decision(ledger, sub_id, review_id)
        if found is None:
            return None
        sub, r = found
        named = [str(c) for c in r["cells"]]  # as review stored them: cells, then rows
        cells = tuple(c for c in named if "!" in c)
        rows = tuple(c for c in named if "!" not in c)
        marks = pointed(ledger, sub, cells, rows)
    returned = Returned(
        str(r["reason"]), str(r["by"]), dt.datetime.fromisoformat(str(r["at"])).date(),
        dt.date.fromisoformat(str(r["due"])), tuple(marks),
    )  # fmt: skip
    stem = Path(sub.file_name).name
    stem = stem[:-5] if stem.lower().endswith((".xlsx", ".xlsm")) else stem
    name = f"{safe_name_part(stem)}{SUFFIX}.xlsx"
    with tempfile.TemporaryDirectory(prefix="tianbao-notice-") as tmp:
        draft = draft_return_notice(ws, sub, returned, Path(tmp))
        if draft is None:
            return name, None
        data = draft.read_bytes()
    folder = ws.root / "outputs" / "notices" / sub.period
    return name, _written(folder, name, data) or data


def _written(folder: Path, name: str, data: bytes) -> bytes | None:
    """The bytes of the notice review wrote into ``folder`` (numbered 「.退回通知.2.xlsx」
    when the same file was sent back twice) that is the workbook ``data``, or None."""
    stem = name[: -len(".xlsx")]
    mine = _parts(data)
    if mine is None:
        return None
    for path in sorted(folder.glob(glob.escape(stem) + "*.xlsx")):
        try:
            kept = path.read_bytes()
        except OSError:
            continue
        if _parts(kept) == mine:
            return kept
    return None


_SAVED_AT = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")


def _parts(xlsx: bytes) -> list[tuple[str, bytes]] | None:
    """A workbook's parts without the moment it was saved (zip entry times, the core
    properties' modified)."""
    try:
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            return [(i.filename, _SAVED_AT.sub(b"", z.read(i))) for i in z.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


async def notice_file(request: Request) -> Response:
    account = auth.require(request)
    sub_id, review_id = request.path_params["id"], request.path_params["review"]
    where = await off_loop(lambda: located(opened(root(request)), sub_id))
    if where is None:
        raise HTTPException(404)
    auth.own_department(account, where[1])  # before anything is made
    found = await off_loop(made, root(request), sub_id, review_id)
    if found is None:
        raise HTTPException(404)
    name, data = found
    if data is None:
        why = said(
            "存档的报表已不在或已改变，无法生成退回通知；请联系统计局。 | The archived return is"
            " gone or changed: the notice cannot be made; please call the statistics office."
        )
        title = said("没有退回通知 | No notice")
        return render(request, "error.html", 404, title=title, message=why)
    sha = hashlib.sha256(data).hexdigest()
    ip = auth.client_ip(request)
    await off_loop(audit.record, root(request), account.name, ip, audit.DOWNLOAD, name, sha)
    return download(name, data)
