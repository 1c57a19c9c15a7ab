"""The validation report as an xlsx workbook for auditors.

Sheets: 汇总 (one row per file), 审核结果 (one row per finding), 审核规则 (the
audit rules of every form) and 代码表 (the findings catalog). File names,
messages and values come from untrusted returns: every text is written with
``write_string`` and the workbook converts no string to a formula, number or
link. The same reports give the same bytes (the creation date is pinned).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from enum import Enum
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from tianbao.findings import CATALOG, RETURN_CODES, Finding, Severity
from tianbao.findings.verdict import VERDICT_LABELS, verdict_zh
from tianbao.support.atomic import write_atomic
from tianbao.support.print_layout import print_landscape
from tianbao.support.xlsx import WORKBOOK_OPTIONS, display_width, row_height

if TYPE_CHECKING:
    from tianbao.validate.engine import FileReport, Validator

SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "审核结果"
RULES_SHEET = "审核规则"
CODES_SHEET = "代码表"

SUMMARY_HEADERS = ("文件", "sha256", "单位", "报告期", "模板", "结果", "错误", "预警", "提示")
FINDINGS_HEADERS = (
    "文件", "单位", "报告期", "报表", "工作表", "单元格", "行编号", "字段", "规则", "代码",
    "级别", "说明", "实际值", "应为",
)  # fmt: skip
RULES_HEADERS = ("报表", "报表名称", "规则编号", "级别", "条件", "公式", "说明", "Description")
CODES_HEADERS = ("代码", "阶段", "级别", "说明", "Description")

# the verdicts as status, history and the summary name them (ledger.records)
STATUS_ZH = {**{k: verdict_zh(k) for k in VERDICT_LABELS}, "rejected": "退回"}
SEVERITY_ZH = {"error": "错误", "warning": "预警", "note": "提示"}
# the same reports must give the same bytes: no wall-clock time in docProps/core.xml
CREATED = dt.datetime(2000, 1, 1)
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
FONT = "宋体"
_STATUS_COLOURS = {
    "accepted": "#C6EFCE",
    "accepted_with_warnings": "#FFEB9C",
    "rejected": "#FFC7CE",
}
_SEVERITY_COLOURS = {"error": "#FFC7CE", "warning": "#FFEB9C", "note": "#F2F2F2"}


def cell_value(v: Any) -> float | int | str | None:
    """A value as a cell holds it: finite numbers stay numbers, the rest is text."""
    if v is None:
        return None
    if isinstance(v, Enum):
        v = v.value
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, (float, Decimal, Real)) and not isinstance(v, bool):
        number = float(v)
        return number if math.isfinite(number) else str(v)
    return str(v)[:EXCEL_MAX_TEXT]


def write_report(reports: list[FileReport], path: Path, validator: Validator) -> None:
    """Write the auditors' workbook to ``path``, atomically."""
    write_atomic(Path(path), lambda tmp: _write(reports, tmp, validator))


def _write(reports: Sequence[FileReport], path: Path, validator: Validator) -> None:
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    wb.set_properties(
        {
            "title": "填报审核结果",
            "subject": f"{len(reports)} 个文件的审核结果",
            "author": "tianbao 审核",
            "category": "tianbao 审核报告",
            "created": CREATED,
        }
    )
    fmt = _Formats(wb)
    _summary(wb.add_worksheet(SUMMARY_SHEET), fmt, reports)
    _findings(wb.add_worksheet(FINDINGS_SHEET), fmt, reports)
    _rules(wb.add_worksheet(RULES_SHEET), fmt, validator)
    _codes(wb.add_worksheet(CODES_SHEET), fmt)
    wb.worksheets()[0].activate()
    wb.close()


class _Formats:
    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._cache: dict[tuple[Any, ...], Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            base = {"font_name": FONT, "font_size": 10, "valign": "top"}
            self._cache[key] = self._wb.add_format({**base, **props})
        return self._cache[key]

    @property
    def header(self) -> Any:
        return self.get(bold=True, bg_color="#D9E1F2", border=1, border_color="#808080")


# a column of a table: header, widest it may grow (characters), wrap text beyond that
_Col = tuple[str, float, bool]
# per row: {column index: cell format} for colour
_Styler = Callable[[int, Sequence[Any]], dict[int, Any]]


def _table(
    ws: Any,
    fmt: _Formats,
    cols: Sequence[_Col],
    rows: Sequence[Sequence[Any]],
    styler: _Styler | None = None,
) -> None:
    """Header row, data rows, frozen header, autofilter, widths that fit CJK text."""
    limit = EXCEL_MAX_ROWS - 2
    for c, (header, _, _) in enumerate(cols):
        ws.write_string(0, c, header, fmt.header)
    widths = [display_width(h) + 3 for h, _, _ in cols]  # room for the filter button
    plain, wrapped = fmt.get(align="left"), fmt.get(align="left", text_wrap=True)
    for i, row in enumerate(rows[:limit]):
        r = i + 1
        styles = styler(i, row) if styler else {}
        tall: list[tuple[str, float]] = []
        for c, raw in enumerate(row):
            header, widest, wrap = cols[c]
            style = styles.get(c) or (wrapped if wrap else plain)
            text = _write_cell(ws, r, c, cell_value(raw), style)
            if text is None:
                continue
            need = max((display_width(part) for part in text[:500].split("\n")), default=0) + 1
            widths[c] = max(widths[c], min(need, widest))
            if wrap and need > widest:
                tall.append((text[:2000], widest))
        if tall:
            ws.set_row(r, row_height(tall))
    if len(rows) > limit:
        ws.write_string(limit + 1, 0, f"……另有 {len(rows) - limit} 行未列出（超出 Excel 行数上限）")
    for c, w in enumerate(widths):
        ws.set_column(c, c, round(w, 1))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(min(len(rows), limit), 1), len(cols) - 1)
    print_landscape(ws, widths, (0, 0), f"填报审核结果：{ws.get_name()}", (0, 1))


def _write_cell(ws: Any, r: int, c: int, value: Any, style: Any) -> str | None:
    """A blank, text or number cell; the text it shows (None when blank)."""
    if value is None:
        ws.write_blank(r, c, None, style)
        return None
    if isinstance(value, str):
        ws.write_string(r, c, value, style)
        return value
    ws.write_number(r, c, value, style)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _summary(ws: Any, fmt: _Formats, reports: Sequence[FileReport]) -> None:
    cols: list[_Col] = [
        ("文件", 60, True), ("sha256", 66, False), ("单位", 20, True), ("报告期", 10, False),
        ("模板", 40, False), ("结果", 20, False), ("错误", 8, False), ("预警", 8, False),
        ("提示", 8, False),
    ]  # fmt: skip
    assert tuple(c[0] for c in cols) == SUMMARY_HEADERS
    rows = [
        (
            r.path,
            r.sha256,
            r.department,
            r.period,
            r.template_id,
            STATUS_ZH[r.verdict],
            r.count(Severity.ERROR),
            r.count(Severity.WARNING),
            r.count(Severity.NOTE),
        )
        for r in reports
    ]
    status = [r.status for r in reports]
    result_col = SUMMARY_HEADERS.index("结果")

    def styler(i: int, _row: Sequence[Any]) -> dict[int, Any]:
        counts = dict.fromkeys(range(result_col + 1, len(cols)), fmt.get(align="center"))
        return {result_col: fmt.get(bold=True, bg_color=_STATUS_COLOURS[status[i]]), **counts}

    _table(ws, fmt, cols, rows, styler)


def finding_rows(reports: Sequence[FileReport]) -> list[tuple[Any, ...]]:
    """One row per finding, in the order of FINDINGS_HEADERS."""
    return [_finding_row(r, f) for r in reports for f in r.findings]


def _finding_row(r: FileReport, f: Finding) -> tuple[Any, ...]:
    return (
        f.file or r.path, f.department or r.department, f.period or r.period, f.form, f.sheet,
        f.cell, f.row_key, f.field, f.rule, f.code.value, SEVERITY_ZH[f.severity.value],
        f.message, f.value, f.expected,
    )  # fmt: skip


def _findings(ws: Any, fmt: _Formats, reports: Sequence[FileReport]) -> None:
    cols: list[_Col] = [
        ("文件", 40, True), ("单位", 16, True), ("报告期", 10, False), ("报表", 24, False),
        ("工作表", 16, False), ("单元格", 8, False), ("行编号", 14, False), ("字段", 18, False),
        ("规则", 30, False), ("代码", 30, False), ("级别", 6, False), ("说明", 60, True),
        ("实际值", 24, True), ("应为", 24, True),
    ]  # fmt: skip
    assert tuple(c[0] for c in cols) == FINDINGS_HEADERS
    severities = [f.severity.value for r in reports for f in r.findings]
    level_col = FINDINGS_HEADERS.index("级别")

    def styler(i: int, _row: Sequence[Any]) -> dict[int, Any]:
        return {level_col: fmt.get(align="left", bg_color=_SEVERITY_COLOURS[severities[i]])}

    _table(ws, fmt, cols, finding_rows(reports), styler)


def _rules(ws: Any, fmt: _Formats, validator: Validator) -> None:
    cols: list[_Col] = [
        ("报表", 24, False), ("报表名称", 24, True), ("规则编号", 30, False), ("级别", 6, False),
        ("条件", 30, True), ("公式", 40, True), ("说明", 50, True), ("Description", 50, True),
    ]  # fmt: skip
    assert tuple(c[0] for c in cols) == RULES_HEADERS
    rows = [
        (
            form_id,
            form.title_zh,
            rule.id,
            SEVERITY_ZH.get(rule.severity, rule.severity),
            rule.when or "",
            rule.expr,
            rule.message_zh,
            rule.message_en,
        )
        for form_id, form in validator.ws.forms.items()
        for rule in form.rules
    ]
    _table(ws, fmt, cols, rows)


def _codes(ws: Any, fmt: _Formats) -> None:
    cols: list[_Col] = [
        ("代码", 30, False), ("阶段", 8, False), ("级别", 6, False), ("说明", 40, True),
        ("Description", 50, True),
    ]  # fmt: skip
    assert tuple(c[0] for c in cols) == CODES_HEADERS
    rows = [
        (code.value, code.stage, SEVERITY_ZH[CATALOG[code].severity.value], CATALOG[code].zh,
         CATALOG[code].en)
        for code in RETURN_CODES
    ]  # fmt: skip
    _table(ws, fmt, cols, rows)
