"""Completion rates (完成率) and the status of a row against 序时进度.

All arithmetic is decimal; rates are percentages (48.3 means 48.3 %).

序时进度 (time progress) is the share of the year elapsed at the period end,
by months: June → 50 %. A row's **benchmark** is 序时进度 for figures that
accumulate over the year (本年累计: indicators with ``accumulation: ytd``,
projects, livelihood projects, tasks) and 100 % for point-in-time indicators
(a rate such as unemployment must be at its target level at every point).

Completion rate by kind of target:

* **min target** (reach at least L, L > 0): rate = actual / L × 100. A negative
  actual gives a negative rate (behind).
* **zero or negative min target** (L ≤ 0): no ratio is defined; the status
  compares the actual with the pro-rated level L × benchmark / 100: reaching it
  is on track, falling short is behind. Never "ahead".
* **ceiling** (控制在 C 以内, ``target_direction: max``): on track while
  actual ≤ C, behind when actual > C, never "ahead"; ceilings are limits on a
  level and are not pro-rated. rate = C / actual × 100 when actual > 0 (≥ 100
  means within the ceiling); no rate when actual ≤ 0 (still on track when C ≥ actual).
* **given later** (另行下达, no target level): no rate, status 目标待定.
* **projects**: rate = 本年累计完成投资 / 年度计划投资 × 100; annual plan 0 or
  missing: no rate, status 无考核目标. **Livelihood projects**: ytd investment /
  budget. **Tasks**: ytd done / target; a task without a numeric target has no
  rate (无考核目标).

Status, when there is a rate: **ahead** (超序时) when rate ≥ benchmark + 5
points; **behind** (滞后) when rate < benchmark − 5 points; **on track**
(符合序时) in between. **unreported** (未报) when the department has no
accepted return for the period, or the figure is blank in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

AHEAD = "ahead"
ON_TRACK = "on_track"
BEHIND = "behind"
UNREPORTED = "unreported"
NO_TARGET = "no_target"
STATUSES = (AHEAD, ON_TRACK, BEHIND, UNREPORTED, NO_TARGET)
LABELS = {
    AHEAD: "超序时",
    ON_TRACK: "符合序时",
    BEHIND: "滞后",
    UNREPORTED: "未报",
    NO_TARGET: "无考核目标",
}
PENDING_LABEL = "目标待定"  # an indicator whose target is given later (NO_TARGET)
TOLERANCE = Decimal(5)  # percentage points either side of the benchmark
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rate:
    rate: Decimal | None  # percent; None: no ratio defined
    benchmark: Decimal  # percent: 序时进度, or 100 for point-in-time figures
    status: str

    @property
    def gap(self) -> Decimal | None:
        """Rate minus benchmark, in percentage points."""
        return None if self.rate is None else self.rate - self.benchmark


def dec(value: Any) -> Decimal | None:
    """A number from a return or the plan as an exact Decimal (None for blanks/text)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    return None


def time_progress(last_month: int) -> Decimal:
    """序时进度 in percent: months elapsed / 12 × 100."""
    return Decimal(last_month) * HUNDRED / Decimal(12)


def status_of(rate: Decimal, benchmark: Decimal) -> str:
    if rate >= benchmark + TOLERANCE:
        return AHEAD
    if rate < benchmark - TOLERANCE:
        return BEHIND
    return ON_TRACK


def amount_rate(actual: Decimal | None, plan: Decimal | None, progress: Decimal) -> Rate:
    """Projects, livelihood projects, tasks: actual / plan against 序时进度."""
    if actual is None:
        return Rate(None, progress, UNREPORTED)
    if plan is None or plan == 0:
        return Rate(None, progress, NO_TARGET)
    rate = actual / plan * HUNDRED
    if plan < 0:  # a negative plan: compare amounts, as for indicators
        return Rate(None, progress, ON_TRACK if actual >= plan * progress / HUNDRED else BEHIND)
    return Rate(rate, progress, status_of(rate, progress))


def indicator_rate(
    actual: Decimal | None,
    level: Decimal | None,
    direction: str | None,
    point: bool,
    progress: Decimal,
) -> Rate:
    """An indicator's rate; ``point``: a point-in-time figure (benchmark 100 %)."""
    benchmark = HUNDRED if point else progress
    if level is None or direction is None:
        return Rate(None, benchmark, NO_TARGET if actual is not None else UNREPORTED)
    if actual is None:
        return Rate(None, benchmark, UNREPORTED)
    if direction == "max":
        within = actual <= level
        rate = level / actual * HUNDRED if actual > 0 else None
        return Rate(rate, benchmark, ON_TRACK if within else BEHIND)
    if level <= 0:
        reached = actual >= level * benchmark / HUNDRED
        return Rate(None, benchmark, ON_TRACK if reached else BEHIND)
    rate = actual / level * HUNDRED
    return Rate(rate, benchmark, status_of(rate, benchmark))
