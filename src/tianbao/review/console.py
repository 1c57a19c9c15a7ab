"""``tianbao history`` on the terminal: each return with the office's decisions under it,
then the periods' sign-offs."""

from __future__ import annotations

from typing import Any

from tianbao.ledger.records import REJECTED
from tianbao.review.states import HISTORY_LABELS
from tianbao.support.console_table import print_table
from tianbao.support.lang import pick, tr
from tianbao.support.usertext import shown


def print_history(log: Any, tz: Any, console: Any) -> None:
    """One line per submission (id, period, department, status, receipt, file), each
    decision on it on a line below; then the sign-offs."""
    from tianbao.plan.clock import shown as local
    from tianbao.review.states import LABELS, SIGNOFF_LABELS

    def when(text: str) -> str:
        return shown(local(text, tz) if tz is not None else text)

    rows = []
    for s in log.submissions:
        status = tr(HISTORY_LABELS.get(s.verdict, s.status), s.status)
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
        if x.get("outstanding"):  # signed anyway: what was open then
            from tianbao.review.signoff import open_list

            zh, en = open_list(x["outstanding"]).split(" | ")
            line += tr(f"；签发时未完结：{zh}", f"; open when signed: {en}")
        console.print(line, highlight=False, markup=False)
