"""``tianbao serve`` (the web pages) and ``tianbao accounts`` (who may log in to them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tianbao.cli.commands import main
from tianbao.cli.options import echo, echo_json, handle_errors, json_option, workspace_option
from tianbao.support.lang import tr


@main.group()
def accounts() -> None:
    pass  # help: cli/help.py HELP


@accounts.command("issue")
@workspace_option
@click.option(
    "--office",
    "office",
    multiple=True,
    default=("office",),
    show_default=True,
    help="统计局审核账户名（可多次） an office account's name (repeatable).",
)
@json_option
@handle_errors
def issue(workspace: Path, office: tuple[str, ...], as_json: bool) -> None:
    from tianbao import api
    from tianbao.serve import accounts as store

    ws = api.workspace(workspace)
    assert ws.plan is not None
    made = store.issue(ws.root, ws.plan.departments, office)
    if as_json:
        issued = [{**_account(a), "password": p} for a, p in made]
        echo_json({"issued": issued}, workspace)
        return
    if not made:
        echo("所有账户都已发放 every account was issued before", err=True)
        return
    click.echo(tr("账户\t角色\t初始密码", "account\trole\tinitial password"))
    for account, password in made:  # data, the same in both languages
        click.echo(f"{account.name}\t{tr(account.role_zh, account.role)}\t{password}")
    echo(
        f"已发放 {len(made)} 个账户；密码只显示这一次，首次登录须修改 issued {len(made)} "
        "account(s); the passwords are shown once and must be changed at the first login",
        err=True,
    )


@accounts.command("reset")
@workspace_option
@click.argument("name")
@json_option
@handle_errors
def reset(workspace: Path, name: str, as_json: bool) -> None:
    from tianbao import api
    from tianbao.serve import accounts as store

    ws = api.workspace(workspace)
    password = store.reset(ws.root, name)
    if as_json:
        echo_json({"account": name, "password": password}, workspace)
        return
    click.echo(f"{name}\t{password}")
    echo(f"已重置并解锁 {name}，首次登录须修改密码 reset and unlocked {name}", err=True)


@accounts.command("list")
@workspace_option
@json_option
@handle_errors
def list_accounts(workspace: Path, as_json: bool) -> None:
    from tianbao import api
    from tianbao.serve import accounts as store

    ws = api.workspace(workspace)
    if as_json:
        echo_json({"accounts": [_account(a) for a in store.all_accounts(ws.root)]}, workspace)
        return
    for a in store.all_accounts(ws.root):
        flags = [tr("已锁定", "locked")] if a.locked else []
        flags += [tr("待改密码", "must change password")] if a.must_change else []
        click.echo("\t".join([a.name, tr(a.role_zh, a.role), a.department or "-", *flags]))


def _account(a: Any) -> dict[str, Any]:
    return {"name": a.name, "role": a.role, "department": a.department,
            "locked": a.locked, "must_change_password": a.must_change}  # fmt: skip


@main.command()
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址 address to listen on (127.0.0.1: this machine only).")  # fmt: skip
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="端口 port.")  # fmt: skip
@click.option("--as-of", "as_of", help="按此日期计算截止与剩余天数 count deadlines from this "
              "day (YYYY-MM-DD) [default: today].")  # fmt: skip
@click.option("--https-cookies", is_flag=True,
              help="会话 cookie 只经 HTTPS 发送 send the session cookie over HTTPS only "
              "(behind a TLS proxy).")  # fmt: skip
@handle_errors
def serve(workspace: Path, host: str, port: int, as_of: str | None, https_cookies: bool) -> None:
    import uvicorn

    from tianbao import api
    from tianbao.serve.app import make_app
    from tianbao.support.lang import current

    day = api.day(as_of)
    app = make_app(workspace, lang=current(), today=(lambda: day) if day else None,
                   https_only=https_cookies)  # fmt: skip
    url = f"http://{host}:{port}/"
    echo(f"网页已启动 {url}（按 Ctrl-C 停止） | serving {url} (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
