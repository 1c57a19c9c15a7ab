"""A finding's line in the terminal's table (issue 32, item 9): 「第 4 行“…”」 is not
broken after its number, at 100 and at 160 columns (rich's Console of that width)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tianbao.support.console_table import print_table

LONG = (
    "第 4 行“居民饮水安全工程”：本年累计完成投资（1035）超过计划投资（900），请说明"
    "（已说明：追加建设内容，区政府常务会议已批准追加预算）"
)
HEADERS = ["级别 severity", "代码 code", "工作表 sheet", "单元格 cell", "说明 message"]


@pytest.mark.parametrize("width", [100, 160])
def test_a_row_number_stays_with_its_words(width: int) -> None:
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system=None)
    cells = ["预警", "RULE_WARNING_EXPLAINED", "民生工程", "G4", LONG]
    print_table(console, "审核结果 findings", HEADERS, [(cells, None)])
    lines = console.file.getvalue().splitlines()
    (first,) = [line for line in lines if "G4" in line]
    assert "第4行“居民饮水" in first, "\n".join(lines)
    # nothing of the message is lost to the wrapping (the continuation lines hold the rest)
    text = "".join(line.split("│")[-2].strip() for line in lines if line.startswith("│"))
    assert "区政府常务会议已批准追加预算）" in text and "（1035）" in text
