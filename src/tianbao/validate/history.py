"""What a return is judged against besides itself: its department's return of the
previous period (the across-period rules) and its earlier months of the year (the
quality checks). ``collect.previous`` looks them up in the ledger; they cross to the
batch's worker processes with each file, so they are plain, picklable data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tianbao.plan.periods import Period

# {form: {row key: {field: value}}}: a recorded return as the rules read it
Records = Mapping[str, Mapping[str, Mapping[str, Any]]]


@dataclass(frozen=True)
class EarlierMonths:
    """The department's counting returns of the months of the year before the
    return's, oldest first, with the fields the forms' quality checks read; a month
    without a counting return has {}."""

    months: tuple[tuple[Period, Records], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.months)

    def of_row(self, form: str, key: str) -> list[Mapping[str, Any]]:
        """The row's records, month by month ({} where a month has none)."""
        return [m.get(form, {}).get(key, {}) for _, m in self.months]


@dataclass(frozen=True)
class History:
    """A return's previous-period records and its earlier months (the months are
    looked up only with a previous return, and only for forms with quality checks)."""

    previous: Records
    months: EarlierMonths = EarlierMonths()
