"""What the ledger holds, as Python values: submissions, their recorded cells, what a
new one brings and what adding it did; the statuses."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tianbao.errors import TianbaoError
from tianbao.findings.verdict import VERDICT_LABELS as VERDICT_LABELS
from tianbao.findings.verdict import WARNINGS_EXPLAINED as WARNINGS_EXPLAINED
from tianbao.findings.verdict import verdict_of
from tianbao.findings.verdict import verdict_zh as verdict_zh

LEDGER_FILE = "ledger.sqlite"
SCHEMA_VERSION = 5  # 2: received_source, correction; 3: reviews; 4: what a sign-off saw;
# 5: a return's due date and cells, what was open at a sign-off
BUSY_TIMEOUT_MS = 30_000

ACCEPTED = "accepted"
ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
REJECTED = "rejected"
SUPERSEDED = "superseded"
STATUSES = (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED)
COUNTING = (ACCEPTED, ACCEPTED_WITH_WARNINGS)  # "accepted" in the sense of "counts"
# the office's decisions on a submission, appended to ``reviews``; the last one
# stands ('reopened' takes the one before it back)
RETURNED = "returned"  # 退回: sent back with reasons; it no longer counts
FORCED = "forced"  # 强制受理: a rejected return counts, its findings stay on record
APPROVED = "approved"  # 审核通过 by a named reviewer
REOPENED = "reopened"
REVIEW_ACTIONS = (RETURNED, FORCED, APPROVED, REOPENED)

# a period's sign-off (签发) and its withdrawal, appended to ``signoffs``; the last stands
SIGNED = "signed"
WITHDRAWN = "withdrawn"
SIGNOFF_ACTIONS = (SIGNED, WITHDRAWN)

SCHEMA = """
CREATE TABLE submissions(
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  archive_path TEXT NOT NULL,          -- relative to the workspace: archive/ab/<sha256>.xlsx
  size INTEGER NOT NULL,
  received_at TEXT NOT NULL,           -- ISO 8601, local with offset: 2014-07-03T10:00:00+08:00
  department TEXT NOT NULL DEFAULT '', -- '' when the file could not be identified
  period TEXT NOT NULL DEFAULT '',
  template_id TEXT NOT NULL DEFAULT '',
  forms TEXT NOT NULL DEFAULT '',      -- comma-separated form ids found in the return
  status TEXT NOT NULL CHECK(status IN ('accepted','accepted_with_warnings','rejected','superseded')),
  superseded_by INTEGER REFERENCES submissions(id),
  errors INTEGER NOT NULL, warnings INTEGER NOT NULL, notes INTEGER NOT NULL,
  report_json TEXT NOT NULL,           -- report_json.file_dict(report), the findings included
  received_source TEXT NOT NULL DEFAULT '', -- where received_at came from: option, manifest, mtime, now
  correction INTEGER NOT NULL DEFAULT 0     -- 1: a correction of a past period (更正), asked for
);
CREATE INDEX submissions_dept_period ON submissions(department, period, status);
CREATE TABLE cell_values(               -- every entered value of an accepted or rejected return
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  form TEXT NOT NULL, row_key TEXT NOT NULL, field TEXT NOT NULL,
  value TEXT NOT NULL,                  -- JSON of the normalised value (number, string)
  sheet TEXT NOT NULL, cell TEXT NOT NULL,
  PRIMARY KEY(submission_id, form, row_key, field)
);
"""  # noqa: E501 - the schema as agreed, verbatim

REVIEWS_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews(     -- append-only: the office's decisions, newest last
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  action TEXT NOT NULL CHECK(action IN ('returned','forced','approved','reopened')),
  reason TEXT NOT NULL DEFAULT '',
  by TEXT NOT NULL,
  at TEXT NOT NULL,                     -- ISO 8601, local with offset
  due TEXT NOT NULL DEFAULT '',         -- returned: the corrected return is due (ISO date)
  cells TEXT NOT NULL DEFAULT ''        -- returned: JSON list of the cells/rows pointed at
);
CREATE INDEX IF NOT EXISTS reviews_submission ON reviews(submission_id, id);
CREATE TABLE IF NOT EXISTS signoffs(    -- append-only: a period signed off (签发) or reopened
  id INTEGER PRIMARY KEY,
  period TEXT NOT NULL,
  action TEXT NOT NULL CHECK(action IN ('signed','withdrawn')),
  by TEXT NOT NULL,
  at TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  upto_submission INTEGER NOT NULL DEFAULT 0, -- the last submission and review recorded
  upto_review INTEGER NOT NULL DEFAULT 0,     -- when signed: what the summary stood on
  outstanding TEXT NOT NULL DEFAULT ''        -- signed anyway: JSON list of what was open
);
"""

_COLUMNS = (
    "id, sha256, file_name, archive_path, size, received_at, department, period, template_id, "
    "forms, status, superseded_by, errors, warnings, notes, report_json, received_source, "
    "correction"
)
# the review that stands on a submission (the last, unless it reopened)
_REVIEW = (
    "(SELECT CASE action WHEN 'reopened' THEN '' ELSE action END FROM reviews r "
    "WHERE r.submission_id = submissions.id ORDER BY r.id DESC LIMIT 1)"
)
_IN_COUNTING = "status IN ('accepted','accepted_with_warnings')"


class LedgerError(TianbaoError):
    """The ledger or its archive cannot be used (newer schema, corrupt archive file...)."""


@dataclass(frozen=True)
class Submission:
    """One row of ``submissions``: a collected file, whatever its status."""

    id: int
    sha256: str
    file_name: str
    archive_path: str
    size: int
    received_at: str
    department: str
    period: str
    template_id: str
    forms: tuple[str, ...]
    status: str
    superseded_by: int | None
    errors: int
    warnings: int
    notes: int
    report_json: str = field(repr=False)
    received_source: str = ""
    correction: bool = False
    review: str = ""  # the office's decision that stands: returned, forced, approved or ''

    @property
    def counts(self) -> bool:
        """Accepted (with or without warnings), not superseded and not sent back; or a
        rejected return the office accepted by hand (强制受理)."""
        if self.status == REJECTED:
            return self.review == FORCED
        return self.status in COUNTING and self.review != RETURNED

    @property
    def report(self) -> dict[str, Any]:
        """The validation report (``report_json.file_dict``) recorded with it."""
        return json.loads(self.report_json)

    @property
    def verdict(self) -> str:
        """Its status as a VERDICT_LABELS key (warnings all explained or not)."""
        if self.status != ACCEPTED_WITH_WARNINGS:
            return self.status
        return verdict_of(self.status, self.report.get("findings") or ())

    @classmethod
    def from_row(cls, row: sqlite3.Row | tuple[Any, ...]) -> Submission:
        (
            id_,
            sha,
            name,
            archive,
            size,
            received,
            dept,
            period,
            template,
            forms,
            status,
            by,
            errors,
            warnings,
            notes,
            report,
            source,
            correction,
            *more,
        ) = tuple(row)
        return cls(
            id_,
            sha,
            name,
            archive,
            size,
            received,
            dept,
            period,
            template,
            tuple(f for f in forms.split(",") if f),
            status,
            by,
            errors,
            warnings,
            notes,
            report,
            source,
            bool(correction),
            (more[0] or "") if more else "",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "file_name": self.file_name,
            "archive_path": self.archive_path,
            "size": self.size,
            "received_at": self.received_at,
            "department": self.department,
            "period": self.period,
            "template_id": self.template_id,
            "forms": list(self.forms),
            "status": self.status,
            "superseded_by": self.superseded_by,
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": self.notes,
            "received_source": self.received_source,
            "correction": self.correction,
            "review": self.review,
        }


class CellValue(NamedTuple):
    """One entered value of a recorded return (its JSON decoded). A named tuple, not a
    frozen dataclass: a summary makes one per figure, and this is a third of the cost."""

    submission_id: int
    form: str
    row_key: str
    field: str
    value: Any
    sheet: str
    cell: str


@dataclass(frozen=True)
class NewSubmission:
    """What ``Ledger.add`` records; the id and final status are the ledger's to give."""

    sha256: str
    file_name: str
    archive_path: str
    size: int
    received_at: str
    department: str
    period: str
    template_id: str
    forms: tuple[str, ...]
    status: str  # accepted | accepted_with_warnings | rejected
    errors: int
    warnings: int
    notes: int
    report_json: str
    # (form, row key, field, value, sheet, cell); value is JSON-encoded here
    cells: tuple[tuple[str, str, str, Any, str, str], ...] = ()
    received_source: str = ""
    correction: bool = False


@dataclass(frozen=True)
class Added:
    submission: Submission
    duplicate: bool  # the same bytes were recorded before: nothing was written
    superseded: tuple[int, ...] = ()  # ids this insert made 'superseded'
