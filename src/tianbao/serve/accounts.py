"""The accounts of the web pages: one per department of the plan (填报单位), and the
office's (统计局审核, 管理员). Kept with the audit log in ``.tianbao/serve.sqlite``, a
file of its own (the ledger holds returns, not people).

Passwords: scrypt (memory-hard, in the standard library) with a salt per account; an
issued or reset password must be changed at the first login. Five failed logins in a
row lock the account until the office resets it (``tianbao accounts reset``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tianbao.errors import UsageError

DB_NAME = "serve.sqlite"
DEPT, OFFICE, ADMIN = "dept", "office", "admin"
ROLES = {DEPT: "填报单位", OFFICE: "统计局审核", ADMIN: "管理员"}
ROLES_EN = {DEPT: "department", OFFICE: "statistics office", ADMIN: "administrator"}
MAX_FAILURES = 5
MIN_PASSWORD = 8
# scrypt at n=2**14, r=8: 16 MiB and ~50 ms a try: cheap for a login, dear for a guesser
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}
# no 0/O, 1/l/I: a clerk types the printed password by hand
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 1,
    failures INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    account TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    department: str  # the department code of a 填报单位 account, else ''
    must_change: bool
    failures: int
    generation: int  # raised by every password change: older sessions end

    @property
    def locked(self) -> bool:
        return self.failures >= MAX_FAILURES

    @property
    def role_zh(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def role_said(self) -> str:
        """「填报单位 | department」: the role in both languages, for the pages."""
        return f"{self.role_zh} | {ROLES_EN.get(self.role, self.role)}"


def db_path(root: Path) -> Path:
    return Path(root) / ".tianbao" / DB_NAME


_READY: set[Path] = set()  # files whose tables this process has made sure of


@contextmanager
def connect(root: Path, write: bool = True) -> Iterator[sqlite3.Connection]:
    """A connection for one piece of work (the pages run in threads: none is shared).
    ``write``: one IMMEDIATE transaction, committed when the block ends without an
    exception; otherwise a plain read that takes no lock (WAL)."""
    path = db_path(root)
    if path not in _READY:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        if path not in _READY:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)
            _READY.add(path)
        if not write:
            yield con
            return
        # WAL without a sync per commit: an entry written stays through a crash of the
        # server, a power cut may lose the last ones; one fsync less on every page that
        # logs (the returns themselves are in the ledger, which syncs each commit)
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.close()


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)


def new_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


_COLUMNS = "name, role, department, must_change, failures, generation"


def _account(row: tuple[object, ...]) -> Account:
    name, role, dept, must, failures, gen = row
    return Account(str(name), str(role), str(dept), bool(must), int(failures), int(gen))  # type: ignore[call-overload]


def get(root: Path, name: str) -> Account | None:
    with connect(root, write=False) as con:
        row = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,)).fetchone()
    return _account(row) if row else None


def all_accounts(root: Path) -> list[Account]:
    with connect(root, write=False) as con:
        rows = con.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY role, name").fetchall()
    return [_account(r) for r in rows]


def _set_password(con: sqlite3.Connection, name: str, password: str, must_change: bool) -> None:
    salt = secrets.token_bytes(16)
    con.execute(
        "UPDATE accounts SET salt = ?, hash = ?, must_change = ?, failures = 0, "
        "generation = generation + 1 WHERE name = ?",
        (salt, hash_password(password, salt), int(must_change), name),
    )


def issue(
    root: Path, departments: Iterable[str], office: Iterable[str] = ("office",)
) -> list[tuple[Account, str]]:
    """Accounts not yet there: one per department (named by its code), the office's
    named ones, and ``admin``; each with a fresh password, returned once."""
    wanted = [(code, DEPT, code) for code in departments]
    wanted += [(name, OFFICE, "") for name in office]
    wanted.append(("admin", ADMIN, ""))
    made: list[tuple[Account, str]] = []
    with connect(root) as con:
        for name, role, dept in wanted:
            if con.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                continue
            con.execute(
                "INSERT INTO accounts (name, role, department, salt, hash) VALUES (?, ?, ?, ?, ?)",
                (name, role, dept, b"", b""),
            )
            password = new_password()
            _set_password(con, name, password, True)
            made.append((Account(name, role, dept, True, 0, 1), password))
    return made


def reset(root: Path, name: str) -> str:
    """A new password for ``name`` (to change at the next login), unlocked."""
    password = new_password()
    with connect(root) as con:
        if not con.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
            raise UsageError(f"没有账户 {name!r} | no account {name!r}")
        _set_password(con, name, password, True)
    return password


def check_login(root: Path, name: str, password: str) -> tuple[str, Account | None]:
    """("ok" | "wrong" | "locked", the account). Counted in the transaction that
    reads the account, so parallel tries cannot slip past the lock-out."""
    with connect(root) as con:
        row = con.execute(
            f"SELECT {_COLUMNS}, salt, hash FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            hash_password(password, b"0" * 16)  # as slow as a known name
            return "wrong", None
        account, salt, stored = _account(row[:6]), row[6], row[7]
        if account.locked:
            return "locked", account
        if not hmac.compare_digest(hash_password(password, salt), stored):
            con.execute("UPDATE accounts SET failures = failures + 1 WHERE name = ?", (name,))
            failed = account.failures + 1
            return ("locked" if failed >= MAX_FAILURES else "wrong"), account
        if account.failures:
            con.execute("UPDATE accounts SET failures = 0 WHERE name = ?", (name,))
    return "ok", account


def change_password(root: Path, name: str, old: str, new: str) -> str:
    """'' when changed, else why not (「中文 | English」, for the page)."""
    if len(new) < MIN_PASSWORD:
        n = MIN_PASSWORD
        return f"新密码至少 {n} 个字符 | the new password needs {n} characters or more"
    if new == old:
        return "新密码不能与原密码相同 | the new password must differ from the current one"
    with connect(root) as con:
        row = con.execute("SELECT salt, hash FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None or not hmac.compare_digest(hash_password(old, row[0]), row[1]):
            return "原密码不对 | the current password is wrong"
        _set_password(con, name, new, False)
    return ""
