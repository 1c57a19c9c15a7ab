"""总览: the dashboard. Reporting facts, counts by status (COUNTIF over each
detail sheet's status column), investment against the plan (references to the
detail sheets' totals) and the charts; every cached value comes from the totals
kept while the detail sheets were written."""

from __future__ import annotations

import re
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
from tianbao.consolidate.grid import (
    COUNT_COLUMNS,
    LEFT,
    LEFT_LAST,
    LINE,
    PAGE_HEIGHT,
    RIGHT,
    RIGHT_LAST,
    WIDTHS,
    Grid,
    header,
    section,
)
from tianbao.consolidate.investment import investment
from tianbao.consolidate.rates import GOOD, LABELS, NO_TARGET, PENDING_LABEL
from tianbao.consolidate.sheets import IND_RATE
from tianbao.consolidate.styles import LATE_RED, PCT
from tianbao.consolidate.units import change_format, number_format, points_word
from tianbao.plan.clock import shown_zh
from tianbao.support.print_layout import A4_AT_100, READABLE, print_landscape, printed_width
from tianbao.support.xlsx import WRAP_MARGIN, row_height

SECTIONS = (
    ("主要指标", INDICATORS, "indicators"),
    ("重点项目", PROJECTS, "projects"),
    ("民生工程", LIVELIHOOD, "livelihood"),
    ("重点任务", TASKS, "tasks"),
)


# 「增长11%以上（≈97.85亿元）」, 「…（按增速≈89.21亿元）」: the level a target implies
LEVEL_NOTE = re.compile(r"（[^（）]*≈[^（）]*）")
MAX_MILESTONES = 8  # lines of overdue milestones on page 1; the rest on 重点项目
# 主要指标's columns 总览 shows: the figure judged, 同比增长, 状态
IND_VALUE, IND_GROWTH, IND_STATUS = 9, 11, IND_RATE + 3


def write_dashboard(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    for j, w in enumerate(WIDTHS):
        ws.set_column(j, j, w)
    g = Grid()
    title = f"{plan.district_name}{plan.year}年目标任务完成情况汇总（{d.of.label_zh}）"
    g.merge(0, 0, RIGHT_LAST, title, st.get("title"))
    g.need(0, 30)
    g.heights[1] = 6
    left = _indicators(book, g, 2)
    left = _milestones(book, g, left + 1)
    left = _note(book, g, left + 1)
    right = _facts(book, g, 2)
    right = _counts(book, g, right + 1)
    right = investment(book, g, right + 1)
    last = max(left, right)
    g.flush(ws)
    # page 1 whole on one sheet of A4: the scale that fits its width and its height
    wide = A4_AT_100 / printed_width(WIDTHS)
    tall = PAGE_HEIGHT / g.height(0, last)
    scale = max(int(READABLE * 100), min(100, int(min(wide, tall) * 100)))
    end = add_charts(book, ws, last + 2, scale)  # two to a page after page 1
    print_landscape(ws, WIDTHS, None)
    ws.set_print_scale(scale)  # after print_landscape: no fitting, page 1 is measured
    ws.print_area(0, 0, end, RIGHT_LAST)


def _ref_number(sheet: str, r: int, c: int) -> str:
    """A figure of a detail sheet, blank where it is blank (a bare reference shows 0)."""
    there = f"'{sheet}'!{cell(r, c)}"
    return f'=IF(ISNUMBER({there}),{there},"")'


def _indicators(book: Book, g: Grid, r: int) -> int:
    """The main indicators: value, growth, target, completion and status."""
    st = book.styles
    section(g, st, r, LEFT, "主要指标完成情况")
    heads = ["指标", "单位", "本年累计（时点指标为本月）", "同比增长(%)", "目标"]
    header(g, st, r + 1, LEFT, [*heads, "完成率(%)", "状态"])
    r += 1
    wrap = st.get("cell", None, text_wrap=True)
    pct = st.get("cell", PCT)
    for line in book.indicators:
        r += 1
        money = st.get("cell", number_format(line.unit))
        change = st.get("cell", change_format(line.unit)) if points_word(line.unit) else pct
        g.put(r, 0, "write_string", line.name, wrap)
        g.put(r, 1, "write_string", line.unit, book.plain)
        for c, there, value, fmt in (
            (2, IND_VALUE, line.value, money),
            (3, IND_GROWTH, line.growth, change),
            (5, IND_RATE, line.rate, pct),
        ):
            g.put(r, c, "write_formula", _ref_number(INDICATORS, line.row, there), fmt, fnum(value))
        target = LEVEL_NOTE.sub("", line.target)  # the level it implies: on 主要指标
        g.put(r, 4, "write_string", target, wrap)
        shown = label(line.status, "indicators")
        status = f"='{INDICATORS}'!{cell(line.row, IND_STATUS)}"
        g.put(r, 6, "write_formula", status, st.status(line.status), shown)
        widths = [(line.name, WIDTHS[0] * WRAP_MARGIN), (target, WIDTHS[4] * WRAP_MARGIN)]
        g.need(r, row_height(widths, LINE))
    if not book.indicators:
        r += 1
        g.merge(r, LEFT, LEFT_LAST, "计划中没有主要指标", book.plain)
    return r


def _milestones(book: Book, g: Grid, r: int) -> int:
    """The overdue milestones in red, the ones the return cannot tell about counted."""
    st = book.styles
    late = [m for m in book.milestones if m.overdue]
    unjudged = sum(1 for m in book.milestones if not m.kind)
    section(g, st, r + 1, LEFT, f"逾期未完成的节点目标（{len(late)} 个）")
    r += 1
    red = st.get("cell", None, text_wrap=True, font_color=LATE_RED)
    for m in late[:MAX_MILESTONES]:
        r += 1
        g.merge(r, LEFT, LEFT_LAST, m.line(), red)
    if len(late) > MAX_MILESTONES:
        r += 1
        more = f"……另有 {len(late) - MAX_MILESTONES} 个，见「{PROJECTS}」表节点目标列（红字）"
        g.merge(r, LEFT, LEFT_LAST, more, red)
    if not late:
        r += 1
        g.merge(r, LEFT, LEFT_LAST, "无", book.plain)
    if unjudged:
        r += 1
        text = (
            f"另有 {unjudged} 个节点目标已到期，从填报的项目状态看不出是否完成，"
            f"请向责任单位核实（见「{PROJECTS}」表）。"
        )
        g.merge(r, LEFT, LEFT_LAST, text, st.get("subtitle", None, text_wrap=True))
    return r


def _facts(book: Book, g: Grid, r: int) -> int:
    """Reporting, plan version and sign-off."""
    d, st = book.data, book.styles
    section(g, st, r, RIGHT, "报送与签发")
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
        ("最新受理报表收到时间", shown_zh(latest, d.plan.tz) or "无"),
        ("计划版本", plan_text(d.plan, d.later)),
        ("签发", _signed(d)),
    ]
    lab = st.get("label", None, text_wrap=True)
    text = st.get("cell", None, text_wrap=True, align="left")
    for name, value in facts:
        r += 1
        g.put(r, RIGHT, "write_string", name, lab)
        g.need(r, row_height([(name, WIDTHS[RIGHT])], LINE))
        if isinstance(value, Decimal):
            fmt = st.get("cell", PCT if "%" in name else "0", align="left")
            g.merge(r, RIGHT + 1, RIGHT_LAST, "", fmt)
            g.put(r, RIGHT + 1, "write_number", float(value), fmt)
        else:
            g.merge(r, RIGHT + 1, RIGHT_LAST, str(value), text)
    return r


def _counts(book: Book, g: Grid, r: int) -> int:
    """Rows by status per collection: COUNTIF over each detail sheet's status column."""
    st = book.styles
    section(g, st, r + 1, RIGHT, "完成情况（按状态计数）")
    header(g, st, r + 2, RIGHT, ["项目", "合计", *[title for title, _ in COUNT_COLUMNS]])
    r += 2
    lab = st.get("label")
    for title, sheet, collection in SECTIONS:
        r += 1
        col, first, last = book.status_ranges[sheet]
        rng = f"'{sheet}'!{col_range(col, first, last)}"
        counts = book.counts.get(collection, {})
        g.put(r, RIGHT, "write_string", title, lab)
        total = sum(counts.values())
        g.put(r, RIGHT + 1, "write_formula", f"=COUNTA({rng})", st.get("cell"), total)
        for j, (_, states) in enumerate(COUNT_COLUMNS):
            n = sum(counts.get(state, 0) for state in states)
            labels = [LABELS[state] for state in states]
            if NO_TARGET in states:
                labels.insert(0, PENDING_LABEL)
            formula = "=" + "+".join(f'COUNTIF({rng},"{text}")' for text in labels)
            bad = next((x for x in states if x not in GOOD), None)
            fmt = st.status(bad) if n and bad and bad != NO_TARGET else st.get("cell")
            g.put(r, RIGHT + 2 + j, "write_formula", formula, fmt, n)
    return r


def _note(book: Book, g: Grid, r: int) -> int:
    note = (
        "注：完成率 = 本年累计 ÷ 目标（年度计划）× 100，与序时进度相差 5 个百分点以上为超序时"
        "或滞后；增长目标按累计增速与目标增速比较（达到/低于目标），上限指标按是否超过上限"
        "（达标/超标）；过了完成时限仍未完成的任务为逾期；小计按已报的项目计算"
        "（本年累计 ÷ 已报项目计划）。"
    )
    r += 1
    g.merge(r, LEFT, LEFT_LAST, note, book.styles.get("subtitle", None, text_wrap=True))
    return r


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
        past = d.ledger.signoffs(d.period)
        if past and past[-1]["action"] == "withdrawn":  # reopened for a correction
            w = past[-1]
            return (
                f"未签发（草稿）：{shown_zh(str(w['at']), d.plan.tz)} 由 {w['by']} 重新打开"
                f"（{w['note']}），更正后须重新签发"
            )
        return "未签发（草稿，数字可能随更正变动）"
    when = shown_zh(str(signed["at"]), d.plan.tz)
    note = f"（{signed['note']}）" if signed["note"] else ""
    if signed.get("outstanding"):  # signed anyway: what was still open
        from tianbao.review.signoff import open_list

        note += f"；签发时未完结：{open_list(signed['outstanding']).split(' | ')[0]}"
    return f"已签发：{signed['by']}，{when}{note}"


def _period_text(d: Any) -> str:
    text = f"{d.of.label_zh}（{d.of}）"
    if d.of != d.period:  # a quarter... of a monthly plan: its last month's year to date
        text += f"，按 {d.period.label_zh} 本年累计数汇总"
    return text
