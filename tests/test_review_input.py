"""What the review room accepts and prints, through the CLI: a 退回通知 that cannot be
written leaves no decision; a period is signed off only once it has ended and something
counts; who, why and when are checked before they reach the ledger and escaped when
they leave it; the reading commands read an older ledger."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import ledger_path
from tianbao.support.pausepoint import ENV as PAUSE_ENV

DEPT, JUNE = "RSJ", "2014-06"
RETURN = ("review", "return", "-p", JUNE, "--dept", DEPT, "--reason", "复核")


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("review-input"), DEPT)


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


def count(ws: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(ledger_path(ws))) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def notices(where: Path) -> list[Path]:
    return sorted(where.rglob("*.退回通知*.xlsx"))


# -- the 退回通知 before the decision ------------------------------------------------------
def test_return__notice_folder_unusable__no_decision_and_a_rerun_writes_it(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    (tmp_path / "some-file").write_text("not a folder")
    bad = run(rs, *RETURN, "-w", ws, "--out", tmp_path / "some-file" / "sub")
    assert bad.exit_code == 2, bad.output
    assert count(ws, "reviews") == 0  # exit 2: nothing changed
    good = run(rs, *RETURN, "-w", ws, "--out", tmp_path / "notices")
    assert good.exit_code == 0, good.output
    assert count(ws, "reviews") == 1
    (notice,) = notices(tmp_path / "notices")
    assert not [p for p in notice.parent.iterdir() if p != notice]  # no draft left


@pytest.mark.slow  # a killed process: see pyproject's markers
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_return__killed_with_the_notice_drafted__no_decision_and_a_rerun_writes_it(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "decided"
    env = dict(os.environ, **{PAUSE_ENV: f"decided:1:{marker}"})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    out = tmp_path / "notices"
    args = [*RETURN, "-w", str(ws), "--out", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "tianbao.cli", *args], env=env)
    limit = time.monotonic() + 120
    while not marker.exists():  # the decision written and its notice drafted, not committed
        assert proc.poll() is None and time.monotonic() < limit
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert count(ws, "reviews") == 0 and notices(out) == []
    again = run(rs, *RETURN, "-w", ws, "--out", out)
    assert again.exit_code == 0, again.output
    assert count(ws, "reviews") == 1 and len(notices(out)) == 1


# -- a sign-off that would lock nothing ----------------------------------------------------
@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("-p", JUNE, "--as-of", "2014-06-30"), "尚未结束", "has not ended"),
        (("-p", "2014-08"), "没有计入的报表", "no counting return"),
    ],
)
def test_signoff__period_not_ended_or_nothing_counted__refused(
    rs: Returns, ws: Path, args: tuple[str, ...], zh: str, en: str
) -> None:
    res = run(rs, "signoff", "-w", ws, *args)
    assert res.exit_code == 1 and zh in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1
    english = run(rs, "--lang", "en", "signoff", "-w", ws, *args)
    assert english.exit_code == 1 and en in english.output, english.output
    assert count(ws, "signoffs") == 0


def test_signoff__withdraw_and_twice__refused_in_one_language_each(rs: Returns, ws: Path) -> None:
    """A second sign-off and a withdrawal without a note say so in the language asked for."""
    sign = ("signoff", "-w", ws, "-p", JUNE)
    assert run(rs, *sign, "--anyway", "--note", "先签", "--by", "科长").exit_code == 0
    for lang, cjk in (("zh", True), ("en", False)):
        for args in (("--anyway", "--note", "再签"), ("--withdraw",)):
            res = run(rs, "--lang", lang, *sign, *args)
            assert res.exit_code == 2, res.output
            said = res.output.replace("科长", "")  # the name is data, in either language
            assert any("\u4e00" <= ch <= "\u9fff" or ch == "：" for ch in said) is cjk, said
            assert re.search(r"\dT\d", said) is None, said  # a time as people write it
    assert count(ws, "signoffs") == 1


def test_signoff__refused_as_of_month_end__collect_still_takes_june(rs: Returns, ws: Path) -> None:
    assert run(rs, "signoff", "-w", ws, "-p", JUNE, "--as-of", "2014-06-30").exit_code == 1
    later = rs.june("later", lambda wb, _rs: wb.properties.__setattr__("title", "again"))
    res = run(rs, "collect", "-w", ws, later, "--received-at", "2014-07-04T10:00")
    assert res.exit_code == 0, res.output


# -- who, why and when ---------------------------------------------------------------------
APPROVE = ("review", "approve", "-p", JUNE, "--dept", DEPT)
BAD_INPUT = [
    pytest.param((*APPROVE, "--by", "\x1b]0;pwned\x07"), id="by-escape-sequence"),
    pytest.param((*APPROVE, "--by", ""), id="by-empty"),
    pytest.param((*APPROVE, "--by", "张\n三"), id="by-newline"),
    pytest.param((*APPROVE, "--by", "张" * 34_000), id="by-34000"),
    pytest.param((*RETURN[:-1], "\u202e因原报有误"), id="reason-bidi-override"),
    pytest.param((*RETURN[:-1], "\x1b[2J复核"), id="reason-clear-screen"),
    pytest.param((*RETURN[:-1], "复" * 2001), id="reason-2001"),
    pytest.param((*RETURN, "--due", "2014-06-15"), id="due-within-the-period"),
    pytest.param(("signoff", "-p", JUNE, "--by", "\x9b31m"), id="signoff-by-c1"),
    pytest.param(("signoff", "-p", JUNE, "--note", "\u2066note"), id="signoff-note-isolate"),
]


@pytest.mark.slow
@pytest.mark.parametrize("args", BAD_INPUT)
def test_names_reasons_dates__refused_before_the_ledger(
    rs: Returns, ws: Path, args: tuple[str, ...]
) -> None:
    res = run(rs, *args, "-w", ws)
    assert res.exit_code == 2, res.output
    assert len(res.output.strip().splitlines()) == 1 and len(res.output) < 400
    assert "\x1b" not in res.output and "\u202e" not in res.output
    assert count(ws, "reviews") == 0 and count(ws, "signoffs") == 0


def test_history__raw_text_of_an_older_ledger__escaped(rs: Returns, ws: Path) -> None:
    raw = "\x1b]0;pwned\x07\x1b[2J"
    with contextlib.closing(sqlite3.connect(ledger_path(ws))) as conn, conn:
        conn.execute(
            "INSERT INTO reviews(submission_id, action, reason, by, at) "
            "VALUES (2, 'approved', ?, ?, '2014-07-05T10:00:00+08:00')",
            (f"理由{raw}\u202e", f"张三{raw}"),
        )
        conn.execute(
            "INSERT INTO signoffs(period, action, by, at, note) "
            "VALUES (?, 'signed', ?, '2014-07-06T10:00:00+08:00', ?)",
            (JUNE, f"王{raw}", f"说明{raw}"),
        )
    res = run(rs, "history", "-w", ws)
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output and "\u202e" not in res.output
    assert "\\x1b" in res.output and "\\u202e" in res.output


def test_history__brackets_in_a_reason__printed_as_typed(
    rs: Returns, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reason is data, not rich markup: 「[/b]」 once made history crash in a terminal."""
    res = run(rs, *APPROVE, "-w", ws, "--reason", "见附件[/b][red]")
    assert res.exit_code == 0, res.output
    monkeypatch.setenv("COLUMNS", "200")  # drawn as a table, as on a terminal
    res = run(rs, "history", "-w", ws)
    assert res.exit_code == 0, res.output
    assert "见附件[/b][red]" in res.output


# -- an older ledger, read -------------------------------------------------------------------
def schema_1(ws: Path) -> None:
    """Take the ledger back to schema 1 (before receipt sources, reviews, sign-offs)."""
    with contextlib.closing(sqlite3.connect(ledger_path(ws))) as conn:
        conn.executescript(
            "DROP TABLE reviews; DROP TABLE signoffs; "
            "ALTER TABLE submissions DROP COLUMN received_source; "
            "ALTER TABLE submissions DROP COLUMN correction; PRAGMA user_version = 1;"
        )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("status", "-p", JUNE), id="status"),
        pytest.param(("history",), id="history"),
        pytest.param(("consolidate", "-p", JUNE, "-o", "{tmp}/summary.xlsx"), id="consolidate"),
        pytest.param(
            ("generate", "-p", "2014-07", "--dept", DEPT, "-o", "{tmp}/out"), id="generate"
        ),
    ],
)
def test_schema_1_ledger__read_only_commands_read_it_and_leave_it(
    rs: Returns, ws: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    schema_1(ws)
    res = run(rs, *(a.format(tmp=tmp_path) for a in args), "-w", ws)
    assert res.exit_code == 0, res.output
    assert "no such column" not in res.output
    with contextlib.closing(sqlite3.connect(ledger_path(ws))) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)  # untouched
