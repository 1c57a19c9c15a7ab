"""Fixtures: the in-process CLI, fresh workspaces made through ``tianbao init``, and copies
of the demo run once per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import returns
from helpers import SAMPLE, tianbao

# Shared helpers (SHARED, require_or_skip, tianbao(), problem_lines()...) live in
# tests/helpers.py; tests import them directly since pytest puts tests/ on sys.path.


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def sample_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The jiefang-2014 sample workspace made by ``tianbao init`` once; never handed to
    a test, only copied (see ``sample_ws``)."""
    ws = tmp_path_factory.mktemp("sample-once") / "ws"
    result = tianbao(CliRunner(), "init", ws, "--sample", SAMPLE)
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def sample_ws(tmp_path: Path, sample_once: Path) -> Path:
    """A fresh copy of the jiefang-2014 sample workspace, made by ``tianbao init``."""
    return Path(shutil.copytree(sample_once, tmp_path / "ws"))


@pytest.fixture
def skeleton_ws(tmp_path: Path, runner: CliRunner) -> Path:
    """A fresh empty-skeleton workspace, made by ``tianbao init``."""
    ws = tmp_path / "ws"
    result = tianbao(runner, "init", ws)
    assert result.exit_code == 0, result.output
    return ws


def _once(tmp_path_factory: pytest.TempPathFactory, *args: str) -> Callable[[Path], Path]:
    """Run ``tianbao demo *args`` once and hand out copies: ``copy(dest)`` copies the run
    into ``dest`` (which must not exist) and returns it. The run itself is never handed
    out, so a module that changes its copy cannot change what another module sees."""
    pristine = tmp_path_factory.mktemp("demo-once") / "run"
    res = tianbao(CliRunner(), "demo", *args, pristine)
    assert res.exit_code == 0, res.output

    def copy(dest: Path) -> Path:
        return Path(shutil.copytree(pristine, dest))

    return copy


# ``tianbao demo`` takes ~20 s; a dozen modules read or change its result. One run per
# session (per worker under xdist), copied per module, replaces a run per module.
@pytest.fixture(scope="session")
def demo_into(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``demo_into(dest)``: a copy of one ``tianbao demo`` run at ``dest``."""
    return _once(tmp_path_factory)


@pytest.fixture(scope="session")
def city_demo_into(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``city_demo_into(dest)``: a copy of one ``tianbao demo --city`` run at ``dest``."""
    return _once(tmp_path_factory, "--city")


@pytest.fixture(scope="session", autouse=True)
def _returns_made_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    """``Returns`` makes each department's May and June once and copies them after."""
    returns.MADE_ONCE = tmp_path_factory.mktemp("returns-once")
