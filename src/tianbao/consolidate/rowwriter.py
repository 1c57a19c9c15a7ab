"""An xlsxwriter worksheet that writes a summary row at once.

xlsxwriter (constant_memory) stores each cell, then writes it through a general
cell writer when the next row starts: some 5 µs a cell, and at 10,000 returns
the summary has over ten million cells. ``SummarySheet`` writes a whole row as
one string (``write_plain_row``, ``write_cells``), skips the ~30 regular-
expression rewrites xlsxwriter makes for _xlfn. functions when a formula calls
none of them, and writes plain cells with one f-string. The XML is what
xlsxwriter writes for the same calls, byte for byte (tested); a row or cell
with anything unusual (text to escape or keep spaces of, other functions, a
row already begun) goes through xlsxwriter's own code. ``SummaryWorkbook``
copies each sheet's rows into its XML as bytes and deflates at level 1
(``ZIP_LEVEL``; a large part on two threads, ``deflate``); a sheet's later detail
rows may be written on the second core (``lending``).
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any
from zipfile import ZipFile

import xlsxwriter.workbook
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook

from tianbao.consolidate import deflate
from tianbao.consolidate.lending import LendableSheet
from tianbao.support.xlsx_formulas import plain_formula

# a string xlsxwriter would escape, mark as _xHHHH_ or keep with xml:space="preserve"
_SPECIAL = re.compile(r'[&<>"\n\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$')


class SummarySheet(LendableSheet):
    """xlsxwriter's worksheet with the shortcuts above (same bytes), whose detail rows
    a worker may write (``lending``)."""

    previous_row: int  # xlsxwriter's: the row constant_memory wrote last

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        if fmt is None or not self.constant_memory:
            return super()._write_cell(row, col, cell)
        kind = cell.__class__.__name__
        if kind == "String":
            text = cell.string
            if _SPECIAL.search(text):
                return super()._write_cell(row, col, cell)
            ref = xl_rowcol_to_cell_fast(row, col)
            xf = fmt._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t>{text}</t></is></c>')
        elif kind == "Number":
            ref = xl_rowcol_to_cell_fast(row, col)
            xf = fmt._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}"><v>{cell.number:.16G}</v></c>')
        elif kind == "Blank":
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{ref}" s="{fmt._get_xf_index()}"/>')
        else:
            return super()._write_cell(row, col, cell)
        return None

    def _write_optimized_sheet_data(self) -> None:
        """xlsxwriter's, with the rows' file copied as bytes, not decoded and encoded
        again (a tenth of the summary's write). The same bytes where a newline is
        written as itself: the rows are UTF-8 XML with no carriage return (xlsxwriter
        writes control characters in text as _xHHHH_; our formulas have none)."""
        out = getattr(self.fh, "buffer", None)
        if self.dim_rowmin is None or out is None or os.linesep != "\n":
            return super()._write_optimized_sheet_data()
        self._xml_start_tag("sheetData")
        self.row_data_fh.flush()
        self.fh.flush()
        with open(self.row_data_filename, "rb") as rows:
            shutil.copyfileobj(rows, out, 1 << 20)
        self.row_data_fh.close()
        os.unlink(self.row_data_filename)
        self._xml_end_tag("sheetData")
        return None

    def write_plain_row(self, row: int, values: Sequence[str | float | None], fmt: Any) -> None:
        """Cells 0, 1, ... of ``row`` in one format: text, a number, or blank for None.

        A row below every row written so far, in a constant_memory sheet, with
        ordinary values, is written at once as the XML xlsxwriter writes for it
        cell by cell; anything else goes cell by cell. Nothing may be written
        to ``row`` afterwards."""
        xml = (
            _plain_row(values, row + 1)
            if self.constant_memory
            and self.previous_row < row < self.xls_rowmax
            and row not in self.row_info
            and 0 < len(values) <= len(_COLUMNS)
            else None
        )
        if xml is None:
            for col, value in enumerate(values):
                if value is None:
                    self.write_blank(row, col, None, fmt)
                elif isinstance(value, str):
                    self.write_string(row, col, value, fmt)
                else:
                    self.write_number(row, col, value, fmt)
            return
        self._check_dimensions(row, 0)
        self._check_dimensions(row, len(values) - 1)
        self._write_single_row(row)  # the previous row, as when a cell of a later row is written
        self._write_row(row, None)
        self.fh.write(xml.replace(_XF, str(fmt._get_xf_index())))

    def write_plain_rows(
        self, first: int, rows: Sequence[Sequence[str | float | None]], fmt: Any
    ) -> None:
        """Rows ``first``, ``first`` + 1, ... as ``write_plain_row`` writes each, byte for
        byte, with xlsxwriter's work for a row (dimensions, the row before, the row's
        tag) done once for them all: rows without height, format or comment, of a sheet
        at the default row height, each row's tag is only its number."""
        last = first + len(rows) - 1
        xml = (
            [_plain_row(v, first + i + 1) if 0 < len(v) <= len(_COLUMNS) else None
             for i, v in enumerate(rows)]
            if rows and self._bare_rows(first, last)
            else None
        )  # fmt: skip
        if xml is None or None in xml:
            for i, values in enumerate(rows):
                self.write_plain_row(first + i, values, fmt)
            return
        self._check_dimensions(first, 0)
        self._check_dimensions(last, max(len(v) for v in rows) - 1)
        self._write_single_row(first)  # the row before, as when a later row is written
        self.previous_row = last  # the rows between: nothing left to write (checked above)
        text = "".join(f'<row r="{first + i + 1}">{x}' for i, x in enumerate(xml))
        self.fh.write(text.replace(_XF, str(fmt._get_xf_index())))

    def _bare_rows(self, first: int, last: int) -> bool:
        """Rows ``first`` .. ``last`` are below every row written, in a constant_memory
        sheet at the default height, and none has a height, format or comment: the tag
        xlsxwriter writes for each is <row r="n">."""
        return (
            self.constant_memory
            and self.previous_row < first
            and last < self.xls_rowmax
            and self.default_row_height == self.original_row_height
            and self.excel_version != 2010
            and not any(r in self.row_info or r in self.comments for r in range(first, last + 1))
        )

    def write_kind(
        self, row: int, col: int, kind: str, value: Any, fmt: Any, cached: Any = None
    ) -> None:
        """One cell by kind: "s" text, "n" number, "b" blank, "f" formula (cached value)."""
        if kind == "s":
            self.write_string(row, col, value, fmt)
        elif kind == "n":
            self.write_number(row, col, value, fmt)
        elif kind == "b":
            self.write_blank(row, col, None, fmt)
        else:
            self.write_formula(row, col, value, fmt, cached)

    def write_cells(self, row: int, cells: dict[int, Cell]) -> None:
        """The cells of ``row``, column -> (kind, value, format, cached formula value):
        kind "s" text, "n" number, "b" blank, "f" formula. Written at once, as
        xlsxwriter writes them, when the row is below every row written so far
        and every cell is ordinary; else cell by cell. Nothing may be written to
        ``row`` afterwards (set_row before, as for any row)."""
        if (self.lent is not None or self.lend_from is not None) and self.lend(row, cells):
            return
        if not self._at_once(row, cells):
            for col, (kind, value, fmt, cached) in cells.items():
                self.write_kind(row, col, kind, value, fmt, cached)
            return
        cols = sorted(cells)
        self._check_dimensions(row, cols[0])
        self._check_dimensions(row, cols[-1])
        self._write_single_row(row)  # the previous row, as when a cell of a later row is written
        self._write_row(row, None, self.row_info.pop(row, None))  # popped: written here, once
        # the formats' indexes only now, in column order: a format first used in this
        # row gets the index xlsxwriter would give it
        self.fh.write(_cells_xml(row, cols, cells))

    def _at_once(self, row: int, cells: dict[int, Cell]) -> bool:
        """Whether ``write_cells`` may write the row itself: below every row written,
        every cell ordinary, and no comment (xlsxwriter would look for the row's
        settings again when it writes the comments' rows)."""
        return bool(
            self.constant_memory
            and self.previous_row < row < self.xls_rowmax
            and cells
            and max(cells) < self.xls_colmax
            and row not in self.comments
            and _plain_cells(cells)
        )


def _cells_xml(row: int, cols: list[int], cells: dict[int, Cell]) -> str:
    """The XML of a row's ordinary cells (``write_cells``), then the row's end."""
    out = []
    n = row + 1
    for col in cols:
        kind, value, fmt, cached = cells[col]
        ref = f"{_COLUMNS[col]}{n}" if col < 64 else xl_rowcol_to_cell_fast(row, col)
        xf = fmt._get_xf_index()
        if kind == "s":
            out.append(f'<c r="{ref}" s="{xf}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif kind == "n":
            out.append(f'<c r="{ref}" s="{xf}"><v>{value:.16G}</v></c>')
        elif kind == "b":
            out.append(f'<c r="{ref}" s="{xf}"/>')
        elif type(cached) is str and cached:  # a text result (a chart's label)
            text = f"<f>{_escaped(value[1:])}</f><v>{_escaped(cached)}</v>"
            out.append(f'<c r="{ref}" s="{xf}" t="str">{text}</c>')
        else:
            out.append(f'<c r="{ref}" s="{xf}"><f>{_escaped(value[1:])}</f><v>{cached}</v></c>')
    out.append("</row>")
    return "".join(out)


Cell = tuple[str, Any, Any, Any]  # kind, value, format, cached value (formulas)


def _plain_cells(cells: dict[int, Cell]) -> bool:
    """Every cell one write_cells may write itself (``_plain_cell``), the texts
    checked with one regular-expression search for the row, as ``_plain_row``."""
    texts = []
    for cell in cells.values():
        kind, value, fmt, _ = cell
        if fmt is None:
            return False
        if kind == "s":
            # str.strip() removes what str.isspace() calls space, as _SPECIAL's \s
            if type(value) is not str or len(value) >= 16_000 or len(value.strip()) != len(value):
                return False
            texts.append(value)
        elif kind == "n":
            if type(value) not in (int, float) or not math.isfinite(value):
                return False
        elif kind != "b" and not _plain_cell(cell):
            return False
    return _SPECIAL_INSIDE.search("\ue000".join(texts)) is None  # none spans the separator


def _plain_cell(cell: Cell) -> bool:
    """A cell write_cells may write itself (see _plain)."""
    kind, value, fmt, cached = cell
    if fmt is None:
        return False
    if kind == "s":
        return type(value) is str and _plain(value)
    if kind == "n":
        return type(value) in (int, float) and math.isfinite(value)
    if kind == "b":
        return True
    return (
        type(value) is str
        and value.startswith("=")
        and plain_formula(value)
        and (
            (type(cached) is str and cached not in _ERROR_CODES)  # text: t="str"
            or (type(cached) in (int, float) and math.isfinite(cached))
        )
    )


# cached formula values xlsxwriter writes as errors (t="e")
_ERROR_CODES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


def _escaped(text: str) -> str:
    """Text in an element, as xlsxwriter escapes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_COLUMNS = [xl_col_to_name(c) for c in range(64)]  # enough for any row write_plain_row gets
_SPECIAL_INSIDE = re.compile(r'[&<>"\n\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_')


_XF = "\x00"  # the format's index in a row written before it is known (never in a plain row)


# what _SPECIAL finds in any of a row's texts joined by "\ue000" (never space, never in
# _SPECIAL_INSIDE): inside one, or a space at one's start or end, beside the separator
_SPECIAL_JOINED = re.compile(
    r'[&<>"\n\x00-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|(?:^|\ue000)\s|\s(?:\ue000|\Z)'
)


def _plain_row(values: Sequence[object], n: int) -> str | None:
    """The XML of row ``n`` as xlsxwriter writes it cell by cell, with _XF for the
    format's index; None when a value is not plain (``_plain``), the texts checked
    with one regular-expression search for the row."""
    cells = []
    texts = []
    for col, v in enumerate(values):
        kind = type(v)
        if kind is str:
            if len(v) >= 16_000:  # type: ignore[arg-type]
                return None
            texts.append(v)
            cells.append(
                f'<c r="{_COLUMNS[col]}{n}" s="\x00" t="inlineStr"><is><t>{v}</t></is></c>'
            )
        elif kind is int or kind is float:
            if not math.isfinite(v):  # type: ignore[arg-type]
                return None
            cells.append(f'<c r="{_COLUMNS[col]}{n}" s="\x00"><v>{v:.16G}</v></c>')
        elif v is None:
            cells.append(f'<c r="{_COLUMNS[col]}{n}" s="\x00"/>')
        else:
            return None
    if _SPECIAL_JOINED.search("\ue000".join(texts)) is not None:  # type: ignore[arg-type]
        return None
    cells.append("</row>")
    return "".join(cells)


def _plain(value: object) -> bool:
    """A value xlsxwriter writes without escaping, truncating or converting it."""
    if value is None:
        return True
    if type(value) is str:
        return len(value) < 16_000 and _SPECIAL.search(value) is None
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


# zlib's level for the summary's zip: xlsxwriter deflates at the default (6); 1 takes
# about a third of the time on these XML parts (a tenth of the whole write at 1,000
# returns) for a file some 30 % larger, and is as deterministic
ZIP_LEVEL = 1
_LEVEL: ContextVar[int | None] = ContextVar("summary_zip_level", default=None)


class _LeveledZip(ZipFile):
    """The ZipFile xlsxwriter stores a workbook with: at ``_LEVEL`` while this thread
    stores a SummaryWorkbook, at zlib's default (as before) for any other workbook."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = _LEVEL.get()
        if level is not None:
            self.compresslevel = level

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        level = _LEVEL.get()
        if level is None or args or kwargs or not deflate.worth_it(os.path.getsize(filename)):
            return super().write(filename, arcname, *args, **kwargs)
        return deflate.write_part(self, filename, arcname, level)  # a large sheet


class SummaryWorkbook(Workbook):
    worksheet_class = SummarySheet

    def close(self) -> None:
        for ws in self.worksheets():  # a sheet still lent: its rows first
            if isinstance(ws, LendableSheet):
                ws.take_back()
        super().close()

    def abandon(self) -> None:
        """Stop the workers still writing sheets (the summary failed)."""
        for ws in self.worksheets():
            if isinstance(ws, LendableSheet):
                ws.abandon()

    def _store_workbook(self) -> None:
        token = _LEVEL.set(ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            _LEVEL.reset(token)


# xlsxwriter makes its ZipFile by this module-level name; no other hook sets the level
xlsxwriter.workbook.ZipFile = _LeveledZip
