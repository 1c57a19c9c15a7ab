"""Who is asking, and may they: the signed session cookie (Starlette's SessionMiddleware,
itsdangerous underneath: HttpOnly, SameSite=Lax), a CSRF token per session checked on
every POST form, and the one place permissions are decided (``require``), never in a
template."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from starlette.requests import Request

from tianbao.serve import accounts
from tianbao.serve.accounts import Account

SESSION_KEY_FILE = "serve-session.key"


class Forbidden(Exception):
    """403: a page of another role, another department's return, a missing CSRF token."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class LoginRequired(Exception):
    """Not logged in (or the session ended): to the login page."""


class PasswordChangeRequired(Exception):
    """An issued or reset password: nothing but the password page until it is changed."""


def session_secret(root: Path) -> str:
    """The key that signs the session cookies, made once per workspace (0600), beside
    the template key; deleting it logs everybody out."""
    path = Path(root) / ".tianbao" / SESSION_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf(request: Request, sent: object) -> None:
    """The token of the session, or 403: a form another site made the browser post."""
    token = request.session.get("csrf")
    if not token or not isinstance(sent, str) or not hmac.compare_digest(sent, str(token)):
        raise Forbidden(
            "表单已失效或来源不明（缺少或不符的校验码），请返回上一页刷新后重新提交。 | The form"
            " has expired or came from elsewhere (its token is missing or wrong): go back,"
            " reload the page and send it again."
        )


def log_in(request: Request, account: Account) -> None:
    """A fresh session (no fixation): the account, its password generation, a new token;
    the language asked for before is kept."""
    fresh(request)
    request.session["user"] = account.name
    request.session["gen"] = account.generation
    request.session["csrf"] = secrets.token_urlsafe(32)


def fresh(request: Request) -> None:
    """An empty session but for the language the visitor chose."""
    chosen = request.session.get("lang")
    request.session.clear()
    if chosen:
        request.session["lang"] = chosen


def current(request: Request) -> Account | None:
    """The logged-in account; a session from before a password change or reset is over."""
    name = request.session.get("user")
    if not name:
        return None
    account = accounts.get(request.app.state.root, str(name))
    if account is None or account.generation != request.session.get("gen"):
        fresh(request)
        return None
    return account


def require(request: Request, *roles: str, password_ok: bool = False) -> Account:
    """The account, when its role is one of ``roles``; else LoginRequired or Forbidden.
    ``password_ok``: the page that changes an issued password (reachable before)."""
    account = current(request)
    request.state.account = account  # read once per request: the page's header shows it
    if account is None:
        raise LoginRequired()
    if account.must_change and not password_ok:
        raise PasswordChangeRequired()
    if roles and account.role not in roles:
        raise Forbidden("您的账户无权打开此页面。 | Your account may not open this page.")
    return account


def own_department(account: Account, department: str) -> None:
    """A department sees only its own returns; the office sees every department's."""
    if account.role == accounts.DEPT and account.department != department:
        raise Forbidden(
            "这是其他单位的报表，您的账户无权查看。 | This is another department's return:"
            " your account may not see it."
        )
