"""Human output of ``tianbao status``."""

from __future__ import annotations

from typing import Any

from tianbao.ledger.status import LABELS, LABELS_EN, StatusReport
from tianbao.support.console_table import print_table
from tianbao.support.lang import pick, tr
from tianbao.support.usertext import shown

_EN_NOTE = {"（更正）": " correction", "（更正·签发后）": " correction after sign-off"}

_STYLE = {
    "on_time": "green",
    "accepted_with_warnings": "green",
    "late": "yellow",
    "rejected": "red",
    "missing": "red",
    "returned": "red",
}


def _title(report: StatusReport) -> str:
    """The table's title: the deadline, and who signed the period off once signed."""
    deadline = report.deadline.isoformat()
    signed = report.signed
    zh_signed = f"，{shown(report.signed_line)}" if signed else ""
    en_signed = f", signed off by {shown(str(signed['by']))}" if signed else ""
    return (
        f"{report.period_label} 报送情况（截止 {deadline}{zh_signed}） | "
        f"status of {report.period} (deadline {deadline}{en_signed})"
    )


def print_status(report: StatusReport, console: Any) -> None:
    rows = [
        (
            (
                d.code if i == 0 else "",
                d.name if i == 0 else "",
                f.title,
                tr(f.label + f.received_note, f.label_en + _EN_NOTE.get(f.received_note, "")),
                str(f.days_late) if f.days_late else "",
                f"#{f.submission_id}" if f.submission_id is not None else "",
                shown(f.file_name),  # as the ledger holds it: escaped
            ),
            _STYLE[f.state],
        )
        for d in report.departments
        for i, f in enumerate(d.forms)
    ]
    counts = report.counts()
    print_table(
        console,
        _title(report),
        (
            "单位 | dept",
            "名称 | name",
            "报表 | form",
            "状态 | state",
            "迟报天数 | days late",
            "编号 | id",
            "文件 | file",
        ),
        rows,
        "；".join(f"{LABELS[s]} {n}" for s, n in counts.items() if n)
        + " | "
        + "; ".join(f"{LABELS_EN[s]} {n}" for s, n in counts.items() if n),
    )
    if not report.chase:
        console.print(pick("无需催报 nobody to chase"), style="green")
        return
    titles = {f.form: f.title for d in report.departments for f in d.forms}
    as_of = report.as_of.isoformat()
    print_table(
        console,
        f"催报名单（截至 {as_of}） | to chase (as of {as_of})",
        (
            "单位 | dept",
            "名称 | name",
            "联系人 | contact",
            "电话 | phone",
            "原因 | reason",
            "报表 | forms",
            "逾期天数 | days overdue",
        ),
        [
            (
                (
                    e.department,
                    e.name,
                    e.contact_name,
                    e.contact_phone,
                    tr(LABELS[e.reason], LABELS_EN[e.reason]),
                    "、".join(titles.get(x, x) for x in e.forms),
                    str(e.days_overdue) if e.days_overdue else "",
                ),
                _STYLE[e.reason],
            )
            for e in report.chase
        ],
    )
    _print_texts(report, console)


def _print_texts(report: StatusReport, console: Any) -> None:
    """The 催报 texts, ready to send, one per line; once signed off, how to reopen."""
    for e in report.chase:
        line = f"{pick('催报 | chase')} {e.department}{tr('：', ': ')}{shown(e.text)}"
        console.print(line, highlight=False, soft_wrap=True)
        if e.reopen:  # signed off: the office reopens before a correction can come in
            said = pick("已签发，接收更正须先重新打开 | signed off; to take a correction")
            console.print(f"  {said}{tr('：', ': ')}{e.reopen}", highlight=False, soft_wrap=True)
