"""The 审核结果 sheet of an annotated return: a correction notice a clerk can act on.

On top: the file, the verdict in one line (「退回：3 处错误须改正，1 处预警须说明」), what
to do and by when, and whom to call. Below: one line per problem in the order a clerk
walks the workbook (sheet by sheet, row by row), each linking to its cell. Blank
required cells are the bulk of a half-filled return (19 untouched rows make 57
findings): consecutive rows missing the same columns become one line,
「重点项目 第10–28行：本月完成投资、本年累计、项目状态未填」. Chinese only, no codes.
Printed: A4 landscape, one page wide, the table header on every page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.worksheet.hyperlink import Hyperlink

from tianbao.findings import Code, Finding, Severity
from tianbao.plan.model import Office, Plan
from tianbao.plan.periods import Period
from tianbao.report.validation_xlsx import SEVERITY_ZH, cell_value
from tianbao.template.writer import WRAP_MARGIN, display_width, row_height
from tianbao.validate.records import ROW_NAME_PREFIX

SHEET = "审核结果"
HEADERS = ("级别", "位置", "问题", "实际值", "应为")
WIDTHS = (6.0, 20.0, 66.0, 18.0, 18.0)
ERROR_FILL = "FFFF7C80"
WARNING_FILL = "FFFFFF00"
FILLS = {Severity.ERROR: ERROR_FILL, Severity.WARNING: WARNING_FILL}
RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
LINE_POINTS = 16.0  # an 11 pt CJK line as LibreOffice prints it (row_height's 14 cuts it)
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
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
class Returned:
    """The office's own decision (``tianbao review return``): why, who, when, and the
    date the corrected return is due."""

    reason: str
    by: str
    at: dt.date
    due: dt.date


@dataclass(frozen=True)
class Line:
    """One line of the notice: a finding, or blank cells of consecutive rows."""

    severity: Severity
    where: str
    problem: str
    value: Any = None
    expected: Any = None
    link: tuple[str, str] | None = None  # (sheet, cell) the 位置 links to


def headline(findings: Sequence[Finding]) -> str:
    """The verdict and what it asks for, by the one rule of docs/findings.md: errors and
    unexplained audit-rule warnings block; other warnings do not."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    explain = sum(f.blocking and f.severity is Severity.WARNING for f in findings)
    other = sum(not f.blocking and f.severity is Severity.WARNING for f in findings)
    also = f"，另有 {other} 处预警不影响受理" if other else ""
    if errors or explain:
        asks = (
            f"{errors} 处错误须改正" if errors else "",
            f"{explain} 处预警须说明" if explain else "",
        )
        return "退回：" + "，".join(a for a in asks if a) + also
    return f"通过：{other} 处预警，不影响受理" if other else "通过"


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


def lines(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Line]:
    """The notice's lines in the clerk's order: blank required cells grouped by row,
    then the same problem down one column of consecutive rows grouped."""
    ordered = in_sheet_order(findings, sheet_order)
    runs = _blank_runs(ordered)
    first: dict[int, Line] = {id(run[0][1][0]): _run_line(run) for run in runs}
    grouped = {id(f) for run in runs for _, fs in run for f in fs}
    for column in _column_runs([f for f in ordered if id(f) not in grouped]):
        first[id(column[0])] = _column_line(column)
        grouped.update(id(f) for f in column)
    out: list[Line] = []
    for f in ordered:
        if id(f) in first:
            out.append(first[id(f)])
        elif id(f) not in grouped:
            out.append(_line(f))
    return out


def _column_runs(ordered: list[Finding]) -> list[list[Finding]]:
    """Findings saying the same thing (code, message without its row, value, expected)
    in one column of consecutive rows: 「重点项目 I4–I11：……（8 行）」 instead of 8 lines."""
    chains: dict[tuple[Any, ...], list[Finding]] = {}
    runs: list[list[Finding]] = []
    for f in ordered:
        row, col = _row_col(f)
        if not f.sheet or not row:
            continue
        what = (f.sheet, col, f.code, f.severity, ROW_NAME_PREFIX.sub("", f.message),
                repr(f.value), repr(f.expected))  # fmt: skip
        chain = chains.get(what)
        if chain is not None and _row_col(chain[-1])[0] == row - 1:
            chain.append(f)
        else:
            chains[what] = chain = [f]
            runs.append(chain)
    return [run for run in runs if len(run) > 1]


def _column_line(run: list[Finding]) -> Line:
    first, last = run[0], run[-1]
    ref = f"{first.cell.replace('$', '')}–{last.cell.replace('$', '')}"
    problem = f"{ROW_NAME_PREFIX.sub('', first.message)}（{len(run)} 行）"
    return Line(first.severity, f"{first.sheet} {ref}", problem, first.value, first.expected,
                (first.sheet, first.cell))  # fmt: skip


def in_sheet_order(findings: Sequence[Finding], sheet_order: Sequence[str]) -> list[Finding]:
    """File-level first, then sheet by sheet, row by row, column by column; errors
    before warnings at one cell."""
    order = {name: i for i, name in enumerate(sheet_order)}

    def key(f: Finding) -> tuple[int, int, int, int]:
        row, col = _row_col(f)
        return (order.get(f.sheet, -1) if f.sheet else -1, row, col, RANK[f.severity])

    return sorted(findings, key=key)


def _row_col(f: Finding) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(str(f.cell or "").rpartition("!")[2].replace("$", "").upper())
    return (int(m.group(2)), column_index_from_string(m.group(1))) if m else (0, 0)


def _blank(f: Finding) -> bool:
    """A required cell left empty (not one filled with a word for nothing)."""
    return (
        f.code is Code.SCHEMA_REQUIRED
        and f.value is None
        and bool(f.extra.get("label"))
        and bool(f.sheet)
        and _row_col(f)[0] > 0
    )


Run = list[tuple[int, list[Finding]]]  # (excel row, its blank findings by column)


def _blank_runs(ordered: list[Finding]) -> list[Run]:
    """Consecutive rows of one sheet missing the same columns: one run each."""
    rows: dict[tuple[str, int], list[Finding]] = {}
    for f in ordered:
        if _blank(f):
            rows.setdefault((f.sheet, _row_col(f)[0]), []).append(f)
    runs: list[Run] = []
    last: tuple[str, int, tuple[str, ...]] | None = None
    for (sheet, row), found in rows.items():  # in sheet order already
        labels = tuple(str(f.extra["label"]) for f in found)
        if last == (sheet, row - 1, labels):
            runs[-1].append((row, found))
        else:
            runs.append([(row, found)])
        last = (sheet, row, labels)
    return [run for run in runs if len(run) > 1 or len(run[0][1]) > 1]


def _run_line(run: Run) -> Line:
    first = run[0][1][0]
    labels = "、".join(str(f.extra["label"]) for f in run[0][1])
    if len(run) == 1:
        where = f"{first.sheet} 第{run[0][0]}行"
        name = first.extra.get("row_name")
        problem = f"{name}：{labels}未填，请填写" if name else f"{labels}未填，请填写"
    else:
        where = f"{first.sheet} 第{run[0][0]}–{run[-1][0]}行"
        cells = sum(len(fs) for _, fs in run)
        problem = f"{labels}未填（{len(run)} 行共 {cells} 处），请填写"
    return Line(Severity.ERROR, where, problem, link=(first.sheet, first.cell))


def _line(f: Finding) -> Line:
    if f.sheet and f.cell and _row_col(f)[0]:
        where, link = f"{f.sheet} {f.cell.replace('$', '')}", (f.sheet, f.cell)
    else:
        where, link = (f.sheet or "整个文件"), None
    return Line(f.severity, where, f.message, f.value, f.expected, link)


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
    if not found:  # say so, rather than print an empty table
        found = [
            Line(
                Severity.NOTE,
                "整个文件",
                "自动审核未发现问题" + ("（退回原因见上）" if ctx.returned is not None else ""),
            )
        ]
    _table(ws, head, found, locate)
    ws.freeze_panes = ws.cell(head + 1, 1)
    _print_setup(ws, head, top_lines(findings, ctx)[1])
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0


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
