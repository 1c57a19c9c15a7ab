"""The sheets of a template, their cells written with one f-string each.

A template has about 900 cells; xlsxwriter writes each through its general cell
writer (attribute lists, escaping of attributes that never need it) and looks at
every column of every row for them, about a third of generating a template. For
the cells a template has (text from the shared-string table, numbers, blanks,
formulas with a blank cached value, with or without a format) this writes the
XML xlsxwriter writes, byte for byte (the golden template test compares them);
anything else goes through xlsxwriter's own code.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import COL_NAMES, xl_col_to_name
from xlsxwriter.worksheet import (
    CellBlankTuple,
    CellFormulaTuple,
    CellNumberTuple,
    CellStringTuple,
    ColumnInfo,
)

from tianbao.support.xlsx_formulas import PlainFormulaSheet, plain_formula


class TemplateSheet(PlainFormulaSheet):
    # storing a cell: xlsxwriter's checks, inline (a few hundred cells a template)
    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        too_long = len(string) > self.xls_strmax // 2
        if self.constant_memory or too_long or self._check_dimensions(row, col):
            return super()._write_string(row, col, string, cell_format)
        index = self.str_table._get_shared_string_index(string)
        self.table[row][col] = CellStringTuple(index, cell_format)
        return 0

    def _write_blank(self, row: int, col: int, blank: Any, cell_format: Any = None) -> Any:
        if self.constant_memory or cell_format is None or self._check_dimensions(row, col):
            return super()._write_blank(row, col, blank, cell_format)
        self.table[row][col] = CellBlankTuple(cell_format)
        return 0

    def put_rows(self, top: int, rows: list[list[Any]]) -> None:
        """Unformatted text and numbers, row after row from ``top``, column A onwards:
        what ``write_string``/``write_number`` of each would store, in the same order."""
        if not self._storable(top, rows):
            for r, cells in enumerate(rows, top):
                for c, v in enumerate(cells):
                    self.write(r, c, v)
            return
        index = self.str_table._get_shared_string_index
        for r, cells in enumerate(rows, top):
            if cells:  # the dimensions take in what is written, as cell by cell
                self._check_dimensions(r, 0)
                self._check_dimensions(r, len(cells) - 1)
                line = self.table[r]
                for c, v in enumerate(cells):
                    text = v.__class__ is str
                    line[c] = CellStringTuple(index(v), None) if text else CellNumberTuple(v, None)

    def _storable(self, top: int, rows: list[list[Any]]) -> bool:
        """Rows ``put_rows`` stores directly: inside the sheet, only text (not too long
        for a cell) and whole numbers."""
        width = max((len(cells) for cells in rows), default=0)
        inside = top >= 0 and top + len(rows) <= self.xls_rowmax and width <= self.xls_colmax
        return (
            inside
            and not self.constant_memory
            and all(
                v.__class__ is int or (v.__class__ is str and len(v) <= self.xls_strmax // 2)
                for cells in rows
                for v in cells
            )
        )

    def _write_formula(
        self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0
    ) -> Any:
        # a plain formula (tianbao.support.xlsx_formulas) calls no dynamic-array function
        # and is no array formula: nothing of xlsxwriter's checks applies but the bounds
        if self.constant_memory or formula[:1] != "=" or not plain_formula(formula):
            return super()._write_formula(row, col, formula, cell_format, value)
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellFormulaTuple(formula[1:], cell_format, value)
        return 0

    def set_column(
        self, first: Any, last: Any = None, width: Any = None, *more: Any, **kw: Any
    ) -> Any:
        # one column's width (a template sets each): xlsxwriter's pixels, stored directly
        if more or kw or not isinstance(first, int) or last != first or not width or width < 1:
            return super().set_column(first, last, width, *more, **kw)
        if not 0 <= first < self.xls_colmax:
            return -1
        pixels = int(width * self.max_digit_width + 0.5) + self.cell_padding
        self.col_info[first] = ColumnInfo(width=pixels)
        self.col_size_changed = True
        return 0

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if self.constant_memory or not self._write_plain(row, col, cell):
            super()._write_cell(row, col, cell)

    def _write_plain(self, row: int, col: int, cell: Any) -> bool:
        """Write a cell of a kind a template has; False (nothing written) for others."""
        xml = self._cell_xml(xl_col_to_name_fast(col) + str(row + 1), row, col, cell)
        if xml is not None:
            self.fh.write(xml)
        return xml is not None

    def _cell_xml(self, ref: str, row: int, col: int, cell: Any) -> str | None:
        fmt = cell.format
        if fmt is not None:
            xf = fmt.xf_index
            style = f' s="{fmt._get_xf_index() if xf is None else xf}"'
        elif self._plain(row, col):
            style = ""
        else:  # a row's or a column's format: xlsxwriter's rules
            return None
        kind = cell.__class__
        if kind is CellStringTuple:  # an index into the shared strings, not the text
            return f'<c r="{ref}"{style} t="s"><v>{cell.string}</v></c>'
        if kind is CellNumberTuple:
            return f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>'
        if kind is CellBlankTuple:
            return f'<c r="{ref}"{style}/>'
        if kind is CellFormulaTuple and cell.value.__class__ is str and cell.value == "":
            return f'<c r="{ref}"{style}><f>{self._escape_data(cell.formula)}</f><v></v></c>'
        return None

    def _plain(self, row: int, col: int) -> bool:
        """No row or column format a cell without its own would take."""
        info = self.row_info.get(row)
        if info is not None and info.row_format:
            return False
        col_info = self.col_info.get(col)
        return col_info is None or col_info.column_format is None

    def _calculate_spans(self) -> None:
        # the same spans as xlsxwriter's, from the cells there are rather than
        # from every column of every row
        if self.comments or self.constant_memory:
            return super()._calculate_spans()
        low: dict[int, int] = {}
        high: dict[int, int] = {}
        for row_num, cells in self.table.items():
            if cells and self.dim_rowmin <= row_num <= self.dim_rowmax:
                block = row_num // 16
                first, last = min(cells), max(cells)
                low[block] = min(low.get(block, first), first)
                high[block] = max(high.get(block, last), last)
        self.row_spans = {b: f"{low[b] + 1}:{high[b] + 1}" for b in sorted(low)}
        return None

    def _write_rows(self) -> None:
        if self.comments or self.constant_memory:
            return super()._write_rows()
        self._calculate_spans()
        table, row_info, fh = self.table, self.row_info, self.fh
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            if not cells and row_num not in row_info:
                continue
            span = self.row_spans.get(row_num // 16)
            if not cells:
                self._write_empty_row(row_num, span, row_info.get(row_num))
                continue
            info = row_info.get(row_num)
            tag = self._row_tag(row_num, span, info)
            if tag is None:
                self._write_row(row_num, span, info)
            else:
                fh.write(tag)
            number = str(row_num + 1)
            for col_num in sorted(cells):
                cell = cells[col_num]
                xml = self._cell_xml(xl_col_to_name_fast(col_num) + number, row_num, col_num, cell)
                if xml is None:
                    super()._write_cell(row_num, col_num, cell)
                else:
                    fh.write(xml)
            fh.write("</row>")
        return None

    def _row_tag(self, row: int, span: str | None, info: Any) -> str | None:
        """xlsxwriter's <row> of a row with at most a height (None: any other row)."""
        if info is None:
            height = self.default_row_height
        elif info.row_format or info.hidden or info.level or info.collapsed:
            return None
        else:
            height = self.default_row_height if info.height is None else info.height
        if self.excel_version == 2010:
            return None
        spans = f' spans="{span}"' if span else ""
        original = self.original_row_height
        if height != original or height != self.default_row_height:
            return f'<row r="{row + 1}"{spans} ht="{height * 0.75:.16g}" customHeight="1">'
        return f'<row r="{row + 1}"{spans}>'


def xl_col_to_name_fast(col: int) -> str:
    name = COL_NAMES.get(col)
    if name is None:
        name = COL_NAMES[col] = xl_col_to_name(col)
    return name
