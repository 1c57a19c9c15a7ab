"""The previous period's counting returns, for the templates' ``previous.*`` columns
(``api.generate`` reads them here and hands them to the template writer, which
never opens the ledger itself)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tianbao.ledger.db import Ledger
from tianbao.ledger.sqlite import ledger_path
from tianbao.plan.periods import Period


def previous_returns(root: Path, period: Period, codes: list[str]) -> dict[str, Any]:
    """Each department's counting return of the period before ``period``, as
    ``{code: {form: {key: record}}}``; a department without one is left out, and so
    is everyone while the workspace has no ledger yet."""
    found: dict[str, Any] = {}
    if not ledger_path(root).exists():
        return found
    with Ledger(root, readonly=True) as ledger:
        for code in codes:
            prev = ledger.previous_records(code, period)
            if prev is not None:
                found[code] = prev
    return found
