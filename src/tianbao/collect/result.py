"""What ``collect`` did with one file: ``CollectResult``, and the results that record
nothing new (the same bytes recorded before, a refusal)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.ledger.db import REJECTED, NewSubmission, Submission

if TYPE_CHECKING:
    from tianbao.validate.engine import FileReport

ERROR = "error"  # a result that could not be recorded (file unreadable from disk...)
# not recorded on purpose, with the reason: another period's template without
# --corrections, a version received at the same moment as a different one, a
# file whose receipt time the manifest does not give, a link
REFUSED = "refused"


@dataclass
class CollectResult:
    path: Path
    status: str  # accepted | accepted_with_warnings | rejected | superseded | refused | error
    submission_id: int | None = None
    duplicate: bool = False  # these bytes were recorded before; nothing new was written
    department: str = ""
    period: str = ""
    sha256: str = ""
    archive_path: str = ""
    superseded: tuple[int, ...] = ()  # submissions this one superseded
    received_at: str = ""
    report: FileReport | None = None  # None for a duplicate or an error
    message: str = ""
    correction: bool = False  # recorded as a correction of a past period (更正)

    @property
    def ok(self) -> bool:
        """Accepted, or a duplicate of a return that was accepted."""
        return self.status not in (REJECTED, ERROR, REFUSED)

    def as_dict(self) -> dict[str, Any]:
        from tianbao.report.validation_json import file_dict

        return {
            "path": str(self.path),
            "file_name": self.path.name,
            "submission_id": self.submission_id,
            "status": self.status,
            "duplicate": self.duplicate,
            "department": self.department,
            "period": self.period,
            "sha256": self.sha256,
            "archive_path": self.archive_path,
            "superseded": list(self.superseded),
            "received_at": self.received_at,
            "correction": self.correction,
            "message": self.message,
            "report": file_dict(self.report) if self.report is not None else None,
        }


def duplicate(path: Path, sub: Submission) -> CollectResult:
    return CollectResult(
        path,
        sub.status,
        sub.id,
        True,
        sub.department,
        sub.period,
        sub.sha256,
        sub.archive_path,
        received_at=sub.received_at,
    )


class Refusal(Exception):
    """The checks inside the write refused the return (nothing was written)."""


def refused(
    path: Path, new: NewSubmission, why: str, report: FileReport | None = None
) -> CollectResult:
    return CollectResult(
        path, REFUSED, None, False, new.department, new.period, new.sha256, report=report,
        message=why,
    )  # fmt: skip
