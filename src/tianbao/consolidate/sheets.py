"""The detail sheets other than 重点项目 and 重点任务 (tasks.py): 主要指标, 民生工程
(with its 合计) and 报送情况. Rows stream from the ledger and
are written top to bottom; totals are summed while they pass."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tianbao.consolidate.book import (
    HEAD,
    INDICATORS,
    LIVELIHOOD,
    Book,
    IndicatorLine,
    cell,
    col_range,
    fnum,
)
from tianbao.consolidate.rates import UNREPORTED
from tianbao.consolidate.styles import MONEY, PCT
from tianbao.consolidate.tasks import write_tasks as write_tasks  # where workbook finds it
from tianbao.consolidate.totals import (
    Group,
    guarded_sum,
    judged_plan,
    judged_rate_formula,
)
from tianbao.consolidate.units import change_format, number_format, points_word

LIV_BUDGET, LIV_DONE, LIV_RATE = 3, 4, 6  # 民生工程's columns: 计划投资, 本年累计, 完成率
IND_RATE = 15  # 主要指标's 完成率; 序时进度, 差 and 状态 follow
IND_LABEL = IND_RATE + 5  # hidden: the chart's category (name, or name（未报）)


# -- 主要指标 ---------------------------------------------------------------------------
def write_indicators(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("指标代码", 18),
        ("指标名称", 22),
        ("计量单位", 8),
        ("责任单位", 16),
        (f"{plan.base_year}年实际", 11),
        (f"{plan.year}年目标", 22),
        ("目标值", 10),
        ("累计/时点", 8),
        (book.flow_label(), 11),
        ("本年累计（时点指标为本月值）", 13),
        ("上年同期", 11),
        ("同比增长(%)（比率：增减百分点）", 11),
        ("目标增速(%)", 9),
        ("增速差(百分点)", 9),
        ("距上限（上限指标）", 10),
        ("完成率(%)", 9),
        ("序时进度(%)（时点指标为100）", 11),
        ("与序时进度差(百分点)", 10),
        ("状态", 10),
        ("说明", 20),
    ]
    book.titles(ws, f"{plan.district_name}{plan.year}年主要指标完成情况", len(heads))
    book.header(ws, HEAD - 1, heads)
    book.hide_codes(ws)
    c, pct = book.plain, st.get("cell", PCT)
    wrap = book.wrap
    n = 0
    for n, row in enumerate(d.rows("indicators"), 1):
        r = book.detail_row(ws, HEAD + n - 1)
        book.begin(r)
        v = row.item.values
        money = st.get("cell", number_format(v.get("unit")))  # the figures' unit decides
        book.put(ws, r, 0, "s", row.key, c)
        book.text(ws, r, 1, v.get("name.zh"), wrap)
        book.text(ws, r, 2, v.get("unit"), c)
        book.text(ws, r, 3, row.department.name, wrap)
        book.num(ws, r, 4, row.plan_num("base.value"), money)
        book.text(ws, r, 5, v.get("target_text"), wrap)
        book.num(ws, r, 6, row.plan_num("target_level"), money)
        book.put(ws, r, 7, "s", "时点" if row.point else "累计", c)
        book.flow(ws, r, 8, row, "month_value", money)
        book.returned(ws, r, 9, row, row.actual_field, money)
        book.returned(ws, r, 10, row, "ytd_last_year", money)
        growth = _growth(book, ws, r, row, pct)
        rate = row.rate
        assert rate is not None
        # a growth target: its rate and 累计增速 minus it; a ceiling: what is left under it
        book.num(ws, r, 12, rate.target_rate, pct)
        g, t = cell(r, 11), cell(r, 12)
        gap = f'=IF(AND(ISNUMBER({g}),ISNUMBER({t})),{g}-{t},"")'
        book.put(ws, r, 13, "f", gap, pct, fnum(rate.growth_gap))
        if row.plan("target_direction") == "max":
            a, lv = cell(r, 9), cell(r, 6)
            room = f'=IF(AND(ISNUMBER({a}),ISNUMBER({lv})),{lv}-{a},"")'
            # a rate's room is in points, to the hundredth (5.6 − 5.15 is 0.45, not 0.4)
            room_fmt = st.get("cell", "0.0#") if points_word(v.get("unit")) else money
            book.put(ws, r, 14, "f", room, room_fmt, fnum(rate.headroom))
        else:
            book.num(ws, r, 14, None, money)
        book.rate_cells(ws, r, IND_RATE, None, rate.rate, rate.benchmark, rate.status, "indicators")
        book.returned(ws, r, IND_RATE + 4, row, "note", wrap)
        name = str(v.get("name.zh") or row.key)
        book.chart_label(ws, r, IND_LABEL, 1, IND_RATE + 3, name, rate.status, "indicators")
        book.indicators.append(
            IndicatorLine(
                r,
                name,
                str(v.get("unit") or ""),
                str(v.get("target_text") or ""),
                row.point,
                row.num(row.actual_field),
                growth,
                rate.rate,
                rate.benchmark,
                rate.status,
            )
        )
        book.fit(ws, r)
        book.count(row)
    last = HEAD + max(n, 1) - 1
    book.status_ranges[INDICATORS] = (IND_RATE + 3, HEAD, last)
    book.refs["indicator_rows"] = (INDICATORS, HEAD, last, None)
    book.page(ws, len(heads), last)


def _growth(book: Book, ws: Any, r: int, row: Any, pct: Any) -> Decimal | None:
    """同比: the return's growth in %, or for a rate (% or ‰) the difference from last
    year in 百分点/千分点, computed here: a relative change of a rate (失业率 −2.1 %)
    is not what a report says. Returns the figure shown."""
    unit = row.item.values.get("unit")
    if points_word(unit) is None:
        book.returned(ws, r, 11, row, "yoy_pct", pct)
        return row.num("yoy_pct")
    now, before = row.num(row.actual_field), row.num("ytd_last_year")
    change = None if now is None or before is None else now - before
    a, b = cell(r, 9), cell(r, 10)
    formula = f'=IF(AND(ISNUMBER({a}),ISNUMBER({b})),{a}-{b},"")'
    book.put(ws, r, 11, "f", formula, book.styles.get("cell", change_format(unit)), fnum(change))
    return change


# -- 民生工程 ---------------------------------------------------------------------------
def write_livelihood(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("编号", 7),
        ("民生工程名称", 24),
        ("责任单位", 16),
        ("计划投资(万元)", 13),
        ("本年累计完成投资(万元)", 13),
        ("工程进度(%)", 9),
        ("投资完成率(%)", 9),
        ("序时进度(%)", 8),
        ("与序时进度差(百分点)", 9),
        ("状态", 14),  # a total says 滞后·已报3/10
        ("状态（填报）", 9),
        ("进展情况", 30),
        ("说明", 24),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年民生工程完成情况", ncols, "金额单位：万元")
    book.header(ws, HEAD - 1, heads)
    c, money, pct = book.plain, st.get("cell", MONEY), st.get("cell", PCT)
    wrap = book.wrap
    group, n = Group(), 0
    for n, row in enumerate(d.rows("livelihood"), 1):
        r = book.detail_row(ws, HEAD + n - 1)
        book.begin(r)
        book.put(ws, r, 0, "s", row.key, c)
        book.text(ws, r, 1, row.plan("name"), wrap)
        book.text(ws, r, 2, row.department.name, wrap)
        budget = row.plan_num("budget")
        book.num(ws, r, LIV_BUDGET, budget, money)
        book.returned(ws, r, LIV_DONE, row, "ytd_investment", money)
        book.returned(ws, r, 5, row, "progress_pct", pct)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, 6, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 10, row, "status", c)
        book.returned(ws, r, 11, row, "progress", wrap)
        book.returned(ws, r, 12, row, "note", wrap)
        book.fit(ws, r)
        book.count(row)
        done = row.num("ytd_investment")
        figures = ((LIV_BUDGET, budget), (LIV_DONE, done))
        group.add(r, figures, done is not None, row.submission is not None)
    first, last = HEAD, HEAD + max(n, 1) - 1
    book.status_ranges[LIVELIHOOD] = (9, first, last)
    book.totals["livelihood"] = group
    r = last + 1
    tot, money_t = st.get("total"), st.get("total", MONEY)
    ws.write_string(r, 0, "合计", tot)
    ws.write_string(r, 1, f"民生工程 {n} 项", tot)
    ws.write_blank(r, 2, None, tot)
    budget_sum, done_sum = group.total(LIV_BUDGET), group.reported_total(LIV_DONE)
    budget_rng, done_rng = col_range(LIV_BUDGET, first, last), col_range(LIV_DONE, first, last)
    ws.write_formula(r, LIV_BUDGET, f"=SUM({budget_rng})", money_t, float(budget_sum))
    done_count = f"COUNT({done_rng})"
    ws.write_formula(
        r, LIV_DONE, guarded_sum(f"SUM({done_rng})", done_count), money_t, fnum(done_sum)
    )
    ws.write_blank(r, 5, None, tot)
    rate = group.rate(LIV_BUDGET, LIV_DONE, d.progress)
    value, state = rate.rate, rate.status
    judged = judged_plan(budget_rng, done_rng)
    formula = judged_rate_formula(done_count, cell(r, LIV_DONE), judged)
    book.rate_cells(
        ws, r, LIV_RATE, formula, value, rate.benchmark, state, "", True, group.completeness()
    )
    book.refs["livelihood_total"] = (LIVELIHOOD, r, r, None)
    book.page(ws, ncols, r)


# -- 报送情况 ---------------------------------------------------------------------------
def write_status(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    report = d.status
    heads = [
        ("单位代码", 9),
        ("单位名称", 24),
        ("报表", 16),
        ("状态", 16),
        ("迟报天数", 8),
        ("逾期天数", 8),
        ("登记编号", 8),
        ("文件", 40),
        ("收到时间", 18),
        ("联系人", 10),
        ("电话", 14),
    ]
    months = d.of_months() if d.spans_months else []
    if months:  # a quarter...: which of its months each department's return counts for
        heads.append(("各月报送（已受理）", 22))
    book.titles(
        ws,
        f"{d.plan.district_name}{d.of.label_zh}报送情况",
        len(heads),
        f"截止日期：{report.deadline.isoformat()}    统计至：{report.as_of.isoformat()}"
        + (f"    {report.signed_line}" if report.signed else ""),
    )
    book.header(ws, HEAD - 1, heads)
    c = book.plain
    r = HEAD - 1
    for dept in report.departments:
        for f in dept.forms:
            r = book.detail_row(ws, r + 1)
            book.begin(r)
            book.put(ws, r, 0, "s", dept.code, c)
            book.put(ws, r, 1, "s", dept.name, c)
            book.put(ws, r, 2, "s", f.title, c)
            bad = f.state in ("missing", "rejected", "returned")
            state_fmt = st.status(UNREPORTED if bad else "on_track")
            book.put(ws, r, 3, "s", f.label, state_fmt)
            book.num(ws, r, 4, Decimal(f.days_late) if f.days_late is not None else None, c)
            book.num(ws, r, 5, Decimal(f.days_overdue) if f.days_overdue is not None else None, c)
            book.num(ws, r, 6, Decimal(f.submission_id) if f.submission_id else None, c)
            book.text(ws, r, 7, f.file_name, c)
            book.text(ws, r, 8, f.received_local + f.received_note, c)
            book.text(ws, r, 9, dept.contact_name, c)
            book.text(ws, r, 10, dept.contact_phone, c)
            if months:
                book.text(ws, r, 11, _months_text(d, dept.code, f.form, months), c)
            book.end(ws, r)
    book.page(ws, len(heads), max(r, HEAD))


def _months_text(d: Any, dept: str, form: str, months: list[Any]) -> str:
    """「4月、5月、6月」, or 「4月、6月（缺5月）」 where a month has no counting return."""
    have = [m for m in months if (s := d.months()[m].get(dept)) is not None and form in s.forms]
    missed = [m for m in months if m not in have]
    text = "、".join(f"{m.last_month}月" for m in have) or "无"
    if missed:
        text += "（缺" + "、".join(f"{m.last_month}月" for m in missed) + "）"
    return text
