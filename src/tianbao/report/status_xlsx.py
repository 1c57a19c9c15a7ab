"""``tianbao status --out status.xlsx``: the status and the 催报 list as a workbook.

Strings are never turned into formulas, numbers or links; the file is written
atomically and its created time is pinned (the deadline), so the same
ledger gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tianbao.ledger.status import LABELS, StatusReport
from tianbao.support.print_layout import print_landscape
from tianbao.support.xlsx import WRAP_MARGIN, row_height

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
STATUS_SHEET = "报送情况"
CHASE_SHEET = "催报名单"

_STATUS_HEAD = [
    ("单位代码", 10),
    ("单位名称", 36),
    ("报表", 24),
    ("状态", 18),
    ("迟报天数", 10),
    ("登记编号", 10),
    ("文件", 44),
    ("收到时间", 20),
    ("联系人", 12),
    ("电话", 16),
]
_CHASE_HEAD = [
    ("单位代码", 10),
    ("单位名称", 36),
    ("联系人", 12),
    ("电话", 16),
    ("原因", 18),
    ("报表", 40),
    ("逾期天数", 10),
    ("退回的文件", 44),
    ("原因说明", 40),
    ("催报通知（可直接发送）", 60),
]
_FILL = {
    "on_time": "#E2EFDA",
    "accepted_with_warnings": "#E2EFDA",
    "late": "#FFF2CC",
    "rejected": "#F8CBAD",
    "missing": "#F8CBAD",
    "returned": "#F8CBAD",
}


def write_status_xlsx(report: StatusReport, target: Path) -> None:
    from tianbao.support.atomic import write_atomic

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, lambda p: _write(report, p))


def _write(report: StatusReport, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    end = report.deadline
    wb.set_properties(
        {
            "title": f"{report.period_label}报送情况",
            "subject": "报送情况与催报名单 status and list to chase",
            "author": "tianbao",
            "created": dt.datetime(end.year, end.month, end.day),
        }
    )
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format(
        {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    fills = {s: wb.add_format({"bg_color": c, "border": 1}) for s, c in _FILL.items()}
    plain = wb.add_format({"border": 1})
    wrap = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})

    ws = wb.add_worksheet(STATUS_SHEET)
    ws.write_string(
        0,
        0,
        f"{report.period_label}报送情况（报送截止 {report.deadline.isoformat()}，"
        f"统计截至 {report.as_of.isoformat()}{_signed(report)}）",
        title,
    )
    for c, (label, width) in enumerate(_STATUS_HEAD):
        ws.write_string(2, c, label, head)
        ws.set_column(c, c, width)
    r = 3
    titles = {}
    for d in report.departments:
        for f in d.forms:
            titles[f.form] = f.title
            fmt = fills[f.state]
            ws.write_string(r, 0, d.code, plain)
            ws.write_string(r, 1, d.name, plain)
            ws.write_string(r, 2, f.title, plain)
            ws.write_string(r, 3, f.label, fmt)
            _number(ws, r, 4, f.days_late if f.state == "late" else None, plain)
            _number(ws, r, 5, f.submission_id, plain)
            ws.write_string(r, 6, f.file_name, plain)
            ws.write_string(r, 7, f.received_local + f.received_note, plain)
            ws.write_string(r, 8, d.contact_name, plain)
            ws.write_string(r, 9, d.contact_phone, plain)
            r += 1
    counts = report.counts()
    ws.write_string(r + 1, 0, "；".join(f"{LABELS[s]} {n}" for s, n in counts.items() if n))
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(r - 1, 2), len(_STATUS_HEAD) - 1)
    print_landscape(
        ws, [w for _, w in _STATUS_HEAD], (2, 2), f"{report.period_label}报送情况", (0, 1)
    )

    cs = wb.add_worksheet(CHASE_SHEET)
    cs.write_string(
        0, 0, f"{report.period_label}催报名单（统计截至 {report.as_of.isoformat()}）", title
    )
    for c, (label, width) in enumerate(_CHASE_HEAD):
        cs.write_string(2, c, label, head)
        cs.set_column(c, c, width)
    for i, e in enumerate(report.chase, start=3):
        cs.write_string(i, 0, e.department, plain)
        cs.write_string(i, 1, e.name, plain)
        cs.write_string(i, 2, e.contact_name, plain)
        cs.write_string(i, 3, e.contact_phone, plain)
        cs.write_string(i, 4, LABELS[e.reason], fills[e.reason])
        cs.write_string(i, 5, "、".join(titles.get(x, x) for x in e.forms), plain)
        _number(cs, i, 6, e.days_overdue or None, plain)
        cs.write_string(i, 7, e.file_name, plain)
        cs.write_string(i, 8, e.why, wrap)
        cs.write_string(i, 9, e.text, wrap)
        # Excel and LibreOffice do not grow a row on open: tall enough for its texts
        narrow = [
            (e.why, _CHASE_HEAD[8][1] * WRAP_MARGIN),
            (e.text, _CHASE_HEAD[9][1] * WRAP_MARGIN),
        ]
        cs.set_row(i, row_height(narrow))
    if not report.chase:
        cs.write_string(3, 0, "无需催报")
    cs.freeze_panes(3, 0)
    print_landscape(
        cs, [w for _, w in _CHASE_HEAD], (2, 2), f"{report.period_label}催报名单", (0, 1)
    )
    ws.activate()
    wb.close()


def _signed(report: StatusReport) -> str:
    return f"，{report.signed_line}" if report.signed else ""


def _number(ws: Any, r: int, c: int, value: int | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, value, fmt)
