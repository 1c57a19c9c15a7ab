"""A template's colours say what to do (issue 32 item 9): yellow is 「需要填报」, so a
column issued with a formula (本年累计 = 上期累计 + 本月) is not yellow; it is the
computed colour of the cover's legend, and still open to a clerk's correction. Each
column is found by its header and each colour read from the cover's legend, the way
a clerk reads them (openpyxl), not through tianbao."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import tianbao

COVER = "填报说明"
YELLOW = "需要填报"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("tpl")
    runner = CliRunner()
    assert tianbao(runner, "init", root / "ws", "--sample", "jiefang-2014").exit_code == 0
    res = tianbao(runner, "generate", "-w", root / "ws", "-p", "2014-06", "--dept", "FGW",
                  "-o", root / "out", "--allow-missing-previous")  # fmt: skip
    assert res.exit_code == 0, res.output
    (path,) = (root / "out").glob("*.xlsx")
    return openpyxl.load_workbook(path)


def legend(book: Any) -> dict[str, str]:
    """colour -> meaning, from the cover's 单元格颜色 table."""
    cover = next(ws for ws in book.worksheets if ws.title == COVER or "单元格颜色" in _texts(ws))
    out = {}
    for row in cover.iter_rows():
        if row[0].fill.fill_type == "solid" and len(row) > 1 and row[1].value:
            out[row[0].fill.fgColor.rgb] = str(row[1].value)
    return out


def _texts(ws: Any) -> str:
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)


def test_year_to_date_formula_column__computed_colour_not_yellow(template: Any) -> None:
    colours = legend(template)
    yellow = [c for c, meaning in colours.items() if YELLOW in meaning]
    assert len(yellow) == 1
    checked, sheets = 0, set()
    for ws in template.worksheets:
        heads = {c.value: c.column for c in ws[3] if isinstance(c.value, str)}
        for head in ("本年累计", "本年累计完成投资(万元)"):
            if head not in heads:
                continue
            for (c,) in ws.iter_rows(min_row=4, min_col=heads[head], max_col=heads[head]):
                if not (isinstance(c.value, str) and c.value.startswith("=")):
                    continue
                checked, sheets = checked + 1, sheets | {ws.title}
                rgb = c.fill.fgColor.rgb
                assert rgb != yellow[0], (ws.title, c.coordinate)
                assert "自动计算" in colours[rgb], (ws.title, c.coordinate)
                assert c.protection.locked is False  # a correction may still be typed
    assert checked >= 3 and sheets == {"主要指标", "重点项目"}  # FGW: 1 indicator, 2 projects
    # and this month's own figure stays yellow, to fill
    sheet = template["主要指标"]
    heads = {c.value: c.column for c in sheet[3] if isinstance(c.value, str)}
    assert sheet.cell(4, heads["本月"]).fill.fgColor.rgb == yellow[0]


def test_year_to_date_formula_column__legend_lists_its_colour(template: Any) -> None:
    meanings = list(legend(template).values())
    assert any("自动计算" in m and "改写" in m for m in meanings)
