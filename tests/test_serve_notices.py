"""tianbao serve: 我的报送 offers the 退回通知 of a return sent back, the very file
``tianbao review return`` writes (audit-logged with its sha256; another department's
is refused); a return's page shows what changed against the department's previous
version of the period."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpers import tianbao
from returns import Returns
from serve_helpers import audit_rows, client, csrf, issue, ready
from tianbao import api
from tianbao.ledger.records import CellValue
from tianbao.serve.views.changes import compare

REASON = "新增就业人数与人社部门月报不符，请核实后重报"
_NOTICE_LINK = re.compile(r'href="(/returns/(\d+)/notice/\d+)"')


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    r = Returns(tmp_path_factory.mktemp("serve-notices"), "RSJ")
    r.passwords = issue(r.ws)  # type: ignore[attr-defined]
    return r


@pytest.fixture(scope="module")
def rsj(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "RSJ", rs.passwords["RSJ"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def office(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "office", rs.passwords["office"])  # type: ignore[attr-defined]


def upload(c: TestClient, path: Path) -> int:
    token = csrf(c, "/upload")
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    res = c.post("/upload", data={"csrf": token}, files=files)
    assert res.status_code == 303, res.text
    return int(res.headers["location"].split("/")[2].split("?")[0])


def send_back(office: TestClient, sub_id: int) -> None:
    page = f"/returns/{sub_id}"
    form = {"csrf": csrf(office, page), "action": "return", "reason": REASON}
    assert office.post(page + "/review", data=form).status_code == 303


def parts(xlsx: bytes) -> list[tuple[str, bytes]]:
    """A workbook's parts and their bytes but the moment it was saved (the zip's entry
    times, the core properties' modified)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [(i.filename, re.sub(rb"<dcterms:modified.*</dcterms:modified>", b"", z.read(i)))
                for i in z.infolist()]  # fmt: skip


def notice_links(page: str) -> list[str]:
    return [m.group(1) for m in _NOTICE_LINK.finditer(page)]


def test_notice__returned_on_the_page__the_file_review_wrote(
    rs: Returns, rsj: TestClient, office: TestClient
) -> None:
    sub = upload(rsj, rs.june("notice-web"))
    assert notice_links(rsj.get("/mine").text) == []  # nothing sent back yet
    send_back(office, sub)
    (link,) = notice_links(rsj.get("/mine").text)
    res = rsj.get(link)
    assert res.status_code == 200, res.text
    name = unquote(res.headers["content-disposition"].split("''", 1)[1])
    written = rs.ws / "outputs" / "notices" / "2014-06" / name
    assert name.endswith(".退回通知.xlsx") and res.content == written.read_bytes()  # that file
    wb = openpyxl.load_workbook(io.BytesIO(res.content))
    assert any(REASON in str(c.value) for row in wb.worksheets[0].iter_rows() for c in row)
    logged = audit_rows(rs.ws)[-1]
    assert (logged["account"], logged["action"], logged["detail"]) == ("RSJ", "download", name)
    assert logged["sha256"] == hashlib.sha256(res.content).hexdigest()
    assert office.get(link).status_code == 200  # the office may fetch it too


def _progress(value: str) -> Any:
    """The first project's 形象进度 said otherwise: a correction the checks take."""

    def mutate(wb: Any, r: Returns) -> None:
        form, key = "projects_progress", r.keys("projects_progress")[0]
        wb[r.sheet(form)][r.cell(form, key, "progress")].value = value

    return mutate


def test_notice__returned_by_the_command_with_a_cell__the_same_bytes(
    rs: Returns, rsj: TestClient, tmp_path: Path
) -> None:
    sub = upload(rsj, rs.june("notice-cli", _progress("主体结构封顶")))
    form, key = "projects_progress", rs.keys("projects_progress")[0]
    cell = f"{rs.sheet(form)}!{rs.cell(form, key, 'month_investment')}"
    res = tianbao(CliRunner(), "review", "return", "-w", rs.ws, "-p", "2014-06", "--dept", "RSJ",
                  "--reason", REASON, "--submission", str(sub), "--cell", cell, "--row", key,
                  "--out", tmp_path)  # fmt: skip
    assert res.exit_code == 0, res.output
    (written,) = tmp_path.glob("*.退回通知.xlsx")
    (link,) = [x for x in notice_links(rsj.get("/mine").text) if x.startswith(f"/returns/{sub}/")]
    assert parts(rsj.get(link).content) == parts(written.read_bytes())


def test_notice__another_department__403_and_logged(rs: Returns, rsj: TestClient) -> None:
    (link, *_) = notice_links(rsj.get("/mine").text)
    other = ready(client(rs.ws), "FGW", rs.passwords["FGW"])  # type: ignore[attr-defined]
    res = other.get(link)
    assert res.status_code == 403 and "其他单位的报表" in res.text
    logged = audit_rows(rs.ws)[-1]
    assert (logged["account"], logged["action"]) == ("FGW", "forbidden")
    assert link in logged["detail"]
    assert other.get("/returns/99999/notice/1").status_code == 404


def test_notice__a_decision_that_is_no_return__404(
    rs: Returns, rsj: TestClient, office: TestClient
) -> None:
    sub = upload(rsj, rs.june("approved", _progress("主体完工")))
    page = f"/returns/{sub}"
    form = {"csrf": csrf(office, page), "action": "approve", "reason": "核实无误"}
    assert office.post(page + "/review", data=form).status_code == 303
    (rid,) = [r["id"] for r in api.history_log(rs.ws, "2014-06", "RSJ").reviews[sub]]
    assert rsj.get(f"{page}/notice/{rid}").status_code == 404
    assert f"{page}/notice/" not in rsj.get("/mine").text


# -- what a correction changed -----------------------------------------------------------
def _v(form: str, key: str, field: str, value: Any, cell: str) -> CellValue:
    return CellValue(0, form, key, field, value, "重点项目", cell)


BEFORE = [_v("p", "P1", "a", 1, "I4"), _v("p", "P1", "b", "x", "J4"), _v("p", "P2", "a", 2, "I5"),
          _v("p", "P3", "a", 3, "I6")]  # fmt: skip


@pytest.mark.parametrize(
    ("after", "cells", "added", "removed"),
    [
        (BEFORE, [], [], []),
        ([_v("p", "P1", "a", 9, "I4"), *BEFORE[1:]], [("重点项目!I4", "A", 1, 9)], [], []),
        ([BEFORE[0], *BEFORE[2:]], [("重点项目!J4", "b", "x", None)], [], []),  # emptied
        ([*BEFORE, _v("p", "P1", "c", 5, "K4")], [("重点项目!K4", "c", None, 5)], [], []),
        ([*BEFORE[:3], _v("p", "P4", "a", 4, "I7")], [], ["重点项目 P4"], ["重点项目 P3"]),
    ],
)
def test_compare__cells_and_rows(
    after: list[CellValue], cells: list[tuple[Any, ...]], added: list[str], removed: list[str]
) -> None:
    found = compare(BEFORE, after, {("p", "a"): "A"}, 7)
    assert [(c.where, c.label, c.before, c.after) for c in found.cells] == cells
    assert (found.added, found.removed, found.previous) == (added, removed, 7)
    assert found.none == (not (cells or added or removed))


def test_return_page__what_changed_against_the_previous_version(
    rs: Returns, rsj: TestClient, office: TestClient
) -> None:
    subs = api.history(rs.ws, "2014-06", "RSJ")
    form, key = "projects_progress", rs.keys("projects_progress")[0]
    cell = f"{rs.sheet(form)}!{rs.cell(form, key, 'progress')}"
    was = {f"{v.sheet}!{v.cell}": v.value for v in api.values(rs.ws, subs[0].id)}[cell]
    second = subs[1].id  # 主体结构封顶 where the first had the plan's fill
    page = office.get(f"/returns/{second}").text
    assert f"与上一版（#{subs[0].id}）相比的改动" in page
    shown = rf"<tr><td>{re.escape(cell)}</td><td>[^<]+</td><td>([^<]*)</td><td>([^<]*)</td>"
    row = re.search(shown, page)
    assert row is not None and row.groups() == (str(was), "主体结构封顶"), page
    assert "与上一版" not in rsj.get(f"/returns/{subs[0].id}").text  # the first: nothing to compare
