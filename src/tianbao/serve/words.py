"""The pages' words in the request's language (``lang.using`` per request, see app.py).

Every text of the pages is written once as 「中文 | English」 and picked here (``said``,
``t`` in the templates). The library's Chinese-only vocabularies a page shows (the
states ``status`` names, the office's decisions, the correction notice's head and its
grouped lines) get their English words here, keyed as the library keys them; names from
the plan and texts from returns or reasons are data and stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tianbao.findings import Finding, Severity
from tianbao.findings.verdict import VERDICT_LABELS, WARNINGS_EXPLAINED, verdict_en
from tianbao.ledger.status import LABELS_EN as STATES_EN
from tianbao.report import notice
from tianbao.report.notice_lines import Line, lines
from tianbao.support.lang import current, halves, pick, tr

DECISIONS_EN = {
    "returned": "returned by the office",
    "forced": "accepted by the office anyway",
    "approved": "approved",
    "reopened": "decision withdrawn",
}
# review.states.HISTORY_LABELS keys not in VERDICT_LABELS
HISTORY_EN = {"rejected": "rejected by the checks", "superseded": "superseded"}
NOTES_EN = {"（更正）": " (correction)", "（更正·签发后）": " (correction after sign-off)"}


def said(message: object) -> str:
    """One half of a 「中文 | English」 message (of the library or the pages), each line
    in the request's language."""
    return pick(str(message))


def zh(message: object) -> str:
    """The Chinese half, whatever the request's language (the audit log's detail)."""
    return halves(str(message))[0]


def paren(name: object, code: object) -> str:
    """「人社局（RSJ）」, or 人社局 (RSJ) in English."""
    return tr(f"{name}（{code}）", f"{name} ({code})")


def titles(ws: Any) -> dict[str, str]:
    """{form id: its title} in the request's language (the forms have both)."""
    return {k: tr(f.title_zh, f.title_en or f.title_zh) for k, f in ws.forms.items()}


def state(f: Any) -> str:
    """A form's state as ``status`` names it (ledger.status.FormStatus.label)."""
    if current() == "zh":
        return str(f.label)
    word = STATES_EN.get(f.state, f.state)
    if f.state == "accepted_with_warnings" and f.explained:
        word = verdict_en(WARNINGS_EXPLAINED)
    return word + (f" · {DECISIONS_EN[f.review]}" if f.review in ("forced", "approved") else "")


def state_word(key: str, zh_label: str) -> str:
    """A state key's word (the counts, the outstanding list), Chinese as given."""
    return tr(zh_label, STATES_EN.get(key, key))


def received_note(f: Any) -> str:
    note = str(f.received_note)
    return tr(note, NOTES_EN.get(note, ""))


def history(key: str, zh_label: str) -> str:
    """A submission's state as history names it."""
    if key in VERDICT_LABELS:
        return said(VERDICT_LABELS[key])
    return tr(zh_label, HISTORY_EN.get(key, key))


def decision(key: str, zh_label: str) -> str:
    return tr(zh_label, DECISIONS_EN.get(key, key))


def period_label(period: Any) -> str:
    """「2014年6月」 or 2014-06."""
    return tr(period.label_zh, str(period))


# -- the verdict and its problems in English (report.notice says them in Chinese) ---------
def _count(found: list[Finding], what: str) -> str:
    sheets = list(dict.fromkeys(f.sheet for f in found if f.sheet))
    n = len(lines(found, sheets))
    cells = len({(f.sheet, f.cell) for f in found if f.cell})
    return f"{n} {what}" + (f" ({cells} cells)" if cells > n else "")


def headline(findings: Sequence[Finding]) -> str:
    """notice.headline in the request's language."""
    if current() == "zh":
        return notice.headline(findings)
    errors, explain, other = notice.kinds(findings)
    if not (errors or explain):
        return f"accepted: {_count(other, 'warning(s)')}, not blocking" if other else "accepted"
    asks = [_count(errors, "problem(s) to correct")] if errors else []
    asks += [_count(explain, "warning(s) to explain")] if explain else []
    also = f"; also {_count(other, 'warning(s) that do not block')}" if other else ""
    return "returned: " + ", ".join(asks) + also


def what_to_do(findings: Sequence[Finding], ctx: notice.Context) -> str:
    """notice.what_to_do in the request's language."""
    if current() == "zh":
        return notice.what_to_do(findings, ctx)
    if not any(f.blocking for f in findings):
        check = any(f.severity is Severity.WARNING for f in findings)
        return "This return passed the checks; nothing to send again." + (
            " Please check the cells marked yellow; if one is wrong, correct it and upload"
            " again." if check else ""
        )  # fmt: skip
    by = f"by {ctx.deadline.isoformat()}" if ctx.deadline else "as soon as you can"
    explain = any(f.blocking and f.severity is Severity.WARNING for f in findings)
    return (
        "Correct the cells marked red in your workbook"
        + (", explain each yellow warning in its row's 说明 column" if explain else "")
        + f", then upload it again {by}."
    )


_ROWS = re.compile(r"^(.*) 第(\d+)(?:–(\d+))?行$")
_BLANK_ONE = re.compile(r"^(?:(.*)：)?(.+)未填，请填写$", re.S)
_BLANK_RUN = re.compile(r"^(.+)未填（(\d+) 行共 (\d+) 处），请填写$", re.S)
_COLUMN = re.compile(r"^(.*)（(\d+) 行）$", re.S)


def _where_en(where: str) -> str:
    if where == "整个文件":
        return "whole file"
    m = _ROWS.match(where)
    if m is None:
        return where
    return f"{m.group(1)} row {m.group(2)}" + (f"–{m.group(3)}" if m.group(3) else "")


def _problem_en(line: Line) -> str:
    """A grouped line's problem (notice_lines words it in Chinese): the columns' labels
    and the row's name are the plan's."""
    if m := _BLANK_RUN.match(line.problem):
        labels = m.group(1).replace("、", ", ")
        return f"{labels} blank ({m.group(2)} rows, {m.group(3)} cells): fill them in"
    if line.link is not None and (m := _BLANK_ONE.match(line.problem)):
        head = f"{m.group(1)}: " if m.group(1) else ""
        return f"{head}{m.group(2).replace('、', ', ')} blank: fill them in"
    if m := _COLUMN.match(line.problem):
        return f"{m.group(1)} ({m.group(2)} rows)"
    return line.problem


def notice_lines(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Line]:
    """The notice's lines (report.notice_lines) in the request's language: each finding's
    message from the catalog's English template, the grouped lines worded here."""
    if current() == "zh":
        return lines(findings, sheet_order)
    english = [replace(f, message=str(f.extra.get("message_en") or f.message)) for f in findings]
    return [
        replace(x, where=_where_en(x.where), problem=_problem_en(x))
        for x in lines(english, sheet_order)
    ]
