"""Faults of the machine, not of a return: exit 3 with one clear line, never a
traceback or an exit 1 that reads like a rejection; nothing half-written."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import Ledger

DEPT = "RSJ"
RECEIVED = ("--received-at", "2014-07-03T10:00")


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("faults"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    copy_workspace(rs.ws, dst)
    return dst


def one_line_fault(res, *words: str) -> None:
    assert res.exit_code == 3, res.output
    assert "Traceback" not in res.output
    errors = [line for line in res.output.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1, res.output
    for w in words:
        assert w in errors[0], errors[0]


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("collect", *RECEIVED),
        ("generate", "--period", "2014-07", "--allow-missing-previous"),
    ],
    ids=lambda c: c[0],
)
def test_lost_key__exit_3_never_recreated(rs: Returns, ws: Path, command: tuple[str, ...]) -> None:
    key = ws / ".tianbao" / "secret.key"
    key.unlink()
    args = [command[0], "-w", ws, *command[1:]]
    if command[0] != "generate":
        args.append(rs.june("lost_key"))
    res = tianbao(rs.runner, *args)
    one_line_fault(res, "找不到工作区密钥", "请从备份恢复")
    assert not key.exists()  # a new key would make every issued template fail as altered


def test_disk_full_while_consolidating__exit_3_no_output(
    rs: Returns, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, rs.june("full"), *RECEIVED)
    assert res.exit_code == 0, res.output

    def no_space(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "s.xlsx"))

    monkeypatch.setattr("tianbao.support.atomic.os.replace", no_space)
    out = tmp_path / "s.xlsx"
    res = tianbao(rs.runner, "consolidate", "-w", ws, "--period", "2014-06", "-o", out)
    one_line_fault(res, "磁盘已满")
    assert not out.exists() and not list(tmp_path.glob(".s.*.tmp"))  # nothing half-written


def test_ledger_full_while_collecting__exit_3_earlier_files_kept(
    rs: Returns, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Ledger.add
    calls = []

    def add(self: Ledger, new, check=None):  # the second submission finds the disk full
        calls.append(new.file_name)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, new, check)

    monkeypatch.setattr(Ledger, "add", add)
    june = rs.june("ledger_full")
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, june, "--jobs", "1", *RECEIVED)
    one_line_fault(res, "磁盘已满")
    monkeypatch.setattr(Ledger, "add", real)
    with Ledger(ws) as ledger:  # the first file stays recorded, the second left no trace
        assert [s.file_name for s in ledger.history()] == calls[:1]
        assert ledger.integrity_check() == ["ok"]


@pytest.fixture
def readonly_medium(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs mounted read-only afterwards (needs root and mount rights: skips without)."""
    point = tmp_path / "medium"
    point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a file system needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(point)]).returncode:
        pytest.skip("this machine does not let us mount a tmpfs")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)])


def test_readonly_medium__status_and_consolidate_read_collect_is_a_fault(
    rs: Returns, ws: Path, tmp_path: Path, readonly_medium: Path
) -> None:
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, rs.june("ro"), *RECEIVED)
    assert res.exit_code == 0, res.output
    copy = readonly_medium / "ws"
    shutil.copytree(ws, copy)
    remount = ["mount", "-o", "remount,ro", str(readonly_medium)]
    assert subprocess.run(remount).returncode == 0
    res = tianbao(rs.runner, "status", "-w", copy, "--period", "2014-06", "--json")
    assert res.exit_code == 0, res.output
    out = tmp_path / "summary.xlsx"
    res = tianbao(rs.runner, "consolidate", "-w", copy, "--period", "2014-06", "-o", out)
    assert res.exit_code == 0, res.output
    assert out.is_file()
    res = tianbao(rs.runner, "collect", "-w", copy, rs.june("ro2"), *RECEIVED)
    one_line_fault(res)
    res = tianbao(
        rs.runner, "generate", "-w", copy, "--period", "2014-07", "--allow-missing-previous"
    )
    one_line_fault(res)
