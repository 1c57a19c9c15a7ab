"""What an auditor asks for: every submission with the office's decisions on it, and
every sign-off and withdrawal (``tianbao history``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from tianbao.ledger.records import Submission


@dataclass
class HistoryLog:
    """What an auditor asks for: every submission with the office's decisions on it,
    and every sign-off and withdrawal of the periods shown."""

    submissions: list[Submission]
    reviews: dict[int, list[dict[str, Any]]]  # submission id -> decisions, oldest first
    signoffs: list[dict[str, Any]]
    after_signoff: set[int]  # ids recorded after their period was signed off

    def as_dict(self) -> dict[str, Any]:
        return {
            "submissions": [
                {
                    **s.as_dict(),
                    "after_signoff": s.id in self.after_signoff,
                    "reviews": self.reviews.get(s.id, []),
                }
                for s in self.submissions
            ],
            "signoffs": self.signoffs,
        }


def history_log(
    where: Path | str | Workspace, period: str | None = None, department: str | None = None
) -> HistoryLog:
    """``history`` with the transitions: reviews (who, when, why) and sign-offs."""
    from tianbao.ledger.db import Ledger

    ws = where if isinstance(where, Workspace) else open_workspace(Path(where))
    if period is not None and ws.plan is not None:
        period = str(ws.plan.period(period))
    if department is not None and ws.plan is not None:
        department = ws.plan.department_code(department)
    with Ledger(ws.root, readonly=True) as ledger:
        subs = ledger.history(department, period)
        reviews = {s.id: r for s in subs if (r := ledger.reviews(s.id))}
        periods = sorted({s.period for s in subs if s.period} | ({period} if period else set()))
        signoffs = [x for p in periods for x in ledger.signoffs(p)]
        upto = {p: ledger.signed_upto(p) for p in periods}
    after = {s.id for s in subs if (u := upto.get(s.period)) and s.id > u}
    return HistoryLog(subs, reviews, signoffs, after)
