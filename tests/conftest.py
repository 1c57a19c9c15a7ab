"""Fixtures: the in-process CLI and fresh workspaces made through ``tianbao init``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import SAMPLE, tianbao

# Shared helpers (SHARED, require_or_skip, tianbao(), problem_lines()...) live in
# tests/helpers.py; tests import them directly since pytest puts tests/ on sys.path.


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def sample_ws(tmp_path: Path, runner: CliRunner) -> Path:
    """A fresh copy of the jiefang-2014 sample workspace, made by ``tianbao init``."""
    ws = tmp_path / "ws"
    result = tianbao(runner, "init", ws, "--sample", SAMPLE)
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def skeleton_ws(tmp_path: Path, runner: CliRunner) -> Path:
    """A fresh empty-skeleton workspace, made by ``tianbao init``."""
    ws = tmp_path / "ws"
    result = tianbao(runner, "init", ws)
    assert result.exit_code == 0, result.output
    return ws
