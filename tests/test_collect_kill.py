"""collect killed halfway, and two collects at once: the ledger stays consistent,
every committed submission has its archived bytes, and nothing is lost or doubled."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from helpers import ROOT
from returns import Returns
from tianbao.ledger.archive import TEMP_PREFIX, archive_file, temp_files
from tianbao.ledger.db import Ledger, ledger_path
from tianbao.support.pausepoint import ENV as PAUSE_ENV

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups"),
]

DEPT = "RSJ"
VARIANTS = 12
# (pause point, its k-th hit in the process, submissions in the ledger at the kill):
# four runs, each killed at its point for sure (the process waits there to be killed).
# Sorted files: May, the copy, v00, v01…; the worker validates every file, the
# parent archives and records only the new ones.
KILLS = [
    ("validate", 3, 2),  # worker on v00; May and the copy recorded
    ("archive", 2, 3),  # v00 recorded; v01's temp file written, not published
    ("transaction", 2, 4),  # v01 recorded; v02 inserted, not committed
    ("between", 2, 6),  # v02 and v03 committed, v04 not begun
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Returns, Path]:
    """~60 returns in one folder: May, 60 different June returns (same content, other
    bytes), an exact copy of one of them, and a file that is not a workbook."""
    base = tmp_path_factory.mktemp("kill")
    rs = Returns(base, DEPT)
    folder = base / "batch"
    folder.mkdir()
    shutil.copyfile(rs.previous, folder / rs.previous.name)
    june = rs.june("base")
    for i in range(VARIANTS):
        dst = folder / f"2014-06_{DEPT}_v{i:02d}.xlsx"
        shutil.copyfile(june, dst)
        with zipfile.ZipFile(dst, "a") as z:  # other bytes, same workbook
            z.comment = f"variant {i}".encode()
    shutil.copyfile(folder / f"2014-06_{DEPT}_v03.xlsx", folder / f"2014-06_{DEPT}_copy.xlsx")
    (folder / "zz_broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip file" * 50)
    return rs, folder


@pytest.fixture
def ws(batch: tuple[Returns, Path], tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    shutil.copytree(batch[0].ws, dst, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    return dst


def spawn(
    ws: Path, *paths: Path, extra: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop(PAUSE_ENV, None)
    env.update(extra or {})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tianbao.cli",
            "collect",
            "-w",
            str(ws),
            *map(str, paths),
            "--received-at",
            "2014-07-03T10:00:00",
            "--jobs",  # one validating worker: its k-th file is known
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


def committed(ws: Path) -> int:
    db = ledger_path(ws)
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as conn:
            return conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
    except sqlite3.OperationalError:  # schema not there yet, or busy
        return 0


def wait_for(what: str, done: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    """Poll until ``done()``: a condition the paused run reaches for sure, so the
    deadline only turns a hang into a failure."""
    limit = time.monotonic() + 300
    while not done():
        assert proc.poll() is None, (what, proc.communicate())
        assert time.monotonic() < limit, f"collect never reached {what}"
        time.sleep(0.01)


def kill_at(ws: Path, folder: Path, marker: Path, point: str, hit: int, rows: int) -> None:
    """Run collect until it pauses at ``point`` (its ``hit``-th time there) with
    ``rows`` submissions committed, then SIGKILL it and every process it started."""
    marker.unlink(missing_ok=True)
    proc = spawn(ws, folder, extra={PAUSE_ENV: f"{point}:{hit}:{marker}"})
    try:
        wait_for(f"the {point} pause", marker.exists, proc)
        # the parent runs on while a worker is paused in validation; it stops at that file
        wait_for(f"{rows} submissions", lambda: committed(ws) >= rows, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its workers
        proc.wait()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_consistent(ws: Path) -> int:
    """The ledger is sound and every submission's archived bytes are there; the
    number of submissions."""
    with Ledger(ws) as ledger:
        assert ledger.integrity_check() == ["ok"]
        assert ledger.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        subs = ledger.history()
        for s in subs:
            assert not Path(s.archive_path).name.startswith(TEMP_PREFIX)
            f = archive_file(ws, s.archive_path)
            assert f.is_file(), s.archive_path
            assert sha(f) == s.sha256 and f.stat().st_size == s.size
        counting = ledger.conn.execute(
            "SELECT department, period, count(*) FROM submissions WHERE status IN "
            "('accepted','accepted_with_warnings') GROUP BY department, period"
        ).fetchall()
        assert all(n == 1 for _, _, n in counting), counting
        orphans = ledger.conn.execute(
            "SELECT count(*) FROM cell_values WHERE submission_id NOT IN "
            "(SELECT id FROM submissions)"
        ).fetchone()[0]
        assert orphans == 0
    archived = {p.name for p in (ws / "archive").rglob("*") if p.is_file()}
    assert all(Path(s.archive_path).name in archived for s in subs)
    return len(subs)


def assert_each_file_once(ws: Path, folder: Path) -> None:
    shas = {sha(p) for p in folder.iterdir()}
    with Ledger(ws) as ledger:
        recorded = [s.sha256 for s in ledger.history()]
        assert sorted(recorded) == sorted(shas)  # each once, none missing, none extra
        assert len(ledger.latest_accepted("2014-06")) == 1
        assert len(ledger.latest_accepted("2014-05")) == 1


def test_collect__killed_halfway__consistent_and_resumable(
    batch: tuple[Returns, Path], ws: Path, tmp_path: Path
) -> None:
    _, folder = batch
    for point, hit, rows in KILLS:
        kill_at(ws, folder, tmp_path / f"paused-{point}", point, hit, rows)
        assert assert_consistent(ws) == rows, point  # nothing of the killed step counts
        for tmp in temp_files(ws):  # a temp file of a killed write, never a submission
            assert tmp.name.startswith(TEMP_PREFIX)
        if point == "archive":
            assert temp_files(ws), "killed between the temp write and its publishing"
    n = KILLS[-1][2]

    again = spawn(ws, folder)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 1, err.decode()  # zz_broken.xlsx is rejected
    assert b"Traceback" not in err
    assert_consistent(ws)
    assert_each_file_once(ws, folder)
    lines = out.decode().splitlines()
    assert len(lines) == len(list(folder.iterdir()))
    assert sum("（重复）" in line for line in lines) >= n  # the lines are in Chinese


def test_collect__two_at_once__each_file_once(
    batch: tuple[Returns, Path], ws: Path, tmp_path: Path
) -> None:
    _, folder = batch
    files = sorted(folder.iterdir())
    half = len(files) // 2
    a, b = files[: half + 4], files[half - 4 :]  # overlapping; both start on a new ledger
    procs = [spawn(ws, *a), spawn(ws, *b)]
    results = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert b"Traceback" not in err and "错误 error" not in err.decode(), err.decode()
        assert p.returncode in (0, 1), err.decode()
    assert procs[1].returncode == 1  # b holds zz_broken.xlsx
    assert_consistent(ws)
    assert_each_file_once(ws, folder)


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie no longer counts)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG, /proc")
def test_collect__parent_killed_alone__no_worker_left(
    batch: tuple[Returns, Path], ws: Path, tmp_path: Path
) -> None:
    _, folder = batch
    marker = tmp_path / "paused-worker"
    proc = spawn(ws, folder, extra={PAUSE_ENV: f"validate:2:{marker}"})
    try:
        wait_for("the validate pause", marker.exists, proc)
        worker = int(marker.read_text())
        assert worker != proc.pid and alive(worker)
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, not its process group
        proc.wait()
        limit = time.monotonic() + 60
        while alive(worker):  # the kernel kills it with its parent
            assert time.monotonic() < limit, f"worker {worker} outlived its parent"
            time.sleep(0.01)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
