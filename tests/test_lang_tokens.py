"""Lines that keep their data in both languages (issue 32, item 7): every command of a
table on the demo, and every command's --help, run with --lang zh and --lang en; the
data of one output (paths, numbers, periods, command words and options) must all be
in the other, since ``support.lang`` keeps one half of each 「中文 | English」 line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from helpers import tianbao
from tianbao.cli import main

pytestmark = pytest.mark.slow  # see pyproject's markers

JUNE = "2014-06"
# command words, options, paths, periods and dates, numbers (not the digits of an id)
TOKEN = re.compile(
    r"tianbao(?: [a-z][a-z-]*){1,2}|--[a-z][a-z-]+|(?<![\w.])/[^\s：，。；（）()」,]+"
    r"|\d{4}-\d{2}(?:-\d{2})?|(?<![\w.])\d+(?:\.\d+)?"
)
MONTH_ZH = re.compile(r"(\d{4})年(\d{1,2})月")  # 2014年6月: the period 2014-06 in words


# the time a decision is stamped with: now, a second apart in the two runs
# (ISO, or as people read it: the two runs may fall on either side of a minute)
ISO_NOW = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
NOW = re.compile(rf"{ISO_NOW.pattern}|\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}(?::\d{{2}})?")


def tokens(text: str) -> set[str]:
    text = NOW.sub("NOW", text)
    text = MONTH_ZH.sub(lambda m: f"{m[1]}-{int(m[2]):02d}", text)
    return set(TOKEN.findall(text))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    root = demo_into(tmp_path_factory.mktemp("lang") / "demo")
    # a workspace whose form has a rule on a mistyped field: what check says of it
    bad = Path(shutil.copytree(root / "workspace", root / "bad"))
    layout = bad / "forms" / "projects_progress.yaml"
    text = layout.read_text(encoding="utf-8")
    layout.write_text(
        text.replace('expr: "ytd_investment >=', 'expr: "ytd_investmnt >=', 1), "utf-8"
    )
    return root


def _commands(group: click.Group, path: list[str]) -> Iterator[list[str]]:
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, [*path, name])
        else:
            yield [*path, name]


# (invocation, whether it changes the workspace: then each language gets its own copy);
# WS: the demo's workspace, RET: June's returns, OUT: a fresh folder
CASES = [
    (["init", "OUT/i", "--sample", "jiefang-2014"], False),
    (["check", "-w", "WS"], False),
    (["check", "-w", "BAD"], False),
    (["status", "-w", "WS", "-p", JUNE, "--out", "OUT/s.xlsx"], False),
    (["status", "-w", "WS", "-p", JUNE], False),
    (["validate", "-w", "WS", "RET", "--annotate", "OUT/ann", "--report", "OUT/r.xlsx"], False),
    (["generate", "-w", "WS", "-p", "2014-07", "-o", "OUT/g"], False),
    (["consolidate", "-w", "WS", "-p", JUNE, "-o", "OUT/sum.xlsx"], False),
    (["history", "-w", "WS", "-p", JUNE], False),
    (["plan", "export", "-w", "WS", "-o", "OUT/plan.xlsx"], False),
    (
        [
            "review",
            "return",
            "-w",
            "WS",
            "-p",
            JUNE,
            "--dept",
            "ZJJ",
            "--reason",
            "数字不符",
            "--out",
            "OUT/n",
        ],
        True,
    ),
    (["signoff", "-w", "WS", "-p", JUNE, "--by", "王局长"], True),
    (
        [
            "collect",
            "-w",
            "WS",
            "RET/2014-06_WLQ_解放区文化旅游综合服务区管理委员会.xlsx",
            "--received-at",
            "2014-07-03T10:00:00",
        ],
        True,
    ),
] + [([*c, "--help"], False) for c in _commands(main, [])]


def run(args: list[str], demo: Path, tmp: Path, lang: str, mutates: bool) -> tuple[int, str]:
    out = tmp / lang
    ws = demo / "workspace"
    if mutates:
        ws = Path(shutil.copytree(ws, tmp / f"ws-{lang}"))
    places = {"WS": str(ws), "RET": str(demo / "returns" / JUNE), "OUT": str(out),
              "BAD": str(demo / "bad")}  # fmt: skip
    argv = [places.get(a.split("/")[0], a.split("/")[0]) + a[len(a.split("/")[0]) :]
            if a.split("/")[0] in places else a for a in args]  # fmt: skip
    res = CliRunner().invoke(main, ["--lang", lang, *argv])
    assert "Traceback" not in res.output, res.output
    # the places differ by language only in their folder: said once as WS, OUT
    text = res.output.replace(str(out), "OUT").replace(str(ws), "WS")
    return res.exit_code, text


@pytest.mark.parametrize(("args", "mutates"), CASES, ids=[" ".join(c[0][:3]) for c in CASES])
def test_every_line_keeps_its_data_in_both_languages(
    args: list[str], mutates: bool, demo: Path, tmp_path: Path
) -> None:
    zh_code, zh = run(args, demo, tmp_path, "zh", mutates)
    en_code, en = run(args, demo, tmp_path, "en", mutates)
    assert zh_code == en_code, (zh, en)
    assert zh.strip() and en.strip()
    lost_in_en, lost_in_zh = tokens(zh) - tokens(en), tokens(en) - tokens(zh)
    assert not lost_in_en and not lost_in_zh, (sorted(lost_in_en), sorted(lost_in_zh), zh, en)


def test_the_token_check_sees_a_line_that_drops_its_data() -> None:
    """The check itself: a half without the path or count is caught."""
    from tianbao.support.lang import pick, using

    line = "已写出 3 份审核意见 wrote 3 annotated copies: /x/ann"
    with using("zh"):
        zh = pick(line)
    with using("en"):
        en = pick(line)
    assert tokens(en) - tokens(zh) == {"/x/ann"}


def test_review_and_signoff__say_the_return_and_time_as_the_office_reads_them(
    demo: Path, tmp_path: Path
) -> None:
    """Not 「return #92」 and an ISO time with its offset: 第 92 号报表, 2014-07-03 10:00."""
    ws = Path(shutil.copytree(demo / "workspace", tmp_path / "ws"))
    runner = CliRunner()
    said = [
        tianbao(runner, "review", "approve", "-w", ws, "-p", JUNE, "--dept", "GYY", "--by", "李"),
        tianbao(
            runner, "signoff", "-w", ws, "-p", JUNE, "--anyway", "--note", "按时", "--by", "王"
        ),
    ]
    assert [r.exit_code for r in said] == [0, 0], [r.output for r in said]
    approved, signed = (r.output for r in said)
    assert re.search(r"已批准第 \d+ 号报表 GYY 2014-06 ", approved), approved
    assert "2014-06 已签发（王，" in signed
    for text in (approved, signed):
        assert "#" not in text and "return" not in text, text
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}）", text), text
        assert not ISO_NOW.search(text), text


@pytest.mark.parametrize(
    ("lang", "head", "forms"),
    [
        ("zh", "模板\t单位\t报表\t行数", "主要指标月报、重点项目进度、重点任务进度"),
        ("en", "template\tdepartment\tforms\trows", "Key projects progress"),
    ],
)
def test_generate_at_a_terminal__a_header_and_the_forms_by_name(
    lang: str, head: str, forms: str, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person at a terminal reads a table with its header and the forms' titles; piped,
    the lines stay TSV of ids for scripts."""
    import tianbao.cli.commands as commands

    args = ("generate", "-w", demo / "workspace", "-p", "2014-07", "--dept", "FGW")
    piped = tianbao(CliRunner(), "--lang", lang, *args, "-o", tmp_path / "p")
    assert piped.stdout.split("\t")[2] == "indicators_monthly,projects_progress,tasks_progress"
    monkeypatch.setattr(commands, "_on_terminal", lambda: True)
    shown = tianbao(CliRunner(), "--lang", lang, *args, "-o", tmp_path / "t")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == head and forms in lines[1], lines
    assert "projects_progress" not in shown.stdout
