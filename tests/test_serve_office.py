"""tianbao serve, the office's 签发 (outstanding first, the library's refusal said),
汇总 (made on demand, kept while the ledger has not changed) and 日志 (the audit log,
filtered): in-process on the sample, RSJ's May return collected."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpers import tianbao
from returns import Returns
from serve_helpers import audit_rows, client, csrf, issue, ready


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    r = Returns(tmp_path_factory.mktemp("office"), "RSJ")
    r.passwords = issue(r.ws)  # type: ignore[attr-defined]
    return r


@pytest.fixture(scope="module")
def office(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "office", rs.passwords["office"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def rsj(rs: Returns) -> TestClient:
    return ready(client(rs.ws), "RSJ", rs.passwords["RSJ"])  # type: ignore[attr-defined]


def signoffs(ws: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(ws / ".tianbao" / "ledger.sqlite")
    try:
        return list(con.execute("SELECT period, action, by FROM signoffs ORDER BY id"))
    finally:
        con.close()


def post_signoff(c: TestClient, period: str, **form: str) -> Any:
    page = f"/office/{period}/signoff"
    return c.post(page, data={"csrf": csrf(c, page), **form})


@pytest.mark.slow
def test_signoff__outstanding_first__refused_then_signed_then_withdrawn(
    rs: Returns, office: TestClient, rsj: TestClient
) -> None:
    page = office.get("/office/2014-06/signoff").text
    # every department but none has handed in June: each listed before the button
    plan = rs.plan
    assert plan is not None
    for code in plan.departments:
        assert f"（{code}）" in page, code
    assert page.index("尚未完成") < page.index('<button type="submit">签发</button>')
    forged = office.post("/office/2014-06/signoff", data={"action": "sign"})  # no form token
    assert forged.status_code == 403 and signoffs(rs.ws) == []
    res = post_signoff(office, "2014-06", action="sign")  # nothing counts for June yet
    assert res.status_code == 409 and "没有计入的报表，不能签发" in res.text
    assert signoffs(rs.ws) == []
    june = rs.june("signed")
    res = tianbao(CliRunner(), "collect", "-w", rs.ws, june, "--received-at", "2014-07-02T09:00")
    assert res.exit_code == 0, res.output
    page = office.get("/office/2014-06/signoff").text
    assert "（RSJ）" not in page.split("尚未完成")[1].split("</table>")[0]  # RSJ's counts now
    assert rsj.post("/office/2014-06/signoff", data={"csrf": csrf(rsj, "/mine")}).status_code == 403
    res = post_signoff(office, "2014-06", action="sign", note="各单位已报齐以外的按上月估算")
    assert res.status_code == 409 and "未报" in res.text  # others are open: sign anyway?
    assert signoffs(rs.ws) == []
    res = post_signoff(
        office, "2014-06", action="sign", note="各单位已报齐以外的按上月估算", anyway="1"
    )
    assert res.status_code == 303, res.text
    assert signoffs(rs.ws) == [("2014-06", "signed", "office")]
    page = office.get("/office/2014-06/signoff").text
    assert "已签发" in page and "撤销签发" in page
    res = post_signoff(office, "2014-06", action="sign")  # twice: the library says no
    assert res.status_code == 409 and "已于" in res.text
    res = post_signoff(office, "2014-06", action="withdraw", note="")
    assert res.status_code == 409 and "撤销签发须写明原因" in res.text
    res = post_signoff(office, "2014-06", action="withdraw", note="人社局数据须更正")
    assert res.status_code == 303
    assert signoffs(rs.ws)[-1] == ("2014-06", "withdrawn", "office")
    logged = [(r["account"], r["detail"]) for r in audit_rows(rs.ws) if r["action"] == "signoff"]
    assert logged == [("office", "2014-06 signed: 各单位已报齐以外的按上月估算"),
                      ("office", "2014-06 withdrawn: 人社局数据须更正")]  # fmt: skip


def test_summary__made_on_demand_kept_until_the_ledger_changes(
    rs: Returns, office: TestClient, rsj: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tianbao import api

    made: list[str] = []
    real = api.consolidate

    def counted(*args: Any, **kw: Any) -> Any:
        made.append(str(args[1]))
        return real(*args, **kw)

    monkeypatch.setattr(api, "consolidate", counted)
    page = office.get("/office/2014-05/summary")
    assert page.status_code == 200 and "已报单位" in page.text
    book = office.get("/office/2014-05/summary.xlsx")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert "2014-05_%E6%B1%87%E6%80%BB.xlsx" in book.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    table = office.get("/office/2014-05/summary.csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert len(rows) > 1 and any("RSJ" in r for r in rows[1:])
    assert made == ["2014-05"]  # one summary for the page and both files
    logged = [r for r in audit_rows(rs.ws) if r["action"] == "download"][-2:]
    assert [r["sha256"] for r in logged] == [hashlib.sha256(b).hexdigest()
                                             for b in (book.content, table.content)]  # fmt: skip
    # a decision on a May return changes the ledger: the next summary is made anew
    (sub,) = re.findall(r'href="/returns/(\d+)"', office.get("/office/2014-05").text)[:1]
    page = f"/returns/{sub}"
    office.post(page + "/review", data={"csrf": csrf(office, page), "action": "return",
                                        "reason": "请核实"})  # fmt: skip
    again = office.get("/office/2014-05/summary.xlsx")
    assert again.status_code == 200 and made == ["2014-05", "2014-05"]
    kept = list((rs.ws / ".tianbao" / "serve-cache" / "summary" / "2014-05").iterdir())
    assert len(kept) == 1  # the older summary is gone
    assert rsj.get("/office/2014-05/summary.xlsx").status_code == 403
    assert office.get("/office/2014-05/summary.pdf").status_code == 404
    assert office.get("/office/2099-13/summary").status_code == 404


def test_log__filtered_by_account_action_and_day(
    rs: Returns, office: TestClient, rsj: TestClient
) -> None:
    everything = office.get("/office/log").text
    assert "RSJ" in everything and "office" in everything
    mine = office.get("/office/log", params={"account": "office", "action": "download"}).text
    shown = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td><td>[^<]*</td><td>([^<]+)</td>", mine)
    assert len(shown) == 3 and set(shown) == {("office", "下载")}  # the summaries
    today = dt.date.today().isoformat()
    assert "RSJ" in office.get("/office/log", params={"day": today}).text
    none = office.get("/office/log", params={"day": "2001-01-01"}).text
    assert "没有符合条件的记录" in none
    wrong = office.get("/office/log", params={"day": "<script>"}).text
    assert "不是 YYYY-MM-DD" in wrong and "<script>" not in wrong
    assert rsj.get("/office/log").status_code == 403


def test_workspace_opened_once__read_again_when_the_plan_changes(sample_ws: Path) -> None:
    """The server keeps the opened workspace (plan and forms checked once), and reads
    plan.yaml again when the office edits it while the server runs."""
    from tianbao.serve.views import base

    c = ready(client(sample_ws), "office", issue(sample_ws)["office"])
    assert "解放区人力资源和社会保障局（RSJ）" in c.get("/office/2014-06").text
    first = base.opened(sample_ws)
    assert base.opened(sample_ws) is first  # not opened again
    plan = sample_ws / "plan.yaml"
    text = plan.read_text(encoding="utf-8").replace("解放区人力资源和社会保障局", "解放区人社局")
    plan.write_text(text, encoding="utf-8")
    assert "解放区人社局（RSJ）" in c.get("/office/2014-06").text
    assert base.opened(sample_ws) is not first
