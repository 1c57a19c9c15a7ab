"""Outputs get the mode an ordinary save would give them (0666 less the umask), not the
0600 of a temporary file; only the workspace key stays private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import tianbao
from tianbao.support.atomic import write_atomic


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.slow
def test_demo_outputs_follow_the_umask(tmp_path: Path, umask_027) -> None:
    root = tmp_path / "run"
    res = tianbao(CliRunner(), "demo", root)
    assert res.exit_code == 0, res.output
    files = [p for p in root.rglob("*") if p.is_file()]
    key = [p for p in files if p.name == "secret.key"]
    assert key and all(_mode(p) == 0o600 for p in key)
    kinds = {p.suffix for p in files}
    assert {".xlsx", ".csv", ".json"} <= kinds  # templates, summary, archive, state
    wrong = {str(p.relative_to(root)): oct(_mode(p)) for p in files if p not in key}
    wrong = {name: mode for name, mode in wrong.items() if mode != oct(0o640)}
    assert not wrong


@pytest.mark.parametrize(
    ("before", "after"),
    [(None, 0o640), (0o600, 0o600), (0o664, 0o664)],
)
def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(
    tmp_path: Path, umask_027, before: int | None, after: int
) -> None:
    target = tmp_path / "out.txt"
    if before is not None:
        target.write_text("old")
        target.chmod(before)
    write_atomic(target, lambda p: p.write_text("new"))
    assert target.read_text() == "new"
    assert _mode(target) == after
