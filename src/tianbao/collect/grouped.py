"""Collect's writes in groups: the returns made ready while the validating workers are
ahead are archived and recorded together, then reported.

A group's archive files are made durable at once (``ledger.archive.Shelf``), then one
write transaction makes each return's checks and writes its rows, and one commit
ends it; only then is each return reported, in file order. So a killed collect never
loses a return it reported, never records one whose archive file is missing, and
syncs the disk a few times a group instead of three times a return. A group is
committed when the workers have had nothing ready for ``PATIENCE`` (nothing waits
long to be recorded while the parent idles), at ``MOST`` returns, and at the end.

A group holds returns of different departments and different bytes only: a file that
touches a department or the bytes of one in the group waits until the group is
committed, so that what it reads of the ledger before the write (its previous
period's return, the round's checks, whether its bytes are recorded) is what a run of
one file after another would read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tianbao.collect.result import CollectResult, Refusal, duplicate, refused
from tianbao.ledger.archive import Shelf
from tianbao.ledger.db import Ledger, NewSubmission

if TYPE_CHECKING:
    from tianbao.validate.engine import FileReport

MOST = 32  # returns in a group: bounds what a kill undoes and how long the write lock is held
# seconds the parent waits for a worker's next return before it commits its group: a
# group committed whenever the parent catches up would stay a return or two long, each
# paying the syncs (a sync costs a few ms; a file's validation about as much)
PATIENCE = 0.1


@dataclass
class Pending:
    """A return ready to record: validated, round-checked, its bytes on the shelf."""

    path: Path
    new: NewSubmission  # with its archive path
    report: FileReport
    recheck: Callable[[NewSubmission], NewSubmission]  # the checks again, inside the write
    touches: tuple[str, ...]  # its sha256 and the departments its name and identity say


class Group:
    """The returns of the group in file order (results that record nothing wait in line
    too, so that every file is reported in order); ``report(result)`` once committed."""

    def __init__(self, ledger: Ledger, root: Path, report: Callable[[CollectResult], None]):
        self.ledger = ledger
        self.shelf = Shelf(root)
        self._report = report
        self._held: list[CollectResult | Pending] = []
        self._touched: set[str] = set()  # sha256s (64 hex digits) and department codes

    def settle(self, *touches: str) -> bool:
        """Commit the group first if it holds any of these bytes or departments (True)."""
        if any(t and t in self._touched for t in touches):
            self.commit()
            return True
        return False

    def add(self, item: CollectResult | Pending) -> None:
        if isinstance(item, CollectResult) and not self._held:
            self._report(item)  # nothing waits before it
            return
        self._held.append(item)
        if isinstance(item, Pending):
            self._touched.update(t for t in item.touches if t)
            if sum(isinstance(h, Pending) for h in self._held) >= MOST:
                self.commit()

    def commit(self) -> None:
        """Archive and record the group's returns, then report every held result."""
        held, self._held = self._held, []
        self._touched.clear()
        if any(isinstance(h, Pending) for h in held):
            self.shelf.publish()  # durable before any row that names a file commits
            with self.ledger.transaction():
                held = [self._record(h) if isinstance(h, Pending) else h for h in held]
        for result in held:
            assert isinstance(result, CollectResult)
            self._report(result)

    def _record(self, p: Pending) -> CollectResult:
        try:
            added = self.ledger.add(p.new, p.recheck)
        except Refusal as why:
            return refused(p.path, p.new, str(why))
        sub = added.submission
        if added.duplicate:  # another collect run recorded the same bytes meanwhile
            return duplicate(p.path, sub)
        return CollectResult(
            p.path,
            sub.status,
            sub.id,
            False,
            sub.department,
            sub.period,
            sub.sha256,
            sub.archive_path,
            added.superseded,
            sub.received_at,
            p.report,
            correction=sub.correction,
        )
