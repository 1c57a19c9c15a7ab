"""重点项目: one row per project, then 合计, 其中重点项目 and the subtotal blocks
(类别, 责任单位, 责任领导, 关键词, 路径), each a SUMIF over the detail rows with
its value summed here in decimal while the detail rows were written."""

from __future__ import annotations

from typing import Any

from tianbao.consolidate.book import HEAD, PROJECTS, Bar, Block, Book, cell, col_range, fnum
from tianbao.consolidate.data import Row
from tianbao.consolidate.milestones import due_milestones
from tianbao.consolidate.rates import Rate
from tianbao.consolidate.styles import MONEY
from tianbao.consolidate.totals import (
    Group,
    Groups,
    criteria_ok,
    guarded_sum,
    judged_plan,
    judged_rate_formula,
)

P_ID, P_NAME, P_CAT, P_KEY, P_DEPT, P_LEADER, P_KW, P_PATH = range(8)
P_TOTAL, P_PLAN, P_MONTH, P_YTD, P_CUM, P_RATE = range(8, 14)
P_STATUS = 16
CATEGORIES = ("新建", "续建", "运作", "储备")
DIMS = (
    ("类别", P_CAT),
    ("责任单位", P_DEPT),
    ("责任领导", P_LEADER),
    ("关键词", P_KW),
    ("路径", P_PATH),
)

_DIM_FIELDS = {P_CAT: "category", P_LEADER: "leader", P_KW: "keyword", P_PATH: "path"}


def _dim(row: Row, col: int) -> str:
    v = row.item.values
    if col == P_DEPT:
        return row.department.name
    if col == P_KEY:
        return "是" if v.get("key") else "否"
    return str(v.get(_DIM_FIELDS[col]) or "")


def write_projects(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("项目编号", 8),
        ("项目名称", 20),
        ("类别", 6),
        ("重点项目", 6),
        ("责任单位", 14),
        ("责任领导", 10),
        ("关键词", 9),
        ("路径", 14),
        ("总投资(万元)", 13),
        (f"{plan.year}年计划投资(万元)", 13),
        (book.flow_label("完成投资") + "(万元)", 12),
        ("本年累计完成投资(万元)", 13),
        ("开工累计完成投资(万元)", 13),
        ("年度计划完成率(%)", 9),
        ("序时进度(%)", 8),
        ("与序时进度差(百分点)", 9),
        ("状态", 14),  # a subtotal says 滞后·已报11/14
        ("项目状态（填报）", 9),
        ("形象进度", 18),
        ("节点目标", 16),
        ("存在问题", 16),
        ("说明", 14),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年重点项目完成情况", ncols, "金额单位：万元")
    book.header(ws, HEAD - 1, heads)
    c, money, wrap = book.plain, st.get("cell", MONEY), book.wrap
    everything, key = Group(), Group()
    groups = {col: Groups() for _, col in DIMS}
    n, end = 0, d.period.end
    for n, row in enumerate(d.rows("projects"), 1):
        r = book.detail_row(ws, HEAD + n - 1)
        book.begin(r)
        v = row.item.values
        book.put(ws, r, P_ID, "s", row.key, c)
        book.text(ws, r, P_NAME, v.get("name"), wrap)
        dims = {col: _dim(row, col) for col in (P_CAT, P_KEY, P_DEPT, P_LEADER, P_KW, P_PATH)}
        for col, value in dims.items():
            book.text(ws, r, col, value, wrap if col in (P_PATH, P_DEPT) else c)
        total, year_plan = row.plan_num("total_investment"), row.plan_num("annual_plan")
        book.num(ws, r, P_TOTAL, total, money)
        book.num(ws, r, P_PLAN, year_plan, money)
        month = book.flow(ws, r, P_MONTH, row, "month_investment", money)
        book.returned(ws, r, P_YTD, row, "ytd_investment", money)
        book.returned(ws, r, P_CUM, row, "cumulative_investment", money)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, P_RATE, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 17, row, "status", c)
        book.returned(ws, r, 18, row, "progress", wrap)
        due = due_milestones(
            row.key,
            str(v.get("name") or row.key),
            row.department.short,
            row.item.raw.get("milestones"),
            row.values if row.submission is not None else None,
            end,
        )
        book.milestones.extend(due)
        late = any(m.overdue for m in due)  # red, as on 总览
        book.text(ws, r, 19, v.get("milestones_text"), book.late if late else wrap)
        book.returned(ws, r, 20, row, "problems", wrap)
        book.returned(ws, r, 21, row, "note", wrap)
        book.fit(ws, r)
        book.count(row)
        ytd = row.num("ytd_investment")
        figures = (
            (P_TOTAL, total),
            (P_PLAN, year_plan),
            (P_MONTH, month),
            (P_YTD, ytd),
            (P_CUM, row.num("cumulative_investment")),
        )
        reported, submitted = ytd is not None, row.submission is not None
        everything.add(r, figures, reported, submitted)
        if dims[P_KEY] == "是":
            key.add(r, figures, reported, submitted)
        for col, by in groups.items():
            by.get(dims[col]).add(r, figures, reported, submitted)
    first, last = HEAD, HEAD + max(n, 1) - 1
    book.status_ranges[PROJECTS] = (P_STATUS, first, last)
    book.totals["projects_all"], book.totals["projects_key"] = everything, key
    r = last + 1
    # 合计: every project
    book.begin(r)
    _group_row(book, ws, r, everything, first, last, None, "合计（全部项目）")
    book.end(ws, r)
    book.refs["projects_total"] = (PROJECTS, r, r, None)
    # 其中重点项目: SUMIF on the 重点项目 column (是)
    r += 1
    book.begin(r)
    book.put(ws, r, P_KEY, "s", "是", st.get("total"))
    _group_row(book, ws, r, key, first, last, P_KEY, "其中：重点项目（新建、续建）")
    book.end(ws, r)
    book.refs["projects_key"] = (PROJECTS, r, r, None)
    r += 1
    for name, col in DIMS:
        by = groups[col]
        r += 1
        ws.write_string(r, 0, f"按{name}小计", st.get("section"))
        r += 1
        # the money columns' headers sit above the same columns as the details'
        book.header(ws, r, [("分组方式", 8), (name, 26), ("项目数", 6)])
        for j in range(3, P_TOTAL):
            ws.write_blank(r, j, None, st.get("header"))
        for j, (h, _) in enumerate(heads[P_TOTAL : P_STATUS + 1]):
            ws.write_string(r, P_TOTAL + j, h, st.get("header"))
        block = Block(PROJECTS, r + 1, r, ncols, P_RATE, P_RATE + 1)
        for value in by.order(CATEGORIES if col == P_CAT else ()):
            r = book.detail_row(ws, r + 1)
            book.begin(r)  # the row's cells written at once (``Book.fit``)
            book.put(ws, r, 0, "s", name, st.get("label"))
            rate = _group_row(book, ws, r, by.by_label[value], first, last, col, value)
            book.chart_label(ws, r, ncols, 1, P_STATUS, value, rate.status)
            book.texts = [(1, value)]
            book.fit(ws, r)
            block.bars.append(Bar(r, value, rate.rate, rate.benchmark))
        block.last = r
        book.blocks[name] = block
        r += 1
    book.page(ws, ncols, r)


def _group_row(
    book: Book,
    ws: Any,
    r: int,
    group: Group,
    first: int,
    last: int,
    dim_col: int | None,
    name: str,
) -> Rate:
    """A subtotal (dim_col set: SUMIF on that column) or total (SUM) row of projects,
    into the row ``book`` buffers; returns its rate."""
    st = book.styles
    tot, money = st.get("total"), st.get("total", MONEY)
    detail = dim_col is None or dim_col == P_KEY
    if detail:
        book.put(ws, r, 0, "s", "合计", tot)
        book.put(ws, r, 1, "s", name, tot)
    else:
        book.put(ws, r, 1, "s", name, st.get("label", None, text_wrap=True))
    crit_col = P_KEY if dim_col == P_KEY else 1
    crit = cell(r, crit_col, True)
    use_sumif = dim_col is not None and criteria_ok(name if dim_col != P_KEY else "是")
    if dim_col is not None and not detail:
        count_formula = (
            f"=COUNTIF({col_range(dim_col, first, last)},{crit})" if use_sumif else f"={group.n}"
        )
        book.put(ws, r, 2, "f", count_formula, st.get("total"), group.n)
    for c in (P_TOTAL, P_PLAN, P_MONTH, P_YTD, P_CUM):
        rng = col_range(c, first, last)
        if dim_col is None:
            total_f, count_f = f"SUM({rng})", f"COUNT({rng})"
        elif use_sumif:
            dim = col_range(dim_col, first, last)
            total_f, count_f = f"SUMIF({dim},{crit},{rng})", f'COUNTIFS({dim},{crit},{rng},"<>")'
        else:  # a label Excel would read as a pattern: add the cells one by one
            refs = [cell(x, c) for x in group.rows]
            total_f = "+".join(refs) if refs else "0"
            count_f = f"COUNT({','.join(refs)})" if refs else "0"
        if c in (P_MONTH, P_YTD, P_CUM):  # returned figures: blank, never 0, if nobody gave one
            cached = fnum(group.reported_total(c))
            book.put(ws, r, c, "f", guarded_sum(total_f, count_f), money, cached)
        else:
            book.put(ws, r, c, "f", "=" + total_f, money, float(group.total(c)))
    rate = group.rate(P_PLAN, P_YTD, book.data.progress)
    state, value = rate.status, rate.rate
    ytd_range, plan_range = col_range(P_YTD, first, last), col_range(P_PLAN, first, last)
    if dim_col is None:
        count = f"COUNT({ytd_range})"
        plan = judged_plan(plan_range, ytd_range)
    elif use_sumif:
        dim = col_range(dim_col, first, last)
        count = f'COUNTIFS({dim},{crit},{ytd_range},"<>")'
        plan = judged_plan(plan_range, ytd_range, f"{dim},{crit},")
    else:
        refs = [cell(x, P_YTD) for x in group.rows]
        count = f"COUNT({','.join(refs)})" if refs else "0"
        plan = judged_plan("", "", rows=[(cell(x, P_PLAN), cell(x, P_YTD)) for x in group.rows])
    formula = judged_rate_formula(count, cell(r, P_YTD), plan)
    book.rate_cells(
        ws, r, P_RATE, formula, value, rate.benchmark, state, "", True, group.completeness()
    )
    return rate
