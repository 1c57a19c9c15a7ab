"""collect records returns in groups (collect.grouped): a kill inside a group loses
none it reported and records none without its archive file; and the ledger work per
collected return does not grow with the ledger (issue 34: collect at 10,000 returns).

The parent validates every file itself here (no forked workers: ``can_fork`` is
false), so the groups are known: all the departments' returns in one."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import ROOT
from test_collect_kill import assert_consistent, committed, sha, wait_for
from tianbao import api
from tianbao.dev.simulate import plausible_fill
from tianbao.dev.synthetic import make_synthetic_workspace
from tianbao.ledger.archive import temp_files
from tianbao.ledger.db import Ledger
from tianbao.plan.periods import Period
from tianbao.support.pausepoint import ENV as PAUSE_ENV
from tianbao.template.content import build_content
from tianbao.template.generate import file_name
from tianbao.template.writer import write_workbook
from tianbao.workspace import open_workspace

PERIOD = "2014-06"
ON_TIME = "2014-07-03T10:00:00"
DEPTS = 12

# (pause point, its k-th hit, submissions committed, returns reported, files archived
# at the kill): one group of twelve, whose archive files are all published before its
# transaction begins; nothing of it is committed before its one commit, and a return
# is reported only after that
KILLS = [
    ("archive", 5, 0, 0, 0),  # the fifth return's bytes in a temp file, the group unwritten
    ("transaction", 5, 0, 0, DEPTS),  # five returns inserted in the group's transaction
    ("between", 1, DEPTS, 1, DEPTS),  # the group committed, its first return reported
]


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic workspace of DEPTS departments and a folder of their June returns."""
    base = tmp_path_factory.mktemp("groups")
    ws_dir = make_synthetic_workspace(base / "ws", DEPTS, 2)
    ws = open_workspace(ws_dir).require_ok()
    assert ws.plan is not None
    forms = [ws.forms[f] for f in ws.plan.form_ids]
    inbox = base / "in"
    inbox.mkdir()
    for code in ws.plan.departments:
        content = build_content(ws.plan, forms, code, Period.parse(PERIOD), ws.secret())
        name = file_name(Period.parse(PERIOD), code, content.department.name)
        write_workbook(content, inbox / name, fills=plausible_fill(content))
    return ws_dir, inbox


def fresh(ws_dir: Path, tmp: Path) -> Path:
    import shutil

    dst = tmp / "ws"
    shutil.copytree(ws_dir, dst, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    return dst


def spawn_unforked(ws: Path, inbox: Path, extra: dict[str, str]) -> subprocess.Popen[bytes]:
    """``tianbao collect`` whose parent validates every file itself (one group)."""
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV} | extra
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    code = (
        "import tianbao.support.parallel as p; p.can_fork = lambda: False; "
        "from tianbao.cli import main; main()"
    )
    args = ["collect", "-w", str(ws), str(inbox), "--received-at", ON_TIME]
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


def reported(out: bytes) -> list[Path]:
    """The files a collect's lines report as recorded (a submission number, no 重复)."""
    lines = out.decode().splitlines()
    return [Path(line.split("\t")[-1]) for line in lines if "\t#" in line and "重复" not in line]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups")
@pytest.mark.parametrize(("point", "hit", "rows", "shown", "archived"), KILLS)
def test_collect__killed_in_a_group__reported_ones_committed(
    returns: tuple[Path, Path],
    tmp_path: Path,
    point: str,
    hit: int,
    rows: int,
    shown: int,
    archived: int,
) -> None:
    ws_dir, inbox = returns
    ws = fresh(ws_dir, tmp_path)
    marker = tmp_path / "paused"
    proc = spawn_unforked(ws, inbox, {PAUSE_ENV: f"{point}:{hit}:{marker}"})
    try:
        wait_for(f"the {point} pause", marker.exists, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    out, _ = proc.communicate()
    assert committed(ws) == rows
    assert assert_consistent(ws) == rows  # every committed return has its archived bytes
    said = reported(out)
    assert len(said) == shown
    with Ledger(ws) as ledger:  # every return reported is in the ledger
        assert all(ledger.by_sha256(sha(f)) is not None for f in said)
    assert bool(temp_files(ws)) == (point == "archive")  # bytes put, not yet published
    assert len(list((ws / "archive").rglob("*.xlsx"))) == archived  # temp files: *.tmp

    again = spawn_unforked(ws, inbox, {})
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert assert_consistent(ws) == DEPTS
    with Ledger(ws) as ledger:
        assert sorted(s.sha256 for s in ledger.history()) == sorted(map(sha, inbox.iterdir()))
    assert len(out.decode().splitlines()) == DEPTS


class Tally:
    """What the ledger's connection runs: statements (but the cell_values rows) and
    SQLite's virtual-machine steps, in units of ``STEP``."""

    STEP = 50

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.steps = 0

    def watch(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.set_trace_callback(self._said)
        conn.set_progress_handler(self._step, self.STEP)
        return conn

    def _said(self, sql: str) -> None:
        if not sql.startswith("INSERT INTO cell_values"):
            self.statements.append(re.sub(r"'[^']*'|\b\d+\b", "?", sql))

    def _step(self) -> int:
        self.steps += 1
        return 0

    def commits(self) -> int:
        return sum(s == "COMMIT" for s in self.statements)


@pytest.fixture
def tally(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tally]:
    import tianbao.ledger.db as db
    from tianbao.support import parallel

    t = Tally()
    connect = db.connect
    monkeypatch.setattr(db, "connect", lambda path: t.watch(connect(path)))
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    yield t


def test_collect__ledger_work_per_return__does_not_grow_with_the_ledger(
    returns: tuple[Path, Path], tmp_path: Path, tally: Tally
) -> None:
    """Four returns collected into an empty ledger and four into one that holds
    thousands of submissions: the same statements for each, about the same steps of
    SQLite's machine (a query without an index, or one over every submission, would
    grow with them), and one commit for the group of four."""
    ws_dir, inbox = returns
    files = sorted(inbox.iterdir())
    ws = fresh(ws_dir, tmp_path)

    def per_return(batch: list[Path]) -> tuple[list[str], float, int]:
        tally.statements, tally.steps = [], 0
        run = api.collect(ws, batch, received_at=ON_TIME)
        assert [r.status for r in run] == ["accepted"] * len(batch), [r.message for r in run]
        return sorted(tally.statements), tally.steps / len(batch), tally.commits()

    small, small_steps, small_commits = per_return(files[:4])
    _fill(ws, 3000)
    big, big_steps, big_commits = per_return(files[4:8])
    assert small == big  # the same statements, in number and kind
    assert small_commits == big_commits == 1  # a group, one commit (and one archive sync)
    assert big_steps < 1.3 * small_steps, (small_steps, big_steps)


def _fill(ws: Path, n: int) -> None:
    """``n`` more submissions of other departments' past months, each with a few values:
    a ledger some years old."""
    from tianbao.ledger.db import NewSubmission

    cells = tuple(
        ("projects_progress", f"K{i}", "ytd_investment", "1", "S", f"A{i}") for i in range(20)
    )
    with Ledger(ws) as ledger, ledger.transaction():
        for i in range(n):
            ledger.add(
                NewSubmission(
                    sha256=f"{i:064x}", file_name=f"old{i}.xlsx", archive_path=f"archive/x/{i}",
                    size=1, received_at="2013-01-05T10:00:00+08:00", department=f"X{i % 300:03d}",
                    period=f"2013-{1 + i % 12:02d}", template_id="", forms=("projects_progress",),
                    status="accepted", errors=0, warnings=0, notes=0, report_json="{}",
                    cells=cells,
                )
            )  # fmt: skip
