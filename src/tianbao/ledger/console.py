"""Human output of ``tianbao collect`` and ``tianbao status``."""

from __future__ import annotations

from typing import Any

from tianbao.collect.pipeline import ERROR, REFUSED, CollectResult
from tianbao.ledger.status import LABELS, StatusReport
from tianbao.support.console_table import print_table

COLLECT_LABELS = {
    "accepted": "通过 accepted",
    "accepted_with_warnings": "通过（预警已说明）accepted with warnings",
    "rejected": "退回 rejected",
    "superseded": "已被替代 superseded",
    ERROR: "失败 error",
    REFUSED: "未收取 refused",
}
_STYLE = {
    "on_time": "green",
    "accepted_with_warnings": "green",
    "late": "yellow",
    "rejected": "red",
    "missing": "red",
}


def collect_line(r: CollectResult) -> str:
    """One tab-separated line: status, department, period, submission id, file."""
    status = r.status + (" (duplicate)" if r.duplicate else "") + (" 更正" if r.correction else "")
    sid = f"#{r.submission_id}" if r.submission_id is not None else "-"
    return "\t".join((status, r.department or "-", r.period or "-", sid, str(r.path)))


def collect_details(r: CollectResult, limit: int = 5) -> list[str]:
    """Why a file was not recorded as accepted: its message, its first errors."""
    out = [f"  {r.message}"] if r.message else []
    if r.report is not None and r.status == "rejected":
        errors = [f for f in r.report.findings if f.blocking]
        for f in errors[:limit]:
            where = "!".join(x for x in (f.sheet, f.cell) if x)
            out.append(f"  [{f.code.value}] {where + ' ' if where else ''}{f.message}")
        if len(errors) > limit:
            out.append(f"  … 另有 {len(errors) - limit} 个错误 ({len(errors) - limit} more errors)")
    if r.superseded:
        out.append("  替代了 supersedes " + ", ".join(f"#{i}" for i in r.superseded))
    return out


def collect_summary(results: list[CollectResult]) -> str:
    new = [r for r in results if not r.duplicate and r.status not in (ERROR, REFUSED)]
    accepted = sum(r.status in ("accepted", "accepted_with_warnings") for r in new)
    rejected = sum(r.status == "rejected" for r in new)
    dup = sum(r.duplicate for r in results)
    err = sum(r.status == ERROR for r in results)
    refused = sum(r.status == REFUSED for r in results)
    text = (
        f"收取 {len(results)} 个文件：新登记 {len(new)}（通过 {accepted}，退回 {rejected}），"
        f"重复 {dup}"
    )
    text += f"，未收取 {refused}" if refused else ""
    text += f"，失败 {err}" if err else ""
    return (
        text + f" | {len(results)} file(s): {len(new)} recorded ({accepted} accepted, "
        f"{rejected} rejected), {dup} duplicate(s)"
        + (f", {refused} refused" if refused else "")
        + (f", {err} error(s)" if err else "")
    )


def print_status(report: StatusReport, console: Any) -> None:
    rows = [
        (
            (
                d.code if i == 0 else "",
                d.name if i == 0 else "",
                f.title,
                LABELS[f.state],
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
