"""Human output of ``tianbao status``."""

from __future__ import annotations

from typing import Any

from tianbao.ledger.status import LABELS, StatusReport
from tianbao.support.console_table import print_table

_STYLE = {
    "on_time": "green",
    "accepted_with_warnings": "green",
    "late": "yellow",
    "rejected": "red",
    "missing": "red",
    "returned": "red",
}


def print_status(report: StatusReport, console: Any) -> None:
    rows = [
        (
            (
                d.code if i == 0 else "",
                d.name if i == 0 else "",
                f.title,
                f.label + f.received_note,
                str(f.days_late) if f.days_late else "",
                f"#{f.submission_id}" if f.submission_id is not None else "",
                f.file_name,
            ),
            _STYLE[f.state],
        )
        for d in report.departments
        for i, f in enumerate(d.forms)
    ]
    counts = report.counts()
    print_table(
        console,
        f"{report.period_label} 报送情况 status of {report.period}"
        f"（截止 deadline {report.deadline.isoformat()}）",
        ("单位", "名称", "报表", "状态", "迟报天数", "编号", "文件"),
        rows,
        "；".join(f"{LABELS[s]} {n}" for s, n in counts.items() if n),
    )
    if not report.chase:
        console.print("无需催报 nobody to chase", style="green")
        return
    titles = {f.form: f.title for d in report.departments for f in d.forms}
    print_table(
        console,
        f"催报名单 to chase（截至 as of {report.as_of.isoformat()}）",
        ("单位", "名称", "联系人", "电话", "原因", "报表", "逾期天数"),
        [
            (
                (
                    e.department,
                    e.name,
                    e.contact_name,
                    e.contact_phone,
                    LABELS[e.reason],
                    "、".join(titles.get(x, x) for x in e.forms),
                    str(e.days_overdue) if e.days_overdue else "",
                ),
                _STYLE[e.reason],
            )
            for e in report.chase
        ],
    )
    for e in report.chase:  # ready to send, one per line
        console.print(f"催报 {e.department}：{e.text}", highlight=False, soft_wrap=True)


HISTORY_LABELS = {
    "accepted": "通过",
    "accepted_with_warnings": "通过（有预警）",
    "rejected": "审核未通过",  # the rules' verdict; 统计局退回 is the office's
    "superseded": "已被替代",
}
REVIEW_LABELS = {"returned": "统计局退回", "forced": "强制受理", "approved": "审核通过"}


def print_history(log: Any, tz: Any, console: Any) -> None:
    """One line per submission (id, period, department, status, receipt, file), each
    decision on it on a line below; then the sign-offs."""
    from tianbao.plan.clock import shown

    def when(text: str) -> str:
        return shown(text, tz) if tz is not None else text

    rows = []
    for s in log.submissions:
        status = HISTORY_LABELS.get(s.status, s.status)
        if s.superseded_by:
            status += f" → #{s.superseded_by}"
        if s.id in log.after_signoff:
            status += " 更正·签发后"
        elif s.correction:
            status += " 更正"
        if s.review:
            status += f"·{REVIEW_LABELS.get(s.review, s.review)}"
        cells = (f"#{s.id}", s.period or "-", s.department or "-", status, when(s.received_at),
                 s.file_name)  # fmt: skip
        rows.append((cells, "red" if s.status == "rejected" else None))
        for r in log.reviews.get(s.id, []):
            verb = REVIEW_LABELS.get(r["action"], "撤销决定")
            rows.append((("", "", "", f"  {verb}（{r['by']}）", when(r["at"]), r["reason"]), None))
    print_table(
        console,
        "报送记录 history",
        ("编号", "报告期", "单位", "状态", "收到时间", "文件"),
        rows,
        f"{len(log.submissions)} 份 submission(s)",
    )
    for x in log.signoffs:
        verb = "签发" if x["action"] == "signed" else "撤销签发"
        note = f"：{x['note']}" if x["note"] else ""
        console.print(f"{x['period']} {verb}（{x['by']}，{when(x['at'])}）{note}", highlight=False)
