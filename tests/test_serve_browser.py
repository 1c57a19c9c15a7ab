"""tianbao serve in a real browser: Debian's chromium (no browser download) driven by
Playwright for Python against a real uvicorn on 127.0.0.1. One walk, as the issue
tells it: RSJ logs in, changes its password, downloads June's template (the sample's
year: June's returns are due on 3 July 2014), fills it with two mistakes, uploads,
sees 退回 with both cells, downloads the 审核意见; uploads the corrected file, sees
通过; the office sees RSJ's return, sends it back with a reason; RSJ sees the reason
on 我的报送; the office signs June off and downloads the summary. Screenshots are
saved under the test's tmp dir, and one of them is checked for Chinese glyphs drawn
(not tofu boxes)."""

from __future__ import annotations

import io
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import require_or_skip, tianbao
from returns import Returns
from serve_helpers import JULY_3, NEW_PASSWORD, issue
from tianbao.dev.simulate import fill_workbook
from tianbao.serve.app import make_app

pytestmark = pytest.mark.slow  # see pyproject's markers

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REASON = "新增就业人数与人社部门月报不符，请核实后重报"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_or_skip(Path(CHROMIUM).exists(), "Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip(False, "playwright (the test extra) is not installed")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Returns]]:
    """uvicorn on 127.0.0.1, a free port: the socket listens before the server starts
    (the browser's first connection waits in its backlog, no polling), stopped at the
    end. RSJ's May return collected, as June's template needs its figures."""
    import uvicorn

    rs = Returns(tmp_path, "RSJ")
    rs.passwords = issue(rs.ws)  # type: ignore[attr-defined]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(make_app(rs.ws, today=lambda: JULY_3), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", rs
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
    assert not thread.is_alive()


def _log_in(page: Any, url: str, name: str, password: str) -> None:
    """Log in with the issued password and change it, as the first login asks."""
    page.goto(url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    assert page.url.endswith("/password"), page.url
    page.fill("input[name=old]", password)
    page.fill("input[name=new]", NEW_PASSWORD)
    page.fill("input[name=again]", NEW_PASSWORD)
    page.click("button:has-text('修改密码')")


def _download(page: Any, link: str, to: Path) -> Path:
    with page.expect_download() as got:
        page.click(link)
    got.value.save_as(to)
    return to


def _upload(page: Any, url: str, path: Path) -> str:
    page.goto(url + "/upload")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('上传并审核')")
    return str(page.inner_text("p.verdict"))


def _chinese_drawn(page: Any, selector: str) -> None:
    """The text of ``selector`` is drawn with a CJK font: the browser says which fonts
    rendered the node's glyphs; and its pixels are neither blank (the same box with the
    text transparent) nor tofu (other characters of the same length give other
    pixels; missing-glyph boxes all look alike)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    text = page.inner_text(selector)
    cjk = [f for f in fonts if "CJK" in f["familyName"] or "CJK" in f["postScriptName"]]
    han = [c for c in text if c > "\u2e80"]
    assert cjk and sum(f["glyphCount"] for f in cjk) >= len(han), fonts
    element = page.locator(selector)
    drawn = element.screenshot()
    element.evaluate("e => { e.dataset.text = e.textContent; e.textContent = '通过审核'; }")
    other = element.screenshot()
    element.evaluate("e => { e.style.color = 'transparent'; }")
    blank = element.screenshot()
    element.evaluate("e => { e.textContent = e.dataset.text; e.style.color = ''; }")
    assert drawn != blank and other != blank, "no text drawn"
    assert drawn != other, "every character drawn alike: tofu"


def test_browser_walk(browser: Any, served: tuple[str, Returns], tmp_path: Path) -> None:
    url, rs = served
    shots = tmp_path / "screenshots"
    shots.mkdir()
    passwords = rs.passwords  # type: ignore[attr-defined]

    # -- RSJ: log in, change the password, June's template -------------------------------
    dept = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = dept.new_page()
    _log_in(page, url, "RSJ", passwords["RSJ"])
    assert page.url.endswith("/tasks") and "2014年6月" in page.inner_text("main")
    page.screenshot(path=str(shots / "1-tasks.png"), full_page=True)
    _chinese_drawn(page, "main h1")
    template = _download(page, "a:has-text('下载本期模板')", tmp_path / "template.xlsx")
    assert template.read_bytes()[:2] == b"PK"

    # -- fill it with two mistakes: a state not in the list, a word for a number ----------
    form, key = "projects_progress", rs.keys("projects_progress")[0]
    sheet = rs.sheet(form)
    bad_cells = {f: rs.cell(form, key, f) for f in ("status", "month_investment")}
    filled = fill_workbook(template, tmp_path / "filled" / "2014-06_RSJ.xlsx", rs.fills["2014-06"])
    wb = openpyxl.load_workbook(filled)
    wb[sheet][bad_cells["status"]].value = "进行中"
    wb[sheet][bad_cells["month_investment"]].value = "很多"
    bad = tmp_path / "bad" / "人社局6月.xlsx"
    bad.parent.mkdir()
    wb.save(bad)
    assert _upload(page, url, bad) == "退回·须改正"
    findings = page.inner_text("table.findings")
    for field, value in (("status", "进行中"), ("month_investment", "很多")):
        assert f"{sheet}!{bad_cells[field]}" in findings and value in findings, field
    page.screenshot(path=str(shots / "2-returned.png"), full_page=True)
    notes = _download(page, "a:has-text('下载审核意见')", tmp_path / "annotated.xlsx")
    marked = openpyxl.load_workbook(io.BytesIO(notes.read_bytes()))
    assert marked.sheetnames[0] == "审核结果"
    assert all(marked[sheet][c].comment is not None for c in bad_cells.values())

    # -- the corrected file ------------------------------------------------------------
    assert _upload(page, url, filled) == "通过"
    own = page.url
    page.screenshot(path=str(shots / "3-accepted.png"), full_page=True)

    # -- the office: RSJ has handed in; sent back with a reason --------------------------
    office = browser.new_context(accept_downloads=True, locale="zh-CN")
    desk = office.new_page()
    _log_in(desk, url, "office", passwords["office"])
    desk.goto(url + "/office/2014-06")
    row = desk.locator("table.grid tr", has_text="（RSJ）")
    assert row.locator("a").first.inner_text() in ("按时报送", "迟报")  # handed in
    desk.screenshot(path=str(shots / "4-office.png"), full_page=True)
    _chinese_drawn(desk, "table.grid tr:nth-child(2) td:first-child")
    row.locator("a").first.click()
    assert desk.url == own
    decide = desk.locator("form.decide", has_text="退回")
    decide.locator("input[name=reason]").fill(REASON)
    decide.locator("button").click()
    assert REASON in desk.inner_text("main")

    # -- RSJ sees the reason on 我的报送 ----------------------------------------------------
    page.goto(url + "/mine")
    assert REASON in page.inner_text("table.versions")
    page.screenshot(path=str(shots / "5-mine.png"), full_page=True)

    # -- the office signs June off and downloads the summary -----------------------------
    desk.goto(url + "/office/2014-06/signoff")
    assert "（RSJ）" in desk.inner_text("table.outstanding")  # sent back: outstanding again
    desk.click("button:has-text('签发')")  # nothing counts for June now: the library says no
    assert "没有计入的报表，不能签发" in desk.inner_text("p.message")
    # a return mailed in, collected from the command line while the server runs
    zjj = Returns(rs.base, "ZJJ")
    res = tianbao(CliRunner(), "collect", "-w", rs.ws, zjj.june("mailed"))
    assert res.exit_code == 0, res.output
    desk.goto(url + "/office/2014-06/signoff")
    assert "（ZJJ）" not in desk.inner_text("table.outstanding")
    desk.fill("input[name=note]", "按已报数据签发")
    desk.check("input[name=anyway]")  # the other departments are still open
    desk.click("button:has-text('签发')")
    assert desk.inner_text("p.verdict") == "已签发"
    desk.goto(url + "/office/2014-06/summary")
    summary = _download(desk, "a:has-text('下载汇总表')", tmp_path / "summary.xlsx")
    assert openpyxl.load_workbook(summary).sheetnames
    desk.screenshot(path=str(shots / "6-summary.png"), full_page=True)
    assert len(list(shots.glob("*.png"))) == 6
    dept.close()
    office.close()
