"""Human output of ``tianbao status``."""

from __future__ import annotations

from typing import Any

from tianbao.ledger.records import ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED
from tianbao.ledger.status import LABELS, StatusReport
from tianbao.review.text import shown
from tianbao.support.console_table import print_table
from tianbao.support.lang import pick, tr

_EN_NOTE = {"（更正）": " correction", "（更正·签发后）": " correction after sign-off"}

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
                tr(f.label + f.received_note, f.state + _EN_NOTE.get(f.received_note, "")),
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
    deadline = report.deadline.isoformat()
    print_table(
        console,
        f"{report.period_label} 报送情况（截止 {deadline}） | "
        f"status of {report.period} (deadline {deadline})",
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
        + "; ".join(f"{s} {n}" for s, n in counts.items() if n),
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
                    tr(LABELS[e.reason], e.reason),
                    "、".join(titles.get(x, x) for x in e.forms),
                    str(e.days_overdue) if e.days_overdue else "",
                ),
                _STYLE[e.reason],
            )
            for e in report.chase
        ],
    )
    for e in report.chase:  # ready to send, one per line
        line = f"{pick('催报 | chase')} {e.department}：{shown(e.text)}"
        console.print(line, highlight=False, soft_wrap=True)


HISTORY_LABELS = {
    ACCEPTED: "通过",
    ACCEPTED_WITH_WARNINGS: "通过（有预警）",
    REJECTED: "审核未通过",  # the rules' verdict; 统计局退回 is the office's
    SUPERSEDED: "已被替代",
}


def print_history(log: Any, tz: Any, console: Any) -> None:
    """One line per submission (id, period, department, status, receipt, file), each
    decision on it on a line below; then the sign-offs."""
    from tianbao.plan.clock import shown as local
    from tianbao.review.states import LABELS, SIGNOFF_LABELS

    def when(text: str) -> str:
        return shown(local(text, tz) if tz is not None else text)

    rows = []
    for s in log.submissions:
        status = tr(HISTORY_LABELS.get(s.status, s.status), s.status)
        if s.superseded_by:
            status += f" → #{s.superseded_by}"
        if s.id in log.after_signoff:
            status += tr(" 更正·签发后", " correction after sign-off")
        elif s.correction:
            status += tr(" 更正", " correction")
        if s.review:
            status += tr(f"·{LABELS.get(s.review, s.review)}", f" ({s.review})")
        cells = (f"#{s.id}", shown(s.period) or "-", shown(s.department) or "-", status,
                 when(s.received_at), shown(s.file_name))  # fmt: skip
        rows.append((cells, "red" if s.status == REJECTED else None))
        for r in log.reviews.get(s.id, []):
            verb = tr(LABELS.get(r["action"], r["action"]), r["action"])
            by, why = shown(r["by"]), shown(r["reason"])
            rows.append((("", "", "", f"  {verb}（{by}）", when(r["at"]), why), None))
    print_table(
        console,
        "报送记录 | history",
        (
            "编号 | id",
            "报告期 | period",
            "单位 | dept",
            "状态 | state",
            "收到时间 | received",
            "文件 | file",
        ),
        rows,
        f"{len(log.submissions)} 份报表 | {len(log.submissions)} submission(s)",
    )
    for x in log.signoffs:
        verb = pick(SIGNOFF_LABELS.get(x["action"], x["action"]))
        note = f"：{shown(x['note'])}" if x["note"] else ""
        line = f"{shown(x['period'])} {verb}（{shown(x['by'])}，{when(x['at'])}）{note}"
        console.print(line, highlight=False, markup=False)
