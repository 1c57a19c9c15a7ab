"""Opening the ledger database: WAL, busy timeout, durable commits, migrations, and the
one way to write (BEGIN IMMEDIATE … COMMIT)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tianbao.errors import fault_from
from tianbao.ledger.records import (
    BUSY_TIMEOUT_MS,
    LEDGER_FILE,
    REVIEWS_SCHEMA,
    SCHEMA,
    SCHEMA_VERSION,
    LedgerError,
)
from tianbao.support.pausepoint import armed, pause_point
from tianbao.workspace import STATE_DIR


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
        if version < SCHEMA_VERSION:  # an older ledger: read a copy migrated in memory
            return _migrated_copy(conn, path)
        return conn
    raise LedgerError(f"{path}: 账本无法打开 cannot open the ledger: {last}")


def _migrated_copy(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """The ledger copied into memory and brought up to the schema there: the reading
    commands read an older ledger as it would be, and the file stays as it is (the
    next writing command migrates it)."""
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.backup(copy)
        _migrate(copy, path)
    except BaseException:
        copy.close()
        raise
    finally:
        conn.close()
    return copy


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
        if version > SCHEMA_VERSION:
            raise _too_new(path, version)
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            for statement in _statements(SCHEMA):
                conn.execute(statement)
        if version == 1:  # receipt source and corrections: old rows keep '' and 0
            conn.execute(
                "ALTER TABLE submissions ADD COLUMN received_source TEXT NOT NULL DEFAULT ''"
            )
            conn.execute("ALTER TABLE submissions ADD COLUMN correction INTEGER NOT NULL DEFAULT 0")
        for statement in _statements(REVIEWS_SCHEMA):  # 3: the office's reviews
            conn.execute(statement)
        if version == 3:  # 4: a sign-off records what it saw (old ones: 0, unknown)
            for column in ("upto_submission", "upto_review"):
                conn.execute(f"ALTER TABLE signoffs ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
        if version in (3, 4):  # 5: a return's due date and cells, a sign-off's open list
            added = (("reviews", "due"), ("reviews", "cells"), ("signoffs", "outstanding"))
            for table, column in added:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _statements(script: str) -> Iterator[str]:
    """The statements of SCHEMA (executescript would commit the open transaction)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            yield statement.strip()


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; ROLLBACK on any exception (also KeyboardInterrupt).

    Inside a transaction already open (a check and its write, one transaction) it
    joins that one: the outer block commits or rolls back."""
    if conn.in_transaction:
        yield conn
        return
    _begin(conn)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE: waits up to the busy timeout for another process's write. Under
    the ``busy`` pause point, a lock found is reported first, so that a test knows
    this process waits on another's transaction."""
    if armed("busy"):
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            pause_point("busy")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("BEGIN IMMEDIATE")
