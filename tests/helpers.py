"""Helpers shared by the tests: paths, the in-process CLI, reading check output."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tianbao.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The shared folder (seed text, LibreOffice client) is the repository's sibling.
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "000_9e72c8706aa50388.txt"
SAMPLE = "jiefang-2014"
SAMPLE_PLAN = ROOT / "samples" / SAMPLE / "plan.yaml"


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip on a developer's machine; fail under CI, where .ci/run installs everything."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def tianbao(runner: CliRunner, *args: str | Path) -> Result:
    """Run ``tianbao ARGS`` in-process; a crash (anything but sys.exit) fails the test."""
    result = runner.invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"tianbao {args} crashed:\n{result.output}") from result.exception
    return result


# one line of `tianbao check`: "file[:line]: $.path: [CODE] message..."
PROBLEM_LINE = re.compile(
    r"^(?P<file>[^\s:]+)(?::(?P<line>\d+))?: (?P<path>\$\S*): \[(?P<code>[A-Z_]+)\]"
)


def problem_lines(output: str) -> list[dict[str, Any]]:
    """The problems printed by ``tianbao check`` (text mode), parsed."""
    found = []
    for text in output.splitlines():
        m = PROBLEM_LINE.match(text)
        if m:
            line = int(m["line"]) if m["line"] else None
            found.append({"file": m["file"], "line": line, "path": m["path"], "code": m["code"]})
    return found


def codes_in(output: str) -> set[str]:
    """Every [CODE] mentioned anywhere in the output."""
    return set(re.findall(r"\[([A-Z][A-Z_]+)\]", output))


# libyaml when present: the sample plan takes ~0.5 s to parse in pure Python
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def read_yaml(path: Path) -> Any:
    return parse_yaml(path.read_text(encoding="utf-8"))


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1000)


def write_yaml(path: Path, data: Any) -> None:
    path.write_text(dump_yaml(data), encoding="utf-8")


def line_of_path(text: str, path: Sequence[str | int]) -> int:
    """1-based line of ``path`` in YAML ``text``: the key's line for a mapping entry,
    the item's first line for a list item. An independent reading for the tests."""
    node = yaml.compose(text, Loader=_LOADER)
    line = node.start_mark.line + 1
    for part in path:
        if isinstance(part, int):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            key, node = next((k, v) for k, v in node.value if k.value == part)
            line = key.start_mark.line + 1
    return line


def parse_json_path(text: str) -> list[str | int]:
    """'$.projects[0].id' -> ['projects', 0, 'id']."""
    return [
        int(index) if index else name
        for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", text.removeprefix("$"))
    ]


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a workspace without its ledger and archive: a fresh office to collect into."""
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    return dst


def printed_as_a_table(ws: Any, header_row: int) -> list[str]:
    """What is wrong with a sheet's print setup (an openpyxl worksheet): landscape, one
    page wide, the header row on every page, page numbers. Empty when right."""
    wrong = []
    if ws.page_setup.orientation != "landscape":
        wrong.append(f"{ws.title}: not landscape")
    fitted = ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage
    if not fitted:
        # too wide for A3 at 70 %: a fixed readable scale, the key columns on every page
        if int(ws.page_setup.scale or 100) < 70 or not ws.print_title_cols:
            wrong.append(f"{ws.title}: not fitted to the page")
    elif str(ws.page_setup.fitToHeight) != "0" or ws.page_setup.fitToWidth not in (None, 1, "1"):
        wrong.append(f"{ws.title}: not one page wide")
    if ws.print_title_rows != f"${header_row}:${header_row}":
        wrong.append(f"{ws.title}: header row {header_row} not repeated ({ws.print_title_rows})")
    if "&P" not in (ws.oddFooter.center.text or ""):
        wrong.append(f"{ws.title}: no page numbers")
    return wrong


def made_apart(data: dict[str, Any]) -> dict[str, Any]:
    """A command's --json without the time it was made: two runs compare equal."""
    assert "made_at" in data
    return {k: v for k, v in data.items() if k != "made_at"}


def find_cell(sheet: Any, text: str) -> tuple[int, int]:
    """(row, column), 1-based, of the first cell reading ``text``, row by row."""
    for row in sheet.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise AssertionError(f"{text!r} not on {sheet.title}")


def facts_of(dashboard: Any) -> dict[str, Any]:
    """总览's facts (报告期, 应报单位, 未报单位, 签发 ...): each label of the 报送与签发
    block with the value beside it."""
    r, c = find_cell(dashboard, "报送与签发")
    facts = {}
    while (name := dashboard.cell(r + 1, c).value) is not None:
        r += 1
        facts[name] = dashboard.cell(r, c + 1).value
    return facts
