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
* **ceiling** (控制在 C 以内, ``target_direction: max``): no ratio (a limit is
  not "completed"); headroom = C − actual; status **within** (达标) while
  actual ≤ C, **over** (超标) when actual > C. Not pro-rated.
* **growth target** (增长 r% 以上, kinds growth and growth_and_level): judged by
  growth, as leaders read it: 累计增速 (the return's 同比增长, year to date
  against the same period of the base year) against r; status **reached**
  (达到目标) when 累计增速 ≥ r, **below** (低于目标) otherwise; the gap in
  percentage points beside it. The level completion and 序时进度 stay shown.
  A return without 同比增长 is judged by level, as a level target.
* **task deadlines**: a task whose own deadline (完成时限) is on or before the
  period's end and that is not done (本年累计 below its target, or, without a
  numeric target, its 状态 not 已完成) is **overdue** (逾期), whatever 序时进度 says.
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

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

AHEAD = "ahead"
ON_TRACK = "on_track"
BEHIND = "behind"
UNREPORTED = "unreported"
NO_TARGET = "no_target"
REACHED = "reached"  # a growth target: 累计增速 at or above the target rate
BELOW = "below"
WITHIN = "within"  # a ceiling kept
OVER = "over"
OVERDUE = "overdue"  # a task past its own deadline, not done
STATUSES = (
    AHEAD,
    ON_TRACK,
    BEHIND,
    OVERDUE,
    REACHED,
    BELOW,
    WITHIN,
    OVER,
    UNREPORTED,
    NO_TARGET,
)
GOOD = frozenset({AHEAD, ON_TRACK, REACHED, WITHIN})
LABELS = {
    AHEAD: "超序时",
    ON_TRACK: "符合序时",
    BEHIND: "滞后",
    REACHED: "达到目标",
    BELOW: "低于目标",
    WITHIN: "达标",
    OVER: "超标",
    OVERDUE: "逾期",
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
    target_rate: Decimal | None = None  # a growth target's rate, percent
    growth_gap: Decimal | None = None  # 累计增速 − target rate, percentage points
    headroom: Decimal | None = None  # a ceiling's C − actual

    @property
    def gap(self) -> Decimal | None:
        """Rate minus benchmark, in percentage points."""
        return None if self.rate is None else self.rate - self.benchmark


def dec(value: Any) -> Decimal | None:
    """A number from a return or the plan as an exact Decimal (None for blanks/text)."""
    kind = type(value)
    if kind is float or kind is int:  # most figures: one test (a bool is neither)
        return Decimal(str(value))
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
        return Rate(None, benchmark, WITHIN if actual <= level else OVER, headroom=level - actual)
    if level <= 0:
        reached = actual >= level * benchmark / HUNDRED
        return Rate(None, benchmark, ON_TRACK if reached else BEHIND)
    rate = actual / level * HUNDRED
    return Rate(rate, benchmark, status_of(rate, benchmark))


def growth_judged(level_rate: Rate, growth: Decimal | None, target_rate: Decimal | None) -> Rate:
    """A growth target judged by 累计增速 (``growth``) against its rate; the level
    completion stays in the result. No growth figure: the level judgment stands."""
    if target_rate is None or growth is None or level_rate.status == UNREPORTED:
        return replace(level_rate, target_rate=target_rate)
    status = REACHED if growth >= target_rate else BELOW
    return replace(
        level_rate, status=status, target_rate=target_rate, growth_gap=growth - target_rate
    )


def overdue(
    rate: Rate, deadline: Any, period_end: Any, target: Decimal | None, values: dict[str, Any]
) -> Rate:
    """A task past its own deadline and not done is 逾期 (see the module text)."""
    if rate.status == UNREPORTED or not deadline or str(deadline) > period_end.isoformat():
        return rate
    done = dec(values.get("ytd_done"))
    finished = (
        done is not None and done >= target
        if target is not None
        else values.get("status") == "已完成"
    )
    return rate if finished else replace(rate, status=OVERDUE)
