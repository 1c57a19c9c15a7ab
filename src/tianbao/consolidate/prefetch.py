"""A detail sheet's rows read from the ledger by a forked process on the second core.

Reading a long collection's rows (``Ledger.row_values``: one query, each row's
values decoded from JSON) was a tenth of the summary's time in the main
process, which every other step waits for. With a second core, a process forked
for it reads them with a connection of its own and sends them in batches,
pickled: taking a batch from the pipe costs the main process about a tenth of
reading it. The rows are the same (recorded values never change; each is read
in one query either way) and come in the same order.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

from tianbao.consolidate.forked import Child, worth_it
from tianbao.errors import EnvironmentFault
from tianbao.ledger.db import Ledger, RowValues

READ_FROM = 2_000  # plan rows: fewer are read here (starting a process costs more)
BATCH = 256  # rows sent together

Wanted = Callable[[], Iterable[tuple[int, str, str]]]


def row_values(ledger: Ledger, wanted: Wanted, rows: int) -> Generator[RowValues, None, None]:
    """``ledger.row_values(wanted())``, read by a forked process (``Reader``) when the
    collection has ``READ_FROM`` rows or more and there is a second core to read on."""
    reader = start(ledger, wanted, rows)
    return ledger.row_values(wanted()) if reader is None else reader.rows()


def start(ledger: Ledger, wanted: Wanted, rows: int) -> Reader | None:
    """A reader of the rows started now (None where ``row_values`` reads them here)."""
    return Reader(ledger.root, wanted) if rows >= READ_FROM and worth_it() else None


class Reader:
    """A forked process reading rows from the ledger, started at once: started before
    the rows are wanted, their first batches wait in the pipe (``Consolidated.ahead``)."""

    def __init__(self, root: Path, wanted: Wanted) -> None:
        self.child = Child(_read, root, wanted, duplex=False)
        self.conn, self.proc = self.child.conn, self.child.proc

    def rows(self) -> Generator[RowValues, None, None]:
        try:
            while True:
                try:
                    batch = pickle.loads(self.conn.recv_bytes())
                except EOFError:
                    raise EnvironmentFault(
                        "读取台账的工作进程意外退出 | the process reading the ledger died"
                    ) from None
                if batch is None:
                    return
                if isinstance(batch, BaseException):
                    raise batch
                yield from batch
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the reader stops at its next send) and wait for the reader."""
        self.child.stop()


def _read(conn: Any, root: Path, wanted: Wanted) -> None:
    """In the reader: the rows in batches, then None (an error: ``forked.Child``)."""
    with Ledger(root, readonly=True) as ledger:
        batch: list[RowValues] = []
        for found in ledger.row_values(wanted()):
            batch.append(found)
            if len(batch) >= BATCH:
                conn.send_bytes(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
                batch = []
        conn.send_bytes(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    conn.send_bytes(pickle.dumps(None))
