"""The template's own cell, row and shared-string writers give xlsxwriter's bytes.

They write the cells a template has with one f-string each (issue 34: generate at
scale); anything they do not know goes through xlsxwriter's code. The golden
template covers the plan's ordinary text; this covers the text a plan might hold
that xlsxwriter escapes or marks, and cells of every kind, with and without a
format, on rows and columns with and without their own format.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tianbao.support.xlsx import WORKBOOK_OPTIONS
from tianbao.template.book import TemplateWorkbook
from tianbao.template.sheet import TemplateSheet

TEXTS = [
    "普通文字",
    "",
    " 前有空格",
    "后有空格 ",
    "换行\n中间",
    "末尾换行\n",
    "\t制表",
    "A&B <c> \"d\" 'e'",
    "控制\x01字符\x1f",
    "_x0041_ 像转义",
    "_x004 不像转义",
    "projects_progress",
    "非字符\ufffe\uffff",
    "<r>像富文本</r>",
    "全角　空格　",
    "=SUM(A1:A2)",
]


def _write(book: xlsxwriter.Workbook, sheet_class: type | None) -> None:
    book.set_properties({"created": dt.datetime(2014, 7, 1)})  # not the clock's second
    extra = {"worksheet_class": sheet_class} if sheet_class else {}
    ws = book.add_worksheet("表", **extra)
    fmt = book.add_format({"bold": True, "num_format": "0.00"})
    ws.set_row(3, 20, book.add_format({"italic": True}))  # a row's own format
    ws.set_column(5, 5, 12, book.add_format({"font_color": "#FF0000"}))  # a column's
    ws.set_column(6, 6, 30)  # a width, no format
    for r, text in enumerate(TEXTS):
        ws.write_string(r, 0, text)
        ws.write_string(r + 40, 7, text, fmt)
    for r in range(8):
        for c in range(8):
            cell = (r * 8 + c) % 6
            if cell == 0:
                ws.write_number(r + 20, c, r * 0.1 + c, fmt if r % 2 else None)
            elif cell == 1:
                ws.write_blank(r + 20, c, None, fmt)
            elif cell == 2:
                ws.write_formula(r + 20, c, f'=IF(N(A{r + 1})>0,"<&>","")', fmt, "")
            elif cell == 3:
                ws.write_formula(r + 20, c, f"=SUM(A1:A{r + 2})", None, 3)
            elif cell == 4:
                ws.write_string(r + 3, c, f"第{r}行", fmt if c % 2 else None)
            else:
                ws.write_datetime(r + 20, c, dt.datetime(2014, 6, r + 1), fmt)
    ws.write_boolean(200, 1, True)
    ws.write_formula(201, 1, "=_xlfn.CONCAT(A1,B1)")  # calls a function xlsxwriter rewrites
    ws.write_formula(202, 1, "=XLOOKUP(1,A1:A2,B1:B2)", fmt, "")
    ws.write_formula(203, 1, "{=SUM(A1:A2*B1:B2)}")  # an array formula
    ws.write_formula(204, 1, "SUM(A1:A2)", fmt, "")  # without its =
    ws.set_column(8, 8, 0.5)  # narrower than a character
    ws.set_column(9, 11, 7.5)  # several at once
    ws.set_column(14, 14, 7.5)  # a width that rounds
    ws.set_column("M:M", 9)  # by letter
    ws.set_column(13, 13, 9, None, {"hidden": True})
    assert ws.write_string(1_048_576, 0, "表外") == ws.write_blank(0, 16_384, None, fmt) == -1
    ws.write_number(17, 1, 5)  # 16 rows on from the last span's block
    ws.set_row(30, 40)  # a row with a height and no cells
    # rows stored in one go (the hidden sheet's), on a sheet of their own: its dimensions
    # too; a value that is neither text nor a whole number goes cell by cell
    hidden = book.add_worksheet("隐藏", **extra)
    for sheet, top, rows in ((hidden, 3, [[], ["甲", 1, "乙"], [], [" 丙", 2], []]),
                             (ws, 300, [[True, "丁", 2.5]])):  # fmt: skip
        if isinstance(sheet, TemplateSheet):
            sheet.put_rows(top, rows)
        else:
            for r, cells in enumerate(rows, top):
                for c, value in enumerate(cells):
                    sheet.write(r, c, value)
    ws.set_row(21, 30, None, {"hidden": True})  # a hidden row with cells
    ws.set_row(22, None, None, {"level": 1})  # an outline level


@pytest.mark.parametrize("sheet_class", [TemplateSheet, None], ids=["template sheet", "plain"])
def test_template_writers__same_parts_as_xlsxwriter(tmp_path: Path, sheet_class) -> None:
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    book = TemplateWorkbook(str(ours), WORKBOOK_OPTIONS)
    _write(book, sheet_class)
    book.close()
    plain = xlsxwriter.Workbook(str(theirs), WORKBOOK_OPTIONS)
    _write(plain, None)
    plain.close()
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert ours.read_bytes() == theirs.read_bytes()
