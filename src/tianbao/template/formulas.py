"""The cells of a form's data rows as the writer issues them: each helper column's formula
and each default sum as a template per row, the number format of a typed cell, and the runs
of rows a column applies to."""

from __future__ import annotations

import re
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from tianbao.forms.model import Column
from tianbao.forms.prepared import prepared
from tianbao.template.content import FormRows

_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


def row_template(formula: str, col_of: dict[str, int]) -> str:
    """'{a}/{b}' -> '=C{r}/D{r}', other braces escaped: str.format fills in the row."""
    parts = _PLACEHOLDER.split(formula)  # text, field, text, field, ..., text
    out = ["="]
    for k, part in enumerate(parts):
        if k % 2:
            out.append(xl_col_to_name(col_of[part]) + "{r}")
        else:
            out.append(part.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def sum_template(parts: tuple[str, ...], col_of: dict[str, int]) -> str:
    """'=IF(ISNUMBER(H{r}),N(G{r})+H{r},"")': blank until the last part is filled; a
    blank earlier part (no figure last period) counts as 0."""
    cells = [xl_col_to_name(col_of[p]) + "{r}" for p in parts]
    head = "+".join(f"N({c})" for c in cells[:-1])
    return f'=IF(ISNUMBER({cells[-1]}),{head}+{cells[-1]},"")'


def row_formulas(form: Any, col_of: dict[str, int]) -> tuple[dict[int, str], dict[int, str]]:
    """Each helper formula once per column, its row number filled in per row; and an
    entry cell issued with its default: the sum of its parts once the last is filled
    (本年累计 = 上期累计 + 本月), the clerk may type over it."""
    formulas = {
        i: row_template(col.formula or "", col_of)
        for i, col in enumerate(form.columns)
        if not col.prefill and not col.entry
    }
    sums = {
        i: sum_template(col.default_sum, col_of)
        for i, col in enumerate(form.columns)
        if col.entry and col.default_sum
    }
    return formulas, sums


def entry_fmt(form: Any, col: Column) -> str | None:
    """An entry column's number format, worked out once per field (asked for each cell)."""
    formats: dict[str, str | None] = prepared(form, "entry_formats", lambda _: {})
    if col.field not in formats:
        formats[col.field] = _entry_fmt(form.field_schema(col.field))
    return formats[col.field]


def _entry_fmt(schema: dict[str, Any]) -> str | None:
    types = schema.get("type")
    if schema.get("format") == "date":
        return "yyyy-mm-dd"
    if types == "string" and "enum" not in schema:
        return "@"  # text stays text: an id like 0012 keeps its zeros
    return None


def applicable_runs(fr: FormRows, col: Column) -> list[tuple[int, int]]:
    """Consecutive row ranges (0-based within the data) where the column applies."""
    runs: list[tuple[int, int]] = []
    for r, item in enumerate(fr.items):
        if not col.applies_to(item.values):
            continue
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs
