"""重点任务: the tasks, then subtotals by unit that add only tasks of one unit (12 个
and 3 条 never make 15) and a line that counts them, with no sum across units."""

from __future__ import annotations

from typing import Any

from tianbao.consolidate.book import HEAD, TASKS, Book, cell, col_range, fnum
from tianbao.consolidate.totals import (
    Group,
    Groups,
    criteria_ok,
    guarded_sum,
    judged_plan,
    judged_rate_formula,
)
from tianbao.consolidate.units import number_format

T_UNIT, T_TARGET, T_DONE = 5, 6, 7  # 重点任务's columns: 单位, 年度目标, 本年累计完成


# -- 重点任务 ---------------------------------------------------------------------------
def write_tasks(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("任务编号", 7),
        ("关键词", 9),
        ("路径", 20),
        ("任务内容", 36),
        ("责任单位", 14),
        ("单位", 6),
        ("年度目标", 9),
        ("本年累计完成", 10),
        ("完成率(%)", 9),
        ("序时进度(%)", 8),
        ("与序时进度差(百分点)", 9),
        ("状态", 14),  # a total says 滞后·已报3/10
        ("状态（填报）", 9),
        ("完成情况", 30),
        ("说明", 22),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年重点任务完成情况", ncols)
    book.header(ws, HEAD - 1, heads)
    c = book.plain
    wrap = book.wrap
    units, n = Groups(), 0
    for n, row in enumerate(d.rows("tasks"), 1):
        r = book.detail_row(ws, HEAD + n - 1)
        book.begin(r)
        num = st.get("cell", number_format(row.plan("unit")))
        book.put(ws, r, 0, "s", row.key, c)
        book.text(ws, r, 1, row.plan("keyword"), c)
        book.text(ws, r, 2, row.plan("path"), wrap)
        book.text(ws, r, 3, row.plan("description"), wrap)
        book.text(ws, r, 4, row.department.name, wrap)
        book.text(ws, r, T_UNIT, row.plan("unit"), c)
        book.num(ws, r, T_TARGET, row.plan_num("target"), num)
        book.returned(ws, r, T_DONE, row, "ytd_done", num)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, 8, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 12, row, "status", c)
        book.returned(ws, r, 13, row, "progress", wrap)
        book.returned(ws, r, 14, row, "note", wrap)
        book.fit(ws, r)
        book.count(row)
        unit, target = row.plan("unit"), row.plan_num("target")
        if unit and target is not None:  # subtotals: tasks with a quantity target
            done = row.num("ytd_done")
            figures = ((T_TARGET, target), (T_DONE, done))
            units.get(str(unit)).add(r, figures, done is not None, row.submission is not None)
    first, last = HEAD, HEAD + max(n, 1) - 1
    book.status_ranges[TASKS] = (11, first, last)
    r = _task_units(book, ws, units, first, last)
    book.page(ws, ncols, r)


def _task_units(book: Book, ws: Any, units: Groups, first: int, last: int) -> int:
    """The subtotals below the tasks: one line per unit, summing only tasks counted in
    that unit (12 个 and 3 条 never make 15), then one line counting the tasks and
    units with no sum (figures in different units do not add). Returns the last row."""
    st = book.styles
    r = last + 2
    section = "按计量单位小计（有数量目标的任务；只有同一计量单位的任务相加）"
    ws.write_string(r, 0, section, st.get("section"))
    r += 1
    book.header(ws, r, [("分组方式", 7), ("单位", 9), ("任务数", 20)], 0)
    for j in range(3, 6):
        ws.write_blank(r, j, None, st.get("header"))
    for j, h in enumerate(
        ["年度目标", "本年累计完成", "完成率(%)", "序时进度(%)", "差(百分点)", "状态"]
    ):
        ws.write_string(r, 6 + j, h, st.get("header"))
    tot = st.get("total")
    labels = units.order()
    for u in labels:
        r = _unit_line(book, ws, u, units.by_label[u], r + 1, (first, last))
    book.refs["task_units"] = (TASKS, r - len(labels) + 1, r, labels)
    if labels:  # all units together: how many tasks, never a sum across units
        r = book.detail_row(ws, r + 1)
        tasks = sum(units.by_label[u].n for u in labels)
        ws.write_string(r, 0, "合计", st.get("label"))
        ws.write_string(r, 1, f"{len(labels)} 种单位", st.get("label"))
        count = f"=SUM({col_range(2, r - len(labels), r - 1)})"
        ws.write_formula(r, 2, count, tot, tasks)
        note = "不同计量单位的数字不相加" if len(labels) > 1 else ""
        ws.merge_range(r, 3, r, 5, note, tot)
        for j in range(6, 12):
            ws.write_blank(r, j, None, tot)
    return r


def _unit_line(book: Book, ws: Any, u: str, group: Group, r: int, rows: tuple[int, int]) -> int:
    """The subtotal of the tasks in unit ``u`` at row ``r``: COUNTIF / SUMIF over the
    unit column (or the rows named, where the unit cannot be a SUMIF criterion)."""
    d, st = book.data, book.styles
    first, last = rows
    tot = st.get("total")
    urange = col_range(T_UNIT, first, last)
    num_t = st.get("total", number_format(u))
    r = book.detail_row(ws, r)
    ws.write_string(r, 0, "单位", st.get("label"))
    ws.write_string(r, 1, u, st.get("label"))
    ok = criteria_ok(u)
    crit = cell(r, 1, True)
    ws.write_formula(r, 2, f"=COUNTIF({urange},{crit})" if ok else f"={group.n}", tot, group.n)
    counts = {}
    for col in (T_TARGET, T_DONE):
        rng = col_range(col, first, last)
        if ok:
            total_f = f"SUMIF({urange},{crit},{rng})"
            counts[col] = f'COUNTIFS({urange},{crit},{rng},"<>")'
        else:
            refs = [cell(x, col) for x in group.rows]
            total_f = "+".join(refs) or "0"
            counts[col] = f"COUNT({','.join(refs)})" if refs else "0"
        if col == T_DONE:  # a returned figure: blank, never 0, when nobody gave it
            formula, value = guarded_sum(total_f, counts[col]), fnum(group.reported_total(col))
        else:
            formula, value = "=" + total_f, float(group.total(col))
        ws.write_formula(r, col, formula, num_t, value)
    rate = group.rate(T_TARGET, T_DONE, d.progress)
    value_r, state = rate.rate, rate.status
    target_rng, done_rng = col_range(T_TARGET, first, last), col_range(T_DONE, first, last)
    if ok:
        judged = judged_plan(target_rng, done_rng, f"{urange},{crit},")
    else:
        pairs = [(cell(x, T_TARGET), cell(x, T_DONE)) for x in group.rows]
        judged = judged_plan("", "", rows=pairs)
    book.rate_cells(
        ws,
        r,
        8,
        judged_rate_formula(counts[T_DONE], cell(r, T_DONE), judged),
        value_r,
        rate.benchmark,
        state,
        "",
        True,
        group.completeness(),
    )
    return r
