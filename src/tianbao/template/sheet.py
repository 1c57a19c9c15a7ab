"""The form sheet of a template, its cells written with one f-string each.

A template's form sheet has about 900 cells; xlsxwriter writes each through its
general cell writer (attribute lists, escaping of attributes that never need it),
about a fifth of generating a template. For the cells a template has (text from
the shared-string table, numbers, blanks, each with a format) this writes the
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
        if fmt is None or self.constant_memory:
            return super()._write_cell(row, col, cell)
        kind = cell.__class__.__name__
        if kind == "String":  # an index into the shared strings, not the text
            ref = xl_rowcol_to_cell_fast(row, col)
            xf = fmt._get_xf_index()
            self.fh.write(f'<c r="{ref}" s="{xf}" t="s"><v>{cell.string}</v></c>')
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
