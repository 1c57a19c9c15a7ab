"""The audit log of the pages: every login, failed login, upload and download (with the
sha256 of the bytes) and decision, with the account, the time and the client's address.
Append-only: the table's triggers refuse UPDATE and DELETE (accounts._SCHEMA)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from tianbao.serve.accounts import connect

LOGIN, LOGIN_FAILED, LOCKED, LOGOUT = "login", "login_failed", "login_locked", "logout"
PASSWORD, UPLOAD, UPLOAD_REFUSED, DOWNLOAD = "password", "upload", "upload_refused", "download"
REVIEW, SIGNOFF, FORBIDDEN = "review", "signoff", "forbidden"
ACTIONS_ZH = {  # 中文 | English: the log page picks one half
    LOGIN: "登录 | log in",
    LOGIN_FAILED: "登录失败 | failed login",
    LOCKED: "账户锁定 | account locked",
    LOGOUT: "退出 | log out",
    PASSWORD: "修改密码 | password changed",
    UPLOAD: "上传 | upload",
    UPLOAD_REFUSED: "上传未受理 | upload not taken",
    DOWNLOAD: "下载 | download",
    REVIEW: "审核决定 | review decision",
    SIGNOFF: "签发 | sign-off",
    FORBIDDEN: "越权访问 | forbidden",
}
_MAX_DETAIL = 500
_WRITING = threading.Lock()


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    account: str
    ip: str
    action: str
    detail: str
    sha256: str


def record(
    root: Path, account: str, ip: str, action: str, detail: str = "", sha256: str = ""
) -> None:
    at = dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")
    # one writer at a time in this process: the server's threads queue on a lock, not on
    # SQLite's busy handler, which sleeps up to 100 ms between tries (a p95 of its own)
    with _WRITING, connect(root) as con:
        con.execute(
            "INSERT INTO audit (at, account, ip, action, detail, sha256) VALUES (?, ?, ?, ?, ?, ?)",
            (at, account[:100], ip, action, detail[:_MAX_DETAIL], sha256),
        )


def entries(
    root: Path,
    account: str | None = None,
    limit: int = 500,
    action: str | None = None,
    day: str | None = None,
) -> list[Entry]:
    """The newest entries first, of one account or all, of one action, of one day
    (YYYY-MM-DD, the server's local day the entry was written)."""
    where, args = [], []
    for sql, value in (("account = ?", account), ("action = ?", action), ("at LIKE ?", day)):
        if value is not None:
            where.append(sql)
            args.append(value + "T%" if sql.startswith("at") else value)
    sql = "SELECT id, at, account, ip, action, detail, sha256 FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    with connect(root, write=False) as con:
        rows = con.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
    return [Entry(*row) for row in rows]
