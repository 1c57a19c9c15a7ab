"""Running totals of groups of detail rows, added to as the rows are written.

The detail rows stream past once (see ``Consolidated.rows``); each subtotal
keeps its decimal sums and, per column, how many members had a figure (a sum
over members none of which reported is blank, not 0), and the sheet rows of its members only when
its formula has to name them one by one (a label Excel would read as a
pattern), so memory follows the number of groups, not of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tianbao.consolidate.rates import UNREPORTED, Rate, amount_rate

_WILDCARDS = frozenset("*?~<>=")
_ZERO = Decimal(0)


def criteria_ok(text: str) -> bool:
    """Can ``text`` be a SUMIF/COUNTIF criterion matched literally?"""
    return bool(text) and not (_WILDCARDS & set(text)) and len(text) < 255


@dataclass
class Group:
    """Sums and counts of some detail rows, in the order they were added."""

    keep_rows: bool = False  # remember the members' sheet rows (for a cell-by-cell formula)
    n: int = 0
    sums: dict[int, Decimal] = field(default_factory=dict)  # column -> sum of its figures
    counts: dict[int, int] = field(default_factory=dict)  # column -> members with a figure
    reported: int = 0  # members with the figure the rate is judged on
    judged: dict[int, Decimal] = field(default_factory=dict)  # column sums over those only
    submitted: bool = False  # some member's department has a return that counts
    rows: list[int] = field(default_factory=list)

    def add(
        self,
        r: int,
        figures: Iterable[tuple[int, Decimal | None]],
        reported: bool,
        submitted: bool,
    ) -> None:
        self.n += 1
        sums, counts = self.sums, self.counts
        judged = self.judged if reported else None  # summed over the reported only
        for col, value in figures:  # one pass: a row is added to a dozen groups
            if value is None:
                if col not in sums:
                    sums[col] = _ZERO
                continue
            sums[col] = sums.get(col, _ZERO) + value
            counts[col] = counts.get(col, 0) + 1
            if judged is not None:
                judged[col] = judged.get(col, _ZERO) + value
        self.reported += reported
        self.submitted = self.submitted or submitted
        if self.keep_rows:
            self.rows.append(r)

    def total(self, col: int) -> Decimal:
        return self.sums.get(col, Decimal(0))

    def reported_total(self, col: int) -> Decimal | None:
        """The sum of a returned figure; None (blank, never 0) when no member has it."""
        return self.sums.get(col, Decimal(0)) if self.counts.get(col) else None

    def rate(self, plan_col: int, done_col: int, progress: Decimal) -> Rate:
        """The group's rate over its reported members: Σ 本年累计 ÷ Σ 计划 of those
        that gave it (a member that did not report is neither behind nor on track);
        no member reported: no rate, 未报."""
        if not self.reported:
            return Rate(None, progress, UNREPORTED)
        zero = Decimal(0)
        return amount_rate(
            self.judged.get(done_col, zero), self.judged.get(plan_col, zero), progress
        )

    def completeness(self) -> str:
        """'' when every member reported the judged figure, else ·已报 n/m (incomplete:
        short, so that the status cell keeps one line)."""
        if self.reported in (0, self.n):
            return ""
        return f"·已报{self.reported}/{self.n}"


class Groups:
    """Groups keyed by label, in first-seen order (``order`` puts given labels first)."""

    def __init__(self, keep_rows_unless_ok: bool = True) -> None:
        self.by_label: dict[str, Group] = {}
        self._keep = keep_rows_unless_ok
        self._spelling: dict[str, str] = {}  # casefolded label -> the first spelling seen

    def get(self, label: str) -> Group:
        """The group of ``label``. Labels that differ only in letter case are one group
        (shown as first seen): SUMIF and COUNTIF match them as one, so the subtotal's
        formula and its cached value agree."""
        label = self._spelling.setdefault(label.casefold(), label)
        g = self.by_label.get(label)
        if g is None:
            g = self.by_label[label] = Group(keep_rows=self._keep and not criteria_ok(label))
        return g

    def order(self, first: Iterable[str] = ()) -> list[str]:
        head = [v for v in first if v in self.by_label]
        return head + [v for v in self.by_label if v not in head]


def judged_plan(
    plan: str, done: str, where: str = "", rows: list[tuple[str, str]] | None = None
) -> str:
    """The formula of Σ 计划 over the members that reported: ``plan``/``done`` are
    ranges, ``where`` a "range,criterion," prefix for a subtotal by label; ``rows``
    (plan cell, done cell) pairs for a group written cell by cell."""
    if rows is not None:
        return "+".join(f"IF(ISNUMBER({d}),{p},0)" for p, d in rows) or "0"
    return f'SUMIFS({plan},{where}{done},"<>")'


def judged_rate_formula(count: str, done_cell: str, plan: str) -> str:
    """The completion rate of a subtotal row: blank when nobody reported."""
    return f'=IF({count}=0,"",IF(({plan})<>0,{done_cell}/({plan})*100,""))'


def guarded_sum(sum_formula: str, count_formula: str) -> str:
    """A subtotal formula that stays blank when none of its cells holds a figure."""
    return f'=IF({count_formula}=0,"",{sum_formula})'
