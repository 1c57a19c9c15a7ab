"""File names tianbao builds from text it was given (issue 29): a department's file name
with a bidi override (U+202E shows 「…xslx.exe」 as 「…exe.xlsx」) or a control character
does not reach the name of the 退回通知 written back to them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import tianbao
from returns import Returns

_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "name",
    ["2014-06_RSJ_\u202exslx.exe.xlsx", "2014-06_RSJ_\x85报表\u2066.xlsx"],
    ids=["U+202E", "U+0085 U+2066"],
)
def test_a_return_notice__named_without_invisible_characters(tmp_path: Path, name: str) -> None:
    rs = Returns(tmp_path, "RSJ")
    june = rs.june("odd", file_name=name)
    res = tianbao(CliRunner(), "collect", "-w", rs.ws, june, "--received-at", "2014-07-03T10:00")
    assert res.exit_code == 0, res.output
    res = tianbao(CliRunner(), "review", "return", "-w", rs.ws, "-p", "2014-06", "--dept", "RSJ",
                  "--reason", "请核实", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    notice = Path(json.loads(res.stdout)["notice"])
    assert notice.is_file() and notice.name.endswith(".退回通知.xlsx")
    assert not _INVISIBLE.search(notice.name), ascii(notice.name)
