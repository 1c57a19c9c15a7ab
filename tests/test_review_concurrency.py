"""Review, sign-off and collect at the same time: each check that guards a write is made
inside the transaction that writes. A pause point holds one process between its check
and its write while another acts; a bounded loop runs them all at once. No sleeps: a
process is known to wait on another's transaction because it reached the ``busy``
pause point (it found the ledger locked)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import ledger_path
from tianbao.support.pausepoint import ENV as PAUSE_ENV

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGUSR1 resumes a pause"),
]

DEPT, JUNE = "RSJ", "2014-06"
SIGNOFF = ("signoff", "-p", JUNE, "--by", "王局长", "--anyway", "--note", "先行签发")
APPROVE = ("review", "approve", "-p", JUNE, "--dept", DEPT, "--by", "李四")
RETURN = ("review", "return", "-p", JUNE, "--dept", DEPT, "--reason", "复核", "--by", "张三")


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("review-concurrency"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    """May and June of one department collected; nothing decided, nothing signed."""
    ws = copy_workspace(rs.ws, tmp_path / "ws")
    for path, at in ((rs.previous, "2014-06-03T10:00"), (rs.june("first"), "2014-07-03T10:00")):
        res = tianbao(rs.runner, "collect", "-w", ws, path, "--received-at", at)
        assert res.exit_code == 0, res.output
    return ws


def other_june(rs: Returns, folder: Path, n: int) -> Path:
    """The June return again with other bytes (a zip comment): a new submission."""
    dst = folder / f"v{n}" / rs.june("first").name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(rs.june("first"), dst)
    with zipfile.ZipFile(dst, "a") as z:
        z.comment = f"again {n}".encode()
    return dst


def spawn(
    ws: Path, args: tuple[str | Path, ...], pause: str, marker: Path
) -> subprocess.Popen[str]:
    """``tianbao ARGS -w WS`` in a process that pauses at ``pause`` (its first hit)."""
    env = dict(os.environ, **{PAUSE_ENV: f"{pause}:1:{marker}"})
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen(
        [sys.executable, "-m", "tianbao.cli", *map(str, args), "-w", str(ws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def paused(proc: subprocess.Popen[str], marker: Path, what: str) -> None:
    """Wait until ``proc`` pauses at its point; its finishing first fails the test (the
    deadline only turns a hang into a failure)."""
    limit = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"{what}: finished (exit {proc.returncode}) instead: {out}{err}")
        assert time.monotonic() < limit, f"{what}: never paused"
        time.sleep(0.01)


def resume(proc: subprocess.Popen[str]) -> tuple[int, str]:
    os.kill(proc.pid, signal.SIGUSR1)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err, err
    return proc.returncode, out + err


def rows(ws: Path, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(ledger_path(ws))) as conn:
        return conn.execute(sql).fetchall()


def test_review_paused_before_its_write__a_signoff_waits_for_it(ws: Path, tmp_path: Path) -> None:
    """The review checked that June is open: the sign-off cannot come between that
    check and the review's write; it waits, then signs what includes the review."""
    reviewing = spawn(ws, APPROVE, "checked", tmp_path / "review")
    paused(reviewing, tmp_path / "review", "review")
    signing = spawn(ws, SIGNOFF, "busy", tmp_path / "signoff")
    try:
        paused(signing, tmp_path / "signoff", "sign-off while the review is paused")
    finally:
        code, out = resume(reviewing)
    assert code == 0, out
    code, out = resume(signing)
    assert code == 0, out
    ((review_id,),) = rows(ws, "SELECT id FROM reviews")
    ((upto,),) = rows(ws, "SELECT upto_review FROM signoffs WHERE action = 'signed'")
    assert upto >= review_id  # the sign-off saw the decision


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(RETURN, id="review-return"),
        pytest.param(APPROVE, id="review-approve"),
        pytest.param(SIGNOFF, id="second-signoff"),
    ],
)
def test_signoff_paused_before_its_write__the_other_waits_and_is_refused(
    ws: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    signing = spawn(ws, SIGNOFF, "checked", tmp_path / "signoff")
    paused(signing, tmp_path / "signoff", "sign-off")
    other = spawn(ws, args, "busy", tmp_path / "other")
    try:
        paused(other, tmp_path / "other", f"{args[0]} while the sign-off is paused")
    finally:
        code, out = resume(signing)
    assert code == 0, out
    code, out = resume(other)
    assert code == 2 and "签发" in out, out
    assert rows(ws, "SELECT count(*) FROM reviews") == [(0,)]
    assert rows(ws, "SELECT count(*) FROM signoffs WHERE action = 'signed'") == [(1,)]
    assert not list((ws / "outputs").rglob("*退回通知*"))


def test_collect_paused_after_its_check__june_signed_meanwhile__refused(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    """collect checked June (open) and archived the file; June is signed off before it
    writes: the check made again inside its write refuses the return."""
    path = other_june(rs, tmp_path, 1)
    args = ("collect", path, "--received-at", "2014-07-04T10:00")
    collecting = spawn(ws, args, "archive", tmp_path / "collect")
    paused(collecting, tmp_path / "collect", "collect")
    try:
        assert tianbao(rs.runner, *SIGNOFF, "-w", ws).exit_code == 0
    finally:
        code, out = resume(collecting)
    assert code == 1 and "签发" in out, out
    assert rows(ws, f"SELECT count(*) FROM submissions WHERE period = '{JUNE}'") == [(1,)]


def test_all_at_once__nothing_recorded_on_a_signed_period(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    """Rounds of collect, review, sign-off and consolidate started together (threads of
    the api): whatever the order, no decision and no return is recorded on June once it
    is signed off, and June never has two ``signed`` rows."""
    for n in range(6):
        round_ws = shutil.copytree(ws, tmp_path / f"round{n}")
        all_at_once(round_ws, other_june(rs, tmp_path, 10 + n), tmp_path / f"summary{n}.xlsx")
        signed = rows(round_ws, "SELECT upto_submission, upto_review FROM signoffs")
        assert len(signed) <= 1, signed  # none when the return came first: nothing counts
        for upto_sub, upto_review in signed:
            after = f"SELECT count(*) FROM reviews WHERE id > {upto_review}"
            assert rows(round_ws, after) == [(0,)]
            late = f"SELECT count(*) FROM submissions WHERE period = '{JUNE}' AND id > {upto_sub}"
            assert rows(round_ws, late) == [(0,)]


def all_at_once(ws: Path, june: Path, summary: Path) -> None:
    """collect, approve, return, sign off and consolidate, each in a thread, released
    together; a refusal is an answer, anything else fails."""
    from tianbao import api
    from tianbao.errors import TianbaoError

    start = threading.Barrier(5)
    failures: list[BaseException] = []

    def run(step: Callable[[], object]) -> None:
        start.wait()
        try:
            step()
        except TianbaoError:
            pass  # refused: signed off already, or nothing left to decide
        except BaseException as exc:
            failures.append(exc)

    steps: list[Callable[[], object]] = [
        lambda: api.collect(ws, [june], received_at="2014-07-04T10:00"),
        lambda: api.review(ws, "approve", JUNE, DEPT, by="李四"),
        lambda: api.review(ws, "return", JUNE, DEPT, reason="复核", by="张三"),
        lambda: api.signoff(ws, JUNE, by="王局长", anyway=True, note="先行签发"),
        lambda: api.consolidate(ws, JUNE, summary),
    ]
    threads = [threading.Thread(target=run, args=(s,)) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
