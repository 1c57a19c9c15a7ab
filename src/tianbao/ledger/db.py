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

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from tianbao.ledger.decisions import Decisions
from tianbao.ledger.records import _COLUMNS, _IN_COUNTING, _REVIEW

# the ledger's vocabulary, importable from here as before the split
from tianbao.ledger.records import ACCEPTED as ACCEPTED
from tianbao.ledger.records import ACCEPTED_WITH_WARNINGS as ACCEPTED_WITH_WARNINGS
from tianbao.ledger.records import COUNTING as COUNTING
from tianbao.ledger.records import REJECTED as REJECTED
from tianbao.ledger.records import REOPENED as REOPENED
from tianbao.ledger.records import REVIEW_ACTIONS as REVIEW_ACTIONS
from tianbao.ledger.records import REVIEWS_SCHEMA as REVIEWS_SCHEMA
from tianbao.ledger.records import SCHEMA as SCHEMA
from tianbao.ledger.records import SCHEMA_VERSION as SCHEMA_VERSION
from tianbao.ledger.records import SUPERSEDED as SUPERSEDED
from tianbao.ledger.records import Added as Added
from tianbao.ledger.records import CellValue as CellValue
from tianbao.ledger.records import LedgerError as LedgerError
from tianbao.ledger.records import NewSubmission as NewSubmission
from tianbao.ledger.records import Submission as Submission
from tianbao.ledger.sqlite import connect as connect
from tianbao.ledger.sqlite import connect_readonly as connect_readonly
from tianbao.ledger.sqlite import ledger_path as ledger_path
from tianbao.ledger.sqlite import write_transaction as write_transaction
from tianbao.plan.periods import Period
from tianbao.support.pausepoint import pause_point

# what ``row_values`` gives for a row: {field: value}, {field: (sheet, cell) in the return}
RowValues = tuple[dict[str, Any], dict[str, tuple[str, str]]]


def _order_key(s: Submission) -> tuple[str, int]:
    return (s.received_at, s.id)


# what may count: accepted ones unless sent back, rejected ones the office forced
_MAY_COUNT = "status IN ('accepted','accepted_with_warnings','rejected')"


class Ledger(Decisions):
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

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): the checks that guard a write are
        made inside it, so no other process writes between them and the write."""
        return write_transaction(self.conn)

    # -- reading ---------------------------------------------------------------------
    def _select(
        self, where: str = "", params: Iterable[Any] = (), order: str = "id"
    ) -> list[Submission]:
        review = _REVIEW if self.has_reviews else "''"
        sql = f"SELECT {_COLUMNS}, {review} FROM submissions"
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

    def latest_accepted(
        self, period: str | Period, as_of: tuple[int, int] | None = None
    ) -> list[Submission]:
        """One submission per department: the newest that counts (accepted and not sent
        back, or rejected and accepted by hand); departments in code order.
        ``as_of`` (last submission id, last review id): what counted then, as a sign-off
        of a later period saw it."""
        if as_of is not None:
            return self._accepted_then(period, *as_of)
        subs = self._select(
            f"period = ? AND department != '' AND {_MAY_COUNT}",
            (str(period),),
            order="department, received_at DESC, id DESC",
        )
        out: dict[str, Submission] = {}
        for s in subs:
            if s.counts:
                out.setdefault(s.department, s)
        return list(out.values())

    def _accepted_then(self, period: str | Period, last: int, last_review: int) -> list[Submission]:
        """latest_accepted over the submissions and reviews recorded up to those ids: a
        return superseded since counts again, a decision taken since is not yet taken."""
        subs = self._select(
            "period = ? AND department != '' AND id <= ?",
            (str(period), last),
            order="department, received_at DESC, id DESC",
        )
        decided: dict[int, str] = {}
        if self.has_reviews and subs:
            marks = ",".join("?" * len(subs))
            for sid, action in self.conn.execute(
                f"SELECT submission_id, action FROM reviews WHERE id <= ? "
                f"AND submission_id IN ({marks}) ORDER BY id",
                (last_review, *(s.id for s in subs)),
            ):
                decided[sid] = "" if action == REOPENED else action
        out: dict[str, Submission] = {}
        for s in subs:
            status = s.status
            if status == SUPERSEDED:
                if (s.superseded_by or 0) <= last:
                    continue  # superseded by then
                status = ACCEPTED_WITH_WARNINGS if s.warnings else ACCEPTED
            s = dataclasses.replace(s, status=status, review=decided.get(s.id, ""))
            if s.counts:
                out.setdefault(s.department, s)
        return list(out.values())

    def latest_accepted_of(self, department: str, period: str | Period) -> Submission | None:
        subs = self._select(
            f"department = ? AND period = ? AND {_MAY_COUNT}",
            (department, str(period)),
            order="received_at DESC, id DESC",
        )
        return next((s for s in subs if s.counts), None)

    def values(self, submission_id: int) -> list[CellValue]:
        """The recorded values of a submission, in the order they were in the return."""
        rows = self.conn.execute(
            "SELECT submission_id, form, row_key, field, value, sheet, cell FROM cell_values "
            "WHERE submission_id = ? ORDER BY rowid",
            (submission_id,),
        ).fetchall()
        return [CellValue(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def earlier_months(
        self, department: str, period: str | Period, wanted: dict[str, tuple[str, ...]]
    ) -> list[tuple[Period, dict[str, dict[str, dict[str, Any]]]]]:
        """The department's counting returns of the months of ``period``'s year before
        it, oldest first: (month, {form: {row key: {field: value}}}) with only the
        ``wanted`` fields of each form; a month without one has {}."""
        p = period if isinstance(period, Period) else Period.parse(str(period))
        out: list[tuple[Period, dict[str, dict[str, dict[str, Any]]]]] = []
        if p.kind != "month":
            return out
        for m in range(1, p.last_month):
            month = Period(p.year, "month", m)
            sub = self.latest_accepted_of(department, month)
            records: dict[str, dict[str, dict[str, Any]]] = {}
            if sub is not None:
                for form, fields in wanted.items():
                    for _, key, name, value in self.field_values([sub.id], form, fields):
                        records.setdefault(form, {}).setdefault(key, {})[name] = value
            out.append((month, records))
        return out

    def field_values(
        self, submission_ids: Sequence[int], form: str, fields: Sequence[str]
    ) -> Iterator[tuple[int, str, str, Any]]:
        """(submission id, row key, field, value) of some fields of one form in some
        submissions: the few figures a trend needs, not whole returns."""
        marks = ",".join("?" * len(fields))
        for i in range(0, len(submission_ids), 500):  # within SQLite's parameter limit
            ids = list(submission_ids[i : i + 500])
            cur = self.conn.execute(
                "SELECT submission_id, row_key, field, value FROM cell_values "
                f"WHERE submission_id IN ({','.join('?' * len(ids))}) AND form = ? "
                f"AND field IN ({marks})",
                (*ids, form, *fields),
            )
            for sid, key, name, value in cur:
                yield sid, key, name, json.loads(value)

    def row_values(self, rows: Iterable[tuple[int, str, str]]) -> Generator[RowValues, None, None]:
        """For each (submission id, form, row key) of ``rows``, in that order, the
        values recorded for that row, {field: value}, and the cell each was in, {field:
        (sheet, cell)}; two empty dicts for a row with none. Use one such iterator at
        a time per ledger.

        One streaming query (the wanted rows in a temporary table, joined on the
        primary key), so a caller walking a whole plan holds one row at a time; a row's
        values are grouped and decoded at once (a summary reads one per figure).
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
            "SELECT w.pos, c.field, c.value, c.sheet, c.cell "
            "FROM temp.wanted_rows w CROSS JOIN cell_values c "  # CROSS: w drives, in pos order
            "ON c.submission_id = w.submission_id AND c.form = w.form AND c.row_key = w.row_key "
            "ORDER BY w.pos"
        )
        at = 0
        try:
            for pos, found in groupby(cur, itemgetter(0)):
                while at < pos:
                    yield {}, {}
                    at += 1
                yield _decoded(found)
                at += 1
            while at < n:
                yield {}, {}
                at += 1
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
    def add(
        self, new: NewSubmission, check: Callable[[NewSubmission], NewSubmission] | None = None
    ) -> Added:
        """Record a submission in one transaction: the row, its values and the
        superseding of older accepted returns of the same department and period.

        ``check(new)``, inside that transaction before anything is written, gives the
        submission to record or raises (collect's round and sign-off checks: a
        period signed off meanwhile refuses the return).

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
            if check is not None:
                new = check(new)
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


def _decoded(found: Iterable[tuple[Any, ...]]) -> RowValues:
    """A row's (pos, field, JSON, sheet, cell) as ``row_values`` gives them: each value
    is a JSON document, so one array of them is decoded at once (a parse a value cost
    more than the rest of the row), and the columns are taken apart by zip, not value
    by value."""
    _, fields, texts, sheets, cells = zip(*found, strict=True)
    values = json.loads("[" + ",".join(texts) + "]")
    where = zip(sheets, cells, strict=True)
    return dict(zip(fields, values, strict=True)), dict(zip(fields, where, strict=True))
