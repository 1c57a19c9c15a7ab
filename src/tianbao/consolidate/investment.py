"""总览's investment panel: key projects, all projects and livelihood projects against
the plan, in 亿元, each figure a formula over its detail sheet.

A group's rate is judged on the projects that reported (docs/completion-rate.md), so
the panel prints the plan of those projects (已报项目计划) beside the year's plan:
本年累计 ÷ 已报项目计划 is the printed rate. The rate and the status (with its
「·已报 n/m」) are references to the detail sheet's total row, not copies."""

from __future__ import annotations

from decimal import Decimal

from tianbao.consolidate.book import LIVELIHOOD, PROJECTS, Book, cell, col_range, fnum, label
from tianbao.consolidate.grid import LINE, RIGHT, RIGHT_LAST, WIDTHS, Grid, header, section
from tianbao.consolidate.projects import P_KEY, P_PLAN, P_RATE, P_TOTAL, P_YTD
from tianbao.consolidate.sheets import LIV_BUDGET, LIV_DONE, LIV_RATE
from tianbao.consolidate.styles import MONEY, PCT
from tianbao.consolidate.totals import Group
from tianbao.support.xlsx import WRAP_MARGIN, row_height

WAN_PER_YI = 10_000  # 万元 in one 亿元
HEADS = ["项目", "总投资", "年度计划", "已报项目计划", "本年累计", "完成率(%)", "序时进度(%)"]
# the panel's columns after 项目
C_TOTAL, C_PLAN, C_JUDGED, C_DONE, C_RATE, C_BENCH, C_STATUS = range(1, 8)


def _yi(there: str) -> str:
    """A 万元 figure of a detail sheet in 亿元, blank where it is blank (never 0)."""
    return f'=IF(ISNUMBER({there}),{there}/{WAN_PER_YI},"")'


def investment(book: Book, g: Grid, r: int) -> int:
    """Key projects, all projects and livelihood projects against the plan, in 亿元."""
    d, st = book.data, book.styles
    # leaders read 亿元: the detail sheets keep 万元, 总览 divides by 10,000
    section(g, st, r + 1, RIGHT, "投资完成情况（亿元）")
    header(g, st, r + 2, RIGHT, HEADS)
    g.merge(r + 2, RIGHT + C_STATUS, RIGHT_LAST, "状态", st.get("header"))
    r += 2
    money, pct = st.get("cell", MONEY), st.get("cell", PCT)
    lab = st.get("label", None, text_wrap=True)
    _, key_row, _, _ = book.refs["projects_key"]
    _, all_row, _, _ = book.refs["projects_total"]
    _, liv_row, _, _ = book.refs["livelihood_total"]
    _, p_first, p_last = book.status_ranges[PROJECTS]
    _, l_first, l_last = book.status_ranges[LIVELIHOOD]

    def rng(sheet: str, col: int, first: int, last: int) -> str:
        return f"'{sheet}'!{col_range(col, first, last)}"

    p_plan, p_done = rng(PROJECTS, P_PLAN, p_first, p_last), rng(PROJECTS, P_YTD, p_first, p_last)
    l_plan = rng(LIVELIHOOD, LIV_BUDGET, l_first, l_last)
    l_done = rng(LIVELIHOOD, LIV_DONE, l_first, l_last)
    key_only = f',{rng(PROJECTS, P_KEY, p_first, p_last)},"是"'
    lines = (
        ("重点项目（新建、续建）", "projects_key", PROJECTS, key_row, key_only),
        ("全部项目", "projects_all", PROJECTS, all_row, ""),
        ("民生工程", "livelihood", LIVELIHOOD, liv_row, ""),
    )
    for name, kind, sheet, row, where in lines:
        r += 1
        group: Group = book.totals[kind]
        liv = kind == "livelihood"
        plan_col, done_col, rate_col = (
            (LIV_BUDGET, LIV_DONE, LIV_RATE) if liv else (P_PLAN, P_YTD, P_RATE)
        )
        status_col = rate_col + 3
        rate = group.rate(plan_col, done_col, d.progress)
        g.put(r, RIGHT, "write_string", name, lab)
        g.need(r, row_height([(name, WIDTHS[RIGHT] * WRAP_MARGIN)], LINE))

        def ref(col: int, sheet: str = sheet, row: int = row) -> str:
            return f"'{sheet}'!{cell(row, col)}"

        if liv:
            g.put(r, RIGHT + C_TOTAL, "write_blank", None, money)
        else:
            total = fnum(group.total(P_TOTAL) / WAN_PER_YI)
            g.put(r, RIGHT + C_TOTAL, "write_formula", _yi(ref(P_TOTAL)), money, total)
        plan_sum = fnum(group.total(plan_col) / WAN_PER_YI)
        g.put(r, RIGHT + C_PLAN, "write_formula", _yi(ref(plan_col)), money, plan_sum)
        # the plan of the members that reported: the divisor of the group's rate
        plans, dones = (l_plan, l_done) if liv else (p_plan, p_done)
        done_ref = ref(done_col)
        judged = f'=IF(ISNUMBER({done_ref}),SUMIFS({plans},{dones},"<>"{where})/{WAN_PER_YI},"")'
        judged_plan = group.judged.get(plan_col, Decimal(0)) if group.reported else None
        cached = fnum(None if judged_plan is None else judged_plan / WAN_PER_YI)
        g.put(r, RIGHT + C_JUDGED, "write_formula", judged, money, cached)
        done = group.reported_total(done_col)
        cached = fnum(None if done is None else done / WAN_PER_YI)
        g.put(r, RIGHT + C_DONE, "write_formula", _yi(done_ref), money, cached)
        g.put(r, RIGHT + C_RATE, "write_formula", f"={ref(rate_col)}", pct, fnum(rate.rate))
        g.put(r, RIGHT + C_BENCH, "write_number", float(rate.benchmark), pct)
        # the status as the detail row says it, 「·已报 n/m」 and all: a reference
        shown = label(rate.status) + group.completeness()
        fmt = st.status(rate.status)
        g.merge(r, RIGHT + C_STATUS, RIGHT_LAST, shown, fmt)
        g.put(r, RIGHT + C_STATUS, "write_formula", f"={ref(status_col)}", fmt, shown)
    return r
