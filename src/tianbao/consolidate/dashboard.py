"""总览: the dashboard. Reporting facts, counts by status (COUNTIF over each
detail sheet's status column), investment against the plan (references to the
detail sheets' totals) and the charts; every cached value comes from the totals
kept while the detail sheets were written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tianbao.consolidate.book import (
    INDICATORS,
    LIVELIHOOD,
    PROJECTS,
    TASKS,
    Book,
    cell,
    col_range,
    fnum,
    label,
)
from tianbao.consolidate.charts import add_charts
from tianbao.consolidate.projects import P_PLAN, P_RATE, P_TOTAL, P_YTD
from tianbao.consolidate.rates import (
    AHEAD,
    BEHIND,
    BELOW,
    GOOD,
    LABELS,
    NO_TARGET,
    ON_TRACK,
    OVER,
    OVERDUE,
    PENDING_LABEL,
    REACHED,
    UNREPORTED,
    WITHIN,
)
from tianbao.consolidate.sheets import LIV_BUDGET, LIV_DONE, LIV_RATE
from tianbao.consolidate.styles import MONEY, PCT
from tianbao.consolidate.totals import Group
from tianbao.plan.clock import shown_zh
from tianbao.support.print_layout import print_landscape
from tianbao.template.writer import row_height

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

SECTIONS = (
    ("主要指标", INDICATORS, "indicators"),
    ("重点项目", PROJECTS, "projects"),
    ("民生工程", LIVELIHOOD, "livelihood"),
    ("重点任务", TASKS, "tasks"),
)


WAN_PER_YI = 10_000  # 万元 in one 亿元


def write_dashboard(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    ncols = 2 + len(COUNT_COLUMNS)
    ws.set_column(0, 0, 22)
    ws.set_column(1, ncols - 1, 12)
    ws.merge_range(
        0,
        0,
        0,
        ncols - 1,
        f"{plan.district_name}{plan.year}年目标任务完成情况汇总（{d.of.label_zh}）",
        st.get("title"),
    )
    ws.set_row(0, 30)
    lab, c = st.get("label"), st.get("cell", None, align="left")
    # not counted: never sent, or sent and rejected / sent back (they did report)
    state_of = {ds.code: ds.state for ds in d.status.departments}
    absent = [code for code in d.expected if code not in d.submissions]
    again = [d.dept_name(c) for c in absent if state_of.get(c) in ("rejected", "returned")]
    missing = [d.dept_name(c) for c in absent if state_of.get(c) not in ("rejected", "returned")]
    latest = max((s.received_at for s in d.submissions.values()), default="")
    facts: list[tuple[str, Any]] = [
        ("报告期", _period_text(d)),
        ("序时进度(%)", d.progress),
        ("应报单位", Decimal(len(d.expected))),
        ("已报单位（已受理）", Decimal(len(d.reported))),
        ("未报单位", "、".join(missing) if missing else "无"),
        ("已报未通过（退回待重报）", "、".join(again) if again else "无"),
        ("最新受理报表收到时间", shown_zh(latest, plan.tz) or "无"),
        ("计划版本", plan_text(d.plan, d.later)),
        ("签发", _signed(d)),
    ]
    r = 2
    for name, value in facts:
        ws.write_string(r, 0, name, lab)
        if isinstance(value, Decimal):
            ws.write_number(r, 1, float(value), st.get("cell", PCT if "%" in name else "0"))
            for j in range(2, ncols):
                ws.write_blank(r, j, None, c)
        else:
            ws.merge_range(r, 1, r, ncols - 1, str(value), st.get("cell", None, text_wrap=True))
            ws.set_row(r, row_height([(str(value), 12.0 * (ncols - 1))]))
        r += 1
    # counts by status: COUNTIF over each sheet's status column
    r += 1
    ws.write_string(r, 0, "完成情况（序时进度、增速目标、上限）", st.get("section"))
    r += 1
    heads = ["项目", "合计", *[title for title, _ in COUNT_COLUMNS]]
    for j, h in enumerate(heads):
        ws.write_string(r, j, h, st.get("header"))
    ws.set_row(r, row_height([(h, 12.0) for h in heads], 13.0))  # labels wrap to two lines
    for title, sheet, collection in SECTIONS:
        r += 1
        col, first, last = book.status_ranges[sheet]
        rng = f"'{sheet}'!{col_range(col, first, last)}"
        counts = book.counts.get(collection, {})
        ws.write_string(r, 0, title, lab)
        ws.write_formula(r, 1, f"=COUNTA({rng})", st.get("cell"), sum(counts.values()))
        for j, (_, states) in enumerate(COUNT_COLUMNS):
            n = sum(counts.get(state, 0) for state in states)
            labels = [LABELS[state] for state in states]
            if NO_TARGET in states:
                labels.insert(0, PENDING_LABEL)
            formula = "=" + "+".join(f'COUNTIF({rng},"{text}")' for text in labels)
            bad = next((x for x in states if x not in GOOD), None)
            fmt = st.status(bad) if n and bad and bad != NO_TARGET else st.get("cell")
            ws.write_formula(r, 2 + j, formula, fmt, n)
    # money totals against the plan
    r += 2
    # leaders read 亿元: the detail sheets keep 万元, the page above divides by 10,000
    ws.write_string(r, 0, "投资完成情况（亿元）", st.get("section"))
    r += 1
    for j, h in enumerate(
        ["项目", "总投资", "年度计划", "本年累计", "完成率(%)", "序时进度(%)", "差(百分点)", "状态"]
    ):
        ws.write_string(r, j, h, st.get("header"))
    money = st.get("cell", MONEY)
    lines: list[tuple[str, str, int, Callable[[int], str | None]]] = []
    _, key_row, _, _ = book.refs["projects_key"]
    _, all_row, _, _ = book.refs["projects_total"]
    _, liv_row, _, _ = book.refs["livelihood_total"]

    def proj(row: int) -> Callable[[int], str | None]:
        cols = {1: P_TOTAL, 2: P_PLAN, 3: P_YTD, 4: P_RATE}
        return lambda j: f"='{PROJECTS}'!{cell(row, cols[j])}" if j in cols else None

    def liv(j: int) -> str | None:
        cols = {2: LIV_BUDGET, 3: LIV_DONE, 4: LIV_RATE}
        return f"='{LIVELIHOOD}'!{cell(liv_row, cols[j])}" if j in cols else None

    lines = [
        ("重点项目（新建、续建）", "key", key_row, proj(key_row)),
        ("全部项目", "all", all_row, proj(all_row)),
        ("民生工程", "liv", liv_row, liv),
    ]
    for name, kind, _row, ref in lines:
        r += 1
        total: Decimal | None
        if kind == "liv":
            g: Group = book.totals["livelihood"]
            total, plan_sum, done = None, g.total(LIV_BUDGET), g.reported_total(LIV_DONE)
        else:
            g = book.totals["projects_all" if kind == "all" else "projects_key"]
            total, plan_sum = g.total(P_TOTAL), g.total(P_PLAN)
            done = g.reported_total(P_YTD)
        plan_col, done_col = (LIV_BUDGET, LIV_DONE) if kind == "liv" else (P_PLAN, P_YTD)
        rate = g.rate(plan_col, done_col, d.progress)
        value, state = rate.rate, rate.status
        ws.write_string(r, 0, name, lab)
        for j, figure in ((1, total), (2, plan_sum), (3, done)):
            f = ref(j)
            if f is None or (figure is None and j != 3):
                ws.write_blank(r, j, None, money)
            else:  # a reference to a blank subtotal is blank too, never 0
                there = f.removeprefix("=")
                yi = f'=IF(ISNUMBER({there}),{there}/{WAN_PER_YI},"")'
                ws.write_formula(
                    r, j, yi, money, fnum(None if figure is None else figure / WAN_PER_YI)
                )
        ws.write_formula(r, 4, ref(4) or "", st.get("cell", PCT), fnum(value))
        ws.write_number(r, 5, float(rate.benchmark), st.get("cell", PCT))
        gap = None if value is None else value - rate.benchmark
        rc, bc = cell(r, 4), cell(r, 5)
        ws.write_formula(r, 6, f'=IF(ISNUMBER({rc}),{rc}-{bc},"")', st.get("cell", PCT), fnum(gap))
        ws.write_string(r, 7, label(state), st.status(state))
    r += 1
    note = (
        "注：完成率 = 本年累计 ÷ 目标（年度计划）× 100，与序时进度相差 5 个百分点以上为超序时"
        "或滞后；增长目标按累计增速与目标增速比较（达到/低于目标），上限指标按是否超过上限"
        "（达标/超标）；过了完成时限仍未完成的任务为逾期；小计按已报的项目计算。"
    )
    # one wrapped cell across the table, so that the note prints whole on the page
    ws.merge_range(r, 0, r, ncols - 1, note, st.get("subtitle", None, text_wrap=True))
    ws.set_row(r, row_height([(note, 12.0 * ncols)]))
    r += 2
    last = add_charts(book, ws, r)
    print_landscape(ws, [22.0] + [12.0] * (ncols - 1), None)
    ws.print_area(0, 0, last, ncols - 1)


def plan_text(plan: Any, later: Any = None) -> str:
    """Which plan the targets are from: 「第2版（2014-07 起执行：年中调整）」, or for a
    period before a dated revision 「第1版（第2版自 2014-07 起执行，本期仍按第1版）」."""
    text = f"第{plan.version}版"
    if plan.effective is not None:
        why = f"：{plan.revision_reason}" if plan.revision_reason else ""
        text += f"（{plan.effective} 起执行{why}）"
    if later is not None and later.effective is not None:
        text += f"（第{later.version}版自 {later.effective} 起执行，本期仍按第{plan.version}版）"
    return text


def _signed(d: Any) -> str:
    """Who signed the period off and when, or that the figures may still change."""
    signed = d.ledger.signed_off(d.period)
    if signed is None:
        return "未签发（数字可能随更正变动）"
    when = str(signed["at"])[:16].replace("T", " ")
    return f"已签发：{signed['by']}，{when}" + (f"（{signed['note']}）" if signed["note"] else "")


def _period_text(d: Any) -> str:
    text = f"{d.of.label_zh}（{d.of}）"
    if d.of != d.period:  # a quarter... of a monthly plan: its last month's year to date
        text += f"，按 {d.period.label_zh} 本年累计数汇总"
    return text
