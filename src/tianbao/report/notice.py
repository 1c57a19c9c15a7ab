"""The 审核结果 sheet of an annotated return: a correction notice a clerk can act on.

On top: the file, the verdict in one line, counted in problems with the cells they
cover (「退回：3 处问题须改正（涉及 70 个单元格），1 处预警须说明」), what to do and
by when, and whom to call. Below: one line per problem in the order a clerk walks
the workbook (sheet by sheet, row by row), each linking to its cell. Blank required
cells are the bulk of a half-filled return (19 untouched rows make 57
findings): consecutive rows missing the same columns become one line,
「重点项目 第10–28行：本月完成投资、本年累计、项目状态未填」. Chinese only, no codes.
Printed: A4 landscape, one page wide, the table header on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from tianbao.findings import Finding, Severity
from tianbao.plan.model import Office, Plan
from tianbao.plan.periods import Period
from tianbao.report.notice_lines import RANK as RANK  # importable from here, as before
from tianbao.report.notice_lines import Line, lines
from tianbao.report.validation_xlsx import SEVERITY_ZH, cell_value
from tianbao.support.xlsx import WRAP_MARGIN, display_width, row_height

SHEET = "审核结果"
HEADERS = ("级别", "位置", "问题", "实际值", "应为")
WIDTHS = (6.0, 20.0, 66.0, 18.0, 18.0)
ERROR_FILL = "FFFF7C80"
WARNING_FILL = "FFFFFF00"
FILLS = {Severity.ERROR: ERROR_FILL, Severity.WARNING: WARNING_FILL}
LINE_POINTS = 16.0  # an 11 pt CJK line as LibreOffice prints it (row_height's 14 cuts it)
_REJECTED_FILL, _ACCEPTED_FILL = "FFFFC7CE", "FFC6EFCE"


@dataclass(frozen=True)
class Context:
    """What the notice says besides the findings (from the plan and the report)."""

    file_name: str
    department: str = ""
    period: str = ""
    deadline: dt.date | None = None
    office: Office | None = None
    returned: Returned | None = None  # the office sent an accepted return back


def context_for(
    plan: Plan | None,
    file_name: str,
    department: str,
    period: str,
    returned: Returned | None = None,
) -> Context:
    """The notice's head from the plan: the department's name, the period's label and
    deadline, the office (just the file name without a plan or a readable period)."""
    if plan is None:
        return Context(file_name, returned=returned)
    dept = plan.departments.get(department)
    name = dept.name if dept else department
    try:
        p = Period.parse(period)
    except ValueError:
        return Context(file_name, name, period, None, plan.office, returned)
    return Context(file_name, name, p.label_zh, p.deadline(plan.deadline_days), plan.office,
                   returned)  # fmt: skip


@dataclass(frozen=True)
class Pointed:
    """A cell or row the office points at when it sends a return back: marked red with
    its reason, listed ahead of the machine's findings."""

    sheet: str
    cells: tuple[str, ...]  # A1 references on ``sheet``
    where: str  # as the 位置 column says it: 重点项目 I12, 重点项目 第12行（P047）


@dataclass(frozen=True)
class Returned:
    """The office's own decision (``tianbao review return``): why, who, when, the date
    the corrected return is due, and the cells or rows it points at."""

    reason: str
    by: str
    at: dt.date
    due: dt.date
    pointed: tuple[Pointed, ...] = ()


def headline(findings: Sequence[Finding]) -> str:
    """The verdict and what it asks for, by the one rule of docs/findings.md: errors and
    unexplained audit-rule warnings block; other warnings do not. Counted in problems,
    the notice's lines (19 blank rows are one), with the cells they cover."""
    errors, explain, other = kinds(findings)
    also = f"，另有 {_problems(other, '预警不影响受理')}" if other else ""
    if errors or explain:
        asks = (
            _problems(errors, "问题须改正") if errors else "",
            _problems(explain, "预警须说明") if explain else "",
        )
        return "退回：" + "，".join(a for a in asks if a) + also
    return f"通过：{_problems(other, '预警')}，不影响受理" if other else "通过"


def kinds(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Errors, the warnings to explain (they block), the other warnings."""
    warned = [f for f in findings if f.severity is Severity.WARNING]
    return (
        [f for f in findings if f.severity is Severity.ERROR],
        [f for f in warned if f.blocking],
        [f for f in warned if not f.blocking],
    )


def _problems(findings: list[Finding], what: str) -> str:
    """「3 处问题须改正（涉及 70 个单元格）」: the notice's lines, and the cells they
    cover when more than one a line."""
    sheets = list(dict.fromkeys(f.sheet for f in findings if f.sheet))
    count = len(lines(findings, sheets))
    cells = len({(f.sheet, f.cell) for f in findings if f.cell})
    return f"{count} 处{what}" + (f"（涉及 {cells} 个单元格）" if cells > count else "")


def what_to_do(findings: Sequence[Finding], ctx: Context) -> str:
    if ctx.returned is not None:
        marked = "（标红、标黄的单元格是审核中发现的问题，可对照）" if findings else ""
        return (
            f"请按上述意见核实{marked}，在原报表中改正或在该行“说明”栏写明情况，"
            f"于 {date_zh(ctx.returned.due)} 前重新报送。"
        )
    if not any(f.blocking for f in findings):
        return "本期报表已通过审核，无需重新报送。" + (
            "标黄的单元格请核对；如有误，改正后可重新报送。"
            if any(f.severity is Severity.WARNING for f in findings)
            else ""
        )
    by = f"于 {date_zh(ctx.deadline)} 前" if ctx.deadline else "尽快"
    explain = any(f.blocking and f.severity is Severity.WARNING for f in findings)
    return (
        "请在原报表中改正标红的单元格（本文件仅供对照，鼠标移到单元格上可看说明）"
        + ("，标黄的预警在该行“说明”栏写明原因" if explain else "")
        + "，改好后"
        + by
        + "重新报送。"
    )


def date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- the sheet ---------------------------------------------------------------------------
_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_THIN = Side(style="thin", color="FFBFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_sheet(book: Any, findings: Sequence[Finding], ctx: Context, locate: Any) -> None:
    """Add the notice as the book's first sheet. ``locate(sheet, cell)`` gives the
    (sheet, cell) a link may point to, or None when that cell is not in the book."""
    title = SHEET
    n = 1
    while title in book.sheetnames:
        n += 1
        title = f"{SHEET}{n}"
    order = list(book.sheetnames)
    ws = book.create_sheet(title, 0)
    for c, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    head = _top(ws, findings, ctx) + 2
    found = lines(findings, order)
    if not found and not (ctx.returned and ctx.returned.pointed):  # say so, not an empty table
        found = [
            Line(
                Severity.NOTE,
                "整个文件",
                "自动审核未发现问题" + ("（退回原因见上）" if ctx.returned is not None else ""),
            )
        ]
    _table(ws, head, office_lines(ctx) + found, locate)
    ws.freeze_panes = ws.cell(head + 1, 1)
    _print_setup(ws, head, top_lines(findings, ctx)[1])
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0


def office_lines(ctx: Context) -> list[Line]:
    """The office's own marks first: the clerk goes to the cell the office named."""
    if ctx.returned is None:
        return []
    said = f"统计局退回：{ctx.returned.reason}"
    return [
        Line(Severity.ERROR, p.where, said, link=(p.sheet, p.cells[0]) if p.cells else None)
        for p in ctx.returned.pointed
    ]


def top_lines(findings: Sequence[Finding], ctx: Context) -> list[str]:
    """The notice's head, line by line: file, verdict, department and deadline, what
    to do, whom to call."""
    facts = (
        f"填报单位：{ctx.department}" if ctx.department else "",
        f"报告期：{ctx.period}" if ctx.period else "",
        f"报送截止日期：{date_zh(ctx.deadline)}" if ctx.deadline else "",
    )
    if ctx.returned is not None:
        r = ctx.returned
        out = [f"退回通知：{ctx.file_name}", "退回：统计局审核后退回，请核实后重新报送"]
        out += [f"退回原因：{r.reason}", f"审核人：{r.by}    退回日期：{date_zh(r.at)}"]
        out.append("    ".join(p for p in facts[:2] if p))
    else:
        out = [f"审核意见：{ctx.file_name}", headline(findings)]
        out.append("    ".join(p for p in facts if p))
    out.append(what_to_do(findings, ctx))
    if ctx.office is not None:
        out.append(f"联系：{ctx.office.reach}")
        if ctx.office.submit_to:
            out.append(f"报送方式：{ctx.office.submit_to}")
    return [line for line in out if line]


def _top(ws: Any, findings: Sequence[Finding], ctx: Context) -> int:
    """Write the head rows, merged across the table; returns the last row used."""
    rejected = ctx.returned is not None or any(f.blocking for f in findings)
    verdict = Font(bold=True, size=13, color="FF9C0006" if rejected else "FF006100")
    fonts = {0: Font(bold=True, size=14), 1: verdict}
    if ctx.returned is not None:  # the office's reason: what the clerk reads first
        fonts[2] = Font(bold=True, size=12)
    total = sum(WIDTHS)
    texts = top_lines(findings, ctx)
    for r, text in enumerate(texts, start=1):
        cell = ws.cell(r, 1)
        _put_text(cell, text)
        font = fonts.get(r - 1, Font())
        cell.font, cell.alignment = font, _WRAP
        if r == 2:
            cell.fill = PatternFill("solid", fgColor=_REJECTED_FILL if rejected else _ACCEPTED_FILL)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(HEADERS))
        size = font.sz or 11
        fits = total * 11 / size * WRAP_MARGIN
        ws.row_dimensions[r].height = max(row_height([(text, fits)], line=size * 1.45), size * 1.6)
    return len(texts)


def _table(ws: Any, head: int, found: list[Line], locate: Any) -> None:
    head_fill = PatternFill("solid", fgColor="FFD9E1F2")
    for c, header in enumerate(HEADERS, start=1):
        cell = ws.cell(head, c)
        _put_text(cell, header)
        cell.font, cell.fill, cell.border = Font(bold=True), head_fill, _BORDER
    for r, line in enumerate(found, start=head + 1):
        row = (SEVERITY_ZH[line.severity.value], line.where, line.problem,
               cell_value(line.value), cell_value(line.expected))  # fmt: skip
        tall: list[tuple[str, float]] = []
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c)
            if isinstance(value, str):
                _put_text(cell, value)
            elif value is not None:
                cell.value = value
            cell.alignment, cell.border = _WRAP, _BORDER
            if value is not None and display_width(str(value)[:500]) + 1 > WIDTHS[c - 1]:
                tall.append((str(value)[:2000], WIDTHS[c - 1] * WRAP_MARGIN))
        if tall:  # Excel and LibreOffice do not grow rows on open
            ws.row_dimensions[r].height = row_height(tall, line=LINE_POINTS)
        if line.severity in FILLS:
            ws.cell(r, 1).fill = PatternFill("solid", fgColor=FILLS[line.severity])
        target = locate(*line.link) if line.link else None
        if target is not None:
            _link(ws.cell(r, 2), *target)


def _link(cell: Any, sheet: str, coord: str) -> None:
    """An internal link to the cell (the sheet name quoted, as Excel writes it)."""
    quoted = sheet.replace("'", "''")
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{quoted}'!{coord}")
    cell.font = Font(color="FF0563C1", underline="single")


def _print_setup(ws: Any, head: int, verdict: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_title_rows = f"{head}:{head}"
    ws.print_options.horizontalCentered = True
    ws.oddHeader.center.text = verdict.replace("&", "&&")
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _put_text(cell: Any, text: str) -> None:
    """A string cell, even when the text starts with '=': never a formula."""
    cell.value = clean(text)
    cell.data_type = "s"


def clean(text: Any) -> str:
    """Text openpyxl can store: no control characters, within Excel's cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(text))[:32_767]
