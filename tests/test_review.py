"""The office's review through the CLI: return with reasons, force a rejected return,
approve, take a decision back; what counts follows, and the ledger keeps who, when, why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import copy_workspace, facts_of, tianbao
from returns import Returns

DEPT, JUNE = "RSJ", "2014-06"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("review"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    ws = copy_workspace(rs.ws, tmp_path / "ws")
    for path, at in ((rs.previous, "2014-06-03T10:00"), (rs.june("first"), "2014-07-03T10:00")):
        res = tianbao(rs.runner, "collect", "-w", ws, path, "--received-at", at)
        assert res.exit_code == 0, res.output
    return ws


def run(rs: Returns, *args: Any) -> Any:
    res = tianbao(rs.runner, *args)
    assert "Traceback" not in res.output
    return res


def state(rs: Returns, ws: Path) -> set[str]:
    res = run(rs, "status", "-w", ws, "-p", JUNE, "--json")
    (d,) = [d for d in json.loads(res.stdout)["departments"] if d["department"] == DEPT]
    return {f["state"] for f in d["forms"]}


def reported(rs: Returns, ws: Path, tmp_path: Path) -> int:
    import openpyxl

    out = tmp_path / "summary.xlsx"
    assert run(rs, "consolidate", "-w", ws, "-p", JUNE, "-o", out).exit_code == 0
    dash = openpyxl.load_workbook(out, data_only=True)["总览"]
    return int(facts_of(dash)["已报单位（已受理）"])


def test_return__needs_a_reason_then_stops_counting_until_sent_again(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    assert run(rs, "review", "return", "-w", ws, "-p", JUNE, "--dept", DEPT).exit_code == 2
    res = run(
        rs,
        "review",
        "return",
        "-w",
        ws,
        "-p",
        JUNE,
        "--dept",
        DEPT,
        "--reason",
        "本月投资与财政口径不符",
        "--by",
        "张三",
        "--json",
    )
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    assert done["action"] == "returned" and done["by"] == "张三"
    assert done["submission"]["review"] == "returned"
    assert state(rs, ws) == {"returned"}
    assert reported(rs, ws, tmp_path) == 0
    chase = json.loads(run(rs, "status", "-w", ws, "-p", JUNE, "--json").stdout)["chase"]
    assert {c["department"]: c["reason"] for c in chase}[DEPT] == "returned"

    # the department sends it again: the new return counts, the returned one is replaced
    def corrected(wb, r: Returns) -> None:  # other bytes than the first: not a duplicate
        form = "indicators_monthly"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "note")] = "按财政口径重报"

    resent = rs.june("second", corrected)
    again = run(rs, "collect", "-w", ws, resent, "--received-at", "2014-07-06T09:00")
    assert again.exit_code == 0, again.output
    assert state(rs, ws) == {"late"} and reported(rs, ws, tmp_path) == 1
    subs = json.loads(run(rs, "history", "-w", ws, "-p", JUNE, "--json").stdout)["submissions"]
    assert [s["status"] for s in subs] == ["superseded", "accepted"]
    assert subs[0]["review"] == "returned"


def test_force__a_rejected_return_counts_and_reopen_takes_it_back(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    def broken(wb, r: Returns) -> None:
        form = "projects_progress"
        key = r.keys(form)[0]
        wb[r.sheet(form)][r.cell(form, key, "ytd_investment")] = -5

    bad = rs.june("broken", broken)
    res = run(rs, "collect", "-w", ws, bad, "--received-at", "2014-07-04T10:00")
    assert res.exit_code == 1  # rejected; the first June return still counts
    assert state(rs, ws) == {"on_time"}
    forced = run(
        rs,
        "review",
        "force",
        "-w",
        ws,
        "-p",
        JUNE,
        "--dept",
        DEPT,
        "--reason",
        "电话核实：负数为冲减上月多报",
        "--json",
    )
    assert forced.exit_code == 0, forced.output
    sub = json.loads(forced.stdout)["submission"]
    assert sub["status"] == "rejected" and sub["review"] == "forced"
    res = run(rs, "status", "-w", ws, "-p", JUNE, "--json")
    (d,) = [d for d in json.loads(res.stdout)["departments"] if d["department"] == DEPT]
    assert {f["submission_id"] for f in d["forms"]} == {sub["id"]}  # the forced one counts
    assert run(rs, "review", "reopen", "-w", ws, "-p", JUNE, "--dept", DEPT).exit_code == 0
    res = run(rs, "status", "-w", ws, "-p", JUNE, "--json")
    (d,) = [d for d in json.loads(res.stdout)["departments"] if d["department"] == DEPT]
    assert sub["id"] not in {f["submission_id"] for f in d["forms"]}
    approve = run(rs, "review", "approve", "-w", ws, "-p", JUNE, "--dept", DEPT, "--by", "李四")
    assert approve.exit_code == 0
    table = run(rs, "history", "-w", ws, "-p", JUNE)
    assert "审核通过" in table.output


# the other departments of this workspace have not reported: signed with a note
ANYWAY = ("--anyway", "--note", "其余单位未完结，先行签发")


def test_signoff__freezes_the_period_until_withdrawn(rs: Returns, ws: Path, tmp_path: Path) -> None:
    import openpyxl

    res = run(rs, "signoff", "-w", ws, "-p", JUNE, "--by", "王局长", *ANYWAY, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["signed"] is True
    assert run(rs, "signoff", "-w", ws, "-p", JUNE).exit_code == 2  # already signed

    # nothing changes the signed figures: a new return is refused, review is closed
    def later(wb, r: Returns) -> None:
        form = "indicators_monthly"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "note")] = "签发后又报"

    res = run(rs, "collect", "-w", ws, rs.june("late", later), "--received-at", "2014-07-12T09:00")
    assert res.exit_code == 1 and "签发" in res.output
    refused = run(rs, "review", "return", "-w", ws, "-p", JUNE, "--dept", DEPT, "--reason", "复核")
    assert refused.exit_code == 2 and "签发" in refused.output
    out = tmp_path / "signed.xlsx"
    assert run(rs, "consolidate", "-w", ws, "-p", JUNE, "-o", out).exit_code == 0
    dash = openpyxl.load_workbook(out, data_only=True)["总览"]
    assert str(facts_of(dash)["签发"]).startswith("已签发：王局长")
    # withdrawing needs a reason; then the period takes returns again
    assert run(rs, "signoff", "-w", ws, "-p", JUNE, "--withdraw").exit_code == 2
    back = run(rs, "signoff", "-w", ws, "-p", JUNE, "--withdraw", "--note", "财政局更正")
    assert back.exit_code == 0
    res = run(rs, "collect", "-w", ws, rs.june("late2", later), "--received-at", "2014-07-13T09:00")
    assert res.exit_code == 0, res.output


def test_signoff__the_summary_stays_what_was_signed_when_an_earlier_month_is_corrected(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    """June's summary shows 1–6月; a May correction collected after June's sign-off changes
    May's own summary, never the signed June one (byte for byte)."""
    import copy

    import openpyxl

    from tianbao.dev.simulate import fill_workbook

    assert run(rs, "signoff", "-w", ws, "-p", JUNE, "--by", "王局长", *ANYWAY).exit_code == 0
    signed, again = tmp_path / "signed.xlsx", tmp_path / "again.xlsx"
    assert run(rs, "consolidate", "-w", ws, "-p", JUNE, "-o", signed).exit_code == 0
    form = "indicators_monthly"
    key = rs.keys(form)[0]
    fills = copy.deepcopy(rs.fills["2014-05"])
    at = rs.cell(form, key, "ytd")
    old = fills[rs.sheet(form)][at]
    fills[rs.sheet(form)][at] = old + 1
    may = fill_workbook(rs.templates["2014-05"], tmp_path / "may" / "更正.xlsx", fills)
    res = run(rs, "collect", "-w", ws, may, "--corrections", "--received-at", "2014-07-20T09:00")
    assert res.exit_code == 0, res.output
    assert run(rs, "consolidate", "-w", ws, "-p", JUNE, "-o", again).exit_code == 0

    assert again.read_bytes() == signed.read_bytes()
    trend = openpyxl.load_workbook(again, data_only=True)["趋势"]
    (row,) = [r for r in trend.iter_rows(values_only=True) if r[0] == key]
    assert row[4 + 4] == old  # May as signed
    may_summary = tmp_path / "may.xlsx"
    assert run(rs, "consolidate", "-w", ws, "-p", "2014-05", "-o", may_summary).exit_code == 0
    detail = openpyxl.load_workbook(may_summary, data_only=True)["主要指标"]
    (mine,) = [r for r in detail.iter_rows(values_only=True) if r[0] == key]
    assert mine[9] == old + 1  # the correction counts for May
