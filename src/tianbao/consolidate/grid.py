"""总览's layout: the columns of its two panels and ``Grid``, the cells gathered panel
by panel and then written row by row (the dashboard and its investment panel share it)."""

from __future__ import annotations

from typing import Any

from tianbao.consolidate.rates import (
    AHEAD,
    BEHIND,
    BELOW,
    NO_TARGET,
    ON_TRACK,
    OVER,
    OVERDUE,
    REACHED,
    UNREPORTED,
    WITHIN,
)
from tianbao.support.xlsx import WRAP_MARGIN, row_height

# the counts table: one column per verdict; growth targets and ceilings beside 序时
COUNT_COLUMNS = (
    ("超序时", (AHEAD,)),
    ("符合序时", (ON_TRACK,)),
    ("滞后/逾期", (BEHIND, OVERDUE)),
    ("达到目标/达标", (REACHED, WITHIN)),
    ("低于目标/超标", (BELOW, OVER)),
    ("未报", (UNREPORTED,)),
    ("目标待定/无考核目标", (NO_TARGET,)),
)


# 总览's page 1 in two panels side by side, landscape: on the left the main indicators
# and the overdue milestones; on the right reporting and sign-off, the counts by status
# and the investment. Columns 0-6 left, 7 a gap, 8-16 right.
LEFT, RIGHT = 0, 8
# 同比 (column 3) holds a rate's change, 「-0.06百分点」: 12 characters
WIDTHS = [22, 6, 11, 12, 16, 8, 10, 2, 14, 8, *[8] * (len(COUNT_COLUMNS) - 1), 9]
LEFT_LAST, RIGHT_LAST = RIGHT - 2, len(WIDTHS) - 1
PAGE_HEIGHT = 487.0  # points of A4 landscape between margins of 0.75"
LINE = 13.0  # points per wrapped line of 10 pt text


class Grid:
    """总览's cells, gathered panel by panel, then written row by row: the workbook is
    in constant_memory mode, where a sheet's rows must be written top to bottom."""

    def __init__(self) -> None:
        self.cells: dict[int, list[tuple[int, str, tuple[Any, ...]]]] = {}
        self.heights: dict[int, float] = {}

    def put(self, r: int, c: int, method: str, *args: Any) -> None:
        self.cells.setdefault(r, []).append((c, method, (r, c, *args)))

    def merge(self, r: int, c1: int, c2: int, text: str, fmt: Any) -> None:
        self.cells.setdefault(r, []).append((c1, "merge_range", (r, c1, r, c2, text, fmt)))
        width = sum(WIDTHS[c1 : c2 + 1]) * WRAP_MARGIN
        self.need(r, row_height([(text, width)], LINE))

    def need(self, r: int, height: float) -> None:
        self.heights[r] = max(self.heights.get(r, 15.0), height)

    def height(self, first: int, last: int) -> float:
        return sum(self.heights.get(r, 15.0) for r in range(first, last + 1))

    def flush(self, ws: Any) -> None:
        for r in sorted(set(self.cells) | set(self.heights)):
            for _, method, args in sorted(self.cells.get(r, []), key=lambda x: x[0]):
                getattr(ws, method)(*args)
            ws.set_row(r, self.heights.get(r, 15.0))


def section(g: Grid, st: Any, r: int, c: int, text: str) -> None:
    g.put(r, c, "write_string", text, st.get("section"))
    g.need(r, 18)


def header(g: Grid, st: Any, r: int, c: int, heads: list[str]) -> None:
    for j, h in enumerate(heads):
        g.put(r, c + j, "write_string", h, st.get("header"))
    g.need(r, row_height([(h, WIDTHS[c + j]) for j, h in enumerate(heads)], LINE))
