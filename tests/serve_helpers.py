"""Driving the pages in-process (Starlette's TestClient): accounts issued through the
CLI, a login that changes the issued password, the form token read off a page."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from starlette.testclient import TestClient

from helpers import tianbao
from tianbao.serve.app import make_app

JULY_3 = dt.date(2014, 7, 3)  # June's returns are due; the sample's year
NEW_PASSWORD = "新密码-2014-07"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def issue(ws: Path) -> dict[str, str]:
    """{account: initial password}, as ``tianbao accounts issue`` prints them."""
    res = tianbao(CliRunner(), "accounts", "issue", "-w", ws)
    assert res.exit_code == 0, res.output
    rows = [line.split("\t") for line in res.stdout.splitlines()[1:]]
    return {name: password for name, _role, password in rows}


def client(ws: Path, **options: Any) -> TestClient:
    return TestClient(make_app(ws, today=lambda: JULY_3, **options), follow_redirects=False)


def csrf(c: TestClient, page: str) -> str:
    found = _CSRF.search(c.get(page).text)
    assert found, f"no form token on {page}"
    return found.group(1)


def login(c: TestClient, name: str, password: str) -> Any:
    token = csrf(c, "/login")
    return c.post("/login", data={"name": name, "password": password, "csrf": token})


def ready(c: TestClient, name: str, password: str) -> TestClient:
    """Logged in with the issued password, then changed as the first login asks."""
    assert login(c, name, password).headers["location"] == "/password"
    token = csrf(c, "/password")
    form = {"old": password, "new": NEW_PASSWORD, "again": NEW_PASSWORD, "csrf": token}
    res = c.post("/password", data=form)
    assert res.status_code == 303, res.text
    return c


def audit_rows(ws: Path) -> list[dict[str, Any]]:
    con = sqlite3.connect(ws / ".tianbao" / "serve.sqlite")
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM audit ORDER BY id")]
    finally:
        con.close()
