"""The previous period's counting returns, for the templates' ``previous.*`` columns
(``api.generate`` reads them here and hands them to the template writer, which
never opens the ledger itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tianbao.ledger.db import Ledger
from tianbao.ledger.sqlite import ledger_path
from tianbao.plan.periods import Period

_CHUNK = 900  # ids per query: under SQLite's oldest limit of 999 parameters


def previous_returns(root: Path, period: Period, codes: list[str]) -> dict[str, Any]:
    """Each department's counting return of the period before ``period``, as
    ``{code: {form: {key: record}}}``; a department without one is left out, and so
    is everyone while the workspace has no ledger yet. One query for the returns and
    one per 900 of them for their values, whatever the number of departments (the
    same as ``Ledger.previous_records`` of each)."""
    found: dict[str, Any] = {}
    try:
        before = Period.parse(str(period)).previous()
    except ValueError:
        return found
    if before is None or not ledger_path(root).exists():
        return found
    with Ledger(root, readonly=True) as ledger:
        subs = {s.department: s.id for s in ledger.latest_accepted(before)}
        ids = [subs[c] for c in codes if c in subs]
        records = _records(ledger, ids)
    return {c: records.get(subs[c], {}) for c in codes if c in subs}


def _records(ledger: Ledger, ids: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """{submission id: {form: {row key: {field: value}}}}, in each return's order."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = ledger.conn.execute(
            "SELECT submission_id, form, row_key, field, value FROM cell_values "
            f"WHERE submission_id IN ({marks}) ORDER BY rowid",
            chunk,
        )
        for sid, form, key, field, value in rows:
            out.setdefault(sid, {}).setdefault(form, {}).setdefault(key, {})[field] = json.loads(
                value
            )
    return out
