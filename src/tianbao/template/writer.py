"""Write a TemplateContent as an xlsx workbook with xlsxwriter.

Sheets: 填报说明 (cover), one per form, _lists (hidden, long dropdowns) and
_tianbao (veryHidden: identity, signature, row map). The identity is also
stored as custom document properties, which survive a LibreOffice re-save.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from tianbao import identity as ident
from tianbao.forms.model import RATIO_UNITS, Column
from tianbao.support.print_layout import print_landscape
from tianbao.support.xlsx import (
    WORKBOOK_OPTIONS,
    WRAP_MARGIN,
    display_width,
    even_spans,
    header_footer_text,
    row_height,
    write_merged,
    write_typed,
    write_value,
)
from tianbao.template.book import TemplateWorkbook
from tianbao.template.content import (
    HEADER_ROWS,
    SIGNATURE,
    FormRows,
    TemplateContent,
    cover_lines,
    cover_title,
    form_titles,
)
from tianbao.template.formulas import applicable_runs, entry_fmt, row_formulas
from tianbao.template.pending import pending_columns, prefill
from tianbao.template.sheet import TemplateSheet
from tianbao.template.styles import LEGEND, Styles
from tianbao.template.validations import ListSource, column_validation

COVER_SHEET = "填报说明"
COVER_TEXT_WIDTH = 80
LISTS_SHEET = "_lists"
META_SHEET = "_tianbao"


def column_label(col: Column, content: TemplateContent) -> str:
    return column_label_text(col, content.plan)


def column_label_text(col: Column, plan: Any) -> str:
    """The header a column shows: its zh label with the plan's years filled in."""
    return col.label_zh.format(year=plan.year, base_year=plan.base_year)


def write_workbook(
    content: TemplateContent,
    path: Path,
    password: str | None = None,
    fills: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Write the template; ``fills`` ({sheet: {A1: value}}, as
    ``tianbao.dev.simulate.plausible_fill`` gives) writes a filled return instead,
    for benchmarks and tests that need thousands of returns quickly."""
    wb = TemplateWorkbook(str(path), WORKBOOK_OPTIONS)
    created = dt.datetime.strptime(content.generated_at, "%Y-%m-%dT%H:%M:%SZ")
    plan, dept, period = content.plan, content.department, content.period
    wb.set_properties(
        {
            "title": f"{plan.district_name}{period.label_zh}目标任务填报表（{dept.name}）",
            "subject": "、".join(r.form.title_zh for r in content.forms),
            "author": f"{plan.district_name}统计局",
            "company": plan.district_name,
            "category": "tianbao 填报模板",
            "keywords": f"tianbao {content.identity['template_id']}",
            "comments": "请勿修改灰色单元格和隐藏工作表；模板身份信息用于核验报表来源。",
            "created": created,
        }
    )
    for name in ident.IDENTITY_FIELDS:
        wb.set_custom_property(ident.PROPERTY_PREFIX + name, content.identity[name], "text")
    wb.set_custom_property(ident.SIGNATURE_PROPERTY, content.signature, "text")

    styles = Styles(wb)
    lists = _ListWriter(wb)
    _write_cover(wb, styles, content)
    row_map: list[tuple[str, str, int]] = []
    col_map: list[tuple[str, str, str]] = []
    for fr in content.forms:
        filled = {
            xl_cell_to_rowcol(ref): value
            for ref, value in (fills or {}).get(fr.form.sheet, {}).items()
        }
        rows, cols = _write_form(wb, styles, lists, content, fr, password, filled)
        row_map.extend(rows)
        col_map.extend(cols)
    lists.finish()
    _write_meta(wb, content, row_map, col_map)
    wb.worksheets()[0].activate()
    wb.close()


class _ListWriter:
    """Enums longer than Excel's inline limit go to a hidden sheet range."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._sheet: Any = None
        self._col = 0
        self._seen: dict[tuple[str, ...], str] = {}

    def source(self, values: tuple[str, ...]) -> str:
        if values not in self._seen:
            if self._sheet is None:
                self._sheet = self._wb.add_worksheet(LISTS_SHEET)
            for r, v in enumerate(values):
                self._sheet.write_string(r, self._col, v)
            col = xl_col_to_name(self._col)
            self._seen[values] = f"='{LISTS_SHEET}'!${col}$1:${col}${len(values)}"
            self._col += 1
        return self._seen[values]

    def finish(self) -> None:
        if self._sheet is not None:
            self._sheet.hide()


def _write_cover(wb: Any, styles: Styles, content: TemplateContent) -> None:
    ws = wb.add_worksheet(COVER_SHEET, worksheet_class=TemplateSheet)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, COVER_TEXT_WIDTH)
    ws.merge_range(0, 0, 0, 1, cover_title(content), styles.get("title"))
    ws.set_row(0, 30)
    label = styles.get("header", align="left")
    text = styles.get("plain", text_wrap=True)
    row, tall = 2, 30.0 + 15  # the title and the blank row under it, in points
    for key, value in cover_lines(content):
        ws.write_string(row, 0, key, label)
        ws.write_string(row, 1, value, text)
        height = row_height([(value, COVER_TEXT_WIDTH)])
        ws.set_row(row, height)
        tall += height
        row += 1
    row += 1
    ws.write_string(row, 0, "单元格颜色", styles.get("header"))
    ws.write_string(row, 1, "含义", styles.get("header"))
    for role, meaning in LEGEND:
        row += 1
        ws.write_string(row, 0, "", styles.get(role))
        ws.write_string(row, 1, meaning, text)
    tall += 15.0 * (len(LEGEND) + 2)
    # on one page: a cover that spills its last lines onto a second is not read
    print_landscape(ws, [18.0, COVER_TEXT_WIDTH], None, height=tall)
    ws.protect("", {"format_columns": True, "format_rows": True, "format_cells": True})


def _write_form(
    wb: Any,
    styles: Styles,
    lists: _ListWriter,
    content: TemplateContent,
    fr: FormRows,
    password: str | None,
    filled: dict[tuple[int, int], Any] | None = None,
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, str]]]:
    form = fr.form
    ws = wb.add_worksheet(form.sheet, worksheet_class=TemplateSheet)
    ncols = len(form.columns)
    header_row = HEADER_ROWS - 1
    widths = _write_heading(ws, styles, content, fr)
    row_map = _write_rows(ws, styles, content, fr, widths, filled or {})
    last = HEADER_ROWS + max(len(fr.items), 1) - 1

    _write_validations(ws, lists, content, fr)
    foot = _write_signature(ws, styles, last + 2, widths)
    ws.freeze_panes(HEADER_ROWS, min(2, ncols - 1))
    header = f"&L{header_footer_text(content.department.name)}&R报告期 {content.period}"
    print_landscape(ws, widths, (0, header_row), header=header, key_cols=(0, 1))
    ws.print_area(0, 0, foot, ncols - 1)
    ws.protect(password or "", dict.fromkeys(_ALLOWED_ON_PROTECTED, True))
    cols = [(form.id, c.field, xl_col_to_name(i)) for i, c in enumerate(form.columns)]
    return row_map, cols


def _write_rows(
    ws: Any,
    styles: Styles,
    content: TemplateContent,
    fr: FormRows,
    widths: list[float],
    filled: dict[tuple[int, int], Any],
) -> list[tuple[str, str, int]]:
    """One row per plan item: prefilled, entry and helper-formula cells; the row map
    (form, key, Excel row number)."""
    form = fr.form
    col_of = {c.field: i for i, c in enumerate(form.columns)}
    first = HEADER_ROWS
    row_map: list[tuple[str, str, int]] = []
    formulas, sums = row_formulas(form, col_of)
    pending = pending_columns(content, form, col_of)
    looks: dict[tuple[int, Any], tuple[Any, Any]] = {}  # (column, row's unit): its formats
    for r, (item, (key, values)) in enumerate(zip(fr.items, fr.prefill(), strict=True)):
        row = first + r
        row_map.append((form.id, key, row + 1))
        values = {**values, **fr.previous_values(key)}
        carried = fr.carried_values(key)
        unit = item.values.get("unit")
        ws.set_row(row, _height(values, widths, col_of))
        for i, col in enumerate(form.columns):
            fmt, computed = looks.get((i, unit)) or looks.setdefault(
                (i, unit), _looks(styles, form, col, unit)
            )
            if col.prefill:
                if i in pending:
                    prefill(ws, row, i, styles, col.format_for(unit))
                else:
                    write_value(ws, row, i, values[col.field], fmt)
            elif not col.entry:
                # entered cells are blank when issued, so every helper shows "" now;
                # the cached value is written so any reader sees the same
                ws._write_formula(row, i, formulas[i].format(r=row + 1), fmt, "")
            elif col.only_if and not col.applies_to(item.values):
                ws._write_blank(row, i, None, styles.get("na"))  # not this row's
            elif (row, i) in filled or carried.get(col.field) is not None:
                value = filled.get((row, i), _NONE)
                # last period's, editable
                write_typed(ws, row, i, carried[col.field] if value is _NONE else value, fmt)
            elif computed is not None:
                # its last part is blank when issued, so the value is "" now;
                # written as the cached value, any reader sees the same. Not yellow (that
                # says 「需要填报」): computed, and still open to a clerk's correction
                ws._write_formula(row, i, sums[i].format(r=row + 1), computed, "")
            else:
                ws._write_blank(row, i, None, fmt)
    return row_map


# what a department may still do on a protected sheet
_ALLOWED_ON_PROTECTED = (
    "format_cells",
    "format_columns",
    "format_rows",
    "select_locked_cells",
    "select_unlocked_cells",
)
_NONE = object()  # no filled value for a cell (None is a value a test may fill in)


def _write_heading(ws: Any, styles: Styles, content: TemplateContent, fr: FormRows) -> list[float]:
    """Title, subtitle and the header row; the column widths the labels need."""
    form = fr.form
    ncols = len(form.columns)
    title, sub = form_titles(content, fr)
    ws.merge_range(0, 0, 0, ncols - 1, title, styles.get("title"))
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 1, ncols - 1, sub, styles.get("subtitle"))
    header_row = HEADER_ROWS - 1
    widths: list[float] = []
    labels = [column_label(col, content) for col in form.columns]
    for i, label in enumerate(labels):
        ws.write_string(header_row, i, label, styles.get("header"))
        widths.append(max(col_width(form.columns[i]), min(display_width(label) / 2 + 2, 40)))
        ws.set_column(i, i, widths[-1])
    ws.set_row(header_row, row_height(list(zip(labels, widths, strict=True)), 13.0))
    return widths


def _height(values: dict[str, Any], widths: list[float], col_of: dict[str, int]) -> float:
    """A row's height: its texts wrapped in their columns."""
    texts = [(v, widths[col_of[f]] * WRAP_MARGIN) for f, v in values.items() if isinstance(v, str)]
    return row_height(texts)


def _looks(styles: Styles, form: Any, col: Column, unit: Any) -> tuple[Any, Any]:
    """The formats of a column's cells in rows of a unit: the cell's, and for an entry
    cell issued with its default sum, the sum's (None: issued blank)."""
    fmt_code = col.format_for(unit)
    if col.prefill:
        return styles.get("prefill", fmt_code), None
    if not col.entry:
        return styles.get("formula", fmt_code), None
    if (unit if col.unit == "row" else col.unit) in RATIO_UNITS:
        # General, so that a typed "12%" gets the program's percent format
        # (LibreOffice keeps any other number format and stores 0.12 bare)
        # and validate reads it back as 12 percent points
        fmt_code = "General"
    code = fmt_code or entry_fmt(form, col)
    fmt = styles.get("entry", code)
    if not col.default_sum or unit in RATIO_UNITS:  # a rate does not add up
        return fmt, None
    return fmt, styles.get("default", code)


def _write_validations(ws: Any, lists: _ListWriter, content: TemplateContent, fr: FormRows) -> None:
    """Each entry column's data validation, over the runs of rows it applies to."""
    form = fr.form
    for i, col in enumerate(form.columns):
        if not col.entry:
            continue
        label = column_label(col, content)
        opts = column_validation(form, col.field, label, col.unit)
        if not opts:
            continue
        if isinstance(opts.get("source"), ListSource):
            opts["source"] = lists.source(opts["source"].values)
        for start, end in applicable_runs(fr, col):
            ws.data_validation(HEADER_ROWS + start, i, HEADER_ROWS + end, i, opts)


def _write_signature(ws: Any, styles: Styles, row: int, widths: list[float]) -> int:
    """The signature block of a Chinese statistical form below the table (单位负责人,
    统计负责人, 填表人, 联系电话, 报出日期): for each, a locked label, then a yellow cell
    to fill, merged over the columns of its share of the width; five to a row when
    the table has ten columns, else over two rows. Validation skips these rows by
    their labels. Returns the last row written."""
    label = styles.get("plain", None, align="right", bold=True)
    entry = styles.get("entry", None, bottom=1)
    per_row = len(SIGNATURE) if len(widths) >= 2 * len(SIGNATURE) else 3
    names = list(SIGNATURE)
    while names:
        here, names = names[:per_row], names[per_row:]
        spans = even_spans(widths, len(here))
        for name, (c1, c2) in zip(here, spans, strict=True):
            text = f"{name}："
            need = display_width(text) + 1
            split = c1  # the label takes columns until it fits, leaving one to fill
            while split < c2 - 1 and sum(widths[c1 : split + 1]) < need:
                split += 1
            write_merged(ws, row, c1, split, text, label)
            write_merged(ws, row, split + 1, c2, None, entry)
        ws.set_row(row, 30)
        row += 1
    return row - 1


def col_width(col: Column) -> float:
    return max(col.width or 0, 6)


def _write_meta(
    wb: Any,
    content: TemplateContent,
    row_map: list[tuple[str, str, int]],
    col_map: list[tuple[str, str, str]],
) -> None:
    """veryHidden sheet: identity, signature and where each plan row and field sits.

    LibreOffice turns veryHidden into hidden on re-save but keeps the data; the
    custom properties carry the same identity, so either copy can be checked.
    """
    ws = wb.add_worksheet(META_SHEET, worksheet_class=TemplateSheet)
    ws.put_rows(  # a few hundred cells: stored in one go
        0,
        [
            ["tianbao 模板身份信息（请勿修改）"],
            *([name, content.identity[name]] for name in ident.IDENTITY_FIELDS),
            ["signature", content.signature],
            [],
            ["row", "form", "key", "excel_row"],
            *(["row", form_id, key, excel_row] for form_id, key, excel_row in row_map),
            *(["column", form_id, field, letter] for form_id, field, letter in col_map),
        ],
    )
    ws.protect()
    ws.very_hidden()
