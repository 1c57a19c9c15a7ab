"""Human output of ``tianbao collect``: a line per file, why it was not accepted, a summary."""

from __future__ import annotations

from tianbao.collect.pipeline import ERROR, REFUSED, CollectResult
from tianbao.findings.verdict import VERDICT_LABELS

COLLECT_LABELS = {  # 「中文 | English」: tianbao --lang picks one
    **VERDICT_LABELS,  # as status, history and the summary name them
    "rejected": "退回 | rejected",
    "superseded": "已被替代 | superseded",
    ERROR: "失败 | error",
    REFUSED: "未收取 | refused",
}


def collect_line(r: CollectResult) -> str:
    """One tab-separated line: status, department, period, submission id, file."""
    from tianbao.support.lang import pick, tr

    shown = r.report.verdict if r.report is not None and r.status == r.report.status else r.status
    status = pick(COLLECT_LABELS.get(shown, shown))
    status += tr("（重复）", " (duplicate)") if r.duplicate else ""
    status += tr(" 更正", " correction") if r.correction else ""
    sid = f"#{r.submission_id}" if r.submission_id is not None else "-"
    return "\t".join((status, r.department or "-", r.period or "-", sid, str(r.path)))


def collect_details(r: CollectResult, limit: int = 5) -> list[str]:
    """Why a file was not recorded as accepted: its message, its first errors."""
    from tianbao.support.lang import tr

    out = [f"  {r.message}"] if r.message else []
    if r.report is not None and r.status == "rejected":
        errors = [f for f in r.report.findings if f.blocking]
        for f in errors[:limit]:
            where = "!".join(x for x in (f.sheet, f.cell) if x)
            text = tr(f.message, f.extra.get("message_en") or f.message)
            out.append(f"  [{f.code.value}] {where + ' ' if where else ''}{text}")
        if len(errors) > limit:
            more = len(errors) - limit
            out.append(f"  … 另有 {more} 个错误 |   … {more} more error(s)")
    if r.superseded:
        ids = ", ".join(f"#{i}" for i in r.superseded)
        out.append(f"  替代了 {ids} |   supersedes {ids}")
    return out


def collect_summary(results: list[CollectResult], unread: int = 0) -> str:
    """The run in one line; ``unread``: files of the folders given that were not read."""
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
    text += f"，未读取 {unread}（不是 .xlsx）" if unread else ""
    return (
        text + f" | {len(results)} file(s): {len(new)} recorded ({accepted} accepted, "
        f"{rejected} rejected), {dup} duplicate(s)"
        + (f", {refused} refused" if refused else "")
        + (f", {err} error(s)" if err else "")
        + (f", {unread} not read (not .xlsx)" if unread else "")
    )
