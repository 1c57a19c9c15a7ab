"""趋势: the main indicators month by month, for a quarter, half-year or year summary.

One row per indicator, one column per month of the year up to the summary's last
month: the figure it is judged on (本年累计, or 本月 for a point-in-time indicator) from
that month's counting return of the responsible department, blank where none counts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tianbao.consolidate.book import HEAD, Book
from tianbao.consolidate.rates import dec
from tianbao.plan.periods import Period

TREND = "趋势"
FORM = "indicators_monthly"


def write_trend(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    months = [Period(d.period.year, "month", m) for m in range(1, d.period.last_month + 1)]
    heads = [("指标代码", 18), ("指标名称", 22), ("计量单位", 8), ("目标值", 10)]
    heads += [(f"{m.last_month}月", 11) for m in months]
    book.titles(ws, f"{plan.district_name}{d.of.label_zh}主要指标逐月完成情况", len(heads))
    book.header(ws, HEAD - 1, heads)
    counting = {m: {s.department: s for s in d.ledger.latest_accepted(m)} for m in months}
    figures: dict[tuple[int, str, str, str], Any] = {}
    for by_dept in counting.values():
        for sub in by_dept.values():
            for v in d.ledger.values(sub.id):
                if v.form == FORM:
                    figures[(sub.id, v.form, v.row_key, v.field)] = v.value
    plain, money = book.plain, st.get("cell", "#,##0.00##")
    r = HEAD - 1
    for item in plan.items.get("indicators", []):
        r += 1
        values = item.values
        field = "month_value" if values.get("accumulation") == "point" else "ytd"
        ws.write_string(r, 0, item.key, plain)
        ws.write_string(r, 1, str(values.get("name.zh") or item.key), plain)
        ws.write_string(r, 2, str(values.get("unit") or ""), plain)
        _number(ws, r, 3, dec(values.get("target_level")), money)
        for j, m in enumerate(months):
            counted = counting[m].get(item.department)
            value = figures.get((counted.id, FORM, item.key, field)) if counted else None
            _number(ws, r, 4 + j, dec(value), money)
    ws.freeze_panes(HEAD, 2)
    book.page(ws, len(heads), r)


def _number(ws: Any, r: int, c: int, value: Decimal | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, float(value), fmt)
