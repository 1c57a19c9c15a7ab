"""tianbao collect through the CLI: validation, the ledger, the archive, superseding,
and the previous period the ledger gives the across-period rules."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import tianbao
from returns import Returns
from tianbao.ledger.archive import archive_file
from tianbao.ledger.db import SCHEMA_VERSION, Ledger, ledger_path

DEPT = "RSJ"  # answers for all four forms in the sample
JUNE_OK = "2014-07-03T10:00:00"
STORED = JUNE_OK + "+08:00"  # a time given without offset is the district's (Asia/Shanghai)


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("ledger"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    """A fresh copy of the returns' workspace (same signing key), with an empty ledger."""
    dst = tmp_path / "ws"
    shutil.copytree(rs.ws, dst, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    return dst


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(rs: Returns, ws: Path, *args: str | Path, at: str = JUNE_OK) -> tuple[int, Any]:
    res = tianbao(rs.runner, "collect", "-w", ws, *args, "--received-at", at, "--json")
    return res.exit_code, json.loads(res.stdout)


def set_cell(
    wb: openpyxl.Workbook, r: Returns, form: str, row: int, field: str, value: Any
) -> None:
    cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[row], field)]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def rows(ws: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ledger_path(ws)) as conn:
        return conn.execute(sql, params).fetchall()


def test_collect__correct_return__accepted_archived_recorded(rs: Returns, ws: Path) -> None:
    june = rs.june("ok")
    code, data = collect(rs, ws, june)
    assert code == 0, data
    (f,) = data["files"]
    assert (f["status"], f["department"], f["period"], f["duplicate"]) == (
        "accepted",
        DEPT,
        "2014-06",
        False,
    )
    with Ledger(ws) as ledger:
        sub = ledger.submission(f["submission_id"])
        assert sub is not None
        assert (sub.sha256, sub.file_name, sub.size) == (sha(june), june.name, june.stat().st_size)
        assert sub.received_at == STORED and sub.received_source == "option"
        assert sub.archive_path == f"archive/{sub.sha256[:2]}/{sub.sha256}.xlsx"
        assert set(sub.forms) == {
            "indicators_monthly",
            "projects_progress",
            "livelihood_progress",
            "tasks_progress",
        }
        assert sub.template_id.endswith("2014-06-RSJ")
        assert sub.errors == 0 and sub.report["status"] == "accepted"
        # no previous period in the ledger yet: noted, not blocking
        assert [x["code"] for x in sub.report["findings"]] == ["RULE_NO_PREVIOUS"]
        assert ledger.integrity_check() == ["ok"]
        values = ledger.values(sub.id)
        assert {v.form for v in values} == set(sub.forms)
        key = rs.keys("projects_progress")[0]
        ytd = next(
            v
            for v in values
            if v.form == "projects_progress" and v.row_key == key and v.field == "ytd_investment"
        )
        cell = rs.cell("projects_progress", key, "ytd_investment")
        assert (ytd.sheet, ytd.cell) == (rs.sheet("projects_progress"), cell)
        assert ytd.value == pytest.approx(rs.fills["2014-06"][ytd.sheet][cell])
        assert [s.id for s in ledger.latest_accepted("2014-06")] == [sub.id]
    archived = archive_file(ws, sub.archive_path)
    assert archived.read_bytes() == june.read_bytes()
    assert sha(archived) == sub.sha256
    assert rows(ws, "PRAGMA journal_mode") == [("wal",)]
    assert rows(ws, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_collect__human_output__one_line_per_file(rs: Returns, ws: Path) -> None:
    june = rs.june("human")
    res = tianbao(rs.runner, "collect", "-w", ws, june, "--received-at", JUNE_OK)
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [f"通过\t{DEPT}\t2014-06\t#1\t{june}"]
    assert "新登记 1（通过 1，退回 0）" in res.stderr and "recorded" not in res.stderr
    again = tianbao(rs.runner, "--lang", "en", "collect", "-w", ws, june, "--received-at", JUNE_OK)
    assert again.stdout.splitlines() == [f"accepted (duplicate)\t{DEPT}\t2014-06\t#1\t{june}"]
    assert "0 recorded (0 accepted, 0 rejected), 1 duplicate(s)" in again.stderr


def test_collect__same_bytes_twice__recorded_once(rs: Returns, ws: Path, tmp_path: Path) -> None:
    june = rs.june("twice")
    copy = tmp_path / "copy" / "renamed.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(june, copy)
    _, first = collect(rs, ws, june)
    code, again = collect(rs, ws, june, copy, at="2014-07-04T10:00:00")
    assert code == 0
    assert [(f["duplicate"], f["submission_id"], f["status"]) for f in again["files"]] == [
        (True, first["files"][0]["submission_id"], "accepted")
    ] * 2
    assert again["summary"]["recorded"] == 0 and again["summary"]["duplicates"] == 2
    assert rows(ws, "SELECT count(*), min(received_at) FROM submissions") == [(1, STORED)]
    assert len(list((ws / "archive").rglob("*.xlsx"))) == 1


def _note(text: str) -> Any:
    return lambda wb, r: set_cell(wb, r, "projects_progress", 0, "note", text)


def test_collect__second_accepted_return__supersedes_first(rs: Returns, ws: Path) -> None:
    first, second = rs.june("v1"), rs.june("v2", _note("已按新口径更正"))
    assert sha(first) != sha(second)
    _, a = collect(rs, ws, first)
    code, b = collect(rs, ws, second, at="2014-07-04T09:00:00")
    assert code == 0
    id1, id2 = a["files"][0]["submission_id"], b["files"][0]["submission_id"]
    assert b["files"][0]["superseded"] == [id1]
    with Ledger(ws) as ledger:
        old, new = ledger.submission(id1), ledger.submission(id2)
        assert old is not None and new is not None
        assert (old.status, old.superseded_by) == ("superseded", id2)
        assert (new.status, new.superseded_by) == ("accepted", None)
        assert [s.id for s in ledger.latest_accepted("2014-06")] == [id2]
        assert [s.id for s in ledger.history(DEPT, "2014-06")] == [id1, id2]  # history kept
        assert archive_file(ws, old.archive_path).is_file()
        note = [v.value for v in ledger.values(id2) if v.field == "note"]
        assert "已按新口径更正" in note


def test_collect__older_return_collected_later__does_not_win(rs: Returns, ws: Path) -> None:
    """Back-filling in the wrong order: the latest received return still counts."""
    first, second = rs.june("late1"), rs.june("late2", _note("更正"))
    _, b = collect(rs, ws, second, at="2014-07-04T09:00:00")
    _, a = collect(rs, ws, first, at="2014-07-03T09:00:00")
    id_new, id_old = b["files"][0]["submission_id"], a["files"][0]["submission_id"]
    assert a["files"][0]["status"] == "superseded"
    with Ledger(ws) as ledger:
        assert [s.id for s in ledger.latest_accepted("2014-06")] == [id_new]
        assert ledger.submission(id_old).superseded_by == id_new  # type: ignore[union-attr]


def test_collect__rejected_return__does_not_supersede(rs: Returns, ws: Path) -> None:
    good = rs.june("good")
    bad = rs.june("enum", lambda wb, r: set_cell(wb, r, "projects_progress", 0, "status", "进行中"))
    _, a = collect(rs, ws, good)
    code, b = collect(rs, ws, bad, at="2014-07-04T09:00:00")
    assert code == 1
    (f,) = b["files"]
    assert (f["status"], f["department"], f["period"]) == ("rejected", DEPT, "2014-06")
    assert "SCHEMA_ENUM" in [x["code"] for x in f["report"]["findings"]]
    with Ledger(ws) as ledger:
        assert [s.id for s in ledger.latest_accepted("2014-06")] == [a["files"][0]["submission_id"]]
        assert ledger.submission(a["files"][0]["submission_id"]).status == "accepted"  # type: ignore[union-attr]
        rejected = ledger.submission(f["submission_id"])
        assert rejected is not None and rejected.errors >= 1
        assert ledger.values(rejected.id), "a rejected return's values are kept too"
    # a rejected return alone is never offered as accepted
    code, _ = collect(rs, ws, bad)
    assert code == 1  # a duplicate of a rejected return is still rejected


def test_collect__rejected_only__latest_accepted_empty(rs: Returns, ws: Path) -> None:
    bad = rs.june(
        "enum_only", lambda wb, r: set_cell(wb, r, "projects_progress", 0, "status", "进行中")
    )
    collect(rs, ws, bad)
    with Ledger(ws) as ledger:
        assert ledger.latest_accepted("2014-06") == []
        assert ledger.previous_records(DEPT, "2014-07") is None


def _may_ytd(rs: Returns) -> float:
    key = rs.keys("projects_progress")[0]
    sheet = rs.sheet("projects_progress")
    return rs.fills["2014-05"][sheet][rs.cell("projects_progress", key, "ytd_investment")]


def test_collect__ytd_below_previous_in_ledger__rejected(rs: Returns, ws: Path) -> None:
    lower = _may_ytd(rs) - 10
    assert lower > 0
    june = rs.june(
        "ytd_down", lambda wb, r: set_cell(wb, r, "projects_progress", 0, "ytd_investment", lower)
    )
    code, may = collect(rs, ws, rs.previous, at="2014-06-04T10:00:00")
    assert code == 0 and may["files"][0]["period"] == "2014-05"
    code, data = collect(rs, ws, june)
    assert code == 1
    findings = data["files"][0]["report"]["findings"]
    key = rs.keys("projects_progress")[0]
    hit = [
        x for x in findings if x["code"] == "RULE_FAILED" and x["rule"] == "PRJ_YTD_NOT_DECREASING"
    ]
    assert hit, findings
    assert hit[0]["cell"] == rs.cell("projects_progress", key, "ytd_investment")
    assert "RULE_NO_PREVIOUS" not in [x["code"] for x in findings]


def test_collect__previous_from_ledger__correct_june_has_no_note(rs: Returns, ws: Path) -> None:
    """The file name does not say the period: the identity does, and the ledger is asked."""
    june = rs.june("renamed", file_name="return.xlsx")
    collect(rs, ws, rs.previous, at="2014-06-04T10:00:00")
    code, data = collect(rs, ws, june)
    assert code == 0, data
    assert "RULE_NO_PREVIOUS" not in [x["code"] for x in data["files"][0]["report"]["findings"]]


def test_previous_records__equal_the_validated_may_records(rs: Returns, ws: Path) -> None:
    from tianbao.validate.engine import Validator, records_by_key
    from tianbao.workspace import open_workspace

    collect(rs, ws, rs.previous, at="2014-06-04T10:00:00")
    expected = records_by_key(Validator(open_workspace(ws)).validate(rs.previous))
    with Ledger(ws) as ledger:
        assert ledger.previous_records(DEPT, "2014-06") == expected
        assert ledger.previous_records(DEPT, "2014-05") is None  # April: nothing
        assert ledger.previous_records("FGW", "2014-06") is None
        assert ledger.previous_records(DEPT, "2014-01") is None  # no previous period


def test_collect__unreadable_file__archived_and_rejected(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "in" / "报表.xlsx"
    junk.parent.mkdir()
    junk.write_bytes(b"this is not a workbook\n" * 10)
    code, data = collect(rs, ws, junk.parent)
    assert code == 1
    (f,) = data["files"]
    assert (f["status"], f["department"], f["period"]) == ("rejected", "", "")
    assert archive_file(ws, f["archive_path"]).read_bytes() == junk.read_bytes()
    assert rows(ws, "SELECT department, forms, status FROM submissions") == [("", "", "rejected")]


def test_collect__folder__files_in_sorted_order(rs: Returns, ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    june = rs.june("folder")
    shutil.copyfile(june, folder / june.name)
    shutil.copyfile(rs.previous, folder / rs.previous.name)
    code, data = collect(rs, ws, folder)
    assert code == 0
    assert [f["period"] for f in data["files"]] == ["2014-05", "2014-06"]
    # May first, so June was checked against it
    assert "RULE_NO_PREVIOUS" not in [x["code"] for x in data["files"][1]["report"]["findings"]]


def test_collect__usage_errors__exit_2(rs: Returns, ws: Path, tmp_path: Path) -> None:
    res = tianbao(rs.runner, "collect", "-w", ws, tmp_path / "nope.xlsx")
    assert res.exit_code == 2 and "nope.xlsx" in res.stderr
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, "--received-at", "昨天")
    assert res.exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert tianbao(rs.runner, "collect", "-w", ws, empty).exit_code == 2
    assert tianbao(rs.runner, "collect", "-w", tmp_path / "no-ws", rs.previous).exit_code == 2
    assert not ledger_path(ws).exists() or rows(ws, "SELECT count(*) FROM submissions") == [(0,)]


def test_archive__existing_file_never_overwritten(rs: Returns, ws: Path) -> None:
    from tianbao.ledger.archive import store
    from tianbao.ledger.db import LedgerError

    data = rs.previous.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    rel = store(ws, data, digest, ".xlsx")
    assert store(ws, data, digest, ".XLSX") == rel  # same name, same bytes: nothing written
    target = archive_file(ws, rel)
    target.write_bytes(b"tampered")
    with pytest.raises(LedgerError):
        store(ws, data, digest, ".xlsx")
    assert target.read_bytes() == b"tampered"
    assert not [p for p in target.parent.iterdir() if p != target]  # no temp file left


def test_ledger_of_schema_1__migrated_in_place_rows_kept(tmp_path: Path) -> None:
    import sqlite3

    from tianbao.ledger.db import SCHEMA, ledger_path

    v1 = SCHEMA.replace("report_json TEXT NOT NULL,", "report_json TEXT NOT NULL").replace(
        "  received_source TEXT NOT NULL DEFAULT '', -- where received_at came from: option, "
        "manifest, mtime, now\n  correction INTEGER NOT NULL DEFAULT 0     -- 1: a correction "
        "of a past period (更正), asked for\n",
        "",
    )
    assert "received_source" not in v1
    db = ledger_path(tmp_path)
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(v1 + "PRAGMA user_version = 1;")
        conn.execute(
            "INSERT INTO submissions(sha256, file_name, archive_path, size, received_at, "
            "status, errors, warnings, notes, report_json) VALUES "
            "('ab', 'f.xlsx', 'archive/ab/ab.xlsx', 1, '2014-07-03T10:00:00', 'rejected', "
            "1, 0, 0, '{}')"
        )
    conn.close()
    with Ledger(tmp_path) as ledger:
        (sub,) = ledger.history()
        assert (sub.file_name, sub.received_source, sub.correction) == ("f.xlsx", "", False)
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_ledger_of_schema_3__sign_offs_gain_what_they_saw(tmp_path: Path) -> None:
    """A schema-3 sign-off stays signed, with nothing known of what it saw (None); a new
    one records the last submission and review ids."""
    import sqlite3

    from tianbao.ledger.db import REVIEWS_SCHEMA, SCHEMA, ledger_path

    # the reviews and signoffs tables as schema 3 made them
    v3 = """
    CREATE TABLE reviews(id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL,
      action TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', by TEXT NOT NULL, at TEXT NOT NULL);
    CREATE TABLE signoffs(id INTEGER PRIMARY KEY, period TEXT NOT NULL, action TEXT NOT NULL,
      by TEXT NOT NULL, at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
    """
    assert "upto" in REVIEWS_SCHEMA and "outstanding" in REVIEWS_SCHEMA
    db = ledger_path(tmp_path)
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA + v3 + "PRAGMA user_version = 3;")
        conn.execute(
            "INSERT INTO signoffs(period, action, by, at) VALUES ('2014-05', 'signed', '王', 'x')"
        )
    conn.close()
    with Ledger(tmp_path) as ledger:
        assert ledger.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        old = ledger.signed_off("2014-05")
        assert old is not None and old["by"] == "王" and old["upto"] is None
        assert old["outstanding"] == []  # 5: what was open when signed (none recorded then)
        ledger.add_signoff("2014-06", "signed", "李", "y")
        new = ledger.signed_off("2014-06")
        assert new is not None and new["upto"] is None  # nothing recorded yet: 0, 0
