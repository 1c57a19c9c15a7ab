"""One idle connection per database the server uses, open while it runs.

The pages open a connection for each piece of work (threads share none) and close it
after. In WAL mode the last connection to close checkpoints the log into the database
and resets it, with fsyncs, and the next write starts a new log, with another: every
page paid them. An idle connection that has read once keeps the log open, so closing
the others costs nothing; SQLite still checkpoints as the log grows. It holds no lock
and no transaction: the command line writes to the same files meanwhile as before.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

_KEPT: dict[Path, sqlite3.Connection] = {}
_LOCK = threading.Lock()


def keep_open(path: Path) -> None:
    """Hold ``path`` open for the rest of the process (once the file exists)."""
    if path in _KEPT or not path.exists():
        return
    with _LOCK:
        if path in _KEPT:
            return
        con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        con.execute("SELECT count(*) FROM sqlite_master").fetchall()  # maps the log's index
        _KEPT[path] = con
