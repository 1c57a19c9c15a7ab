"""Usage mistakes in the language asked for (issue 29): click's own errors (missing
option or argument, no such option or command, a bad value) in Chinese by default and
in English with --lang en / TIANBAO_LANG=en, as are the period errors, plan import's
lines and a path where no file can be made; one message and exit 2, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import SAMPLE, tianbao
from tianbao.cli import main

WS = "{ws}"  # the sample workspace, filled in by the test

# (what, arguments, exit code, Chinese fragment, English fragment)
MISTAKES = [
    ("missing option", ["generate", "-w", WS], 2, "缺少选项 '--period'",
     "Missing option '--period'"),
    ("no value", ["generate", "-w", WS, "--period"], 2, "后面要跟一个值", "requires an argument"),
    ("no such option", ["generate", "-w", WS, "-p", "2014-06", "--bogus"], 2,
     "没有选项 '--bogus'", "No such option"),
    ("no such command", ["gen"], 2, "没有命令 'gen'", "No such command 'gen'"),
    ("bad choice", ["--lang", "fr"], 2, "'fr' 不是可选的值", "'fr' is not one of"),
    ("bad argument", ["review", "bad", "-w", WS, "-p", "2014-06", "--dept", "FGW"], 2,
     "'bad' 不是可选的值", "'bad' is not one of"),
    ("out of range", ["generate", "-w", WS, "-p", "2014-06", "-j", "0"], 2,
     "不在范围", "is not in the range"),
    ("missing argument", ["init"], 2, "缺少参数 'DIRECTORY'", "Missing argument 'DIRECTORY'"),
    ("missing plan", ["plan", "import"], 2, "缺少参数 'PLAN.xlsx'", "Missing argument 'PLAN.xlsx'"),
    ("extra arguments", ["init", "a", "b"], 2, "多余的参数", "unexpected extra argument"),
    ("bad period", ["generate", "-w", WS, "-p", "2014-13"], 2,
     "无法识别的报告期 '2014-13'", "unknown period '2014-13'"),
    ("period outside", ["status", "-w", WS, "-p", "2015-01"], 2,
     "不在计划年度 2014", "outside the plan year 2014"),
    ("no workspace", ["plan", "import", "p.xlsx", "-w", "{tmp}/nowhere"], 2,
     "工作区不存在", "no workspace there"),
    ("export over plan.yaml", ["plan", "export", "-w", WS, f"{WS}/plan.yaml"], 2,
     "应以 .xlsx 结尾", "must end in .xlsx"),
    ("export to a .yaml", ["plan", "export", "-w", WS, "{tmp}/计划.yaml"], 2,
     "应以 .xlsx 结尾", "must end in .xlsx"),
    ("no file can be made there", ["plan", "template", "/proc/self/p.xlsx"], 2,
     "不能在那里建文件", "No such file or directory"),
    ("init in /proc", ["init", "/proc"], 2, "/proc", "/proc"),
]  # fmt: skip
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("usage") / "ws"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    return ws


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("what", "args", "exit_code", "zh", "en"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_a_usage_mistake__one_message_in_the_language_asked_for(
    ws: Path,
    tmp_path: Path,
    lang: str,
    what: str,
    args: list[str],
    exit_code: int,
    zh: str,
    en: str,
) -> None:
    before = (ws / "plan.yaml").read_bytes()
    argv = [a.replace(WS, str(ws)).replace("{tmp}", str(tmp_path)) for a in args]
    res = CliRunner().invoke(main, argv, env={"TIANBAO_LANG": lang})
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), (
        res.output
    )
    assert res.exit_code == exit_code, res.output
    assert "Traceback" not in res.output
    if lang == "zh":
        assert zh in res.output, res.output
        english = r"Usage:|Error:|Try '|Missing |Invalid value|OPTIONS|COMMAND"
        assert not re.search(english, res.output), res.output
    else:
        assert en in res.output, res.output
        data = [str(ws), str(tmp_path)]  # names the user gave may be Chinese
        text = res.output
        for d in data:
            text = text.replace(d, "")
        assert not _HAN.search(text.replace("计划", "")), res.output
    assert (ws / "plan.yaml").read_bytes() == before
