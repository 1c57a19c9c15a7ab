"""``--csv``: every entered value of the accepted returns as a tidy long table.

UTF-8 with a BOM (Excel opens it as UTF-8); columns period, department, form,
row_key, field, value, submission_id, sheet, cell, sha256 (of the return's file);
one row per recorded value,
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
)
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


def write_long_csv(data: Consolidated, path: Path) -> int:
    """Write the table; returns the number of value rows. A quarter's, half-year's or
    year's table has every month's counting returns, each row with its own month: the
    figures summed into 本季（各月合计）... come from all of them."""
    n = 0
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
                    out.writerow(tuple(map(csv_value, (*row, v.cell, sub.sha256))))
                    n += 1
    return n
