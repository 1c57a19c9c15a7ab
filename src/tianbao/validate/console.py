"""Human output of ``tianbao validate``: one summary table per file and a total."""

from __future__ import annotations

from typing import Any

from tianbao.validate.engine import FileReport
from tianbao.validate.findings import Severity

_STATUS = {
    "zh": {"accepted": "通过", "accepted_with_warnings": "通过（预警已说明）", "rejected": "退回"},
    "en": {
        "accepted": "accepted",
        "accepted_with_warnings": "accepted (warnings explained)",
        "rejected": "rejected",
    },
}
_HEAD = {
    "zh": ("文件", "单位", "报告期", "结果", "错误", "预警", "提示"),
    "en": ("file", "dept", "period", "result", "errors", "warnings", "notes"),
}
_FIND = {
    "zh": ("级别", "代码", "工作表", "单元格", "说明"),
    "en": ("severity", "code", "sheet", "cell", "message"),
}
_SEV = {
    "zh": {"error": "错误", "warning": "预警", "note": "提示"},
    "en": {"error": "error", "warning": "warning", "note": "note"},
}


def print_reports(reports: list[FileReport], lang: str, console: Any, show_notes: bool) -> None:
    from rich.table import Table

    for r in reports:
        shown = [f for f in r.findings if show_notes or f.severity is not Severity.NOTE]
        if not shown:
            continue
        t = Table(title=f"{r.path}", title_justify="left", show_lines=False)
        for h in _FIND[lang]:
            t.add_column(h, overflow="fold")
        for f in shown:
            style = {"error": "red", "warning": "yellow", "note": "dim"}[f.severity.value]
            t.add_row(
                _SEV[lang][f.severity.value], f.code.value, f.sheet, f.cell, f.message, style=style
            )
        console.print(t)
    total = Table(title="汇总 summary" if lang == "zh" else "summary", title_justify="left")
    for h in _HEAD[lang]:
        total.add_column(h, overflow="fold")
    for r in reports:
        total.add_row(
            r.path,
            r.department,
            r.period,
            _STATUS[lang][r.status],
            str(r.count(Severity.ERROR)),
            str(r.count(Severity.WARNING)),
            str(r.count(Severity.NOTE)),
            style="green" if r.valid else "red",
        )
    ok = sum(r.valid for r in reports)
    total.caption = (
        f"{ok}/{len(reports)} 个文件通过"
        if lang == "zh"
        else f"{ok}/{len(reports)} file(s) acceptable"
    )
    console.print(total)
