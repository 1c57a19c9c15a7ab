"""Where a figure summed over months comes from, and whether the months agree.

A quarter's, half-year's or year's flow (本季（各月合计）...) is the sum of each
month's figure from that month's counting return; 数据来源 lists every one of those
returns' cells (``Part``), not only the last month's. Where the months' sum and the
year-to-date figure (本年累计, less the month before the period's for a period that
does not start in January) disagree, after a correction say, ``disagreement`` says
so in a note beside the figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tianbao.consolidate.rates import dec
from tianbao.ledger.db import Ledger, Submission
from tianbao.plan.periods import Period

# the year-to-date figure a flow adds up to, per collection
YTD_OF_FLOW = {"indicators": "ytd", "projects": "ytd_investment"}


@dataclass(frozen=True)
class Part:
    """One month's contribution to a summed figure: the return and the cell it is in."""

    month: Period
    submission: Submission
    value: Any  # as recorded
    sheet: str
    cell: str


def origins(
    ledger: Ledger, submission_ids: Sequence[int], form: str, fields: Sequence[str]
) -> dict[tuple[int, str, str], tuple[str, str]]:
    """(submission id, row key, field) -> (sheet, cell) of some fields: where each value
    was in its return. No value is decoded here (``field_values`` reads them once)."""
    out: dict[tuple[int, str, str], tuple[str, str]] = {}
    marks = ",".join("?" * len(fields))
    for i in range(0, len(submission_ids), 500):  # within SQLite's parameter limit
        ids = list(submission_ids[i : i + 500])
        cur = ledger.conn.execute(
            "SELECT submission_id, row_key, field, sheet, cell FROM cell_values "
            f"WHERE submission_id IN ({','.join('?' * len(ids))}) AND form = ? "
            f"AND field IN ({marks})",
            (*ids, form, *fields),
        )
        for sid, key, name, sheet, cell in cur:
            out[(sid, key, name)] = (sheet, cell)
    return out


def sum_parts(parts: list[Part]) -> Decimal:
    """The months' figures added up, in decimal on the values as recorded."""
    return sum((dec(p.value) or Decimal(0) for p in parts), Decimal(0))


def disagreement(
    total: Decimal,
    parts: list[Part],
    ytd: Decimal | None,
    base: Decimal | None,
    base_month: Period | None,
    base_return: Submission | None = None,
) -> str:
    """The note when the months' sum is not what the year-to-date figures say the
    period added (本年累计 of the last month, less that of ``base_month``, from
    ``base_return``, when the period does not start in January); '' when they agree
    or cannot be compared."""
    if ytd is None or (base_month is not None and base is None):
        return ""
    last = parts[-1].month
    added = ytd - (base or Decimal(0))
    if added == total:
        return ""
    if base_month is None:
        text = f"各月合计 {_n(total)} 与本年累计 {_n(ytd)} 不一致"
    else:
        text = (
            f"各月合计 {_n(total)} 与本年累计之差 {_n(added)}"
            f"（{last.last_month}月 {_n(ytd)} − {base_month.last_month}月 {_n(base or 0)}）不一致"
        )
    # the corrected returns among those the figures come from: the months', and the
    # month before the period's, whose 本年累计 is subtracted
    used = [(p.month, p.submission) for p in parts]
    if base_month is not None and base_return is not None:
        used.insert(0, (base_month, base_return))
    fixed = [f"{m.last_month}月报表已更正（#{s.id}）" for m, s in used if s.correction]
    if fixed:
        return f"{text}：{'、'.join(fixed)}"
    return f"{text}，请核对各月报表"


def _n(value: Decimal | int) -> str:
    """A figure as the departments wrote it: no exponent, no trailing zeros."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
