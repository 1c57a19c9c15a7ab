"""What extraction reads a form's sheet into: the sheet as read, the form's rows by
key with their normalised records, and how a row is named to a clerk."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tianbao.forms.model import FormDef
from tianbao.plan.model import PlanItem
from tianbao.template.content import HEADER_ROWS


class RowCells(Mapping[str, str]):
    """field -> A1 reference of one row, each made when asked: a row's findings are few,
    and a 20,000-row return would otherwise build 20,000 dicts of references."""

    __slots__ = ("letters", "n")

    def __init__(self, letters: Mapping[str, str], n: str) -> None:
        self.letters, self.n = letters, n  # the column letters by field, the row's number

    def __getitem__(self, name: str) -> str:
        return self.letters[name] + self.n

    def get(self, name: str, default: Any = None) -> Any:
        letter = self.letters.get(name)
        return default if letter is None else letter + self.n

    def __iter__(self) -> Iterator[str]:
        return iter(self.letters)

    def __len__(self) -> int:
        return len(self.letters)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass
class RowRecord:
    key: str
    item: PlanItem
    excel_row: int  # 1-based
    record: dict[str, Any]  # key + entered fields that are filled, normalised
    cells: Mapping[str, str]  # field -> A1 reference (RowCells)
    blocked: set[str] = field(default_factory=set)  # fields whose input was unusable
    prefill: dict[str, Any] = field(default_factory=dict)  # field -> value the plan pre-fills
    placeholders: dict[str, str] = field(default_factory=dict)  # field -> "无" typed for nothing

    def cell(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class FormRecords:
    form: FormDef
    sheet: str
    rows: list[RowRecord] = field(default_factory=list)
    header_row: int = HEADER_ROWS - 1  # 0-based row of the column labels
    columns: dict[str, int] = field(default_factory=dict)  # field -> 0-based column


@dataclass
class SheetView:
    """What extraction needs of one read sheet."""

    name: str
    rows: list[list[Any]]
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    merges: tuple[str, ...] = ()  # merged ranges as written (A1:B2)
    special: set[tuple[int, int]] = field(init=False)  # any of the four above, or hidden
    # cells of a form's rows a merge hides -> the merge's range (validate.merges.hide)
    hidden: dict[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.special = (
            set(self.error_cells) | self.formula_no_value | self.percent_cells | self.formula_cells
        )

    def value(self, r: int, c: int) -> Any:
        if r < len(self.rows) and c < len(self.rows[r]):
            v = self.rows[r][c]
            return None if v == "" else v
        return None


# what row_name puts before a row's message (the notice groups messages without it)
ROW_NAME_PREFIX = re.compile(r"^第 [0-9]+ 行“[^”]*”：")


def row_name(row: Any) -> str:
    """A row as a clerk finds it: its plan name (or key) and its line in the sheet."""
    return f"第 {row.excel_row} 行“{_row_text(row)}”"


def row_name_en(row: Any) -> str:
    """The same row in an English line, with the same data (line number and name)."""
    return f"row {row.excel_row} “{_row_text(row)}”"


def _row_text(row: Any) -> str:
    values = getattr(row.item, "values", {}) or {}
    name = values.get("name") or values.get("name.zh") or values.get("description") or row.key
    text = str(name)
    return text[:23] + "…" if len(text) > 24 else text
