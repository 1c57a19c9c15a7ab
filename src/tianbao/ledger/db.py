"""The ledger database: every collected return, its status and its values.

``WS/.tianbao/ledger.sqlite``, WAL mode, a 30 s busy timeout, every write in a
``BEGIN IMMEDIATE`` transaction, so that two ``collect`` runs at the same time
serialise their writes and a killed run leaves the last committed state.
``PRAGMA user_version`` is the schema version.

A submission counts (is "accepted") when its status is ``accepted`` or
``accepted_with_warnings``; at most one submission of a department and period
counts at any time: a newer accepted return supersedes the older ones, which
stay in the table with status ``superseded`` and ``superseded_by`` set.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.errors import TianbaoError, fault_from
from tianbao.plan.periods import Period
from tianbao.support.pausepoint import pause_point
from tianbao.workspace import STATE_DIR

LEDGER_FILE = "ledger.sqlite"
SCHEMA_VERSION = 2  # 2: received_source, correction
BUSY_TIMEOUT_MS = 30_000

ACCEPTED = "accepted"
ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
REJECTED = "rejected"
SUPERSEDED = "superseded"
STATUSES = (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, SUPERSEDED)
COUNTING = (ACCEPTED, ACCEPTED_WITH_WARNINGS)  # "accepted" in the sense of "counts"

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

_COLUMNS = (
    "id, sha256, file_name, archive_path, size, received_at, department, period, template_id, "
    "forms, status, superseded_by, errors, warnings, notes, report_json, received_source, "
    "correction"
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

    @property
    def counts(self) -> bool:
        """Accepted, with or without explained warnings, and not superseded."""
        return self.status in COUNTING

    @property
    def report(self) -> dict[str, Any]:
        """The validation report (``report_json.file_dict``) recorded with it."""
        return json.loads(self.report_json)

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
        }


@dataclass(frozen=True)
class CellValue:
    """One entered value of a recorded return (its JSON decoded)."""

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


def ledger_path(ws_root: Path) -> Path:
    return Path(ws_root) / STATE_DIR / LEDGER_FILE


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the ledger database at ``path``, schema up to date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; writes say BEGIN IMMEDIATE themselves
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _switch_to_wal(conn)
        if str(mode).lower() != "wal":
            raise LedgerError(f"{path}: 无法启用 WAL 模式 cannot switch the ledger to WAL ({mode})")
        # FULL: a commit is on disk when COMMIT returns (NORMAL could lose the last
        # transactions on power loss, which is what the archive-then-commit order protects)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        fault = fault_from(exc)  # a read-only or full disk: the machine's fault (exit 3)
        if fault is not None:
            raise fault from None
        raise LedgerError(f"{path}: 账本无法打开 cannot open the ledger: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _switch_to_wal(conn: sqlite3.Connection) -> str:
    """PRAGMA journal_mode = WAL, retried while another process holds the new file.

    The switch needs an exclusive lock and SQLite does not call the busy handler
    for it: two collects starting on a new ledger at once could fail at once with
    "database is locked" (or get the old mode back). Retried up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            mode = ""
        if mode.lower() == "wal" or time.monotonic() > deadline:
            return mode or "locked"
        time.sleep(0.02)


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open the ledger for reading only, also on a read-only medium (a CD, a mounted
    backup): ``mode=ro`` first; where SQLite cannot even keep its WAL index there,
    ``immutable=1`` (nothing can be writing to a read-only medium). No ledger yet:
    an empty one in memory, so status and consolidate report that nothing came in."""
    if not path.exists():
        conn = sqlite3.connect(":memory:", isolation_level=None)
        _migrate(conn, path)
        return conn
    uri = path.resolve().as_uri()
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{uri}?{query}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            version = _user_version(conn)
        except sqlite3.Error as exc:
            conn.close()
            last = exc
            continue
        if version > SCHEMA_VERSION:
            conn.close()
            raise _too_new(path, version)
        return conn
    raise LedgerError(f"{path}: 账本无法打开 cannot open the ledger: {last}")


def _too_new(path: Path, version: int) -> LedgerError:
    return LedgerError(
        f"{path}: 账本版本 {version} 比本程序新 the ledger is schema version {version}; "
        f"this tianbao knows up to {SCHEMA_VERSION}: upgrade tianbao"
    )


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    if _user_version(conn) == SCHEMA_VERSION:
        return
    with write_transaction(conn):
        version = _user_version(conn)  # again: another process may have just created it
        if version == 0:
            for statement in _statements(SCHEMA):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version == 1:  # receipt source and corrections: old rows keep '' and 0
            conn.execute(
                "ALTER TABLE submissions ADD COLUMN received_source TEXT NOT NULL DEFAULT ''"
            )
            conn.execute("ALTER TABLE submissions ADD COLUMN correction INTEGER NOT NULL DEFAULT 0")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise _too_new(path, version)


def _statements(script: str) -> Iterator[str]:
    """The statements of SCHEMA (executescript would commit the open transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            yield statement.strip()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; ROLLBACK on any exception (also KeyboardInterrupt)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _order_key(s: Submission) -> tuple[str, int]:
    return (s.received_at, s.id)


class Ledger:
    """The workspace's ledger; use as a context manager::

    with Ledger(ws.root) as ledger:
        for sub in ledger.latest_accepted("2014-06"): ...
    """

    def __init__(self, ws_root: Path | Any, *, readonly: bool = False) -> None:
        # a Workspace or its folder (careful: a Path has a .root too, the drive's)
        self.root = Path(ws_root if isinstance(ws_root, (str, Path)) else ws_root.root)
        self.path = ledger_path(self.root)
        self.readonly = readonly  # status and consolidate: never write, work on a read-only medium
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> Ledger:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        if self._conn is None:
            self._conn = connect_readonly(self.path) if self.readonly else connect(self.path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError("ledger is not open: use `with Ledger(root) as ledger:`")
        return self._conn

    # -- reading ---------------------------------------------------------------------
    def _select(
        self, where: str = "", params: Iterable[Any] = (), order: str = "id"
    ) -> list[Submission]:
        sql = f"SELECT {_COLUMNS} FROM submissions"
        if where:
            sql += f" WHERE {where}"
        rows = self.conn.execute(f"{sql} ORDER BY {order}", tuple(params)).fetchall()
        return [Submission.from_row(r) for r in rows]

    def submission(self, submission_id: int) -> Submission | None:
        found = self._select("id = ?", (submission_id,))
        return found[0] if found else None

    def by_sha256(self, sha256: str) -> Submission | None:
        found = self._select("sha256 = ?", (sha256,))
        return found[0] if found else None

    def history(self, department: str | None = None, period: str | None = None) -> list[Submission]:
        """Every submission (any status), oldest first, optionally of one department/period."""
        where, params = [], []
        if department is not None:
            where.append("department = ?")
            params.append(department)
        if period is not None:
            where.append("period = ?")
            params.append(str(period))
        return self._select(" AND ".join(where), params, order="received_at, id")

    def latest_accepted(self, period: str | Period) -> list[Submission]:
        """One submission per department: the newest that counts (never rejected or
        superseded); departments in code order."""
        subs = self._select(
            f"period = ? AND department != '' AND {_IN_COUNTING}",
            (str(period),),
            order="department, received_at DESC, id DESC",
        )
        out: dict[str, Submission] = {}
        for s in subs:
            out.setdefault(s.department, s)
        return list(out.values())

    def latest_accepted_of(self, department: str, period: str | Period) -> Submission | None:
        subs = self._select(
            f"department = ? AND period = ? AND {_IN_COUNTING}",
            (department, str(period)),
            order="received_at DESC, id DESC",
        )
        return subs[0] if subs else None

    def values(self, submission_id: int) -> list[CellValue]:
        """The recorded values of a submission, in the order they were in the return."""
        rows = self.conn.execute(
            "SELECT submission_id, form, row_key, field, value, sheet, cell FROM cell_values "
            "WHERE submission_id = ? ORDER BY rowid",
            (submission_id,),
        ).fetchall()
        return [CellValue(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def row_values(
        self, rows: Iterable[tuple[int, str, str]]
    ) -> Generator[list[CellValue], None, None]:
        """For each (submission id, form, row key) of ``rows``, in that order, the
        values recorded for that row (any field order); [] for a row with none.
        Use one such iterator at a time per ledger.

        One streaming query (the wanted rows in a temporary table, joined on the
        primary key), so a caller walking a whole plan holds one row at a time.
        """
        conn = self.conn
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS wanted_rows("
            "pos INTEGER PRIMARY KEY, submission_id INTEGER, form TEXT, row_key TEXT)"
        )
        conn.execute("DELETE FROM temp.wanted_rows")
        conn.executemany(
            "INSERT INTO temp.wanted_rows(pos, submission_id, form, row_key) VALUES (?,?,?,?)",
            ((i, *r) for i, r in enumerate(rows)),
        )
        (n,) = conn.execute("SELECT count(*) FROM temp.wanted_rows").fetchone()
        cur = conn.execute(
            "SELECT w.pos, c.submission_id, c.form, c.row_key, c.field, c.value, c.sheet, c.cell "
            "FROM temp.wanted_rows w CROSS JOIN cell_values c "  # CROSS: w drives, in pos order
            "ON c.submission_id = w.submission_id AND c.form = w.form AND c.row_key = w.row_key "
            "ORDER BY w.pos"
        )
        loads = json.loads
        at, found = 0, list[CellValue]()
        try:
            for pos, sid, form, key, name, value, sheet, cell in cur:
                while at < pos:
                    yield found
                    at, found = at + 1, []
                found.append(CellValue(sid, form, key, name, loads(value), sheet, cell))
            while at < n:
                yield found
                at, found = at + 1, []
        finally:
            cur.close()

    def records(self, submission_id: int) -> dict[str, dict[str, dict[str, Any]]]:
        """{form: {row key: {field: value}}} of a submission (what rules see as prev)."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for v in self.values(submission_id):
            out.setdefault(v.form, {}).setdefault(v.row_key, {})[v.field] = v.value
        return out

    def previous_records(
        self, department: str, period: str | Period
    ) -> dict[str, dict[str, dict[str, Any]]] | None:
        """The department's latest accepted return of the period before ``period``, as
        ``{form: {key: record}}`` for ``Validator.validate(previous=...)``; None when
        there is no previous period or no accepted return for it."""
        if not department:
            return None
        try:
            prev = Period.parse(str(period)).previous()
        except ValueError:
            return None
        if prev is None:
            return None
        sub = self.latest_accepted_of(department, prev)
        return self.records(sub.id) if sub is not None else None

    def integrity_check(self) -> list[str]:
        """SQLite's own check: ['ok'] when the database is sound."""
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]

    # -- writing ---------------------------------------------------------------------
    def add(self, new: NewSubmission) -> Added:
        """Record a submission in one transaction: the row, its values and the
        superseding of older accepted returns of the same department and period.

        The same bytes (sha256) recorded before: nothing is written and the
        existing submission is returned with ``duplicate=True``. The archive file
        must be complete before this is called.
        """
        if new.status not in (ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED):
            raise ValueError(f"a new submission cannot be {new.status!r}")
        conn = self.conn
        with write_transaction(conn):
            existing = self.by_sha256(new.sha256)
            if existing is not None:
                return Added(existing, True)
            cur = conn.execute(
                "INSERT INTO submissions(sha256, file_name, archive_path, size, received_at, "
                "department, period, template_id, forms, status, superseded_by, errors, "
                "warnings, notes, report_json, received_source, correction) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,NULL,?,?,?,?,?,?)",
                (
                    new.sha256,
                    new.file_name,
                    new.archive_path,
                    new.size,
                    new.received_at,
                    new.department,
                    new.period,
                    new.template_id,
                    ",".join(new.forms),
                    new.status,
                    new.errors,
                    new.warnings,
                    new.notes,
                    new.report_json,
                    new.received_source,
                    int(new.correction),
                ),
            )
            sid = int(cur.lastrowid or 0)
            conn.executemany(
                "INSERT INTO cell_values(submission_id, form, row_key, field, value, sheet, cell)"
                " VALUES (?,?,?,?,?,?,?)",
                [
                    (sid, form, key, name, value, sheet, cell)
                    for form, key, name, value, sheet, cell in new.cells
                ],
            )
            superseded: tuple[int, ...] = ()
            if new.status in COUNTING and new.department and new.period:
                superseded = self._supersede(new.department, new.period)
            sub = self.submission(sid)
            assert sub is not None
            pause_point("transaction")
        return Added(sub, False, superseded)

    def _supersede(self, department: str, period: str) -> tuple[int, ...]:
        """Keep one counting submission of department+period: the latest received
        (then the latest recorded); the others become 'superseded' by it."""
        counting = self._select(
            f"department = ? AND period = ? AND {_IN_COUNTING}", (department, period)
        )
        if len(counting) < 2:
            return ()
        winner = max(counting, key=_order_key)
        losers = tuple(s.id for s in counting if s.id != winner.id)
        self.conn.executemany(
            "UPDATE submissions SET status = 'superseded', superseded_by = ? WHERE id = ?",
            [(winner.id, i) for i in losers],
        )
        return losers
