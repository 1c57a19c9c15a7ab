"""Which return counts, and when it arrived: receipt times per file in the district's
time, no silent choice between versions, rounds and corrections of past periods."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import Ledger

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("rounds"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    copy_workspace(rs.ws, dst)
    return dst


def note(text: str) -> Any:
    """A version of the return whose 说明 of the first indicator says ``text``."""

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        form = "indicators_monthly"
        cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "note")]
        cell.value = text

    return mutate


def collect(rs: Returns, ws: Path, *args: Any) -> tuple[int, dict[str, Any]]:
    res = tianbao(rs.runner, "collect", "-w", ws, *args, "--json")
    assert "Traceback" not in res.output
    return res.exit_code, json.loads(res.stdout)


def counting_note(ws: Path, period: str = "2014-06") -> str:
    with Ledger(ws) as ledger:
        (sub,) = ledger.latest_accepted(period)
        values = {(v.form, v.row_key, v.field): v.value for v in ledger.values(sub.id)}
    return next((v for (_f, _k, field), v in values.items() if field == "note" and v), "")


def two_versions(rs: Returns, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A folder with the first version and the correction a mail client saved as "(1)"."""
    folder = tmp_path / "mail"
    folder.mkdir()
    first = folder / rs.templates["2014-06"].name
    second = folder / (first.stem + "(1).xlsx")
    shutil.copyfile(rs.june("v1", note("初报")), first)
    shutil.copyfile(rs.june("v2", note("更正后")), second)
    return folder, first, second


def test_correction_saved_as_1__wins_by_receipt_time_not_name(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    folder, first, second = two_versions(rs, tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,received_at\n"
        f"mail/{first.name},2014-07-03 09:00\n"
        f"mail/{second.name},2014-07-03 15:30\n",
        encoding="utf-8",
    )
    code, data = collect(rs, ws, folder, "--manifest", manifest)
    assert code == 0, data
    assert counting_note(ws) == "更正后"  # "(1)" sorts first by name; its later time wins
    with Ledger(ws) as ledger:
        times = {s.file_name: (s.received_at, s.received_source) for s in ledger.history()}
    assert times[second.name] == ("2014-07-03T15:30:00+08:00", "manifest")


def test_two_versions_at_the_same_time__the_second_refused_naming_both(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    folder, _, _ = two_versions(rs, tmp_path)
    code, data = collect(rs, ws, folder, "--received-at", "2014-07-03T10:00")
    assert code == 1
    by_name = {f["file_name"]: f for f in data["files"]}
    refused = [f for f in data["files"] if f["status"] == "refused"]
    assert len(refused) == 1
    (kept,) = [n for n in by_name if by_name[n]["status"] == "accepted"]
    (other,) = [n for n in by_name if n != kept]
    assert kept in refused[0]["message"] and "--manifest" in refused[0]["message"]
    assert by_name[other] is refused[0]
    with Ledger(ws) as ledger:
        assert [s.file_name for s in ledger.history()] == [kept]  # nothing silently chosen


def test_file_named_for_another_department__refused_never_supersedes(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    code, _ = collect(rs, ws, rs.june("own"), "--received-at", "2014-07-03T10:00")
    assert code == 0
    mixed = tmp_path / "2014-06_GXJ_解放区工业和信息化局.xlsx"  # RSJ's template inside
    shutil.copyfile(rs.june("mixed", note("别人的")), mixed)
    code, data = collect(rs, ws, mixed, "--received-at", "2014-07-04T10:00")
    assert code == 1
    (f,) = data["files"]
    assert f["status"] == "rejected" and f["superseded"] == []
    (finding,) = [x for x in f["report"]["findings"] if x["code"] == "ID_NAME_OTHER_DEPARTMENT"]
    assert "工业和信息化局" in finding["message"] and "人力资源和社会保障局" in finding["message"]
    assert counting_note(ws) != "别人的"  # RSJ's own accepted return still counts


@pytest.mark.slow
def test_past_period_template__refused_without_corrections__更正_with_them(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    code, _ = collect(rs, ws, rs.previous, "--received-at", "2014-06-04T10:00")
    assert code == 0  # May's return in May's round (received in June)
    code, _ = collect(rs, ws, rs.june("june"), "--received-at", "2014-07-03T10:00")
    assert code == 0
    # May's template refilled and sent in July: not silently a correction of May
    may_again = tmp_path / rs.previous.name
    wb = openpyxl.load_workbook(rs.previous)
    form = "indicators_monthly"
    wb[rs.sheet(form)][rs.cell(form, rs.keys(form)[0], "note")] = "五月更正"
    wb.save(may_again)
    code, data = collect(rs, ws, may_again, "--received-at", "2014-07-08T10:00")
    assert code == 1
    (f,) = data["files"]
    assert f["status"] == "refused" and "--corrections" in f["message"]
    assert "2014年5月" in f["message"]
    with Ledger(ws) as ledger:
        (may,) = ledger.latest_accepted("2014-05")
        assert may.file_name == rs.previous.name and not may.correction

    code, data = collect(rs, ws, may_again, "--received-at", "2014-07-08T10:00", "--corrections")
    assert code == 0, data
    (f,) = data["files"]
    assert f["correction"] is True and f["period"] == "2014-05"
    assert counting_note(ws, "2014-05") == "五月更正"
    res = tianbao(rs.runner, "status", "-w", ws, "--period", "2014-05", "--json")
    forms = [
        x
        for d in json.loads(res.stdout)["departments"]
        if d["department"] == DEPT
        for x in d["forms"]
    ]
    assert forms and all(x["correction"] is True for x in forms)
    assert counting_note(ws, "2014-06") != "五月更正"  # June untouched
    # May's summary after the correction: marked 更正, and every cached value as
    # LibreOffice recalculates it
    out = tmp_path / "may.xlsx"
    res = tianbao(rs.runner, "consolidate", "-w", ws, "--period", "2014-05", "-o", out)
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out, data_only=True)["报送情况"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("（更正）" in t for t in texts)
    from lo import lo_available
    from test_consolidate import _formula_cells_agree

    if lo_available()[0] or os.environ.get("CI"):
        assert _formula_cells_agree(out, tmp_path) > 100


@pytest.mark.parametrize(
    ("received", "state", "days"),
    [
        ("2014-07-05T23:30:00", "on_time", 0),  # local, the deadline day
        ("2014-07-05T23:30:00+00:00", "late", 1),  # 07:30 in Beijing the day after
        ("2014-07-05T15:59:00Z", "on_time", 0),  # 23:59 in Beijing
        ("2014-07-06T07:30", "late", 1),
    ],
)
def test_lateness__judged_on_the_local_date(
    rs: Returns, ws: Path, received: str, state: str, days: int
) -> None:
    code, _ = collect(rs, ws, rs.june("late"), "--received-at", received)
    assert code == 0
    res = tianbao(rs.runner, "status", "-w", ws, "--period", "2014-06", "--json")
    forms = [
        f
        for d in json.loads(res.stdout)["departments"]
        if d["department"] == DEPT
        for f in d["forms"]
    ]
    assert {(f["state"], f["days_late"]) for f in forms} == {(state, days)}


def test_received_from_mtime__each_file_its_own_time(rs: Returns, ws: Path, tmp_path: Path) -> None:
    folder, first, second = two_versions(rs, tmp_path)
    # 2014-07-03 09:00 and 15:30 in Beijing, as the mail client stamped the files
    os.utime(first, (1404349200, 1404349200))
    os.utime(second, (1404372600, 1404372600))
    code, data = collect(rs, ws, folder, "--received-from", "mtime")
    assert code == 0, data
    assert counting_note(ws) == "更正后"
    with Ledger(ws) as ledger:
        assert {s.received_at for s in ledger.history()} == {
            "2014-07-03T09:00:00+08:00",
            "2014-07-03T15:30:00+08:00",
        }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("file,when\nx.xlsx,2014-07-03\n", "file,received_at"),
        ("file,received_at\nx.xlsx,yesterday\n", "第 2 行"),
        ("file,received_at\nx.xlsx\n", "两栏"),
    ],
)
def test_bad_manifest__exit_2_naming_the_line(
    rs: Returns, ws: Path, tmp_path: Path, text: str, says: str
) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, "--manifest", manifest)
    assert res.exit_code == 2 and says in res.output, res.output


def test_history__both_versions_listed_the_older_superseded(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    _, first, second = two_versions(rs, tmp_path)
    collect(rs, ws, first, "--received-at", "2014-07-03T10:00")
    code, _ = collect(rs, ws, second, "--received-at", "2014-07-04T09:30")
    assert code == 0
    res = tianbao(rs.runner, "history", "-w", ws, "--period", "2014-06", "--json")
    assert res.exit_code == 0, res.output
    subs = json.loads(res.stdout)["submissions"]
    assert [s["file_name"] for s in subs] == [first.name, second.name]
    assert subs[0]["status"] == "superseded" and subs[0]["superseded_by"] == subs[1]["id"]
    table = tianbao(rs.runner, "history", "-w", ws, "--dept", DEPT)
    assert "已被替代 → #" in table.output and "2014-07-04 09:30" in table.output
    bad = tianbao(rs.runner, "history", "-w", ws, "--period", "2014-13")
    assert bad.exit_code == 2 and "Traceback" not in bad.output
