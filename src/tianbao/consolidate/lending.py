"""A detail sheet's rows lent to a worker on the second core.

Writing a long detail sheet (重点项目 at 10,000 returns: 160,000 rows) is mostly
turning each row's cells into XML. From row ``lend_from`` of such a sheet on,
the main process forks a worker (``forked.SheetWorker``) with a copy of the
sheet and sends it each row's cells (``write_cells``) and height (``set_row``)
instead of writing them; the worker makes the very same calls on its copy.

Formats are numbered in the order first written, which is what styles.xml and
every cell's s="" say: so the main process numbers a row's formats that have no
number yet as it sends the row (in column order, as ``write_cells`` would), and
each format goes down the pipe as its number (``forked``), which the worker
writes. Any other write to the sheet (a subtotal, a comment, a column's width)
first takes the sheet back (``take_back``): the worker writes what it was
sent and the main process goes on from the state it left; a sheet is lent once.
"""

from __future__ import annotations

from typing import Any

from tianbao.consolidate.forked import SheetWorker
from tianbao.support.xlsx_formulas import PlainFormulaSheet

BATCH = 256  # rows sent to the worker together


class LendableSheet(PlainFormulaSheet):
    """A worksheet whose rows from ``lend_from`` on a worker may write (see above)."""

    lend_from: int | None = None  # None: never lent (or lent already)
    lent: SheetWorker | None = None  # the worker writing the rows now

    def write_cells(self, row: int, cells: dict[int, Any]) -> None:  # pragma: no cover
        raise NotImplementedError  # SummarySheet's

    def lend(self, row: int, cells: dict[int, Any]) -> bool:
        """Send row ``row``'s cells to the worker (started here once the sheet has
        reached ``lend_from``, with no row held): True when sent."""
        if self.lent is None:
            if self.lend_from is None or row < self.lend_from or self.table:
                return False
            self.lend_from = None
            self._ops: list[tuple[Any, ...]] = []
            self._numbered: set[Any] = {None}  # formats that have their number
            self.lent = SheetWorker(self, self._replay, row)  # forked: its copy is not lent
        if not self._numbered.issuperset({cell[2] for cell in cells.values()}):
            self._number(cells)
        self._ops.append(("c", row, cells))  # each format goes as its number (``forked``)
        if len(self._ops) >= BATCH:
            self.lent.send(self._ops)
            self._ops = []
        return True

    def set_row(
        self,
        row: int,
        height: float | None = None,
        cell_format: Any = None,
        options: dict[str, Any] | None = None,
    ) -> Any:
        if self.lent is not None and cell_format is None and not options:
            self._ops.append(("h", row, height))
            return 0
        return super().set_row(row, height, cell_format, options)

    def _check_dimensions(
        self, row: int, col: int, ignore_row: bool = False, ignore_col: bool = False
    ) -> Any:
        if self.lent is not None:  # any other write: the worker's rows come first
            self.take_back()
        return super()._check_dimensions(row, col, ignore_row, ignore_col)

    def take_back(self) -> None:
        """The lent rows all written; the main process writes the sheet again."""
        lent, self.lent = self.lent, None
        if lent is None:
            return
        if self._ops:
            ops, self._ops = self._ops, []
            lent.send(ops)
        lent.finish()

    def abandon(self) -> None:
        """Stop a worker still writing (the summary failed)."""
        lent, self.lent = self.lent, None
        if lent is not None:
            lent.close()

    def _replay(self, ops: list[tuple[Any, ...]]) -> None:
        """In the worker: the calls the main process would have made."""
        for what, row, args in ops:
            if what == "h":
                self.set_row(row, args)
                continue
            self.write_cells(row, args)  # its formats came as ``Numbered``

    def _number(self, cells: dict[int, Any]) -> None:
        """Number the row's formats that have no number yet, in column order, as
        writing its cells would."""
        for col in sorted(cells):
            fmt = cells[col][2]
            if fmt is not None:
                fmt._get_xf_index()
                self._numbered.add(fmt)
