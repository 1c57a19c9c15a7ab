"""The Starlette app: routes, middleware, the Jinja2 environment and the pages that say
no (403, 404, login, password change) in one place.

Security from well-kept pieces: itsdangerous-signed session cookies (HttpOnly,
SameSite=Lax), Jinja2's autoescaping, a Content-Security-Policy without inline script
(there is no script at all: plain HTML forms), CSS served from the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tianbao import api
from tianbao.serve import accounts, audit, auth, keep, words
from tianbao.serve.views import dept, log, login, notices, office, returns, summary, upload
from tianbao.serve.views.base import off_loop, render
from tianbao.serve.views.upload import ledger_path
from tianbao.support import lang as langs

HERE = Path(__file__).resolve().parent
MAX_UPLOAD = 20 * 1024 * 1024  # a return is well under 1 MiB; the reader's own cap is larger
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


class SecurityHeaders:
    """The headers above on every response, the static files' and the errors' too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, sending)


class Language:
    """Each request in its language (``lang.using``): ``?lang=zh|en`` asks for one and
    the session keeps it, else the session's, else the server's ``--lang``."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.get("session", {})
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[-1]
        if asked in langs.LANGS:
            session["lang"] = asked
        with langs.using(session.get("lang") or self.default):
            await self.app(scope, receive, send)


def make_app(
    workspace: Path | str,
    *,
    lang: str = "zh",
    today: Callable[[], dt.date] | None = None,
    max_upload: int = MAX_UPLOAD,
    https_only: bool = False,
) -> Starlette:
    """The pages of ``workspace``. ``lang``: the pages' language unless a visitor asks
    for the other (``?lang=``, kept in the session); ``today``: the day the
    pages count deadlines from (the demo's 2014 plan); ``https_only``: the session
    cookie is sent over HTTPS only (behind a TLS proxy)."""
    ws = api.workspace(workspace)  # a broken plan stops the server at start, said in one line
    assert ws.plan is not None
    tz = ws.plan.tz
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        t=words.said, state=words.state, received_note=words.received_note,
        state_word=words.state_word, lang=langs.current, paren=words.paren,
    )  # fmt: skip
    routes = [
        *login.routes(),
        *dept.routes(),
        *upload.routes(),
        *returns.routes(),
        *notices.routes(),
        *log.routes(),  # before /office/{period}
        *office.routes(),
        *summary.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=auth.session_secret(ws.root),
                session_cookie="tianbao_session",
                max_age=12 * 3600,
                same_site="lax",
                https_only=https_only,
            ),
            Middleware(Language, default=lang),
        ],
        exception_handlers={
            auth.Forbidden: _forbidden,
            auth.LoginRequired: lambda _r, _e: RedirectResponse("/login", 303),
            auth.PasswordChangeRequired: lambda _r, _e: RedirectResponse("/password", 303),
            HTTPException: _http_error,
            Exception: _fault,
        },
    )
    app.state.root = ws.root
    app.state.lang = lang
    app.state.tz = tz
    app.state.env = env
    app.state.max_upload = max_upload
    with accounts.connect(ws.root, write=False):  # made now, to be kept open
        pass
    keep.keep_open(accounts.db_path(ws.root))
    keep.keep_open(ledger_path(ws.root))  # or after the first upload made it
    app.state.today = today or (lambda: dt.datetime.now(tz).date())
    return app


async def _forbidden(request: Request, exc: Exception) -> Response:
    account = auth.current(request)
    why = exc.why if isinstance(exc, auth.Forbidden) else "无权访问 | forbidden"
    await off_loop(
        audit.record,
        request.app.state.root,
        account.name if account else "",
        auth.client_ip(request),
        audit.FORBIDDEN,
        f"{request.method} {request.url.path}: {words.zh(why)}",
    )
    return render(request, "error.html", 403, title=words.said("无权访问 | Forbidden"),
                  message=words.said(why))  # fmt: skip


_HTTP_ZH = {  # 中文 | English
    404: (
        "页面不存在 | No such page",
        "没有这个页面或这份报表。 | There is no such page or return.",
    ),
    405: (
        "不支持的操作 | Not supported",
        "请从页面上的按钮操作。 | Please use the buttons on the pages.",
    ),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    title, message = _HTTP_ZH.get(
        code, ("出错了 | Something went wrong", "请求无法完成。 | The request could not be done.")
    )
    return render(request, "error.html", code, title=words.said(title),
                  message=words.said(message))  # fmt: skip


async def _fault(request: Request, exc: Exception) -> Response:
    """A fault of ours or of the machine (a full disk...): a page in the server's
    language (outside the session: this handler wraps every middleware), not a
    traceback; nothing read from the accounts, which may be what failed. The server
    logs the exception."""
    from tianbao.errors import fault_from

    fault = fault_from(exc)
    with langs.using(request.app.state.lang):
        message = words.said(
            fault
            if fault is not None
            else "服务器出错，这次操作没有完成。请稍后重试，或联系统计局。 | The server failed and "
            "this was not done. Please try again later, or call the statistics office."
        )
        page = request.app.state.env.get_template("error.html").render(
            account=None, csrf="", title=words.said("出错了 | Something went wrong"),
            message=message,
        )  # fmt: skip
    # served by Starlette's outermost error middleware, past SecurityHeaders: set them here
    headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}
    return HTMLResponse(page, status_code=500, headers=headers)
