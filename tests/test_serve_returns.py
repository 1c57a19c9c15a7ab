"""tianbao serve: a department hands in June's return on the page and sees the verdict at
once; the same file through ``tianbao collect`` gives the same ledger rows; another
department's file, an oversize one; the office's grid and decisions; the audit log."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import coordinate_to_tuple
from starlette.testclient import TestClient

from helpers import SHARED, require_or_skip, tianbao
from returns import Returns
from serve_helpers import NEW_PASSWORD, audit_rows, client, csrf, issue, login, ready
from tianbao.ledger.status import LABELS, STATES
from tianbao.serve.views.upload import TooLarge, _capped

REASON = "新增就业人数与人社部门月报不符，请核实后重报"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    """RSJ's May return collected, June's template; a twin of the workspace kept
    before any upload, for ``tianbao collect`` to take the same file."""
    r = Returns(tmp_path_factory.mktemp("serve"), "RSJ")
    shutil.copytree(r.ws, r.base / "twin")
    r.passwords = issue(r.ws)  # type: ignore[attr-defined]
    return r


@pytest.fixture(scope="module")
def rsj(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "RSJ", rs.passwords["RSJ"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def office(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "office", rs.passwords["office"])  # type: ignore[attr-defined]


def upload(c: TestClient, path: Path, name: str | None = None) -> Any:
    token = csrf(c, "/upload")
    files = {"file": (name or path.name, path.read_bytes(), "application/octet-stream")}
    return c.post("/upload", data={"csrf": token}, files=files)


def rows(ws: Path, sql: str) -> list[dict[str, Any]]:
    con = sqlite3.connect(ws / ".tianbao" / "ledger.sqlite")
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql)]
    finally:
        con.close()


def verdict(page: str) -> str:
    found = re.search(r'<p class="verdict \w+">([^<]+)</p>', page)
    assert found, page
    return found.group(1)


def _recorded(row: dict[str, Any]) -> dict[str, Any]:
    """A submission row without what differs by nature between two workspaces: its id,
    and the folder the file was taken from (in the recorded report)."""
    out = {k: v for k, v in row.items() if k != "id"}
    report = json.loads(out["report_json"])
    report["path"] = Path(report["path"]).name
    for f in report["findings"]:
        f["file"] = Path(f["file"]).name
    out["report_json"] = report
    return out


def test_upload__good_return__verdict_and_the_rows_collect_records(
    rs: Returns, rsj: TestClient
) -> None:
    june = rs.june("web-ok")
    res = upload(rsj, june, name="../../etc/人社局6月.xlsx")  # a name is never a path
    assert res.status_code == 303, res.text
    page = rsj.get(res.headers["location"])
    assert verdict(page.text) == "通过"
    main = page.text[page.text.index("<main>") :]
    assert main.index("<p", main.index("<h1>")) == main.index('<p class="verdict')  # first
    assert "自动审核未发现问题" in main
    (web,) = rows(rs.ws, "SELECT * FROM submissions WHERE period = '2014-06'")
    assert web["file_name"] == june.name  # the template's name, not the client's
    assert web["status"] == "accepted" and web["received_source"] == "option"
    # the same file through tianbao collect, received at the same moment
    twin = rs.base / "twin"
    res = tianbao(CliRunner(), "collect", "-w", twin, june, "--received-at", web["received_at"])
    assert res.exit_code == 0, res.output
    (cli,) = rows(twin, "SELECT * FROM submissions WHERE period = '2014-06'")
    assert _recorded(web) == _recorded(cli)
    cells = "SELECT form, row_key, field, value, sheet, cell FROM cell_values "
    cells += "WHERE submission_id = "
    assert rows(rs.ws, cells + str(web["id"])) == rows(twin, cells + str(cli["id"]))
    logged = [r for r in audit_rows(rs.ws) if r["action"] == "upload"][-1]
    assert logged["sha256"] == hashlib.sha256(june.read_bytes()).hexdigest()
    assert "人社局6月.xlsx" in logged["detail"] and f"#{web['id']}" in logged["detail"]
    again = upload(rsj, june)  # the same bytes: nothing new, the verdict shown again
    assert again.headers["location"] == f"/returns/{web['id']}?again=1"


def test_upload__validated_once__with_the_previous_return(
    rs: Returns, rsj: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One validation per upload (collect refuses another department's file itself), and
    that one with May's return as the previous period's: 本年累计 against May's."""
    import tianbao.validate.batch as batch

    seen: list[tuple[str, bool]] = []
    real = batch.validate_one

    def counted(validator: Any, path: Path, *args: Any, **kw: Any) -> Any:
        previous = kw.get("history", args[2] if len(args) > 2 else None)
        seen.append((path.name, previous is not None))
        return real(validator, path, *args, **kw)

    monkeypatch.setattr(batch, "validate_one", counted)

    def behind(wb: Any, r: Returns) -> None:  # 累计 below May's: only May's return says so
        form = "projects_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "ytd_investment")].value = 1.0

    june = rs.june("web-once", behind)
    res = upload(rsj, june, name="六月.xlsx")
    assert res.status_code == 303, res.text
    assert seen == [(june.name, True)]  # once, under the template's name, May's return read
    assert "退回" in verdict(rsj.get(res.headers["location"]).text)


def _two_mistakes(wb: Any, r: Returns) -> None:
    form = "projects_progress"
    key = r.keys(form)[0]
    wb[r.sheet(form)][r.cell(form, key, "status")].value = "进行中"  # not a state of the list
    wb[r.sheet(form)][r.cell(form, key, "month_investment")].value = "很多"  # not a number


def test_upload__mistakes__returned_with_the_cells(rs: Returns, rsj: TestClient) -> None:
    bad = rs.june("web-bad", _two_mistakes)
    res = upload(rsj, bad)
    assert res.status_code == 303, res.text
    page = rsj.get(res.headers["location"]).text
    assert verdict(page) == "退回·须改正"
    form, key = "projects_progress", rs.keys("projects_progress")[0]
    sheet = rs.sheet(form)
    for field, value in (("status", "进行中"), ("month_investment", "很多")):
        where = f"{sheet}!{rs.cell(form, key, field)}"
        assert re.search(f"<td>{re.escape(where)}</td><td>[^<]+</td><td>{value}</td>", page), where
    # in workbook order: row by row, column by column
    refs = sorted((rs.cell(form, key, f) for f in ("status", "month_investment")),
                  key=coordinate_to_tuple)  # fmt: skip
    assert page.index(f"{sheet}!{refs[0]}") < page.index(f"{sheet}!{refs[1]}")
    book = rsj.get(res.headers["location"] + "/annotated")
    disposition = unquote(book.headers["content-disposition"])
    assert book.status_code == 200 and disposition.endswith(".审核意见.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames[0] == "审核结果"
    for field in ("status", "month_investment"):
        assert wb[sheet][rs.cell(form, key, field)].comment is not None, field
    logged = audit_rows(rs.ws)[-1]
    assert logged["action"] == "download"
    assert logged["sha256"] == hashlib.sha256(book.content).hexdigest()
    mine = rsj.get("/mine").text
    assert "审核未通过" in mine and "通过" in mine


def test_upload__script_typed_in_a_cell__shown_escaped(rs: Returns, rsj: TestClient) -> None:
    hostile = "<script>alert('投资')</script>"

    def typed(wb: Any, r: Returns) -> None:
        form = "projects_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "month_investment")].value = hostile

    res = upload(rsj, rs.june("web-script", typed))
    page = rsj.get(res.headers["location"]).text
    assert verdict(page) == "退回·须改正"
    assert "&lt;script&gt;alert(&#39;投资&#39;)&lt;/script&gt;" in page
    assert "<script" not in page


def test_upload__another_departments_file__refused_nothing_recorded(
    rs: Returns, rsj: TestClient, tmp_path: Path
) -> None:
    out = tmp_path / "zjj"
    res = tianbao(CliRunner(), "generate", "-w", rs.ws, "-p", "2014-06", "--dept", "ZJJ",
                  "-o", out, "--allow-missing-previous")  # fmt: skip
    assert res.exit_code == 0, res.output
    (theirs,) = out.glob("*.xlsx")
    before = rows(rs.ws, "SELECT id FROM submissions")
    res = upload(rsj, theirs, name="2014-06_RSJ_人社局.xlsx")
    assert res.status_code == 422 and "ZJJ" in res.text and "不是您单位的" in res.text
    assert rows(rs.ws, "SELECT id FROM submissions") == before
    logged = audit_rows(rs.ws)[-1]
    assert logged["action"] == "upload_refused"
    assert logged["sha256"] == hashlib.sha256(theirs.read_bytes()).hexdigest()


def test_upload__not_a_workbook__refused_with_why(rs: Returns, rsj: TestClient) -> None:
    before = rows(rs.ws, "SELECT id FROM submissions")
    token = csrf(rsj, "/upload")
    files = {"file": ("表.xlsx", b"<html><script>alert(1)</script></html>", "text/html")}
    res = rsj.post("/upload", data={"csrf": token}, files=files)
    assert res.status_code == 422 and "读不出模板身份" in res.text
    assert "<script>alert" not in res.text
    assert rows(rs.ws, "SELECT id FROM submissions") == before


def _multipart(token: str, data: bytes) -> tuple[bytes, str]:
    b = "----tianbao"
    head = (f'--{b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="r.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
    return head + data + f"\r\n--{b}--\r\n".encode(), f"multipart/form-data; boundary={b}"


HOSTILE = [
    "zip_bomb_1GiB_sheet.xlsx",
    "billion_laughs_sharedStrings.xlsx",
    "deeply_nested_xml_500k.xlsx",
    "really_html_table.xlsx",
    "empty_0_bytes.xlsx",
]


def test_upload__hostile_files__refused_with_the_readers_reason(
    rs: Returns, rsj: TestClient
) -> None:
    corpus = SHARED / "corpus" / "crafted"
    require_or_skip(corpus.is_dir(), f"hostile corpus not found at {corpus}")
    before = rows(rs.ws, "SELECT id FROM submissions")
    for name in HOSTILE:
        res = upload(rsj, corpus / name)
        assert res.status_code == 422 and "读不出模板身份" in res.text, name
        assert "<table>\n  <tr><th>问题</th>" in res.text, name  # the reader's own reason
        assert rsj.get("/mine").status_code == 200  # the server goes on
    assert rows(rs.ws, "SELECT id FROM submissions") == before
    refused = [r for r in audit_rows(rs.ws) if r["action"] == "upload_refused"]
    assert {r["detail"].split(":")[0] for r in refused} >= set(HOSTILE)


def test_upload__signed_off_period__refused_as_collect_refuses(
    rs: Returns, rsj: TestClient
) -> None:
    res = tianbao(
        CliRunner(),
        "signoff",
        "-w",
        rs.ws,
        "-p",
        "2014-05",
        "--by",
        "局长",
        "--anyway",
        "--note",
        "先签",
    )
    assert res.exit_code == 0, res.output
    may = rs.base / "may-again.xlsx"
    wb = openpyxl.load_workbook(rs.previous)
    wb.save(may)  # the same figures, other bytes: a new version of May
    before = rows(rs.ws, "SELECT id FROM submissions")
    res = upload(rsj, may)
    assert res.status_code == 422 and "签发" in res.text, res.text
    assert rows(rs.ws, "SELECT id FROM submissions") == before
    assert "2014年5月" not in rsj.get("/tasks").text  # a signed-off period is no task


def test_upload__oversize__chinese_page_nothing_recorded(rs: Returns, rsj: TestClient) -> None:
    small = client(rs.ws, max_upload=4096)
    assert login(small, "RSJ", NEW_PASSWORD).status_code == 303
    before = rows(rs.ws, "SELECT id FROM submissions")
    token = csrf(small, "/upload")
    too_big = 4096 + 100 * 1024
    # 1. its Content-Length says so: refused before the body is read
    body, kind = _multipart(token, b"x" * too_big)
    res = small.post("/upload", content=body, headers={"content-type": kind})
    # 2. no Content-Length (chunked)
    chunks = iter([body[i : i + 8192] for i in range(0, len(body), 8192)])
    streamed = small.post("/upload", content=chunks, headers={"content-type": kind})
    # 3. within the envelope, over the cap: the file's own size
    small_body, kind = _multipart(token, b"x" * 5000)
    within = small.post("/upload", content=small_body, headers={"content-type": kind})
    for r in (res, streamed, within):
        assert r.status_code == 413 and "文件过大" in r.text and "4096" not in r.text
        assert "<h1>文件过大</h1>" in r.text
    assert rows(rs.ws, "SELECT id FROM submissions") == before


def test_upload_stream__stops_at_the_cap() -> None:
    """The body is read no further than the cap when no Content-Length tells it (the test
    client reads a body whole before the app sees it, so the receive channel is driven
    here as the server would)."""
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        sent.append(1)
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def drain() -> None:
        capped = _capped(receive, 4500)
        with pytest.raises(TooLarge):
            while True:
                await capped()

    anyio.run(drain)
    assert len(sent) == 5  # 5000 bytes read: past 4500, and not one message more


def test_template_download__the_generated_workbook(rs: Returns, rsj: TestClient) -> None:
    res = rsj.get("/tasks/2014-06/template")
    assert res.status_code == 200, res.text
    assert (
        res.content[:2] == b"PK"
        and "filename*=UTF-8''2014-06_RSJ_" in res.headers["content-disposition"]
    )
    logged = audit_rows(rs.ws)[-1]
    assert logged["action"] == "download"
    assert logged["sha256"] == hashlib.sha256(res.content).hexdigest()
    tasks = rsj.get("/tasks").text
    assert "2014年6月" in tasks and "还有 2 天" in tasks


def test_department__another_departments_return__403(
    rs: Returns, rsj: TestClient, office: TestClient, tmp_path: Path
) -> None:
    out = tmp_path / "zjj"
    tianbao(CliRunner(), "generate", "-w", rs.ws, "-p", "2014-06", "--dept", "ZJJ", "-o", out,
            "--allow-missing-previous")  # fmt: skip
    (theirs,) = out.glob("*.xlsx")
    res = tianbao(CliRunner(), "collect", "-w", rs.ws, theirs)
    assert res.exit_code in (0, 1), res.output
    (sub,) = rows(rs.ws, "SELECT id FROM submissions WHERE department = 'ZJJ'")
    assert rsj.get(f"/returns/{sub['id']}").status_code == 403
    assert office.get(f"/returns/{sub['id']}").status_code == 200
    assert rsj.get("/returns/99999").status_code == 404


def test_office__grid_and_a_return_sent_back(
    rs: Returns, rsj: TestClient, office: TestClient
) -> None:
    (counting,) = rows(rs.ws, "SELECT id FROM submissions WHERE department = 'RSJ' AND "
                              "period = '2014-06' AND status = 'accepted'")  # fmt: skip
    grid = office.get("/office/2014-06").text
    assert f'<a href="/returns/{counting["id"]}">迟报</a>' in grid  # received today, not in 2014
    assert "催报" in grid and "尚未报送" in grid
    shown = dict(re.findall(r'<span class="state-\w+">(\S+) (\d+)</span>', grid))
    status = json.loads(tianbao(CliRunner(), "status", "-w", rs.ws, "-p", "2014-06", "--as-of",
                                "2014-07-03", "--json").stdout)["summary"]  # fmt: skip
    assert shown == {LABELS[s]: str(status[s]) for s in STATES}
    page = f"/returns/{counting['id']}"
    token = csrf(office, page)
    res = office.post(page + "/review", data={"csrf": token, "action": "return", "reason": ""})
    assert res.status_code == 400 and "须写明原因" in res.text
    res = office.post(page + "/review", data={"csrf": token, "action": "return", "reason": REASON})
    assert res.status_code == 303, res.text
    assert rows(rs.ws, f"SELECT action, reason, by FROM reviews WHERE submission_id = "
                       f"{counting['id']}") == [{"action": "returned", "reason": REASON,
                                                 "by": "office"}]  # fmt: skip
    assert REASON in rsj.get("/mine").text and "统计局退回" in rsj.get("/mine").text
    said = rsj.get(page).text  # on the return's own page, under the verdict
    assert said.index('class="verdict') < said.index("统计局退回（office，") < said.index(REASON)
    logged = audit_rows(rs.ws)[-1]
    assert (logged["account"], logged["action"]) == ("office", "review")
    assert REASON in logged["detail"]
    token = csrf(rsj, "/upload")
    res = rsj.post(page + "/review", data={"csrf": token, "action": "approve", "reason": "好"})
    assert res.status_code == 403


def test_upload_name__from_the_files_claim__a_zip_of_many_entries_not_opened(
    rs: Returns, tmp_path: Path
) -> None:
    """The upload is named as the template it claims to be (collect's first guess of the
    previous return), but a zip with more entries than the guarded reader allows is not
    opened in the server's own process (zipfile reads every entry's header first)."""
    import zipfile

    from tianbao.read.limits import Limits
    from tianbao.serve.views.upload import claimed_name

    june = rs.june("claimed")
    assert claimed_name(june, rs.plan) == june.name
    custom = zipfile.ZipFile(june).read("docProps/custom.xml")
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("docProps/custom.xml", custom)
        for i in range(Limits().max_entries):
            z.writestr(f"x/{i}", b"")
    assert claimed_name(many, rs.plan) == "upload.xlsx"
    assert claimed_name(rs.base / "nothing.xlsx", rs.plan) == "upload.xlsx"
