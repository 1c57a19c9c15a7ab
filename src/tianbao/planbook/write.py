"""The plan as a workbook an office keeps in Excel: one sheet per part of the plan
(基本信息, 填报单位, 主要指标, 重点项目, 重点任务, 民生工程) with Chinese headers,
dropdowns for the closed choices, frozen headers and a 说明 sheet.

``write_plan_workbook(path, plan_data)`` writes it filled from a plan (``plan
export``), or blank for a new office (``plan template``). Every value is written as
what it is (text as text: a name starting with "=" never becomes a formula); the
document time is pinned, so the same plan gives the same bytes. The layout is
``tianbao.planbook.sheets``; ``tianbao.planbook.read`` reads it back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tianbao.planbook.forms import INLINE_LIST_MAX, FormNames
from tianbao.planbook.guide import column_rows
from tianbao.planbook.sheets import (
    BASICS,
    BASICS_SHEET,
    GUIDE_SHEET,
    HOW_TO,
    INTEGER,
    LIST,
    NUMBER,
    SHEETS,
    YESNO,
    Col,
)
from tianbao.support.print_layout import print_landscape

PINNED = dt.datetime(2000, 1, 1)
FORMS_LIST_SHEET = "报表清单"  # hidden: the 报表 dropdown's entries, when too many to inline


def get(data: Any, path: str) -> Any:
    """A dotted path of the plan's data; None where absent."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def write_plan_workbook(
    path: Path, plan: dict[str, Any] | None = None, forms: FormNames | None = None
) -> None:
    """The plan workbook: filled from ``plan`` (its YAML data), or blank; ``forms``: the
    forms the 报表 cell names by their Chinese names (a workspace's; else the standard)."""
    import xlsxwriter

    forms = forms or FormNames.of()

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "目标任务计划", "created": PINNED, "author": "tianbao"})
    head = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = wb.add_format({"border": 1, "num_format": "#,##0.####", "valign": "top"})
    whole = wb.add_format({"border": 1, "num_format": "0", "align": "left", "valign": "top"})
    guide = wb.add_worksheet(GUIDE_SHEET)
    _guide(guide, head, text)
    _basics(wb.add_worksheet(BASICS_SHEET), plan, forms, (head, text, number, whole))
    for sheet in SHEETS:
        ws = wb.add_worksheet(sheet.name)
        rows = _rows(plan, sheet.collection)
        last = max(1000, len(rows) + 500)  # room for the rows an office adds
        for c, col in enumerate(sheet.cols):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.header, head)
            if col.note:
                ws.write_comment(0, c, col.note)
            _dropdown(ws, 1, last, c, col)
        ws.set_row(0, 30)  # headers wrap to two lines
        for r, item in enumerate(rows, 1):
            shown = [col.label(get(item, col.path)) for col in sheet.cols]
            for c, (value, col) in enumerate(zip(shown, sheet.cols, strict=True)):
                _cell(ws, r, c, value, number if col.kind == NUMBER else text, number)
            _fit_row(ws, r, zip(shown, (col.width for col in sheet.cols), strict=True))
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(rows), 1), len(sheet.cols) - 1)
        print_landscape(ws, [col.width for col in sheet.cols], (0, 0), sheet.name, (0, 1))
    if len(",".join(forms.labels())) > INLINE_LIST_MAX:  # last, out of the way
        names = wb.add_worksheet(FORMS_LIST_SHEET)
        for i, label in enumerate(forms.labels()):
            names.write_string(i, 0, label)
        names.hide()
    guide.activate()
    wb.close()


def _basics(basics: Any, plan: dict[str, Any] | None, forms: FormNames, formats: tuple) -> None:
    """基本信息: one row per field of the plan as a whole (项目, 值)."""
    head, text, number, whole = formats
    basics.set_column(0, 0, 26)
    basics.set_column(1, 1, 60)
    basics.write_string(0, 0, "项目", head)
    basics.write_string(0, 1, "值", head)
    for r, col in enumerate(BASICS, 1):
        basics.write_string(r, 0, col.header, head)
        if col.note:
            basics.write_comment(r, 0, col.note)
        value = get(plan, col.path) if plan else None
        if col.path == "reporting.forms" and isinstance(value, list):
            value = [forms.label(str(v)) for v in value]  # the names the office knows
        if col.kind == LIST and isinstance(value, list):
            value = ", ".join(map(str, value))  # spaces: the cell can wrap
        # a year is 2014, not 2,014
        _cell(basics, r, 1, col.label(value), text, whole if col.kind == INTEGER else number)
        _fit_row(basics, r, [(col.label(value), 60)])
        if col.path == "reporting.forms":
            _forms_dropdown(basics, r, forms.labels())
        else:
            _dropdown(basics, r, r, 1, col)
    print_landscape(basics, [26, 60], (0, 0), BASICS_SHEET)


def _guide(ws: Any, head: Any, text: Any) -> None:
    """说明: how to fill, then every column of every sheet (工作表, 列, 必填, 填法, 说明)."""
    widths = (12, 22, 6, 40, 50)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    for r, line in enumerate(HOW_TO):
        ws.merge_range(r, 0, r, 4, line, text)  # the 说明 sheet is never read back
    top = len(HOW_TO) + 1
    for c, title in enumerate(("工作表", "列", "必填", "填法", "说明")):
        ws.write_string(top, c, title, head)
    for r, row in enumerate(column_rows(), top + 1):
        for c, value in enumerate(row):
            ws.write_string(r, c, value, text)
        _fit_row(ws, r, zip(row, widths, strict=True))
    ws.freeze_panes(top + 1, 0)
    print_landscape(ws, widths, (top, top), GUIDE_SHEET)


def _rows(plan: dict[str, Any] | None, collection: str) -> list[dict[str, Any]]:
    """The entries of a sheet; the milestones sheet lists each project's, with its id."""
    if not plan:
        return []
    if collection == "projects.milestones":
        return [
            {"project": p.get("id"), **m}
            for p in plan.get("projects") or []
            for m in p.get("milestones") or []
        ]
    return list(plan.get(collection) or [])


def _dropdown(ws: Any, first: int, last: int, c: int, col: Col) -> None:
    if col.choices or col.kind == YESNO:
        labels = [label for label, _ in col.choices] or ["是", "否"]
        ws.data_validation(first, c, last, c, {"validate": "list", "source": labels})
    elif col.departments:  # the codes of the 填报单位 sheet, as the office types them
        source = "='填报单位'!$A$2:$A$2000"
        ws.data_validation(
            first, c, last, c, {"validate": "list", "source": source, "error_type": "warning"}
        )


def _forms_dropdown(ws: Any, r: int, labels: list[str]) -> None:
    """The 报表 cell's dropdown: one form's name to pick; typing several (comma-separated)
    is allowed, so a typed value outside the list is only an information. Past Excel's
    255 characters of an inline list, the names are on a hidden sheet (``_forms_list``)."""
    source: Any = labels
    if len(",".join(labels)) > INLINE_LIST_MAX:
        source = f"='{FORMS_LIST_SHEET}'!$A$1:$A${len(labels)}"
    ws.data_validation(r, 1, r, 1, {
        "validate": "list", "source": source, "error_type": "information",
        "input_title": "报表", "input_message": "选一个报表，或填几个（逗号分隔）；空：全部报表",
    })  # fmt: skip


def _width(text: str) -> int:
    """Display width in column units: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fit_row(ws: Any, r: int, cells: Any) -> None:
    """A row as tall as its longest wrapped text ((value, column width) pairs): a
    spreadsheet does not grow a row on open, so wrapped text would be cut off."""
    lines = 1
    for value, width in cells:
        if isinstance(value, str):
            lines = max(lines, -(-_width(value) // max(int(width) - 1, 1)))
    if lines > 1:
        ws.set_row(r, 15 * min(lines, 8))


def _cell(ws: Any, r: int, c: int, value: Any, fmt: Any, number: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(r, c, "是" if value else "否", fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, number)
    else:
        ws.write_string(r, c, str(value), fmt)
