"""Usage mistakes are caught before any file is read: exit 2, one line, no traceback.
One period grammar for every command; links are never followed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import Ledger

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("usage"), DEPT)


def usage_error(res) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    (line,) = [x for x in res.output.splitlines() if x.startswith("错误：")]
    return line


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--period", "2014-13", "无法识别的报告期"),
        ("--period", "14-06", "无法识别的报告期"),
        ("--period", "2014-Q5", "无法识别的报告期"),
        ("--period", "2015-06", "不在计划年度"),
        ("--period", "2014-Q2", "报送频率"),
        ("--dept", "NOPE", "未知的部门代码"),
    ],
)
def test_validate__bad_option__exit_2_before_any_file(
    rs: Returns, option: str, value: str, says: str
) -> None:
    res = tianbao(rs.runner, "validate", "-w", rs.ws, rs.june("opt"), option, value, "--json")
    assert says in usage_error(res)
    # no report, nothing was validated: stdout holds the error object alone
    assert set(json.loads(res.stdout)) == {"error"}


@pytest.mark.parametrize("spelling", [" 2014-06 ", "２０１４-06", "2014-06"])
def test_period__one_grammar_for_generate_and_validate(
    rs: Returns, tmp_path: Path, spelling: str
) -> None:
    res = tianbao(
        rs.runner,
        "generate",
        "-w",
        rs.ws,
        "--period",
        spelling,
        "--dept",
        DEPT,
        "-o",
        tmp_path,
        "--allow-missing-previous",
    )
    assert res.exit_code == 0, res.output
    assert [p.name[:7] for p in tmp_path.glob("*.xlsx")] == ["2014-06"]
    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        rs.june("spelled"),
        "--period",
        spelling,
        "--dept",
        DEPT.lower(),
        "--previous",
        rs.previous,
        "--json",
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"][0]["valid"]


@pytest.mark.parametrize("command", ["validate", "collect"])
def test_missing_input_file__exit_2_for_validate_and_collect(
    rs: Returns, tmp_path: Path, command: str
) -> None:
    res = tianbao(rs.runner, command, "-w", rs.ws, tmp_path / "MISSING.xlsx")
    assert "文件不存在" in usage_error(res)


@pytest.fixture
def incoming(rs: Returns, tmp_path: Path) -> Path:
    """An incoming folder with a real return, a linked 'return' pointing at a system
    file, and a linked folder holding another return."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copyfile(rs.june("linked"), folder / rs.templates["2014-06"].name)
    (folder / "2014-06_RSJ_passwd.xlsx").symlink_to("/etc/passwd")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(rs.previous, elsewhere / rs.previous.name)
    os.symlink(elsewhere, folder / "linked_folder")
    return folder


def test_validate__symlink_refused_with_a_finding_linked_folder_not_entered(
    rs: Returns, incoming: Path
) -> None:
    res = tianbao(rs.runner, "validate", "-w", rs.ws, incoming, "--json")
    files = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    assert sorted(files) == sorted([rs.templates["2014-06"].name, "2014-06_RSJ_passwd.xlsx"])
    assert [f["code"] for f in files["2014-06_RSJ_passwd.xlsx"]["findings"]] == ["READ_SYMLINK"]
    assert res.exit_code == 1


def test_collect__symlink_never_archived_nor_recorded(
    rs: Returns, incoming: Path, tmp_path: Path
) -> None:
    ws = tmp_path / "ws"
    copy_workspace(rs.ws, ws)
    res = tianbao(rs.runner, "collect", "-w", ws, incoming, "--received-at", "2014-07-03")
    assert res.exit_code == 1 and "符号链接" in res.output
    with Ledger(ws) as ledger:
        assert [s.file_name for s in ledger.history()] == [rs.templates["2014-06"].name]
    passwd = Path("/etc/passwd").read_bytes()
    assert all(p.read_bytes() != passwd for p in (ws / "archive").rglob("*") if p.is_file())


def test_paths_under_a_file__exit_2_one_line(rs: Returns, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    usage_error(tianbao(rs.runner, "init", afile / "ws"))
    usage_error(tianbao(rs.runner, "demo", afile / "demo"))
    usage_error(
        tianbao(rs.runner, "generate", "-w", rs.ws, "--period", "2014-06", "-o", afile / "o")
    )
    usage_error(
        tianbao(rs.runner, "consolidate", "-w", rs.ws, "--period", "2014-06", "-o", afile / "s")
    )
    usage_error(
        tianbao(rs.runner, "validate", "-w", rs.ws, rs.june("u"), "--report", afile / "r.xlsx")
    )
    assert afile.read_text() == "x"


def test_demo__into_a_non_empty_folder__refused_nothing_touched(
    rs: Returns, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert "不是空目录" in usage_error(tianbao(rs.runner, "demo", tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_consolidate__csv_same_as_output__refused(rs: Returns, tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    res = tianbao(
        rs.runner, "consolidate", "-w", rs.ws, "--period", "2014-06", "-o", out, "--csv", out
    )
    assert "同一个文件" in usage_error(res)
    assert not out.exists()


def test_plan_with_a_yaml_alias_bomb__refused_at_once(rs: Returns, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    copy_workspace(rs.ws, ws)
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(9)
    ]  # 10**10 leaves once expanded
    plan = ws / "plan.yaml"
    plan.write_text("\n".join(levels) + "\n" + plan.read_text("utf-8"), encoding="utf-8")
    res = tianbao(rs.runner, "check", "-w", ws)
    assert res.exit_code == 1 and "别名" in res.output, res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("jobs", ["150", "9999"])
def test_jobs_beyond_the_cores__clamped_with_a_note(rs: Returns, tmp_path: Path, jobs: str) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    shutil.copyfile(rs.previous, folder / rs.previous.name)
    shutil.copyfile(rs.june("jobs"), folder / rs.templates["2014-06"].name)
    res = tianbao(rs.runner, "validate", "-w", rs.ws, folder, "--jobs", jobs)
    assert res.exit_code == 0, res.output
    assert f"--jobs {jobs} 已按 CPU 核数限为" in res.output
