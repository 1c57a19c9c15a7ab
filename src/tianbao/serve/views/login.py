"""登录, 修改密码, 退出: the only pages without a role."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tianbao.serve import accounts, audit, auth
from tianbao.serve.views.base import off_loop, render, root, said

LOCKED_ZH = (
    f"该账户连续 {accounts.MAX_FAILURES} 次密码错误，已锁定。请联系统计局重置密码"
    f"（tianbao accounts reset）。 | This account is locked after {accounts.MAX_FAILURES} wrong"
    " passwords in a row. Ask the statistics office to reset it (tianbao accounts reset)."
)
LOGIN = "登录 | Log in"
PASSWORD = "修改密码 | Change password"


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/password", password_page, methods=["GET"]),
        Route("/password", password_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


async def home(request: Request) -> Response:
    account = auth.require(request)
    where = "/tasks" if account.role == accounts.DEPT else "/office"
    return RedirectResponse(where, 303)


async def login_page(request: Request) -> Response:
    return render(request, "login.html", title=said(LOGIN), message="", name="")


async def login_post(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    auth.check_csrf(request, form.get("csrf"))
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    outcome, account = await off_loop(accounts.check_login, root(request), name, password)
    ip = auth.client_ip(request)
    if outcome == "ok" and account is not None:
        auth.log_in(request, account)
        await off_loop(audit.record, root(request), name, ip, audit.LOGIN)
        return RedirectResponse("/password" if account.must_change else "/", 303)
    action = audit.LOCKED if outcome == "locked" else audit.LOGIN_FAILED
    await off_loop(audit.record, root(request), name, ip, action)
    message = said(
        LOCKED_ZH if outcome == "locked" else "用户名或密码错误。 | Wrong user name or password."
    )
    status = 403 if outcome == "locked" else 401
    return render(request, "login.html", status, title=said(LOGIN), message=message, name=name)


async def password_page(request: Request) -> Response:
    account = auth.require(request, password_ok=True)
    return render(
        request, "password.html", title=said(PASSWORD), message="", forced=account.must_change
    )


async def password_post(request: Request) -> Response:
    account = auth.require(request, password_ok=True)
    form = await request.form(max_files=0, max_fields=10)
    auth.check_csrf(request, form.get("csrf"))
    old, new = str(form.get("old", "")), str(form.get("new", ""))
    why = (
        "两次输入的新密码不一致 | the two new passwords differ"
        if new != str(form.get("again", ""))
        else ""
    )
    why = why or await off_loop(accounts.change_password, root(request), account.name, old, new)
    if why:
        return render(
            request,
            "password.html",
            400,
            title=said(PASSWORD),
            message=said(why),
            forced=account.must_change,
        )
    await off_loop(
        audit.record, root(request), account.name, auth.client_ip(request), audit.PASSWORD
    )
    changed = await off_loop(accounts.get, root(request), account.name)
    assert changed is not None
    auth.log_in(request, changed)  # the new generation: this session goes on, older ones end
    return RedirectResponse("/", 303)


async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    auth.check_csrf(request, form.get("csrf"))
    account = auth.current(request)
    if account is not None:
        await off_loop(
            audit.record, root(request), account.name, auth.client_ip(request), audit.LOGOUT
        )
    auth.fresh(request)
    return RedirectResponse("/login", 303)
