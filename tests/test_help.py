"""Each command's help is written once, both languages side by side (cli/help.py HELP),
and the summary's sheets are listed from the one table the workbook is written by."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from tianbao.cli import main
from tianbao.cli.help import HELP
from tianbao.consolidate.workbook import SHEETS, sheet_list


def _commands(group: click.Group = main) -> list[tuple[list[str], click.Command]]:
    out: list[tuple[list[str], click.Command]] = [([], group)] if group is main else []
    for name, command in sorted(group.commands.items()):
        out.append(([name], command))
        if isinstance(command, click.Group):
            out += [([name, *path], c) for path, c in _commands(command)]
    return out


def _help(lang: str, *path: str) -> str:
    res = CliRunner().invoke(main, ["--lang", lang, *path, "--help"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    return res.output


@pytest.mark.parametrize(("path", "command"), _commands(), ids=lambda v: str(v))
def test_every_command__its_help_in_the_table_in_both_languages(
    path: list[str], command: click.Command
) -> None:
    zh, en = HELP[command.name or ""]
    assert re.search(r"[\u4e00-\u9fff]", zh) and re.search(r"[a-z]{4} [a-z]{2,}", en)
    assert command.callback is None or command.callback.__doc__ is None, "help in HELP only"
    for lang, text in (("zh", zh), ("en", en)):
        first = text.split("\n")[0][:20]
        assert first in _help(lang, *path), (lang, path)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_consolidate_help__lists_the_summary_s_sheets_in_workbook_order(lang: str) -> None:
    text = re.sub(r"\s+", "", _help(lang, "consolidate"))
    listed = re.sub(r"\s+", "", sheet_list(lang))
    assert listed in text
    # each sheet after the one before it (a description may name one, as 总览's does)
    at = 0
    for name, _, _ in SHEETS:
        at = listed.index(name, at) + len(name)
    assert "趋势" in listed  # it was missing from the English help
