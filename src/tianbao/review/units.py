"""Reporting units other than the plan's departments (a city's districts, whose returns
are their signed packages): what the review workflow and the sign-off ask of such a
workspace. A room above (``city``) subclasses ``Units`` and hands it to ``review`` or
``signoff`` in place of a workspace; the decisions and sign-offs stay one workflow."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.records import Submission
    from tianbao.plan.periods import Period
    from tianbao.report.notice import Pointed, Returned


class UnitsPlan(Protocol):
    """The plan's part the workflow reads: the period, the unit's code, the time zone."""

    @property
    def tz(self) -> dt.tzinfo: ...

    def period(self, text: str) -> Period: ...

    def department_code(self, text: str) -> str: ...


class Units:
    """A workspace of other units; each method answers what the workflow asks."""

    root: Path
    plan: UnitsPlan
    # why a refused return of these units cannot be forced to count ('' when it can)
    not_forceable = ""

    def due(self, p: Period, decided: dt.date) -> dt.date:
        """The corrected return is due (when the office names no day)."""
        raise NotImplementedError

    def pointed(
        self, ledger: Ledger, sub: Submission, cells: tuple[str, ...], rows: tuple[str, ...]
    ) -> list[Pointed]:
        """The places a return names, checked against what ``sub`` holds."""
        raise NotImplementedError

    def draft(self, sub: Submission, returned: Returned, out_dir: Path | None) -> Path:
        """The notice sent back, drafted before the decision commits."""
        raise NotImplementedError

    def publish(self, draft: Path, sub: Submission) -> Path:
        """The drafted notice moved into place once the decision stands."""
        raise NotImplementedError

    def outstanding(self, ledger: Ledger, p: Period) -> list[dict[str, Any]]:
        """What keeps ``p`` open, as ``review.signoff.outstanding`` lists it."""
        raise NotImplementedError
