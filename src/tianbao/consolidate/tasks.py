"""重点任务: the tasks, then one line per 关键词 that counts its tasks by the verdict
each row shows (超序时, 符合序时, 滞后, 逾期, 未报, 无考核目标) and how many are done.
No figure of one task is added to another's: different tasks are different
quantities (3 tasks counted in 个 do not make 24 of anything), so a group says how
many of its tasks stand where, never a sum or a rate across them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tianbao.consolidate.book import DEFAULT_ROW, HEAD, TASKS, Book, cell, col_range, label
from tianbao.consolidate.data import Row
from tianbao.consolidate.rates import (
    AHEAD,
    BEHIND,
    NO_TARGET,
    ON_TRACK,
    OVERDUE,
    UNREPORTED,
)
from tianbao.consolidate.totals import criteria_ok
from tianbao.consolidate.units import number_format

# 重点任务's columns: 关键词, 单位, 年度目标, 本年累计完成, 状态, 状态（填报）
T_KEY, T_UNIT, T_TARGET, T_DONE, T_STATE, T_SAID = 1, 5, 6, 7, 11, 12
DONE = "已完成"  # the 状态 a task without a numeric target is finished by
# the group lines' count columns: a row's verdict, under the label the row shows
VERDICTS = (AHEAD, ON_TRACK, BEHIND, OVERDUE, UNREPORTED, NO_TARGET)
V_FIRST = 6  # the first of them (under 年度目标)
COUNT_COL, DONE_COL = 2, 3  # 任务数; 已完成 (merged over columns 3 to 5)
NO_KEYWORD = "（无关键词）"


def finished(row: Row) -> bool:
    """Done, by the rule 逾期 uses (rates.overdue): 本年累计 at or over a numeric
    target; without one, the department's 状态 says 已完成."""
    target, done = row.plan_num("target"), row.num("ytd_done")
    if target is not None:
        return done is not None and done >= target
    return row.values.get("status") == DONE


@dataclass
class Tally:
    """The tasks of one 关键词: how many, by verdict, how many done."""

    label: str  # as first seen
    n: int = 0
    done: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # kept when no COUNTIF can pick them


class Tallies:
    """Tallies by 关键词 in first-seen order; labels that differ only in letter case
    are one group, as COUNTIF matches them."""

    def __init__(self) -> None:
        self.by_key: dict[str, Tally] = {}

    def add(self, keyword: str, r: int, verdict: str, done: bool) -> None:
        t = self.by_key.setdefault(keyword.casefold(), Tally(keyword))
        t.n += 1
        t.done += done
        t.verdicts[verdict] = t.verdicts.get(verdict, 0) + 1
        if not criteria_ok(t.label):
            t.rows.append(r)


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
    groups, n = Tallies(), 0
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
        book.returned(ws, r, T_SAID, row, "status", c)
        book.returned(ws, r, 13, row, "progress", wrap)
        book.returned(ws, r, 14, row, "note", wrap)
        book.fit(ws, r)
        book.count(row)
        groups.add(str(row.plan("keyword") or ""), r, rate.status, finished(row))
    first, last = HEAD, HEAD + max(n, 1) - 1
    book.status_ranges[TASKS] = (T_STATE, first, last)
    r = _task_groups(book, ws, groups, first, last)
    book.page(ws, ncols, r)


def _task_groups(book: Book, ws: Any, groups: Tallies, first: int, last: int) -> int:
    """The lines below the tasks: per 关键词, the number of tasks, of those done and of
    each verdict, by COUNTIFS over the rows' own cells (or the rows named, where the
    label cannot be a criterion); then 合计, which adds those counts (tasks are
    countable together, their figures are not). Returns the last row written."""
    st = book.styles
    r = last + 2
    section = "按关键词统计（只数任务：各任务的数量单位不同，不相加）"
    ws.write_string(r, 0, section, st.get("section"))
    r += 1
    head = st.get("header")
    for j, h in enumerate(("分组方式", "关键词", "任务数")):
        ws.write_string(r, j, h, head)
    ws.merge_range(
        r, DONE_COL, r, V_FIRST - 1, "已完成（达到年度目标；无数量目标的按填报状态）", head
    )
    for j, verdict in enumerate(VERDICTS):
        ws.write_string(r, V_FIRST + j, label(verdict), head)
    ws.set_row(r, 28)  # 无考核目标 takes two lines
    book.tall += 28 - DEFAULT_ROW
    tot = st.get("total", "#,##0", align="center")
    tallies = list(groups.by_key.values())
    for t in tallies:
        r = book.detail_row(ws, r + 1)
        _tally_line(ws, book, t, r, (first, last))
    if tallies:  # counts of tasks add up; nothing else does
        top, r = r - len(tallies) + 1, book.detail_row(ws, r + 1)
        ws.write_string(r, 0, "合计", st.get("label"))
        ws.write_string(r, 1, "全部任务", st.get("label"))
        cols = (COUNT_COL, DONE_COL, *range(V_FIRST, V_FIRST + len(VERDICTS)))
        cached = (
            sum(t.n for t in tallies),
            sum(t.done for t in tallies),
            *(sum(t.verdicts.get(v, 0) for t in tallies) for v in VERDICTS),
        )
        for col, value in zip(cols, cached, strict=True):
            _count(ws, r, col, f"=SUM({col_range(col, top, r - 1)})", tot, value)
    return r


def _tally_line(ws: Any, book: Book, t: Tally, r: int, rows: tuple[int, int]) -> None:
    st = book.styles
    first, last = rows
    tot = st.get("total", "#,##0", align="center")
    ws.write_string(r, 0, "关键词", st.get("label"))
    ws.write_string(r, 1, t.label or NO_KEYWORD, st.get("label"))
    rng = {c: col_range(c, first, last) for c in (T_KEY, T_TARGET, T_DONE, T_STATE, T_SAID)}
    crit = cell(r, T_KEY, True)
    if not t.rows:  # the label is a literal criterion: COUNTIFS over the columns
        where = f"{rng[T_KEY]},{crit}"
        count = f"=COUNTIF({where})"
        g, h, m = rng[T_TARGET], rng[T_DONE], rng[T_SAID]
        done = (
            f"=SUMPRODUCT(({rng[T_KEY]}={crit})*(ISNUMBER({g})*ISNUMBER({h})*({h}>={g})"
            f'+(1-ISNUMBER({g}))*({m}="{DONE}")))'
        )
        states = [f'=COUNTIFS({where},{rng[T_STATE]},"{label(v)}")' for v in VERDICTS]
    else:  # a blank or pattern-like label: the rows one by one
        count = f"={t.n}"
        done = "=" + "+".join(_done_at(x) for x in t.rows)
        states = [
            "=" + "+".join(f'({cell(x, T_STATE)}="{label(v)}")*1' for x in t.rows) for v in VERDICTS
        ]
    _count(ws, r, COUNT_COL, count, tot, t.n)
    _count(ws, r, DONE_COL, done, tot, t.done)
    for j, (formula, v) in enumerate(zip(states, VERDICTS, strict=True)):
        _count(ws, r, V_FIRST + j, formula, tot, t.verdicts.get(v, 0))


def _done_at(x: int) -> str:
    """Row ``x`` finished (1) or not (0), as ``finished`` says, as a formula term."""
    g, h, m = cell(x, T_TARGET), cell(x, T_DONE), cell(x, T_SAID)
    return f'IF(ISNUMBER({g}),ISNUMBER({h})*({h}>={g}),({m}="{DONE}")*1)'


def _count(ws: Any, r: int, col: int, formula: str, fmt: Any, value: int) -> None:
    """A count at ``col``; 已完成's spans columns 3 to 5."""
    if col == DONE_COL:
        ws.merge_range(r, DONE_COL, r, V_FIRST - 1, "", fmt)
    ws.write_formula(r, col, formula, fmt, value)
