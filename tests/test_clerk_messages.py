"""Messages a clerk can act on (issue 30, item 7): each case through the CLI on the
demo's June returns, the way a department would get it wrong."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import tianbao

pytestmark = pytest.mark.slow  # see pyproject's markers


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("clerk") / "demo")


def june(demo: Path, dept: str, folder: Path) -> Path:
    original = next((demo / "returns" / "2014-06").glob(f"2014-06_{dept}_*.xlsx"))
    path = folder / original.name
    shutil.copyfile(original, path)
    return path


def findings(demo: Path, path: Path) -> list[dict[str, Any]]:
    res = tianbao(CliRunner(), "validate", "-w", demo / "workspace", path, "--json")
    return list(json.loads(res.stdout)["files"][0]["findings"])


def test_sheets_copied_into_a_new_workbook__told_to_fill_the_template(
    demo: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(june(demo, "ZJJ", tmp_path))
    copy = openpyxl.Workbook()
    copy.remove(copy.active)
    for name in wb.sheetnames:
        if not name.startswith("_"):
            target = copy.create_sheet(name)
            for row in wb[name].iter_rows(values_only=True):
                target.append(row)
    path = tmp_path / "copied.xlsx"
    copy.save(path)
    (missing,) = [f for f in findings(demo, path) if f["code"] == "ID_MISSING"]
    assert "复制到了新建的工作簿" in missing["message"] and "重新下载" in missing["message"]


def _cell(ws: Any, label: str, row: int = 4) -> str:
    head = {c.value: c.column_letter for c in ws[3]}
    return f"{head[label]}{row}"


@pytest.mark.parametrize(
    ("typed", "code", "said"),
    [
        ("2\u00a0250", "VALUE_NORMALISED", "千分位分隔的空格（U+00A0）已去除"),
        ("2\u2009250.5", "VALUE_NORMALISED", "千分位分隔的空格（U+2009）"),
        ("22\u00a050", "VALUE_UNPARSEABLE", "中间有空格（U+00A0）"),
        ("2 250", "VALUE_UNPARSEABLE", "中间有空格（U+0020）"),
    ],
)
def test_spaces_between_thousands__read_as_meant_or_named(
    demo: Path, tmp_path: Path, typed: str, code: str, said: str
) -> None:
    path = june(demo, "ZJJ", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["重点项目"]
    cell = _cell(ws, "本月完成投资(万元)")
    ws[cell].value = typed
    wb.save(path)
    here = [f for f in findings(demo, path) if f["cell"] == cell and f["code"].startswith("VALUE_")]
    assert [f["code"] for f in here] == [code], here
    assert said in here[0]["message"]


@pytest.mark.parametrize("typed", ["2014年13月", "去年三月", "2014-02-30"])
def test_a_date_that_does_not_parse__one_finding_at_its_cell(
    demo: Path, tmp_path: Path, typed: str
) -> None:
    """Not also 「须填写实际开工日期」 (the rule reading an unusable input) at that cell."""
    path = june(demo, "ZJJ", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["重点项目"]
    head = {c.value: c.column for c in ws[3]}
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, head["项目状态"]).value == "在建")
    cell = f"{_cell(ws, '实际开工日期', row)}"
    ws[cell].value = typed
    wb.save(path)
    here = [f for f in findings(demo, path) if f["cell"] == cell and f["severity"] == "error"]
    assert [f["code"] for f in here] == ["VALUE_UNPARSEABLE"], here


@pytest.mark.parametrize(
    ("typed", "codes"),
    [(2874.22, ["VALUE_UNPARSEABLE"]), ("2874.22人", ["VALUE_UNPARSEABLE"]), (2874, [])],
)
def test_a_fractional_person__a_finding_at_its_cell(
    demo: Path, tmp_path: Path, typed: Any, codes: list[str]
) -> None:
    """城镇新增就业人员 (unit 人) of 2,874.22: whole persons only; the row's unit says so."""
    path = june(demo, "RSJ", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["主要指标"]
    head = {c.value: c.column for c in ws[3]}
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, head["计量单位"]).value == "人")
    cell = _cell(ws, "本年累计", row)
    ws[cell].value = typed
    wb.save(path)
    here = [f for f in findings(demo, path) if f["cell"] == cell and f["severity"] == "error"]
    assert [f["code"] for f in here] == codes, here
    if codes:
        assert "须填整数" in here[0]["message"] and "“人”" in here[0]["message"]
