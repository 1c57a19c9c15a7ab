"""tianbao serve: accounts, login, lock-out, CSRF, the forced password change, who may
open which page, the security headers, escaping, the audit log (in-process, Starlette's
TestClient on the sample workspace)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from helpers import SAMPLE, tianbao
from serve_helpers import NEW_PASSWORD, audit_rows, client, csrf, issue, login, ready


@pytest.fixture(scope="module")
def issued_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    ws = tmp_path_factory.mktemp("issued") / "ws"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    return ws, issue(ws)


@pytest.fixture
def issued(sample_ws: Path, issued_once: tuple[Path, dict[str, str]]) -> dict[str, str]:
    """The accounts issued in ``sample_ws``: issued once (scrypt, ~0.5 s), copied in."""
    once, passwords = issued_once
    shutil.rmtree(sample_ws)
    shutil.copytree(once, sample_ws)
    return passwords


def test_accounts_issue__one_per_department_and_the_office(sample_ws: Path) -> None:
    passwords = issue(sample_ws)
    plan = yaml.safe_load((sample_ws / "plan.yaml").read_text(encoding="utf-8"))
    codes = {d["code"] for d in plan["departments"]}
    assert set(passwords) == codes | {"office", "admin"}
    assert len(set(passwords.values())) == len(passwords)  # each its own
    assert issue(sample_ws) == {}  # printed once: a second run issues nothing


def test_login__wrong_password__refused_and_logged(sample_ws: Path, issued: dict[str, str]) -> None:
    c = client(sample_ws)
    res = login(c, "RSJ", issued["RSJ"] + "x")
    assert res.status_code == 401 and "用户名或密码错误" in res.text
    assert c.get("/tasks").headers["location"] == "/login"  # not logged in
    (row,) = audit_rows(sample_ws)
    assert (row["account"], row["action"], row["ip"]) == ("RSJ", "login_failed", "testclient")


@pytest.mark.slow
def test_login__locked_after_five_failures__until_reset(
    sample_ws: Path, issued: dict[str, str]
) -> None:
    c = client(sample_ws)
    for _ in range(4):
        assert login(c, "RSJ", "guess").status_code == 401
    fifth = login(c, "RSJ", "guess")
    assert fifth.status_code == 403 and "已锁定" in fifth.text
    right = login(c, "RSJ", issued["RSJ"])  # the right password no longer opens it
    assert right.status_code == 403 and "已锁定" in right.text
    listed = tianbao(CliRunner(), "accounts", "list", "-w", sample_ws)
    assert "RSJ\t填报单位\tRSJ\t已锁定" in listed.stdout
    res = tianbao(CliRunner(), "accounts", "reset", "RSJ", "-w", sample_ws)
    assert res.exit_code == 0, res.output
    new = res.stdout.split("\t")[1].strip()
    assert login(c, "RSJ", new).headers["location"] == "/password"
    actions = [r["action"] for r in audit_rows(sample_ws)]
    assert actions == ["login_failed"] * 4 + ["login_locked"] * 2 + ["login"]


def test_accounts_reset__unknown_account__usage_error(sample_ws: Path) -> None:
    res = tianbao(CliRunner(), "accounts", "reset", "NOBODY", "-w", sample_ws)
    assert res.exit_code == 2 and "没有账户" in res.output


@pytest.mark.slow
def test_first_login__password_change_forced(sample_ws: Path, issued: dict[str, str]) -> None:
    c = client(sample_ws)
    assert login(c, "RSJ", issued["RSJ"]).headers["location"] == "/password"
    for page in ("/tasks", "/upload", "/mine", "/"):
        assert c.get(page).headers["location"] == "/password", page
    token = csrf(c, "/password")
    short = {"old": issued["RSJ"], "new": "short", "again": "short", "csrf": token}
    assert "至少 8 个字符" in c.post("/password", data=short).text
    ready(client(sample_ws), "RSJ", issued["RSJ"])  # another browser: changes it
    assert c.get("/tasks").headers["location"] == "/login"  # the old session ended
    again = client(sample_ws)
    assert login(again, "RSJ", NEW_PASSWORD).headers["location"] == "/"
    assert again.get("/tasks").status_code == 200


def test_post_without_csrf__403_in_chinese(sample_ws: Path, issued: dict[str, str]) -> None:
    c = client(sample_ws)
    c.get("/login")
    res = c.post("/login", data={"name": "RSJ", "password": issued["RSJ"]})
    assert res.status_code == 403 and "校验码" in res.text
    res = c.post("/login", data={"name": "RSJ", "password": issued["RSJ"], "csrf": "forged"})
    assert res.status_code == 403
    ready(c, "RSJ", issued["RSJ"])
    files = {"file": ("r.xlsx", b"PK", "application/octet-stream")}
    assert c.post("/upload", files=files).status_code == 403
    assert [r["action"] for r in audit_rows(sample_ws)].count("forbidden") == 3


PAGES = [  # (account, page, status): who may open what
    ("RSJ", "/tasks", 200),
    ("RSJ", "/mine", 200),
    ("RSJ", "/upload", 200),
    ("RSJ", "/office", 403),
    ("RSJ", "/office/2014-06", 403),
    ("office", "/office", 200),
    ("office", "/office/2014-06", 200),
    ("office", "/tasks", 403),
    ("office", "/upload", 403),
    ("admin", "/office/2014-06", 200),
    (None, "/tasks", 303),
    (None, "/office/2014-06", 303),
    (None, "/returns/1", 303),
]


@pytest.mark.slow
def test_pages__by_role(sample_ws: Path, issued: dict[str, str]) -> None:
    clients = {name: ready(client(sample_ws), name, issued[name]) for name in issued}
    for who, page, status in PAGES:
        c = clients[who] if who else client(sample_ws)
        res = c.get(page)
        assert res.status_code == status, (who, page, res.status_code)
        if status == 403:
            assert "无权" in res.text
        if status == 303:
            assert res.headers["location"] == "/login"


@pytest.mark.slow
def test_every_response__security_headers(sample_ws: Path, issued: dict[str, str]) -> None:
    c = client(sample_ws)
    cookie = login(c, "office", issued["office"]).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    ready(client(sample_ws), "RSJ", issued["RSJ"])
    for page in ("/login", "/password", "/static/tianbao.css", "/nowhere", "/tasks"):
        res = c.get(page)
        csp = res.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, page
        assert res.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in res.text and "style=" not in res.text  # nothing inline
    missing = c.get("/nowhere")
    assert missing.status_code == 404 and "页面不存在" in missing.text


@pytest.mark.slow
def test_plan_text__escaped(sample_ws: Path) -> None:
    plan = sample_ws / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script>人社局"
    plan.write_text(text.replace("name: 解放区人力资源和社会保障局", f"name: '{hostile}'", 1),
                    encoding="utf-8")  # fmt: skip
    issued = issue(sample_ws)
    page = ready(client(sample_ws), "office", issued["office"]).get("/office/2014-06").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;人社局" in page
    assert "<script>" not in page


def test_serve_command__this_machine_only_by_default(
    sample_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from starlette.applications import Starlette

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    res = tianbao(CliRunner(), "serve", "-w", sample_ws)
    assert res.exit_code == 0, res.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8080)
    assert isinstance(started["app"], Starlette)
    assert "http://127.0.0.1:8080/" in res.output
    res = tianbao(CliRunner(), "serve", "-w", sample_ws / "nowhere")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_template__previous_period_missing__said_in_the_departments_terms(
    sample_ws: Path, issued: dict[str, str]
) -> None:
    c = ready(client(sample_ws), "RSJ", issued["RSJ"])
    res = c.get("/tasks/2014-06/template")
    assert res.status_code == 400 and "上期（2014年5月）" in res.text
    assert "--allow-missing-previous" not in res.text
    assert c.get("/tasks/2014-01/template").status_code == 200  # January carries none
    assert c.get("/tasks/2014-13/template").status_code == 400


def test_accounts__one_language_per_line(sample_ws: Path) -> None:
    en = tianbao(CliRunner(), "--lang", "en", "accounts", "issue", "-w", sample_ws)
    assert en.stdout.splitlines()[0] == "account\trole\tinitial password"
    assert "RSJ\tdept\t" in en.stdout and "填报单位" not in en.output
    listed = tianbao(CliRunner(), "accounts", "list", "-w", sample_ws)
    assert "RSJ\t填报单位\tRSJ\t待改密码" in listed.stdout and "must change" not in listed.output


def test_audit_log__append_only(sample_ws: Path, issued: dict[str, str]) -> None:
    import sqlite3

    login(client(sample_ws), "RSJ", "wrong")
    con = sqlite3.connect(sample_ws / ".tianbao" / "serve.sqlite")
    try:
        for sql in ("UPDATE audit SET account = 'x'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert [r["account"] for r in audit_rows(sample_ws)] == ["RSJ"]


def test_machine_fault__chinese_page_not_a_traceback(
    sample_ws: Path, issued: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from starlette.testclient import TestClient

    from tianbao import api
    from tianbao.serve.app import make_app

    c = TestClient(make_app(sample_ws), raise_server_exceptions=False, follow_redirects=False)
    ready(c, "office", issued["office"])

    def full(*_: Any, **__: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(api, "status", full)
    res = c.get("/office/2014-06")
    assert res.status_code == 500 and "磁盘已满" in res.text and "Traceback" not in res.text
    assert "default-src 'self'" in res.headers["content-security-policy"]


def test_databases_kept_open__closing_a_page_s_connection_checkpoints_nothing(
    sample_ws: Path, issued: dict[str, str]
) -> None:
    """The server holds an idle connection to its databases: a page closing its own is
    not the last one, so the write-ahead log is not checkpointed and reset (fsyncs) on
    every page; without it the log file goes with the last connection."""
    c = client(sample_ws)
    login(c, "RSJ", issued["RSJ"] + "x")  # an audit entry written, its connection closed
    assert audit_rows(sample_ws)[-1]["action"] == "login_failed"
    assert (sample_ws / ".tianbao" / "serve.sqlite-wal").exists()
