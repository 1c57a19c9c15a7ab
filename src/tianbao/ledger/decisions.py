"""The office's decisions in the ledger: reviews of submissions (退回, 强制受理, 审核通过,
撤销决定) and the periods' sign-offs (签发) and withdrawals, both append-only.

A decision is written in the transaction that checked it may be taken: open one
with ``Ledger.transaction()``, check (``signed_off``…), then ``add_review`` or
``add_signoff``, which join it."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import Any

from tianbao.ledger.records import REVIEW_ACTIONS, REVIEWS_SCHEMA, SIGNED, SIGNOFF_ACTIONS
from tianbao.ledger.sqlite import _statements, write_transaction
from tianbao.plan.periods import Period

_SIGNOFF_COLUMNS = frozenset({"upto_submission", "upto_review", "outstanding"})  # schema 5


class Decisions:
    """The reviews and sign-offs part of ``Ledger`` (a mixin: it needs ``conn``)."""

    @property
    def conn(self) -> sqlite3.Connection:  # Ledger's open connection
        raise NotImplementedError

    @functools.cached_property
    def has_reviews(self) -> bool:
        """A ledger of schema 2 opened read-only (not migrated) has no reviews table."""
        return self._has_table("reviews")

    def _has_table(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def reviews(self, submission_id: int) -> list[dict[str, Any]]:
        """The office's decisions on a submission, oldest first."""
        if not self.has_reviews:
            return []
        more = ", due, cells" if "cells" in self._columns("reviews") else ", '', ''"
        rows = self.conn.execute(
            f"SELECT id, action, reason, by, at{more} FROM reviews WHERE submission_id = ? "
            "ORDER BY id",
            (submission_id,),
        ).fetchall()
        names = ("id", "action", "reason", "by", "at", "due", "cells")
        out = [dict(zip(names, r, strict=True)) for r in rows]
        for r in out:  # the cells pointed at, as a list
            r["cells"] = json.loads(r["cells"]) if r["cells"] else []
        return out

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}

    _signoffs_current = False  # the sign-offs table has this schema's columns

    def _signoff_columns(self) -> set[str]:
        """The sign-offs table's columns (none: no table). Once they are the current
        schema's nothing changes them, so they are not asked again: collect checks
        every return for a sign-off."""
        if self._signoffs_current:
            return set(_SIGNOFF_COLUMNS)
        columns = self._columns("signoffs") if self._has_table("signoffs") else set()
        self._signoffs_current = columns >= _SIGNOFF_COLUMNS
        return columns

    def _outstanding(self) -> str:
        return "outstanding" if "outstanding" in self._signoff_columns() else "''"

    def signed_off(self, period: str | Period) -> dict[str, Any] | None:
        """The sign-off (签发) that stands for a period: {by, at, note}, or None."""
        columns = self._signoff_columns()
        if not columns:
            return None
        upto = ", upto_submission, upto_review" if "upto_review" in columns else ", 0, 0"
        row = self.conn.execute(
            f"SELECT action, by, at, note{upto}, {self._outstanding()} FROM signoffs "
            "WHERE period = ? "
            "ORDER BY id DESC LIMIT 1",
            (str(period),),
        ).fetchone()
        if row is None or row[0] != SIGNED:
            return None
        return {
            "by": row[1],
            "at": row[2],
            "note": row[3],
            "upto": (row[4], row[5]) if row[4] else None,  # None: signed by an older tianbao
            "outstanding": json.loads(row[6]) if row[6] else [],  # open when signed anyway
        }

    def signoffs(self, period: str | Period | None = None) -> list[dict[str, Any]]:
        """Every sign-off and withdrawal (of one period), oldest first."""
        if not self._has_table("signoffs"):
            return []
        where, params = ("WHERE period = ?", (str(period),)) if period is not None else ("", ())
        rows = self.conn.execute(
            f"SELECT period, action, by, at, note, {self._outstanding()} FROM signoffs {where} "
            "ORDER BY id",
            params,
        ).fetchall()
        names = ("period", "action", "by", "at", "note", "outstanding")
        out = [dict(zip(names, r, strict=True)) for r in rows]
        for r in out:
            r["outstanding"] = json.loads(r["outstanding"]) if r["outstanding"] else []
        return out

    def signed_upto(self, period: str | Period) -> int | None:
        """The last submission id recorded when ``period`` was first signed off: a later
        one came after a sign-off (更正（签发后）). None: never signed (or unknown)."""
        if not self._has_table("signoffs"):
            return None
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(signoffs)")}
        if "upto_submission" not in columns:
            return None
        (upto,) = self.conn.execute(
            "SELECT min(upto_submission) FROM signoffs WHERE period = ? AND action = ? "
            "AND upto_submission > 0",
            (str(period), SIGNED),
        ).fetchone()
        return int(upto) if upto is not None else None

    def add_signoff(
        self,
        period: str,
        action: str,
        by: str,
        at: str,
        note: str = "",
        outstanding: list[dict[str, Any]] | None = None,
    ) -> None:
        """Sign a period off ('signed') or take it back ('withdrawn'); ``outstanding``:
        what was still open when it was signed anyway."""
        if action not in SIGNOFF_ACTIONS:
            raise ValueError(f"unknown sign-off action {action!r}")
        with write_transaction(self.conn):
            for statement in _statements(REVIEWS_SCHEMA):  # IF NOT EXISTS: a no-op when there
                self.conn.execute(statement)
            self.conn.execute(
                "INSERT INTO signoffs(period, action, by, at, note, upto_submission, upto_review, "
                "outstanding) VALUES (?, ?, ?, ?, ?, (SELECT coalesce(max(id), 0) FROM "
                "submissions), (SELECT coalesce(max(id), 0) FROM reviews), ?)",
                (str(period), action, by, at, note, _json(outstanding)),
            )

    def add_review(
        self,
        submission_id: int,
        action: str,
        reason: str,
        by: str,
        at: str,
        due: str = "",
        cells: list[str] | None = None,
    ) -> int:
        """Append one decision (see records.REVIEW_ACTIONS); returns its id. A return
        keeps its due date and the cells or rows it points at."""
        if action not in REVIEW_ACTIONS:
            raise ValueError(f"unknown review action {action!r}")
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO reviews(submission_id, action, reason, by, at, due, cells) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (submission_id, action, reason, by, at, due, _json(cells)),
            )
        return int(cur.lastrowid or 0)


def _json(items: list[Any] | None) -> str:
    return json.dumps(items, ensure_ascii=False) if items else ""
