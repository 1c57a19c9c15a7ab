"""A command killed while writing its output (issue 29): the temporary file it leaves
beside the output is swept by the next write of that output; a live writer's is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import ROOT, SAMPLE, tianbao
from tianbao.support.atomic import sweep_stale, write_atomic
from tianbao.support.pausepoint import ENV as PAUSE_ENV

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]


def _killed_while_writing(args: list[str], marker: Path) -> None:
    """Run ``tianbao ARGS`` until it pauses with its output written to the temporary
    name (pause point ``write``), then SIGKILL it."""
    env = dict(os.environ)
    env[PAUSE_ENV] = f"write:1:{marker}"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.Popen(
        [sys.executable, "-m", "tianbao.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        limit = time.monotonic() + 300  # turns a hang into a failure; the pause is sure
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < limit, "never reached the write pause"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    "command",
    [
        ["consolidate", "-w", "{ws}", "-p", "2014-06", "-o", "{out}/summary.xlsx"],
        ["plan", "export", "-w", "{ws}", "{out}/summary.xlsx"],
    ],
    ids=["consolidate", "plan export"],
)
def test_killed_while_writing__the_next_run_sweeps_its_temporary_file(
    tmp_path: Path, command: list[str]
) -> None:
    ws, out = tmp_path / "ws", tmp_path / "out"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    assert tianbao(CliRunner(), "check", "-w", ws).exit_code == 0  # the plan cached: the
    args = [a.replace("{ws}", str(ws)).replace("{out}", str(out)) for a in command]
    _killed_while_writing(args, tmp_path / "marker")  # first write is the command's output
    left = list(out.glob(".summary.*.tmp"))
    assert len(left) == 1 and not (out / "summary.xlsx").exists()
    res = tianbao(CliRunner(), *args)
    assert res.exit_code == 0, res.output
    assert (out / "summary.xlsx").is_file()
    assert list(out.glob("*.tmp")) == [] and list(out.glob(".*")) == []


def test_a_live_writers_temporary_file__stays(tmp_path: Path) -> None:
    target = tmp_path / "summary.xlsx"
    seen: list[list[Path]] = []

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"x")
        seen.append(sweep_stale(target))  # another write of the same output, meanwhile

    write_atomic(target, write)
    assert seen == [[]] and target.read_bytes() == b"x"
