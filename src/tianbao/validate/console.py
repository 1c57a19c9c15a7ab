"""Human output of ``tianbao validate``: one summary table per file and a total."""

from __future__ import annotations

from typing import Any

from tianbao.findings import Severity
from tianbao.findings.verdict import VERDICT_LABELS
from tianbao.support.console_table import print_table, too_many
from tianbao.support.lang import halves
from tianbao.validate.engine import FileReport

# the verdicts as status, history and the summary name them (ledger.records)
_STATUS = {
    lang: {**{k: halves(v)[i] for k, v in VERDICT_LABELS.items()}, "rejected": rejected}
    for i, (lang, rejected) in enumerate((("zh", "退回"), ("en", "rejected")))
}
_HEAD = {
    "zh": ("文件", "单位", "报告期", "结果", "错误", "预警", "提示"),
    "en": ("file", "dept", "period", "result", "errors", "warnings", "notes"),
}
_FIND = {
    "zh": ("级别", "代码", "工作表", "单元格", "说明"),
    "en": ("severity", "code", "sheet", "cell", "message"),
}
_STYLE = {"error": "red", "warning": "yellow", "note": "dim"}
_SEV = {
    "zh": {"error": "错误", "warning": "预警", "note": "提示"},
    "en": {"error": "error", "warning": "warning", "note": "note"},
}


def print_reports(reports: list[FileReport], lang: str, console: Any, show_notes: bool) -> None:
    shown = [
        (r, [f for f in r.findings if show_notes or f.severity is not Severity.NOTE])
        for r in reports
    ]
    shown = [(r, fs) for r, fs in shown if fs]
    if too_many(sum(len(fs) for _, fs in shown)):  # one list, file after file
        print_table(
            console,
            "审核结果 findings" if lang == "zh" else "findings",
            (_HEAD[lang][0], *_FIND[lang]),
            [
                ((r.path, *_finding_cells(f, lang)), _STYLE[f.severity.value])
                for r, fs in shown
                for f in fs
            ],
        )
    else:
        for r, fs in shown:
            print_table(
                console,
                r.path,
                _FIND[lang],
                [(_finding_cells(f, lang), _STYLE[f.severity.value]) for f in fs],
            )
    ok = sum(r.valid for r in reports)
    print_table(
        console,
        "汇总 summary" if lang == "zh" else "summary",
        _HEAD[lang],
        [
            (
                (
                    r.path,
                    r.department,
                    r.period,
                    _STATUS[lang][r.verdict],
                    str(r.count(Severity.ERROR)),
                    str(r.count(Severity.WARNING)),
                    str(r.count(Severity.NOTE)),
                ),
                "green" if r.valid else "red",
            )
            for r in reports
        ],
        f"{ok}/{len(reports)} 个文件通过"
        if lang == "zh"
        else f"{ok}/{len(reports)} file(s) acceptable",
    )


def _finding_cells(f: Any, lang: str) -> tuple[str, ...]:
    message = f.message
    if lang == "en":  # one language per line: the English text every finding carries
        message = f.extra.get("message_en") or message
    return (_SEV[lang][f.severity.value], f.code.value, f.sheet, f.cell, message)
