"""``--csv``: every entered value of the accepted returns as a tidy long table.

UTF-8 with a BOM (Excel opens it as UTF-8); columns period, department, form,
row_key, field, value, submission_id, sheet, cell, sha256 (of the return's file),
then what a reader needs without the codes: row_name (the plan's name of the row),
field_name (the form's Chinese label of the field), unit (of a figure: the
field's own, or the row's where the layout says ``unit: row``) and form_name (the
form's Chinese title; ``form`` keeps its id for programs); one row per recorded value,
departments in code order, values in the order they were in the return.
Numbers are written as recorded (shortest decimal form). Text that a
spreadsheet would run as a formula (starting with = + - @ or a tab/CR) gets a
leading apostrophe in every column, the usual guard against CSV formula injection.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from tianbao.consolidate.data import Consolidated
from tianbao.forms.model import FormDef
from tianbao.plan.model import PlanItem

COLUMNS = (
    "period",
    "department",
    "form",
    "row_key",
    "field",
    "value",
    "submission_id",
    "sheet",
    "cell",
    "sha256",
    # appended, so that a reader of the columns above by position is not disturbed
    "row_name",
    "field_name",
    "unit",
    "form_name",
)
# the plan field that names a row, per collection (a task is named by its content)
NAME_FIELDS = {
    "indicators": ("name.zh", "name"),
    "projects": ("name", "name.zh"),
    "livelihood": ("name", "name.zh"),
    "tasks": ("description", "keyword"),
}
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format(Decimal(str(value)), "f") if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(_RISKY) else text


def write_long_csv(data: Consolidated, path: Path, forms: dict[str, FormDef] | None = None) -> int:
    """Write the table; returns the number of value rows. A quarter's, half-year's or
    year's table has every month's counting returns, each row with its own month: the
    figures summed into 本季（各月合计）... come from all of them. ``forms``: the
    layouts by id, for the fields' names and units (by default the summary's)."""
    n = 0
    names = Names(data, data.forms if forms is None else forms)
    months = data.of_months() if data.spans_months else [data.period]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for month in months:
            counting = data.submissions if month == data.period else data.months()[month]
            for code in sorted(counting):
                sub = counting[code]
                for v in data.ledger.values(sub.id):  # one return at a time
                    # every column through csv_value: a sheet name or a row key comes from
                    # the department's file too (a sheet renamed "=cmd|' /C calc'!A0")
                    row = (month, code, v.form, v.row_key, v.field, v.value, sub.id, v.sheet)
                    said = (*names.of(v.form, v.row_key, v.field), names.form_name(v.form))
                    out.writerow(tuple(map(csv_value, (*row, v.cell, sub.sha256, *said))))
                    n += 1
    return n


class Names:
    """Row names, field labels and units: a field's label and unit worked out once per
    (form, field), a row's name once per (collection, row) in a bounded cache (at
    10,000 returns every row is another department's, so no cache of whole triples
    would ever hit)."""

    def __init__(self, data: Consolidated, forms: dict[str, FormDef]) -> None:
        self.plan, self.forms = data.plan, forms
        self._items: dict[tuple[str, str], PlanItem] = {}
        for collection, items in data.plan.items.items():
            for item in items:
                self._items[(collection, item.key)] = item
        # (form, field) -> (collection, label, unit; None: the row's unit), or None
        # when the layout has no such field
        self._fields: dict[tuple[str, str], tuple[str, str, str | None] | None] = {}
        self._rows: dict[tuple[str, str], tuple[str, str]] = {}  # -> (name, row's unit)

    def of(self, form: str, key: str, name: str) -> tuple[str, str, str]:
        """(row name, field label, unit) of a recorded value."""
        if (form, name) in self._fields:
            said = self._fields[(form, name)]
        else:
            said = self._fields[(form, name)] = self._field(form, name)
        collection = said[0] if said is not None else self._collection(form)
        row = self._rows.get((collection, key))
        if row is None:
            if len(self._rows) >= 4096:  # a row's fields come together: memory stays flat
                self._rows.clear()
            row = self._rows[(collection, key)] = self._row(collection, key)
        if said is None:
            return row[0], "", ""
        return row[0], said[1], row[1] if said[2] is None else said[2]

    def form_name(self, form: str) -> str:
        """The form's Chinese title (主要指标月报) as people read it; its id when the
        layout is not known."""
        layout = self.forms.get(form)
        return layout.title_zh if layout is not None and layout.title_zh else form

    def _collection(self, form: str) -> str:
        layout = self.forms.get(form)
        return layout.rows if layout is not None else ""

    def _field(self, form: str, name: str) -> tuple[str, str, str | None] | None:
        layout = self.forms.get(form)
        col = layout.column(name) if layout is not None else None
        if layout is None or col is None:
            return None
        label = col.label_zh.replace("{base_year}", str(self.plan.base_year))
        label = label.replace("{year}", str(self.plan.year))
        return layout.rows, label, None if col.unit == "row" else (col.unit or "")

    def _row(self, collection: str, key: str) -> tuple[str, str]:
        item = self._items.get((collection, key))
        values = item.values if item is not None else {}
        row_name = next(
            (str(values[f]) for f in NAME_FIELDS.get(collection, ()) if values.get(f)), ""
        )
        return row_name, str(values.get("unit") or "")
