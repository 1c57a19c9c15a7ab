"""趋势: the year month by month up to the summary's last month (1–N月).

Three tables, one column per month:

* the main indicators' figures (本年累计, or 本月 for a point-in-time indicator);
* their completion rates (level ÷ target, for the indicators that have one) and the
  序时进度 row they are read against;
* the year-to-date investment of the key projects, of all projects and of the
  livelihood projects, with their completion rates, and how many departments'
  returns count each month.

Rates are values (a line chart draws the "" a formula gives for a missing month as
0, a blank cell as a gap). Each month's figures are from that month's counting
return of the department that answers for the row (a month a department missed
stays blank; a sum, and its rate, is over the projects that reported, as on
总览); targets are the summary's own plan. For a signed-off period,
the earlier months are as the sign-off saw them (the submissions and reviews
recorded by then), so the summary stays what was signed. The line charts on 总览 draw the rate rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tianbao.consolidate.book import HEAD, Book
from tianbao.consolidate.rates import HUNDRED, dec, time_progress
from tianbao.consolidate.units import RATE, SUMMARY_FORMATS, number_format
from tianbao.plan.periods import Period

TREND = "趋势"
FIRST_MONTH_COL = 4
# lines the indicators' trend chart draws at most: past a dozen lines nobody can tell
# them apart (and Excel refuses a chart of over 255 series), so a big plan's chart
# draws the indicators furthest behind in the last month; 趋势 lists every one
TREND_LINES = 10
MONEY, PCT_1 = SUMMARY_FORMATS["万元"], RATE  # the investment's and the rates' formats


def has_trend(book: Book) -> bool:
    return book.data.period.kind == "month" and book.data.period.last_month >= 2


def write_trend(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    counting = d.months()
    months = list(counting)
    heads = [("指标代码", 18), ("指标名称", 36), ("计量单位", 8), ("目标值", 12)]
    gaps = d.gaps()
    # a month some department's return is missing from is marked where it is read
    heads += [(month_label(m, len(gaps.get(m, []))), 11) for m in months]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{d.of.label_zh}逐月完成情况（1–{len(months)}月）", ncols)
    book.header(ws, HEAD - 1, heads)
    book.hide_codes(ws)
    last_col = FIRST_MONTH_COL + len(months) - 1
    book.refs["trend_months"] = (TREND, HEAD - 1, FIRST_MONTH_COL, last_col)
    r = _indicator_figures(book, ws, months, HEAD - 1)
    r = _indicator_rates(book, ws, months, r + 2)
    r = _investment(book, ws, months, r + 2)
    r += 1
    _label(ws, r, f"报表已受理的单位（应报 {len(d.expected)} 个）", "个", book.plain)
    for j, m in enumerate(months):
        n = sum(1 for code in d.expected if code in counting[m])
        ws.write_number(r, FIRST_MONTH_COL + j, n, st.get("cell", "0"))
    r = _gap_notes(book, ws, r, months, gaps)
    r += 2
    note = (
        "注：各月数字取自该月受理的报表（可在该月汇总表的「数据来源」中核对）；"
        "完成率均按本期计划目标计算，投资完成率按当月已报的项目计算。"
    )
    ws.write_string(r, 1, note, st.get("subtitle"))
    ws.freeze_panes(HEAD, 2)
    book.page(ws, ncols, r)


def _indicator_figures(book: Book, ws: Any, months: list[Period], r: int) -> int:
    """1. The figures the indicators are judged on, one row each after row ``r``."""
    plain = book.plain
    figures = book.data.month_figures("indicators")
    for item in book.data.plan.items.get("indicators", []):
        r += 1
        values = item.values
        field = "month_value" if values.get("accumulation") == "point" else "ytd"
        ws.write_string(r, 0, item.key, plain)
        ws.write_string(r, 1, str(values.get("name.zh") or item.key), plain)
        ws.write_string(r, 2, str(values.get("unit") or ""), plain)
        money = book.styles.get("cell", number_format(values.get("unit")))
        _number(ws, r, 3, dec(values.get("target_level")), money)
        for j, m in enumerate(months):
            _number(ws, r, FIRST_MONTH_COL + j, _recorded(figures.get((m, item.key, field))), money)
    return r


def _indicator_rates(book: Book, ws: Any, months: list[Period], r: int) -> int:
    """2. Completion rates (level ÷ target, where the indicator has a ratio) from row
    ``r`` on, and the 序时进度 row they are read against."""
    pct, plain = book.styles.get("cell", PCT_1), book.plain
    ws.write_string(r, 1, "主要指标完成率(%)：本年累计 ÷ 目标值 × 100", book.styles.get("section"))
    figures = book.data.month_figures("indicators")
    first = r + 1
    last_rates: list[tuple[Decimal | None, int]] = []  # (last month's rate, row) to chart
    for item in book.data.plan.items.get("indicators", []):
        v = item.values
        level = dec(v.get("target_level"))
        if v.get("accumulation") == "point" or v.get("target_direction") != "min":
            continue
        if level is None or level <= 0:
            continue
        r += 1
        _label(ws, r, str(v.get("name.zh") or item.key), "%", plain)
        rate = None
        for j, m in enumerate(months):
            rate = _rate(dec(figures.get((m, item.key, "ytd"))), level)
            _number(ws, r, FIRST_MONTH_COL + j, rate, pct)
        last_rates.append((rate, r))
    r += 1
    _benchmark_row(ws, r, months, pct, plain)
    book.refs["trend_indicators"] = (TREND, first, r - 1, r) if r > first else ("", 0, -1, r)
    book.refs["trend_indicator_lines"] = (TREND, len(last_rates), 0, chart_lines(last_rates))
    return r


def chart_lines(last_rates: list[tuple[Decimal | None, int]], cap: int = TREND_LINES) -> list[int]:
    """The rows the trend chart draws, in sheet order: all of them up to ``cap``,
    else the ``cap`` lowest last-month rates (no rate counts as lowest: a
    missing figure is what a leader must see first), ties in sheet order."""
    if len(last_rates) <= cap:
        return [row for _, row in last_rates]
    lowest = sorted(last_rates, key=lambda x: (x[0] is not None, x[0] or 0, x[1]))
    return sorted(row for _, row in lowest[:cap])


def _investment(book: Book, ws: Any, months: list[Period], r: int) -> int:
    """3. Investment from row ``r`` on: each group's year-to-date sum over the projects
    reported that month, its rate over their plan, and the 序时进度 row."""
    st, plain = book.styles, book.plain
    money, pct = st.get("cell", MONEY), st.get("cell", PCT_1)
    ws.write_string(r, 1, "投资（万元）：本年累计完成投资，按已报的项目合计", st.get("section"))
    ytd: dict[str, dict[Period, dict[str, Decimal]]] = {}  # per collection, for its groups
    sums = [
        (name, *_monthly_sums(book, months, collection, keys, plan_field, ytd))
        for name, collection, keys, plan_field in _investment_groups(book)
    ]
    for name, whole, by_month in sums:
        r += 1
        _label(ws, r, f"{name}本年累计完成投资", "万元", plain)
        _number(ws, r, 3, whole, money)
        for j, month in enumerate(by_month):
            _number(ws, r, FIRST_MONTH_COL + j, None if month is None else month[0], money)
    first = r + 1
    for name, _, by_month in sums:
        r += 1
        _label(ws, r, f"{name}投资完成率(%)", "%", plain)
        for j, month in enumerate(by_month):
            rate = None if month is None else _rate(*month)
            _number(ws, r, FIRST_MONTH_COL + j, rate, pct)
    r += 1
    _benchmark_row(ws, r, months, pct, plain)
    book.refs["trend_investment"] = (TREND, first, r - 1, r)
    return r


def _monthly_sums(
    book: Book,
    months: list[Period],
    collection: str,
    keys: set[str],
    plan_field: str,
    ytd: dict[str, dict[Period, dict[str, Decimal]]],
) -> tuple[Decimal, list[tuple[Decimal, Decimal] | None]]:
    """A group's whole plan, and per month (sum reported, plan of those reported), None
    for a month none of its members reported. ``ytd``: each collection's 本年累计 by
    (month, row), as decimals, worked out for its first group and kept for the others."""
    if collection not in ytd:
        per_month: dict[Period, dict[str, Decimal]] = {}  # a month's rows looked up at once
        for (m, k, f), v in book.data.month_figures(collection).items():
            if f == "ytd_investment" and (x := dec(v)) is not None:
                per_month.setdefault(m, {})[k] = x
        ytd[collection] = per_month
    figures = ytd[collection]
    items = [it for it in book.data.plan.items.get(collection, []) if it.key in keys]
    planned = {it.key: dec(it.values.get(plan_field)) or Decimal(0) for it in items}
    by_month: list[tuple[Decimal, Decimal] | None] = []
    for m in months:
        got = figures.get(m, {})
        reported = {it.key: x for it in items if (x := got.get(it.key)) is not None}
        plan_of = sum((planned[k] for k in reported), Decimal(0))
        by_month.append((sum(reported.values(), Decimal(0)), plan_of) if reported else None)
    return sum(planned.values(), Decimal(0)), by_month


def month_label(month: Period, missing: int) -> str:
    """「6月」, or 「6月（缺2）」 when two departments' returns do not count that month."""
    return f"{month.last_month}月" + (f"（缺{missing}）" if missing else "")


def _gap_notes(
    book: Book, ws: Any, r: int, months: list[Period], gaps: dict[Period, list[tuple[str, str]]]
) -> int:
    """One line per month that lacks departments: 「6月：缺 ZJJ 住建局（退回）」. Their
    sums and rates are over the departments that reported, so a fall there is no fall."""
    d = book.data
    short = {code: dept.short for code, dept in d.plan.departments.items()}
    lacking = [m for m in months if gaps.get(m)]
    if not lacking:
        return r
    r += 2
    head = "报表不全的月份（该月合计与完成率只含已受理的单位，与其他月份不可直接比较）"
    ws.write_string(r, 1, head, book.styles.get("section"))
    for m in lacking:
        r += 1
        who = "、".join(f"{c} {short.get(c, c)}（{why}）" for c, why in gaps[m])
        ws.write_string(r, 1, f"{m.last_month}月：缺 {who}", book.plain)
    return r


def _investment_groups(book: Book) -> list[tuple[str, str, set[str], str]]:
    """(name, collection, row keys, plan field) of the investment series."""
    plan = book.data.plan
    projects = plan.items.get("projects", [])
    key = {p.key for p in projects if p.values.get("key")}
    return [
        ("重点项目（新建、续建）", "projects", key, "annual_plan"),
        ("全部项目", "projects", {p.key for p in projects}, "annual_plan"),
        ("民生工程", "livelihood", {x.key for x in plan.items.get("livelihood", [])}, "budget"),
    ]


def _rate(figure: Decimal | None, target: Decimal | None) -> Decimal | None:
    """A value, not a formula: a chart draws a formula's "" as 0, a blank as a gap."""
    return None if figure is None or not target else figure / target * HUNDRED


def _label(ws: Any, r: int, name: str, unit: str, fmt: Any) -> None:
    """A row of the rate and investment tables: no code, a name, a unit."""
    ws.write_blank(r, 0, None, fmt)
    ws.write_string(r, 1, name, fmt)
    ws.write_string(r, 2, unit, fmt)
    ws.write_blank(r, 3, None, fmt)


def _benchmark_row(ws: Any, r: int, months: list[Period], fmt: Any, plain: Any) -> None:
    _label(ws, r, "序时进度(%)", "%", plain)
    for j, m in enumerate(months):
        ws.write_number(r, FIRST_MONTH_COL + j, float(time_progress(m.last_month)), fmt)


def _recorded(value: Any) -> float | None:
    """A figure as the ledger holds it (no Decimal on the way: the same float); text
    and blanks None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _number(ws: Any, r: int, c: int, value: Decimal | float | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, float(value), fmt)
