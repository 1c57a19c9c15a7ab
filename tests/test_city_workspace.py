"""A city workspace: made by ``init --level city``, recognised by every command that
hands over to the city room, and its mistakes said in one line with the right exit."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from helpers import tianbao


@pytest.fixture
def city(tmp_path: Path) -> Path:
    res = tianbao(CliRunner(), "init", tmp_path / "焦作市", "--level", "city")
    assert res.exit_code == 0, res.output
    return tmp_path / "焦作市"


def test_init_city__plan_says_city_with_the_main_indicators(city: Path) -> None:
    plan = yaml.safe_load((city / "plan.yaml").read_text(encoding="utf-8"))
    assert plan["level"] == "city" and plan["city"]["name"] == "焦作市"
    additive = {i["code"]: i["additive"] for i in plan["indicators"]}
    assert additive["FAI"] is True and additive["UNEMPLOYMENT"] is False
    assert plan["districts"] == []


def test_city__no_district_yet__status_and_summary_say_so(city: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    status = tianbao(runner, "--lang", "en", "status", "-w", city, "-p", "2014-06")
    assert status.exit_code == 0 and "0/0 districts" in status.output
    out = tmp_path / "s.xlsx"
    res = tianbao(runner, "consolidate", "-w", city, "-p", "2014-06", "-o", out)
    assert res.exit_code == 0 and out.is_file()


# (arguments after the city, exit code, a part of the one line said)
MISTAKES = [
    (("status", "-p", "2013-06"), 2, "is not in 2014"),
    (("consolidate", "-p", "2014-13"), 2, "unknown period"),
    (("collect", "missing.zip"), 2, "file not found"),
]


@pytest.mark.parametrize(("args", "code", "said"), MISTAKES)
def test_city__mistakes__one_line_and_exit_code(
    city: Path, args: tuple[str, ...], code: int, said: str
) -> None:
    command, *rest = args
    res = tianbao(CliRunner(), "--lang", "en", command, "-w", city, *rest)
    assert res.exit_code == code and said in res.output, res.output
    assert len(res.output.strip().splitlines()) == 1


def test_city__malformed_plan__one_line(city: Path) -> None:
    (city / "plan.yaml").write_text("level: city\ndistricts: [{code: x}]\n", encoding="utf-8")
    res = tianbao(CliRunner(), "--lang", "en", "status", "-w", city, "-p", "2014-06")
    assert res.exit_code == 2 and "the city plan is malformed" in res.output


def test_init_city__with_a_sample__refused(tmp_path: Path) -> None:
    res = tianbao(
        CliRunner(), "init", tmp_path / "c", "--level", "city", "--sample", "jiefang-2014"
    )
    assert res.exit_code == 2 and not (tmp_path / "c").exists()
