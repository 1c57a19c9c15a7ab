"""The plan as a workbook an office keeps in Excel: one sheet per part of the plan
(基本信息, 填报单位, 主要指标, 重点项目, 重点任务, 民生工程) with Chinese headers,
dropdowns for the closed choices, frozen headers and a 说明 sheet.

``write_plan_workbook(path, plan_data)`` writes it filled from a plan (``plan
export``), or blank for a new office (``plan template``). Every value is written as
what it is (text as text: a name starting with "=" never becomes a formula); the
document time is pinned, so the same plan gives the same bytes. Reading it back
(``plan import``) is the next step of the plan-in-Excel work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PINNED = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Col:
    header: str  # what the office reads
    path: str  # where it lives in plan.yaml, dotted
    width: float = 12
    choices: tuple[str, ...] = ()  # a dropdown
    number: bool = False
    note: str = ""  # the header's comment


YES_NO = ("是", "否")
SHEETS: dict[str, tuple[str, Sequence[Col]]] = {
    "填报单位": (
        "departments",
        (
            Col("单位代码", "code", 10, note="大写字母，如 FGW；文件名和模板里用它"),
            Col("单位名称", "name", 28),
            Col("简称", "short", 10),
            Col("联系人", "contact.name", 10),
            Col("联系电话", "contact.phone", 14),
        ),
    ),
    "主要指标": (
        "indicators",
        (
            Col("指标代码", "code", 14),
            Col("指标名称", "name.zh", 22),
            Col("英文名称", "name.en", 22),
            Col("计量单位", "unit", 8),
            Col("责任单位", "department", 10, note="填报单位表中的单位代码"),
            Col(
                "累计/时点", "accumulation", 9, ("ytd", "point"), note="ytd 本年累计；point 时点值"
            ),
            Col("增速口径", "growth_basis", 9, ("real", "nominal")),
            Col("基期值", "base.value", 10, number=True),
            Col("基期增速(%)", "base.growth_pct", 10, number=True),
            Col(
                "目标类型",
                "target.kind",
                14,
                ("growth", "level", "ceiling", "growth_and_level", "given_later"),
                note="growth 增长；level 达到；ceiling 控制在以内；growth_and_level 两者；"
                "given_later 另行下达",
            ),
            Col("目标增速(%)", "target.rate_pct", 10, number=True),
            Col("目标值", "target.level", 10, number=True),
            Col("目标表述", "target.text", 24),
        ),
    ),
    "重点项目": (
        "projects",
        (
            Col("项目编号", "id", 9),
            Col("项目名称", "name", 28),
            Col("类别", "category", 7, ("新建", "续建", "运作", "储备")),
            Col("重点项目", "key", 8, YES_NO),
            Col("总投资(万元)", "total_investment", 12, number=True),
            Col("年度计划投资(万元)", "annual_plan", 12, number=True),
            Col("责任单位", "department", 10),
            Col("责任领导", "leader", 14),
            Col("关键词", "keyword", 10),
            Col("路径", "path", 28),
            Col("计划开工", "start", 11, note="日期，如 2014-04-01"),
            Col("计划竣工", "finish", 11),
        ),
    ),
    "重点任务": (
        "tasks",
        (
            Col("任务编号", "id", 9),
            Col("关键词", "keyword", 10),
            Col("路径", "path", 28),
            Col("任务内容", "description", 40),
            Col("计量单位", "unit", 8),
            Col("年度目标", "target", 10, number=True),
            Col("完成时限", "deadline", 11),
            Col("责任单位", "department", 10),
        ),
    ),
    "民生工程": (
        "livelihood",
        (
            Col("编号", "id", 8),
            Col("名称", "name", 26),
            Col("计划投资(万元)", "budget", 12, number=True),
            Col("责任单位", "department", 10),
            Col("建设内容", "content", 40),
            Col("完成时限", "deadline", 11),
        ),
    ),
}
BASICS: tuple[tuple[str, str], ...] = (
    ("区（县）名称", "district.name"),
    ("区（县）代码", "district.code"),
    ("所属市", "district.city"),
    ("所属省", "district.province"),
    ("计划年度", "year"),
    ("基期年度", "base_year"),
    ("计划版本", "plan_version"),
    ("报送频率（month 月报）", "reporting.frequency"),
    ("报送截止（期末后天数）", "reporting.deadline_days_after_period_end"),
    ("时区（空：Asia/Shanghai）", "reporting.timezone"),
    ("报表（逗号分隔）", "reporting.forms"),
)
HOW_TO = (
    "本工作簿是全年目标任务计划：每张表一类内容，一行一条。",
    "灰色表头不要改动；可以增加行，不要插入列。",
    "带下拉箭头的单元格请从列表中选择；日期写成 2014-04-01；金额以万元为单位，只填数字。",
    "“责任单位”填“填报单位”表中的单位代码。",
    "年中调整计划时，改动后提高“基本信息”中的计划版本，并注明调整原因。",
)


def get(data: Any, path: str) -> Any:
    """A dotted path of the plan's data; None where absent."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def write_plan_workbook(path: Path, plan: dict[str, Any] | None = None) -> None:
    """The plan workbook: filled from ``plan`` (its YAML data), or blank."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "目标任务计划", "created": PINNED, "author": "tianbao"})
    head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = wb.add_format({"border": 1, "num_format": "#,##0.####", "valign": "top"})
    guide = wb.add_worksheet("说明")
    guide.set_column(0, 0, 100)
    for r, line in enumerate(HOW_TO):
        guide.write_string(r, 0, line, text)
    basics = wb.add_worksheet("基本信息")
    basics.set_column(0, 0, 26)
    basics.set_column(1, 1, 40)
    basics.write_string(0, 0, "项目", head)
    basics.write_string(0, 1, "值", head)
    for r, (label, key) in enumerate(BASICS, 1):
        basics.write_string(r, 0, label, head)
        value = get(plan, key) if plan else None
        if isinstance(value, list):
            value = ",".join(map(str, value))
        _cell(basics, r, 1, value, text, number)
    for name, (collection, cols) in SHEETS.items():
        ws = wb.add_worksheet(name)
        rows = (plan or {}).get(collection) or []
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.header, head)
            if col.note:
                ws.write_comment(0, c, col.note)
            if col.choices:
                ws.data_validation(1, c, 1000, c, {"validate": "list", "source": list(col.choices)})
        ws.set_row(0, 30)  # headers wrap to two lines
        for r, item in enumerate(rows, 1):
            lines = 1
            for c, col in enumerate(cols):
                value = get(item, col.path)
                if col.choices == YES_NO and isinstance(value, bool):
                    value = "是" if value else "否"
                _cell(ws, r, c, value, number if col.number else text, number)
                if isinstance(value, str):
                    lines = max(lines, -(-_width(value) // max(int(col.width) - 1, 1)))
            if lines > 1:  # a spreadsheet does not grow a row on open
                ws.set_row(r, 15 * min(lines, 8))
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)
        _print_setup(ws)
    _print_setup(basics)
    guide.activate()
    wb.close()


def _width(text: str) -> int:
    """Display width in column units: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _print_setup(ws: Any) -> None:
    """A4 landscape, one page wide, the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _cell(ws: Any, r: int, c: int, value: Any, fmt: Any, number: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, number)
    else:
        ws.write_string(r, c, str(value), fmt)
