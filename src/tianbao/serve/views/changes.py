"""What a correction changed: a return's recorded values against the department's
previous version of the same period (``api.values``, the ledger's cell values), cell by
cell (sheet!cell, before → after) and row by row (the rows added or removed), in the
order of the workbook, so the office sees at a glance what it is asked to accept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tianbao import api
from tianbao.support.lang import tr


@dataclass(frozen=True)
class Changed:
    where: str  # 重点项目!I4
    label: str  # the column's label in the request's language
    before: Any
    after: Any


@dataclass
class Changes:
    previous: int  # the version compared with
    cells: list[Changed] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # 重点项目 P047 (row key)
    removed: list[str] = field(default_factory=list)

    @property
    def none(self) -> bool:
        return not (self.cells or self.added or self.removed)


def compare(before: Sequence[Any], after: Sequence[Any], labels: dict[tuple[str, str], str],
            previous: int) -> Changes:  # fmt: skip
    """The changes from ``before`` to ``after`` (ledger CellValues): values of the same
    form, row and field that differ (a field filled or emptied too); the rows only one
    of them has, each once."""
    old_rows = {(v.form, v.row_key) for v in before}
    new_rows = {(v.form, v.row_key) for v in after}
    out = Changes(previous, _cells(before, after, labels, old_rows & new_rows))
    out.added = _rows([v for v in after if (v.form, v.row_key) not in old_rows])
    out.removed = _rows([v for v in before if (v.form, v.row_key) not in new_rows])
    return out


def _cells(
    before: Sequence[Any], after: Sequence[Any], labels: dict[tuple[str, str], str],
    rows: set[tuple[str, str]],
) -> list[Changed]:  # fmt: skip
    """The values that differ in the ``rows`` both have, in the workbook's order; then
    the values that are no longer there."""
    old = {(v.form, v.row_key, v.field): v for v in before if (v.form, v.row_key) in rows}
    new = {(v.form, v.row_key, v.field): v for v in after if (v.form, v.row_key) in rows}

    def changed(v: Any, was: Any, now: Any) -> Changed:
        return Changed(f"{v.sheet}!{v.cell}", labels.get((v.form, v.field), v.field), was, now)

    out = [
        changed(v, None if key not in old else old[key].value, v.value)
        for key, v in new.items()
        if key not in old or old[key].value != v.value
    ]
    return out + [changed(v, v.value, None) for key, v in old.items() if key not in new]


def _rows(values: list[Any]) -> list[str]:
    return list(dict.fromkeys(f"{v.sheet} {v.row_key}" for v in values))


def against_previous(ws: Any, sub: Any, submissions: Sequence[Any]) -> Changes | None:
    """``sub`` against the version of its department and period received just before it
    (``submissions``: that department's of that period); None for a first version."""
    earlier = [s for s in submissions if s.id < sub.id]
    if not earlier:
        return None
    previous = max(earlier, key=lambda s: s.id)
    labels = {
        (form.id, c.field): tr(c.label_zh, c.label_en or c.label_zh)
        for form in ws.forms.values()
        for c in form.columns
    }
    return compare(api.values(ws, previous.id), api.values(ws, sub.id), labels, previous.id)
