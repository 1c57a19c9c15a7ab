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

from xlsxwriter.utility import xl_rowcol_to_cell_fast

from tianbao.support.xlsx_formulas import PlainFormulaSheet


class TemplateSheet(PlainFormulaSheet):
    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        if self.constant_memory:
            return super()._write_cell(row, col, cell)
        if fmt is not None:
            style = f' s="{fmt._get_xf_index()}"'
        elif self._plain(row, col):
            style = ""
        else:  # a row's or a column's format: xlsxwriter's rules
            return super()._write_cell(row, col, cell)
        kind = cell.__class__.__name__
        ref = xl_rowcol_to_cell_fast(row, col)
        if kind == "String":  # an index into the shared strings, not the text
            self.fh.write(f'<c r="{ref}"{style} t="s"><v>{cell.string}</v></c>')
        elif kind == "Number":
            self.fh.write(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
        elif kind == "Blank":
            self.fh.write(f'<c r="{ref}"{style}/>')
        elif kind == "Formula" and cell.value == "" and cell.value.__class__ is str:
            formula = self._escape_data(cell.formula)
            self.fh.write(f'<c r="{ref}"{style}><f>{formula}</f><v></v></c>')
        else:
            return super()._write_cell(row, col, cell)
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
        table, row_info = self.table, self.row_info
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            if not cells and row_num not in row_info:
                continue
            span = self.row_spans.get(row_num // 16)
            if cells:
                self._write_row(row_num, span, row_info.get(row_num))
                for col_num in sorted(cells):
                    self._write_cell(row_num, col_num, cells[col_num])
                self.fh.write("</row>")
            else:
                self._write_empty_row(row_num, span, row_info.get(row_num))
        return None
