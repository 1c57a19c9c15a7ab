"""tianbao serve in English: every page a department and the office open, with
``?lang=en`` kept in the session (or the server's ``--lang en``), has no Chinese left
but the data (names from the plan, texts from the returns, reasons the office typed);
the Chinese pages stay as they were (the other test_serve files read them)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from returns import Returns
from serve_helpers import NEW_PASSWORD, client, csrf, issue, login, ready

REASON = "新增就业人数与人社部门月报不符，请核实后重报"
TYPED = ("进行中", "很多")  # what the clerk typed into June's return
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
_MARKED_ZH = re.compile(r'<(\w+)[^>]*\blang="zh-CN"[^>]*>.*?</\1>', re.S)


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    r = Returns(tmp_path_factory.mktemp("serve-en"), "RSJ")
    r.passwords = issue(r.ws)  # type: ignore[attr-defined]
    return r


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from _strings(v)


def data_of(r: Returns) -> str:  # one a line
    """What a page may show in Chinese whatever its language: the plan's names
    (departments, contacts, its items' texts such as project names), the forms' sheet
    names, column labels and units, the values their lists offer, the file names, what was
    typed into the return and the reason the office gave."""
    plan = r.plan
    assert plan is not None
    found = [REASON, *TYPED, plan.office.name, plan.office.contact]
    for d in plan.departments.values():
        found += [d.name, d.short, d.contact_name]
    for items in plan.items.values():
        for item in items:
            found += _strings(item.raw)
    for f in r.forms.values():
        found += [f.sheet, *(c.label_zh for c in f.columns), *(c.unit or "" for c in f.columns)]
        found += _strings(f.record_schema)
    found += [p.name for p in r.templates.values()]
    found += ["2014-06_汇总.xlsx", "2014-06_汇总.csv"]  # the summary's, as api.consolidate names it
    return "\n".join(found)


def chinese_left(page: str, data: str) -> list[str]:
    """The runs of Chinese on ``page`` (its text, markup and elements marked
    lang="zh-CN" taken away: the link to the Chinese pages, a reminder text to send)
    that are not data."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", _MARKED_ZH.sub(" ", page)))
    for known in sorted({d for d in data.split("\n") if _CJK.search(d)}, key=len, reverse=True):
        text = text.replace(known, " ")
    return sorted(set(_CJK.findall(text.replace("、", " "))))  # 、: between a list's choices


def _two_mistakes(wb: Any, r: Returns) -> None:
    form = "projects_progress"
    key = r.keys(form)[0]
    wb[r.sheet(form)][r.cell(form, key, "status")].value = TYPED[0]
    wb[r.sheet(form)][r.cell(form, key, "month_investment")].value = TYPED[1]


def upload(c: TestClient, path: Path | None, data: bytes = b"") -> Any:
    token = csrf(c, "/upload")
    body = path.read_bytes() if path is not None else data
    files = {"file": (path.name if path else "x.xlsx", body, "application/octet-stream")}
    return c.post("/upload", data={"csrf": token}, files=files)


def test_every_page_in_english__no_chinese_but_data(rs: Returns) -> None:
    data = data_of(rs)
    pages: dict[str, Any] = {}
    anon = client(rs.ws)
    pages["login"] = anon.get("/login?lang=en")
    token = csrf(anon, "/login")
    pages["wrong password"] = anon.post("/login", data={"name": "RSJ", "password": "x" * 9,
                                                        "csrf": token})  # fmt: skip
    rsj = client(rs.ws)
    login(rsj, "RSJ", rs.passwords["RSJ"])  # type: ignore[attr-defined]
    pages["forced password change"] = rsj.get("/password?lang=en")
    token = csrf(rsj, "/password")
    pages["password mismatch"] = rsj.post("/password", data={
        "old": "x", "new": NEW_PASSWORD, "again": NEW_PASSWORD + "!", "csrf": token})  # fmt: skip
    ready(client(rs.ws), "office", rs.passwords["office"])  # type: ignore[attr-defined]
    form = {"old": rs.passwords["RSJ"], "new": NEW_PASSWORD, "again": NEW_PASSWORD,  # type: ignore[attr-defined]
            "csrf": token}  # fmt: skip
    assert rsj.post("/password", data=form).status_code == 303
    pages["tasks"] = rsj.get("/tasks")  # the session keeps English
    pages["upload"] = rsj.get("/upload")
    bad = upload(rsj, rs.june("en-bad", _two_mistakes))
    pages["returned"] = rsj.get(bad.headers["location"])
    good = upload(rsj, rs.june("en-good"))
    pages["accepted"] = rsj.get(good.headers["location"])
    pages["again"] = rsj.get(good.headers["location"] + "?again=1")
    pages["not a workbook"] = upload(rsj, None, b"not a workbook at all")
    pages["no file"] = rsj.post("/upload", data={"csrf": csrf(rsj, "/upload")})
    pages["no template"] = rsj.get("/tasks/2099-01/template")
    pages["csrf missing"] = rsj.post("/upload", data={})
    office = client(rs.ws)
    login(office, "office", NEW_PASSWORD)
    office.get("/office?lang=en")
    page = good.headers["location"]
    pages["no reason"] = office.post(page + "/review", data={
        "csrf": csrf(office, page), "action": "return", "reason": ""})  # fmt: skip
    assert (
        office.post(
            page + "/review",
            data={"csrf": csrf(office, page), "action": "return", "reason": REASON},
        ).status_code
        == 303
    )
    pages["office return"] = office.get(page)
    pages["mine"] = rsj.get("/mine")
    pages["tasks after"] = rsj.get("/tasks")
    pages["office page for a department"] = rsj.get("/office")
    pages["no such page"] = rsj.get("/nowhere")
    pages["periods"] = office.get("/office")
    pages["status"] = office.get("/office/2014-06")
    pages["no such period"] = office.get("/office/2099-13")
    pages["signoff"] = office.get("/office/2014-06/signoff")
    pages["signoff refused"] = office.post("/office/2014-06/signoff", data={
        "csrf": csrf(office, "/office/2014-06/signoff"), "action": "sign"})  # fmt: skip
    pages["summary"] = office.get("/office/2014-06/summary")
    pages["log"] = office.get("/office/log?day=July")
    for name, res in pages.items():
        assert '<html lang="en">' in res.text, name
        left = chinese_left(res.text, data)
        assert left == [], (name, [x for x in res.text.splitlines() if any(w in x for w in left)])
    # the pages said what they say in Chinese, in English
    assert "returned · to correct" in pages["returned"].text
    assert "accepted" in pages["accepted"].text and "Upload" in pages["upload"].text
    assert "Wrong user name or password" in pages["wrong password"].text
    assert REASON in pages["mine"].text and "returned by the office" in pages["mine"].text


def test_server_language__en__and_a_visitor_asks_for_chinese(rs: Returns) -> None:
    c = client(rs.ws, lang="en")
    assert "Log in" in c.get("/login").text
    zh = c.get("/login?lang=zh").text
    assert '<html lang="zh-CN">' in zh and "用户名" in zh
    assert "用户名" in c.get("/login").text  # kept in the session
    assert "Log in" in client(rs.ws, lang="en").get("/login").text  # another visitor's own
