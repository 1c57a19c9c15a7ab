"""Annotated copies of the returned workbooks: findings marked on their cells.

For each return that could be read safely, a copy goes to the output folder
(the original is only read, never written). In the copy every finding with a
sheet and cell gets a comment in Chinese on that cell; errors are filled red
and warnings yellow (notes are not highlighted), and a sheet 审核结果 at the
front lists all findings of the file. Text from the return is written as plain
strings that can never become formulas.

The copy is made with openpyxl, which drops what it does not support (macros,
charts, images); it is for reading the findings, not for filing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from tianbao.read.limits import Limits
from tianbao.read.workbook import limit_process
from tianbao.report.validation_xlsx import SEVERITY_ZH, cell_value
from tianbao.support.atomic import write_atomic
from tianbao.support.guarded import Refused, call_guarded
from tianbao.template.writer import display_width, row_height
from tianbao.validate.findings import Finding, Severity

if TYPE_CHECKING:
    from tianbao.validate.engine import FileReport

AUTHOR = "tianbao 审核"
SHEET = "审核结果"
HEADERS = ("级别", "代码", "工作表", "单元格", "说明", "实际值", "应为")
ANNOTATED_SUFFIX = ".批注"
ERROR_FILL = "FFFF7C80"
WARNING_FILL = "FFFFFF00"
_FILLS = {Severity.ERROR: ERROR_FILL, Severity.WARNING: WARNING_FILL}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
_A1 = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}$")
_MAX_COL, _MAX_ROW = 16_384, 1_048_576
_WIDTHS = (6.0, 26.0, 16.0, 8.0, 60.0, 24.0, 24.0)  # widest per column


def annotate_all(
    reports: Iterable[FileReport],
    out_dir: Path,
    limits: Limits = Limits(),  # noqa: B008
) -> list[Path]:
    """Write an annotated copy of every readable return into ``out_dir``.

    Skipped: files the reader refused (a blocking READ_* error), and files that are
    gone or whose bytes no longer match the report's sha256 (the findings would
    land on the wrong cells). A copy never replaces an original of the batch:
    on a clash it is named ``<stem>.批注.xlsx``. Returns the paths written.
    """
    reports = list(reports)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    originals = {_key(Path(r.path)) for r in reports}
    taken: set[str] = set()
    written: list[Path] = []
    for report in reports:
        if not readable(report):
            continue
        source = Path(report.path)
        try:
            data = source.read_bytes()
        except OSError:
            continue
        if report.sha256 and hashlib.sha256(data).hexdigest() != report.sha256:
            continue
        target = _target(source, out_dir, originals, taken)
        # openpyxl builds every cell of a merged range and of the used area: a
        # hostile file that passed the reader's bounds may still exhaust it, so the
        # copy is made in a child with the reader's time and memory limits
        done = call_guarded(
            _annotate_copy,
            data,
            report.findings,
            target,
            time_seconds=limits.time_seconds,
            initializer=functools.partial(limit_process, limits),
        )
        if isinstance(done, Refused) or not done:
            continue
        taken.add(_key(target))
        written.append(target)
    return written


def _annotate_copy(data: bytes, findings: Sequence[Finding], target: Path) -> bool:
    book = _load(data)
    if book is None:
        return False
    annotate_book(book, findings)
    write_atomic(target, book.save)
    return True


def readable(report: FileReport) -> bool:
    """False when the guarded reader refused the file: it is not a safe workbook."""
    return not any(
        f.code.value.startswith("READ_") and f.severity is Severity.ERROR for f in report.findings
    )


def annotate_book(book: Any, findings: Sequence[Finding]) -> None:
    """Mark the findings on their cells and add the 审核结果 sheet at the front."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        where = _locate(book, f)
        if where is not None:
            by_cell.setdefault(where, []).append(f)
    for (sheet, coord), found in by_cell.items():
        _mark(book[sheet][coord], sorted(found, key=lambda f: _RANK[f.severity]))
    _findings_sheet(book, findings)


def _locate(book: Any, f: Finding) -> tuple[str, str] | None:
    """(sheet, cell) when the finding's cell exists in the book; merged → top-left."""
    if not f.sheet or not f.cell or f.sheet not in book.sheetnames:
        return None
    ws = book[f.sheet]
    coord = f.cell.strip().upper()
    if not isinstance(ws, Worksheet) or not _A1.match(coord):
        return None
    letters, row = coordinate_from_string(coord.replace("$", ""))
    col = column_index_from_string(letters)
    if col > _MAX_COL or row > _MAX_ROW:
        return None
    coord = f"{get_column_letter(col)}{row}"
    for merged in ws.merged_cells.ranges:
        if coord in merged:
            return f.sheet, merged.start_cell.coordinate
    return f.sheet, coord


def _mark(cell: Any, found: list[Finding]) -> None:
    colour = next((_FILLS[f.severity] for f in found if f.severity in _FILLS), None)
    if colour is not None:
        cell.fill = PatternFill("solid", fgColor=colour, bgColor=colour)
    text = "\n\n".join(comment_text(f) for f in found)
    if cell.comment is not None and cell.comment.text:
        text += "\n\n原批注：" + _clean(cell.comment.text)
    lines = sum(1 + len(part) // 24 for part in text.split("\n"))
    cell.comment = Comment(text, AUTHOR, height=min(20 * lines + 10, 600), width=320)


def comment_text(f: Finding) -> str:
    """The comment for one finding: level, message, actual and expected value."""
    parts = [f"【{SEVERITY_ZH[f.severity.value]}】{_clean(f.message)}（{f.code.value}）"]
    if f.value is not None and f.value != "":
        parts.append(f"实际值：{_clean(cell_value(f.value))}")
    if f.expected is not None and f.expected != "":
        parts.append(f"应为：{_clean(cell_value(f.expected))}")
    return "\n".join(parts)


def _findings_sheet(book: Any, findings: Sequence[Finding]) -> None:
    title = SHEET
    n = 1
    while title in book.sheetnames:
        n += 1
        title = f"{SHEET}{n}"
    ws = book.create_sheet(title, 0)
    head_fill = PatternFill("solid", fgColor="FFD9E1F2")
    for c, header in enumerate(HEADERS, start=1):
        cell = ws.cell(1, c)
        _put_text(cell, header)
        cell.font, cell.fill = Font(bold=True), head_fill
    widths = [display_width(h) + 3 for h in HEADERS]
    wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)
    findings = in_sheet_order(book, findings)
    for r, f in enumerate(findings, start=2):
        row = (SEVERITY_ZH[f.severity.value], f.code.value, f.sheet, f.cell, f.message,
               f.value, f.expected)  # fmt: skip
        tall: list[tuple[str, float]] = []
        for c, raw in enumerate(row, start=1):
            cell = ws.cell(r, c)
            value = cell_value(raw)
            if isinstance(value, str):
                _put_text(cell, value)
            elif value is not None:
                cell.value = value
            cell.alignment = wrap
            if value is not None:
                need = display_width(str(value)[:500]) + 1
                widest = _WIDTHS[c - 1]
                widths[c - 1] = max(widths[c - 1], min(need, widest))
                if need > widest:
                    tall.append((str(value)[:2000], widest))
        if tall:  # Excel and LibreOffice do not grow rows on open
            ws.row_dimensions[r].height = row_height(tall)
        if f.severity in _FILLS:
            ws.cell(r, 1).fill = PatternFill("solid", fgColor=_FILLS[f.severity])
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(w, 1)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(len(findings) + 1, 2)}"
    # printed: landscape, one page wide, the header on every page, the verdict on top
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = verdict_line(findings)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    for sheet in book.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    book.active = 0


def verdict_line(findings: Sequence[Finding]) -> str:
    """What the clerk must do, in one line: the verdict and the counts (an unexplained
    audit-rule warning blocks like an error)."""
    blocking = sum(f.blocking for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    if blocking:
        return (
            f"审核结论：退回（须改正 {blocking} 处，预警 {warnings} 处）"
            "——请改正标红的单元格，预警在“说明”栏写明原因后重新报送"
        )
    if warnings:
        return f"审核结论：通过（预警 {warnings} 处，已说明或不影响受理）"
    return "审核结论：通过"


def in_sheet_order(book: Any, findings: Sequence[Finding]) -> list[Finding]:
    """The findings as a clerk walks the workbook: file-level first, then sheet by
    sheet, row by row, column by column; errors before warnings at one cell."""
    order = {name: i for i, name in enumerate(book.sheetnames)}

    def key(f: Finding) -> tuple[int, int, int, int]:
        m = _CELL_REF.fullmatch(str(f.cell or "").rpartition("!")[2].replace("$", ""))
        row = int(m.group(2)) if m else 0
        col = column_index_from_string(m.group(1)) if m else 0
        return (order.get(f.sheet, -1) if f.sheet else -1, row, col, _RANK[f.severity])

    return sorted(findings, key=key)


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _put_text(cell: Any, text: str) -> None:
    """A string cell, even when the text starts with '=': never a formula."""
    cell.value = _clean(text)
    cell.data_type = "s"


def _clean(text: Any) -> str:
    """Text openpyxl can store: no control characters, within Excel's cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(text))[:32_767]


def _load(data: bytes) -> Any:
    """The workbook with every formula replaced by its cached value: a department's
    formula (a HYPERLINK, a DDE call) must not come alive in a copy tianbao wrote."""
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), keep_vba=False, keep_links=False, data_only=True
        )
    except Exception:  # untrusted input: any failure to parse means no annotated copy
        return None


def _key(path: Path) -> str:
    try:
        return str(path.resolve()).casefold()
    except OSError:
        return str(path.absolute()).casefold()


def _target(source: Path, out_dir: Path, originals: set[str], taken: set[str]) -> Path:
    """Same file name in out_dir, as .xlsx; never an original of the batch nor a clash."""
    stem = source.stem if source.suffix.lower() in (".xlsx", ".xlsm") else source.name
    numbered = (f"{stem}{ANNOTATED_SUFFIX}.{n}.xlsx" for n in range(2, 10_000))
    for name in chain([f"{stem}.xlsx", f"{stem}{ANNOTATED_SUFFIX}.xlsx"], numbered):
        candidate = out_dir / name
        key = _key(candidate)
        if key not in originals and key not in taken:
            return candidate
    raise FileExistsError(f"no free name for the annotated copy of {source.name} in {out_dir}")
