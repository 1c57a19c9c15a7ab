"""How to fill the plan workbook, column by column, in Chinese: the workbook's 说明 sheet
and docs/plan.md are both made from the layout (``sheets``), so they cannot drift."""

from __future__ import annotations

from tianbao.planbook.sheets import (
    BASICS,
    BASICS_SHEET,
    CHOICE,
    CODE,
    DATE,
    HOW_TO,
    INTEGER,
    LIST,
    NUMBER,
    ROW_UNIT,
    SHEETS,
    YESNO,
    Col,
)

_HOW = {
    CODE: "代码：字母开头，只用字母、数字、-、_；不分大小写（fgw 与 FGW 是同一个代码）",
    NUMBER: "数字",
    INTEGER: "整数",
    DATE: "日期，如 2014-04-01（也可写 2014年4月1日）",
    YESNO: "是 / 否",
    LIST: "用逗号分隔的几项",
}
_EXAMPLES = {
    "total_investment": "50000（也可写 5亿元）",
    "annual_plan": "12000",
    "budget": "600",
    "target.rate_pct": "9",
    "reporting.forms": "主要指标月报, 目标02表（旧文件的 projects_progress 这样的代码也认）",
    "year": "2014",
}


def how_to_fill(col: Col) -> str:
    """What a column takes, as the office reads it."""
    if col.kind == CHOICE:
        return "从下拉列表中选择：" + "、".join(label for label, _ in col.choices)
    how = _HOW.get(col.kind, "文字")
    if col.kind == NUMBER and col.unit == ROW_UNIT:
        how += "，按本行的计量单位"
    elif col.kind == NUMBER and col.unit:
        how += f"，单位 {col.unit}"
    if col.departments:
        how += "；填“填报单位”表中的单位代码"
    return how


def column_rows() -> list[tuple[str, str, str, str, str]]:
    """(sheet, column, 必填, how to fill, note) for every column of the workbook."""
    rows = [(BASICS_SHEET, *_row(col)) for col in BASICS]
    for sheet in SHEETS:
        rows += [(sheet.name, *_row(col)) for col in sheet.cols]
    return rows


def _row(col: Col) -> tuple[str, str, str, str]:
    note = col.note
    example = _EXAMPLES.get(col.path)
    if example:
        note = f"{note}；例：{example}" if note else f"例：{example}"
    return col.header, "是" if col.required else "", how_to_fill(col), note


def plan_markdown() -> str:
    """docs/plan.md: the plan workbook, sheet by sheet."""
    out = [
        "# 计划工作簿填写说明",
        "",
        "<!-- 由 python -m tianbao.docs 根据 tianbao/planbook/sheets.py 生成，请勿手改 -->",
        "",
        "全年目标任务计划保存在一个 Excel 工作簿里：`tianbao plan template 计划.xlsx` 生成空白"
        "工作簿，`tianbao plan export -w 工作区 计划.xlsx` 导出当前计划，填好或改好后用 "
        "`tianbao plan import 计划.xlsx -w 工作区` 导入（有问题时逐个指出工作表和单元格，"
        "不写入任何内容；导入成功时原计划备份在 `.tianbao/backups/`，并列出改动）。",
        "",
        *(f"- {line}" for line in HOW_TO),
    ]
    current = None
    for sheet, header, required, how, note in column_rows():
        if sheet != current:
            current = sheet
            out += ["", f"## {sheet}", "", "| 列 | 必填 | 填法 | 说明 |", "|---|---|---|---|"]
        out.append(f"| {header} | {required} | {_md(how)} | {_md(note)} |")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
