"""Annotated copies of the returned workbooks: findings marked on their cells.

For each return that could be read safely, a copy goes to the output folder
(the original is only read, never written), named ``<原文件名>.审核意见.xlsx``. In
the copy every finding with a sheet and cell gets a comment in Chinese on that
cell; errors are filled red and warnings yellow (notes are not highlighted), and
the correction notice 审核结果 (``tianbao.report.notice``) comes first. Text from
the return is written as plain strings that can never become formulas.

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
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from tianbao.read.limits import Limits
from tianbao.read.workbook import limit_process
from tianbao.report import notice
from tianbao.report.notice import FILLS, RANK, clean
from tianbao.report.validation_xlsx import SEVERITY_ZH, cell_value
from tianbao.support.atomic import write_atomic
from tianbao.support.guarded import Refused, call_guarded
from tianbao.support.plaintext import safe_name_part
from tianbao.validate.findings import Finding, Severity

if TYPE_CHECKING:
    from tianbao.plan.model import Plan
    from tianbao.validate.engine import FileReport

AUTHOR = "tianbao 审核"
SHEET = notice.SHEET
ANNOTATED_SUFFIX = ".审核意见"
ERROR_FILL, WARNING_FILL = notice.ERROR_FILL, notice.WARNING_FILL
_A1 = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}$")
_MAX_COL, _MAX_ROW = 16_384, 1_048_576


def annotate_all(
    reports: Iterable[FileReport],
    out_dir: Path,
    limits: Limits = Limits(),  # noqa: B008
    plan: Plan | None = None,
) -> list[Path]:
    """Write an annotated copy of every readable return into ``out_dir`` as
    ``<stem>.审核意见.xlsx``; ``plan`` gives the notice its deadline, the department's
    name and the office's contact.

    Skipped: files the reader refused (a blocking READ_* error), and files that are
    gone or whose bytes no longer match the report's sha256 (the findings would
    land on the wrong cells). A copy never replaces an original of the batch nor
    another copy (then ``<stem>.审核意见.2.xlsx``). Returns the paths written.
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
        if not annotated_copy(data, report.findings, target, context(report, plan), limits):
            continue
        taken.add(_key(target))
        written.append(target)
    return written


def annotated_copy(
    data: bytes,
    findings: Sequence[Finding],
    target: Path,
    ctx: notice.Context,
    limits: Limits = Limits(),  # noqa: B008
) -> bool:
    """Write the annotated copy of a return's bytes to ``target``; False when it cannot
    be made (not a workbook openpyxl reads, or over the limits)."""
    # openpyxl builds every cell of a merged range and of the used area: a hostile
    # file that passed the reader's bounds may still exhaust it, so the copy is made
    # in a child with the reader's time and memory limits
    done = call_guarded(
        _annotate_copy,
        data,
        findings,
        target,
        ctx,
        time_seconds=limits.time_seconds,
        initializer=functools.partial(limit_process, limits),
    )
    return not isinstance(done, Refused) and bool(done)


def context(report: FileReport, plan: Plan | None) -> notice.Context:
    """The notice's head for a validated return."""
    return notice.context_for(plan, Path(report.path).name, report.department, report.period)


def _annotate_copy(
    data: bytes, findings: Sequence[Finding], target: Path, ctx: notice.Context
) -> bool:
    book = _load(data)
    if book is None:
        return False
    annotate_book(book, findings, ctx)
    write_atomic(target, book.save)
    return True


def readable(report: FileReport) -> bool:
    """False when the guarded reader refused the file: it is not a safe workbook."""
    return not any(
        f.code.value.startswith("READ_") and f.severity is Severity.ERROR for f in report.findings
    )


def annotate_book(book: Any, findings: Sequence[Finding], ctx: notice.Context) -> None:
    """Mark the findings on their cells and add the 审核结果 notice at the front."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        where = _locate(book, f)
        if where is not None:
            by_cell.setdefault(where, []).append(f)
    for (sheet, coord), found in by_cell.items():
        _mark(book[sheet][coord], sorted(found, key=lambda f: RANK[f.severity]))
    notice.write_sheet(book, findings, ctx, lambda sheet, cell: _cell_of(book, sheet, cell))


def _locate(book: Any, f: Finding) -> tuple[str, str] | None:
    return _cell_of(book, f.sheet, f.cell)


def _cell_of(book: Any, sheet: str, cell: str) -> tuple[str, str] | None:
    """(sheet, cell) when that cell exists in the book; merged → top-left."""
    if not sheet or not cell or sheet not in book.sheetnames:
        return None
    ws = book[sheet]
    coord = cell.strip().upper()
    if not isinstance(ws, Worksheet) or not _A1.match(coord):
        return None
    letters, row = coordinate_from_string(coord.replace("$", ""))
    col = column_index_from_string(letters)
    if col > _MAX_COL or row > _MAX_ROW:
        return None
    coord = f"{get_column_letter(col)}{row}"
    for merged in ws.merged_cells.ranges:
        if coord in merged:
            return sheet, merged.start_cell.coordinate
    return sheet, coord


def _mark(cell: Any, found: list[Finding]) -> None:
    colour = next((FILLS[f.severity] for f in found if f.severity in FILLS), None)
    if colour is not None:
        cell.fill = PatternFill("solid", fgColor=colour, bgColor=colour)
    text = "\n\n".join(comment_text(f) for f in found)
    if cell.comment is not None and cell.comment.text:
        text += "\n\n原批注：" + clean(cell.comment.text)
    lines = sum(1 + len(part) // 24 for part in text.split("\n"))
    cell.comment = Comment(text, AUTHOR, height=min(20 * lines + 10, 600), width=320)


def comment_text(f: Finding) -> str:
    """The comment for one finding: level, message, actual and expected value (no code:
    the clerk reads Chinese; the auditors' workbook has the codes)."""
    parts = [f"【{SEVERITY_ZH[f.severity.value]}】{clean(f.message)}"]
    if f.value is not None and f.value != "":
        parts.append(f"实际值：{clean(cell_value(f.value))}")
    if f.expected is not None and f.expected != "":
        parts.append(f"应为：{clean(cell_value(f.expected))}")
    return "\n".join(parts)


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
    """``<stem>.审核意见.xlsx`` in out_dir; never an original of the batch nor a clash."""
    stem = source.stem if source.suffix.lower() in (".xlsx", ".xlsm") else source.name
    stem = safe_name_part(stem)  # the department's file name: no bidi tricks in ours
    numbered = (f"{stem}{ANNOTATED_SUFFIX}.{n}.xlsx" for n in range(2, 10_000))
    for name in chain([f"{stem}{ANNOTATED_SUFFIX}.xlsx"], numbered):
        candidate = out_dir / name
        key = _key(candidate)
        if key not in originals and key not in taken:
            return candidate
    raise FileExistsError(f"no free name for the annotated copy of {source.name} in {out_dir}")
