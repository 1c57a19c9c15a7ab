"""The district summary workbook (xlsxwriter).

Sheets: 总览 (dashboard and charts), 主要指标, 重点项目, 民生工程, 重点任务,
报送情况, 数据来源. Detail rows are values; subtotals and totals are Excel
formulas (SUM / SUMIF / COUNTIF over the detail cells) written with their
cached values, computed here in decimal, so Excel shows the audit trail and
any reader sees the numbers. Text from returns is always written with
``write_string`` (and the workbook never turns strings into formulas); SUMIF
criteria are cell references, never text pasted into a formula. The created
time is pinned (from the ledger) and every list is in a stable order, so the
same ledger state gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from tianbao.consolidate.charts import add_charts
from tianbao.consolidate.data import Consolidated, Row
from tianbao.consolidate.rates import (
    BEHIND,
    LABELS,
    NO_TARGET,
    PENDING_LABEL,
    STATUSES,
    UNREPORTED,
    amount_rate,
)
from tianbao.consolidate.styles import MONEY, PCT, Styles
from tianbao.ledger.status import LABELS as STATE_LABELS
from tianbao.template.writer import display_width, row_height

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
HEAD = 4  # 0-based row of the first detail row (title, subtitle, blank, header)
DASHBOARD = "总览"
INDICATORS = "主要指标"
PROJECTS = "重点项目"
LIVELIHOOD = "民生工程"
TASKS = "重点任务"
STATUS = "报送情况"
SOURCES = "数据来源"
CATEGORIES = ("新建", "续建", "运作", "储备")
_WILDCARDS = set("*?~<>=")


def label(state: str, collection: str = "") -> str:
    if state == NO_TARGET and collection == "indicators":
        return PENDING_LABEL
    return LABELS[state]


def fnum(value: Decimal | None) -> float | str:
    """A cached formula value: the decimal as a float, '' for none."""
    return "" if value is None else float(value)


def cell(row: int, col: int, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def col_range(col: int, first: int, last: int) -> str:
    c = xl_col_to_name(col)
    return f"${c}${first + 1}:${c}${last + 1}"


@dataclass(frozen=True)
class Source:
    """A figure taken from a return: where it is in the summary and where it came from."""

    sheet: str
    cell: str
    row: Row
    field: str


@dataclass
class Block:
    """A group of subtotal rows, for the charts: rows of label, rate and benchmark."""

    sheet: str
    first: int
    last: int
    label_col: int
    rate_col: int
    bench_col: int


@dataclass
class Book:
    data: Consolidated
    wb: Any
    styles: Styles
    sources: list[Source] = field(default_factory=list)
    # sheet -> (status column, first row, last row) of the detail rows
    status_ranges: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    blocks: dict[str, Block] = field(default_factory=dict)
    refs: dict[str, tuple[str, int, int, Any]] = field(default_factory=dict)
    widths: list[float] = field(default_factory=list)  # the current sheet's column widths
    texts: list[tuple[int, str]] = field(default_factory=list)  # this row's text cells

    def fit(self, ws: Any, r: int, minimum: float = 15.0) -> None:
        """Row height for the row's wrapped text (LibreOffice/Excel do not grow rows)."""
        cells = [(t, self.widths[c]) for c, t in self.texts if c < len(self.widths)]
        ws.set_row(r, max(minimum, row_height(cells, 13.0)) if cells else minimum)
        self.texts = []

    # -- primitives ----------------------------------------------------------------
    def num(self, ws: Any, r: int, c: int, value: Decimal | None, fmt: Any) -> None:
        if value is None:
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, float(value), fmt)

    def text(self, ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)
            if fmt is self.styles.get("cell", None, text_wrap=True):
                self.texts.append((c, str(value)))

    def returned(self, ws: Any, r: int, c: int, row: Row, name: str, fmt: Any) -> None:
        """A value from the return (number or text), its origin recorded."""
        value = row.values.get(name)
        if value is None:
            ws.write_blank(r, c, None, fmt)
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, c, float(Decimal(str(value))), fmt)
        else:
            ws.write_string(r, c, str(value), fmt)  # never a formula, whatever it says
            if fmt is self.styles.get("cell", None, text_wrap=True):
                self.texts.append((c, str(value)))
        self.sources.append(Source(ws.get_name(), cell(r, c), row, name))

    def status_cell(self, ws: Any, r: int, c: int, state: str, collection: str = "") -> None:
        ws.write_string(r, c, label(state, collection), self.styles.status(state))

    def header(self, ws: Any, r: int, heads: list[tuple[str, float]], first_col: int = 0) -> None:
        for i, (text, width) in enumerate(heads):
            ws.write_string(r, first_col + i, text, self.styles.get("header"))
            if r == HEAD - 1:
                ws.set_column(first_col + i, first_col + i, width)
        if r == HEAD - 1:
            self.widths = [w for _, w in heads]
            self.texts = []
        lines = max(display_width(t) / max(w - 1, 1) for t, w in heads)
        ws.set_row(r, max(15, 14 * min(int(lines) + 1, 4)))

    def titles(self, ws: Any, title: str, ncols: int, note: str = "") -> None:
        d = self.data
        ws.merge_range(0, 0, 0, ncols - 1, title, self.styles.get("title"))
        ws.set_row(0, 28)
        sub = (
            f"报告期：{d.period.label_zh}（{d.period}）    序时进度：{_pct(d.progress)}%    "
            f"数据：各单位最新受理的报表{('    ' + note) if note else ''}"
        )
        ws.merge_range(1, 0, 1, ncols - 1, sub, self.styles.get("subtitle"))

    def page(self, ws: Any, ncols: int, last_row: int, freeze_col: int = 2) -> None:
        ws.freeze_panes(HEAD, freeze_col)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(HEAD - 1, HEAD - 1)
        ws.print_area(0, 0, last_row, ncols - 1)
        ws.set_footer("&C第 &P 页，共 &N 页")

    def rate_cells(
        self,
        ws: Any,
        r: int,
        c: int,
        rate_formula: str | None,
        rate: Decimal | None,
        bench: Decimal,
        state: str,
        collection: str = "",
        total: bool = False,
    ) -> None:
        """Completion rate, benchmark, gap and status at columns c .. c+3."""
        role = "total" if total else "cell"
        pct = self.styles.get(role, PCT)
        if rate_formula is not None:
            ws.write_formula(r, c, rate_formula, pct, fnum(rate))
        else:
            self.num(ws, r, c, rate, pct)
        ws.write_number(r, c + 1, float(bench), pct)
        gap = None if rate is None else rate - bench
        rc, bc = cell(r, c), cell(r, c + 1)
        ws.write_formula(r, c + 2, f'=IF(ISNUMBER({rc}),{rc}-{bc},"")', pct, fnum(gap))
        ws.write_string(r, c + 3, label(state, collection), self.styles.status(state, total))


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def write_summary(data: Consolidated, path: Path) -> list[Source]:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    plan = data.plan
    wb.set_properties(
        {
            "title": f"{plan.district_name}{data.period.label_zh}目标任务完成情况汇总",
            "subject": "主要指标、重点项目、民生工程、重点任务完成情况",
            "author": f"{plan.district_name}统计局",
            "company": plan.district_name,
            "category": "tianbao 汇总",
            "keywords": f"tianbao consolidate {data.period}",
            "created": data.created,
        }
    )
    book = Book(data, wb, Styles(wb))
    dash = wb.add_worksheet(DASHBOARD)
    _indicators(book, wb.add_worksheet(INDICATORS))
    _projects(book, wb.add_worksheet(PROJECTS))
    _livelihood(book, wb.add_worksheet(LIVELIHOOD))
    _tasks(book, wb.add_worksheet(TASKS))
    _status(book, wb.add_worksheet(STATUS))
    _sources(book, wb.add_worksheet(SOURCES))
    _dashboard(book, dash)
    dash.activate()
    wb.close()
    return book.sources


# -- 主要指标 ---------------------------------------------------------------------------
def _indicators(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("指标代码", 18),
        ("指标名称", 22),
        ("计量单位", 8),
        ("责任单位", 16),
        (f"{plan.base_year}年实际", 11),
        (f"{plan.year}年目标", 30),
        ("目标值", 10),
        ("累计/时点", 8),
        ("本月", 11),
        ("本年累计（时点指标为本月值）", 13),
        ("上年同期", 11),
        ("同比增长(%)", 9),
        ("完成率(%)", 9),
        ("序时进度(%)（时点指标为100）", 11),
        ("与序时进度差(百分点)", 10),
        ("状态", 10),
        ("说明", 30),
    ]
    book.titles(ws, f"{plan.district_name}{plan.year}年主要指标完成情况", len(heads))
    book.header(ws, HEAD - 1, heads)
    c, money, pct = st.get("cell"), st.get("cell", "#,##0.00##"), st.get("cell", PCT)
    wrap = st.get("cell", None, text_wrap=True)
    rows = d.rows["indicators"]
    for i, row in enumerate(rows):
        r = HEAD + i
        v = row.item.values
        ws.write_string(r, 0, row.key, c)
        book.text(ws, r, 1, v.get("name.zh"), wrap)
        book.text(ws, r, 2, v.get("unit"), c)
        book.text(ws, r, 3, row.department.name, wrap)
        book.num(ws, r, 4, row.plan_num("base.value"), money)
        book.text(ws, r, 5, v.get("target_text"), wrap)
        book.num(ws, r, 6, row.plan_num("target_level"), money)
        ws.write_string(r, 7, "时点" if row.point else "累计", c)
        book.returned(ws, r, 8, row, "month_value", money)
        book.returned(ws, r, 9, row, row.actual_field, money)
        book.returned(ws, r, 10, row, "ytd_last_year", money)
        book.returned(ws, r, 11, row, "yoy_pct", pct)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, 12, None, rate.rate, rate.benchmark, rate.status, "indicators")
        book.returned(ws, r, 16, row, "note", wrap)
        book.fit(ws, r)
    last = HEAD + max(len(rows), 1) - 1
    book.status_ranges[INDICATORS] = (15, HEAD, last)
    book.refs["indicator_rows"] = (INDICATORS, HEAD, last, None)
    book.page(ws, len(heads), last)


# -- 重点项目 ---------------------------------------------------------------------------
P_ID, P_NAME, P_CAT, P_KEY, P_DEPT, P_LEADER, P_KW, P_PATH = range(8)
P_TOTAL, P_PLAN, P_MONTH, P_YTD, P_CUM, P_RATE = range(8, 14)
P_STATUS = 16
P_SUMS = (P_TOTAL, P_PLAN, P_MONTH, P_YTD, P_CUM)


def _project_sum(row: Row, col: int) -> Decimal | None:
    if col == P_TOTAL:
        return row.plan_num("total_investment")
    if col == P_PLAN:
        return row.plan_num("annual_plan")
    name = {P_MONTH: "month_investment", P_YTD: "ytd_investment", P_CUM: "cumulative_investment"}
    return row.num(name[col])


def _dim(row: Row, col: int) -> str:
    v = row.item.values
    if col == P_DEPT:
        return row.department.name
    if col == P_KEY:
        return "是" if v.get("key") else "否"
    name = {P_CAT: "category", P_LEADER: "leader", P_KW: "keyword", P_PATH: "path"}[col]
    return str(v.get(name) or "")


def _projects(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    heads = [
        ("项目编号", 8),
        ("项目名称", 26),
        ("类别", 6),
        ("重点项目", 6),
        ("责任单位", 14),
        ("责任领导", 14),
        ("关键词", 9),
        ("路径", 22),
        ("总投资(万元)", 13),
        (f"{plan.year}年计划投资(万元)", 13),
        ("本月完成投资(万元)", 12),
        ("本年累计完成投资(万元)", 13),
        ("开工累计完成投资(万元)", 13),
        ("年度计划完成率(%)", 9),
        ("序时进度(%)", 8),
        ("与序时进度差(百分点)", 9),
        ("状态", 9),
        ("项目状态（填报）", 9),
        ("形象进度", 26),
        ("节点目标", 22),
        ("存在问题", 24),
        ("说明", 22),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年重点项目完成情况", ncols, "金额单位：万元")
    book.header(ws, HEAD - 1, heads)
    c, money = st.get("cell"), st.get("cell", MONEY)
    wrap = st.get("cell", None, text_wrap=True)
    rows = d.rows["projects"]
    for i, row in enumerate(rows):
        r = HEAD + i
        v = row.item.values
        ws.write_string(r, P_ID, row.key, c)
        book.text(ws, r, P_NAME, v.get("name"), wrap)
        for col in (P_CAT, P_KEY, P_DEPT, P_LEADER, P_KW, P_PATH):
            book.text(ws, r, col, _dim(row, col), wrap if col in (P_PATH, P_DEPT) else c)
        book.num(ws, r, P_TOTAL, row.plan_num("total_investment"), money)
        book.num(ws, r, P_PLAN, row.plan_num("annual_plan"), money)
        book.returned(ws, r, P_MONTH, row, "month_investment", money)
        book.returned(ws, r, P_YTD, row, "ytd_investment", money)
        book.returned(ws, r, P_CUM, row, "cumulative_investment", money)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, P_RATE, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 17, row, "status", c)
        book.returned(ws, r, 18, row, "progress", wrap)
        book.text(ws, r, 19, v.get("milestones_text"), wrap)
        book.returned(ws, r, 20, row, "problems", wrap)
        book.returned(ws, r, 21, row, "note", wrap)
        book.fit(ws, r)
    first, last = HEAD, HEAD + max(len(rows), 1) - 1
    book.status_ranges[PROJECTS] = (P_STATUS, first, last)
    r = last + 1
    # 合计: every project
    total = _group_row(book, ws, r, rows, first, last, None, "合计（全部项目）")
    book.refs["projects_total"] = (PROJECTS, total, total, None)
    # 其中重点项目: SUMIF on the 重点项目 column (是)
    r += 1
    key_rows = [x for x in rows if _dim(x, P_KEY) == "是"]
    ws.write_string(r, P_KEY, "是", st.get("total"))
    _group_row(book, ws, r, key_rows, first, last, P_KEY, "其中：重点项目（新建、续建）")
    book.refs["projects_key"] = (PROJECTS, r, r, None)
    r += 1
    dims = [
        ("类别", P_CAT, _ordered(rows, P_CAT, CATEGORIES)),
        ("责任单位", P_DEPT, _ordered(rows, P_DEPT)),
        ("责任领导", P_LEADER, _ordered(rows, P_LEADER)),
        ("关键词", P_KW, _ordered(rows, P_KW)),
        ("路径", P_PATH, _ordered(rows, P_PATH)),
    ]
    for name, col, values in dims:
        r += 1
        ws.write_string(r, 0, f"按{name}小计", st.get("section"))
        r += 1
        # the money columns' headers sit above the same columns as the details'
        book.header(ws, r, [("分组方式", 8), (name, 26), ("项目数", 6)])
        for j in range(3, P_TOTAL):
            ws.write_blank(r, j, None, st.get("header"))
        for j, (h, _) in enumerate(heads[P_TOTAL : P_STATUS + 1]):
            ws.write_string(r, P_TOTAL + j, h, st.get("header"))
        block_first = r + 1
        for value in values:
            r += 1
            members = [x for x in rows if _dim(x, col) == value]
            ws.write_string(r, 0, name, st.get("label"))
            _group_row(book, ws, r, members, first, last, col, value)
        book.blocks[name] = Block(PROJECTS, block_first, r, 1, P_RATE, P_RATE + 1)
        r += 1
    book.page(ws, ncols, r)


def _ordered(rows: list[Row], col: int, first: Iterable[str] = ()) -> list[str]:
    seen = [v for v in first if any(_dim(x, col) == v for x in rows)]
    for x in rows:
        v = _dim(x, col)
        if v not in seen:
            seen.append(v)
    return seen


def _criteria_ok(text: str) -> bool:
    return bool(text) and not (_WILDCARDS & set(text)) and len(text) < 255


def _group_row(
    book: Book,
    ws: Any,
    r: int,
    members: list[Row],
    first: int,
    last: int,
    dim_col: int | None,
    name: str,
) -> int:
    """A subtotal (dim_col set: SUMIF on that column) or total (SUM) row of projects."""
    st = book.styles
    tot, money = st.get("total"), st.get("total", MONEY)
    detail = dim_col is None or dim_col == P_KEY
    if detail:
        ws.write_string(r, 0, "合计", tot)
        ws.write_string(r, 1, name, tot)
    else:
        ws.write_string(r, 1, name, st.get("label", None, text_wrap=True))
        book.texts = [(1, name)]
        book.fit(ws, r)
    crit_col = P_KEY if dim_col == P_KEY else 1
    crit = cell(r, crit_col, True)
    use_sumif = dim_col is not None and _criteria_ok(name if dim_col != P_KEY else "是")
    if not detail:
        count_formula = (
            f"=COUNTIF({col_range(dim_col, first, last)},{crit})"
            if use_sumif
            else f"={len(members)}"
        )
        ws.write_formula(r, 2, count_formula, st.get("total"), len(members))
    indices = {id(x): i for i, x in enumerate(book.data.rows["projects"])}
    sums: dict[int, Decimal] = {}
    for c in P_SUMS:
        value = sum((v for x in members if (v := _project_sum(x, c)) is not None), Decimal(0))
        sums[c] = value
        rng = col_range(c, first, last)
        if dim_col is None:
            formula = f"=SUM({rng})"
        elif use_sumif:
            formula = f"=SUMIF({col_range(dim_col, first, last)},{crit},{rng})"
        else:  # a label Excel would read as a pattern: add the cells one by one
            refs = [cell(first + indices[id(x)], c) for x in members]
            formula = "=" + ("+".join(refs) if refs else "0")
        ws.write_formula(r, c, formula, money, float(value))
    rate = amount_rate(sums[P_YTD], sums[P_PLAN], book.data.progress)
    state, value = rate.status, rate.rate
    reported = [x for x in members if x.num("ytd_investment") is not None]
    if not reported:  # nobody reported: no rate (not 0 %)
        state, value = UNREPORTED, None
    ytd_range = col_range(P_YTD, first, last)
    if dim_col is None:
        count = f"COUNT({ytd_range})"
    elif use_sumif:
        count = f'COUNTIFS({col_range(dim_col, first, last)},{crit},{ytd_range},"<>")'
    else:
        refs = [cell(first + indices[id(x)], P_YTD) for x in members]
        count = f"COUNT({','.join(refs)})" if refs else "0"
    pc, yc = cell(r, P_PLAN), cell(r, P_YTD)
    formula = f'=IF({count}=0,"",IF({pc}<>0,{yc}/{pc}*100,""))'
    book.rate_cells(ws, r, P_RATE, formula, value, rate.benchmark, state, "", True)
    return r


# -- 民生工程 ---------------------------------------------------------------------------
def _livelihood(book: Book, ws: Any) -> None:
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
        ("状态", 9),
        ("状态（填报）", 9),
        ("进展情况", 30),
        ("说明", 24),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年民生工程完成情况", ncols, "金额单位：万元")
    book.header(ws, HEAD - 1, heads)
    c, money, pct = st.get("cell"), st.get("cell", MONEY), st.get("cell", PCT)
    wrap = st.get("cell", None, text_wrap=True)
    rows = d.rows["livelihood"]
    for i, row in enumerate(rows):
        r = HEAD + i
        ws.write_string(r, 0, row.key, c)
        book.text(ws, r, 1, row.plan("name"), wrap)
        book.text(ws, r, 2, row.department.name, wrap)
        book.num(ws, r, 3, row.plan_num("budget"), money)
        book.returned(ws, r, 4, row, "ytd_investment", money)
        book.returned(ws, r, 5, row, "progress_pct", pct)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, 6, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 10, row, "status", c)
        book.returned(ws, r, 11, row, "progress", wrap)
        book.returned(ws, r, 12, row, "note", wrap)
        book.fit(ws, r)
    first, last = HEAD, HEAD + max(len(rows), 1) - 1
    book.status_ranges[LIVELIHOOD] = (9, first, last)
    r = last + 1
    tot, money_t = st.get("total"), st.get("total", MONEY)
    ws.write_string(r, 0, "合计", tot)
    ws.write_string(r, 1, f"民生工程 {len(rows)} 项", tot)
    ws.write_blank(r, 2, None, tot)
    budget = sum((x.plan_num("budget") or Decimal(0) for x in rows), Decimal(0))
    done = sum((x.num("ytd_investment") or Decimal(0) for x in rows), Decimal(0))
    ws.write_formula(r, 3, f"=SUM({col_range(3, first, last)})", money_t, float(budget))
    ws.write_formula(r, 4, f"=SUM({col_range(4, first, last)})", money_t, float(done))
    ws.write_blank(r, 5, None, tot)
    rate = amount_rate(done, budget, d.progress)
    state = rate.status if any(x.submission for x in rows) else UNREPORTED
    bc, dc = cell(r, 3), cell(r, 4)
    book.rate_cells(
        ws, r, 6, f'=IF({bc}<>0,{dc}/{bc}*100,"")', rate.rate, rate.benchmark, state, "", True
    )
    book.refs["livelihood_total"] = (LIVELIHOOD, r, r, None)
    book.page(ws, ncols, r)


# -- 重点任务 ---------------------------------------------------------------------------
def _tasks(book: Book, ws: Any) -> None:
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
        ("状态", 9),
        ("状态（填报）", 9),
        ("完成情况", 30),
        ("说明", 22),
    ]
    ncols = len(heads)
    book.titles(ws, f"{plan.district_name}{plan.year}年重点任务完成情况", ncols)
    book.header(ws, HEAD - 1, heads)
    c, num = st.get("cell"), st.get("cell", "#,##0.##")
    wrap = st.get("cell", None, text_wrap=True)
    rows = d.rows["tasks"]
    for i, row in enumerate(rows):
        r = HEAD + i
        ws.write_string(r, 0, row.key, c)
        book.text(ws, r, 1, row.plan("keyword"), c)
        book.text(ws, r, 2, row.plan("path"), wrap)
        book.text(ws, r, 3, row.plan("description"), wrap)
        book.text(ws, r, 4, row.department.name, wrap)
        book.text(ws, r, 5, row.plan("unit"), c)
        book.num(ws, r, 6, row.plan_num("target"), num)
        book.returned(ws, r, 7, row, "ytd_done", num)
        rate = row.rate
        assert rate is not None
        book.rate_cells(ws, r, 8, None, rate.rate, rate.benchmark, rate.status)
        book.returned(ws, r, 12, row, "status", c)
        book.returned(ws, r, 13, row, "progress", wrap)
        book.returned(ws, r, 14, row, "note", wrap)
        book.fit(ws, r)
    first, last = HEAD, HEAD + max(len(rows), 1) - 1
    book.status_ranges[TASKS] = (11, first, last)
    r = last + 2
    ws.write_string(r, 0, "按计量单位小计（有数量目标的任务）", st.get("section"))
    r += 1
    book.header(ws, r, [("分组方式", 7), ("单位", 9), ("任务数", 20)], 0)
    for j in range(3, 6):
        ws.write_blank(r, j, None, st.get("header"))
    for j, h in enumerate(
        ["年度目标", "本年累计完成", "完成率(%)", "序时进度(%)", "差(百分点)", "状态"]
    ):
        ws.write_string(r, 6 + j, h, st.get("header"))
    units = []
    for x in rows:
        u = x.plan("unit")
        if u and x.plan_num("target") is not None and u not in units:
            units.append(str(u))
    tot, num_t = st.get("total"), st.get("total", "#,##0.##")
    for u in units:
        r += 1
        members = [x for x in rows if x.plan("unit") == u and x.plan_num("target") is not None]
        ws.write_string(r, 0, "单位", st.get("label"))
        ws.write_string(r, 1, u, st.get("label"))
        ok = _criteria_ok(u)
        crit = cell(r, 1, True)
        urange = col_range(5, first, last)
        ws.write_formula(
            r, 2, f"=COUNTIF({urange},{crit})" if ok else f"={len(members)}", tot, len(members)
        )
        target = sum((x.plan_num("target") or Decimal(0) for x in members), Decimal(0))
        done = sum((x.num("ytd_done") or Decimal(0) for x in members), Decimal(0))
        for col, value in ((6, target), (7, done)):
            rng = col_range(col, first, last)
            idx = {id(x): i for i, x in enumerate(rows)}
            formula = (
                f"=SUMIF({urange},{crit},{rng})"
                if ok
                else "=" + "+".join(cell(first + idx[id(x)], col) for x in members)
            )
            ws.write_formula(r, col, formula, num_t, float(value))
        rate = amount_rate(done, target, d.progress)
        state = rate.status if any(x.submission for x in members) else UNREPORTED
        tc, dc = cell(r, 6), cell(r, 7)
        book.rate_cells(
            ws, r, 8, f'=IF({tc}<>0,{dc}/{tc}*100,"")', rate.rate, rate.benchmark, state, "", True
        )
    book.refs["task_units"] = (TASKS, r - len(units) + 1, r, units)
    book.page(ws, ncols, r)


# -- 报送情况 ---------------------------------------------------------------------------
def _status(book: Book, ws: Any) -> None:
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
    book.titles(
        ws,
        f"{d.plan.district_name}{d.period.label_zh}报送情况",
        len(heads),
        f"截止日期：{report.deadline.isoformat()}    统计至：{report.as_of.isoformat()}",
    )
    book.header(ws, HEAD - 1, heads)
    c = st.get("cell")
    r = HEAD - 1
    for dept in report.departments:
        for f in dept.forms:
            r += 1
            ws.write_string(r, 0, dept.code, c)
            ws.write_string(r, 1, dept.name, c)
            ws.write_string(r, 2, f.title, c)
            bad = f.state in ("missing", "rejected")
            ws.write_string(
                r, 3, STATE_LABELS[f.state], st.status(UNREPORTED if bad else "on_track")
            )
            book.num(ws, r, 4, Decimal(f.days_late) if f.days_late is not None else None, c)
            book.num(ws, r, 5, Decimal(f.days_overdue) if f.days_overdue is not None else None, c)
            book.num(ws, r, 6, Decimal(f.submission_id) if f.submission_id else None, c)
            book.text(ws, r, 7, f.file_name, c)
            book.text(ws, r, 8, f.received_at, c)
            book.text(ws, r, 9, dept.contact_name, c)
            book.text(ws, r, 10, dept.contact_phone, c)
    book.page(ws, len(heads), max(r, HEAD))


# -- 数据来源 ---------------------------------------------------------------------------
def _sources(book: Book, ws: Any) -> None:
    st = book.styles
    heads = [
        ("汇总表工作表", 10),
        ("汇总表单元格", 8),
        ("报表", 18),
        ("行", 10),
        ("字段", 18),
        ("数值", 18),
        ("登记编号", 8),
        ("单位代码", 8),
        ("文件", 36),
        ("sha256", 66),
        ("原表工作表", 10),
        ("原表单元格", 8),
    ]
    book.titles(ws, "数据来源：汇总表中每个填报数据的出处", len(heads))
    book.header(ws, HEAD - 1, heads)
    c = st.get("cell")
    for i, s in enumerate(book.sources):
        r = HEAD + i
        sub = s.row.submission
        assert sub is not None
        origin = s.row.sources[s.field]
        ws.write_string(r, 0, s.sheet, c)
        ws.write_string(r, 1, s.cell, c)
        ws.write_string(r, 2, origin.form, c)
        ws.write_string(r, 3, origin.row_key, c)
        ws.write_string(r, 4, origin.field, c)
        value = origin.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, 5, float(Decimal(str(value))), c)
        else:
            ws.write_string(r, 5, str(value), c)
        ws.write_number(r, 6, sub.id, c)
        ws.write_string(r, 7, sub.department, c)
        ws.write_string(r, 8, sub.file_name, c)
        ws.write_string(r, 9, sub.sha256, c)
        ws.write_string(r, 10, origin.sheet, c)
        ws.write_string(r, 11, origin.cell, c)
    book.page(ws, len(heads), HEAD + max(len(book.sources), 1) - 1, 0)
    ws.autofilter(HEAD - 1, 0, HEAD + max(len(book.sources), 1) - 1, len(heads) - 1)


# -- 总览 -----------------------------------------------------------------------------
SECTIONS = (
    ("主要指标", INDICATORS, "indicators"),
    ("重点项目", PROJECTS, "projects"),
    ("民生工程", LIVELIHOOD, "livelihood"),
    ("重点任务", TASKS, "tasks"),
)


def _dashboard(book: Book, ws: Any) -> None:
    d, st = book.data, book.styles
    plan = d.plan
    ncols = 8
    ws.set_column(0, 0, 22)
    ws.set_column(1, ncols - 1, 12)
    ws.merge_range(
        0,
        0,
        0,
        ncols - 1,
        f"{plan.district_name}{plan.year}年目标任务完成情况汇总（{d.period.label_zh}）",
        st.get("title"),
    )
    ws.set_row(0, 30)
    lab, c = st.get("label"), st.get("cell", None, align="left")
    missing = [d.dept_name(code) for code in d.expected if code not in d.submissions]
    latest = max((s.received_at for s in d.submissions.values()), default="")
    facts: list[tuple[str, Any]] = [
        ("报告期", f"{d.period.label_zh}（{d.period}）"),
        ("序时进度(%)", d.progress),
        ("应报单位", Decimal(len(d.expected))),
        ("已报单位（已受理）", Decimal(len(d.reported))),
        ("未报单位", "、".join(missing) if missing else "无"),
        ("最新受理报表收到时间", latest or "无"),
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
    ws.write_string(r, 0, "完成情况（按序时进度）", st.get("section"))
    r += 1
    heads = ["项目", "合计", *[LABELS[s] for s in STATUSES[:-1]], "目标待定/无考核目标"]
    for j, h in enumerate(heads):
        ws.write_string(r, j, h, st.get("header"))
    ws.write_blank(r, ncols - 1, None, st.get("header"))
    for title, sheet, collection in SECTIONS:
        r += 1
        col, first, last = book.status_ranges[sheet]
        rng = f"'{sheet}'!{col_range(col, first, last)}"
        rows = d.rows[collection]
        ws.write_string(r, 0, title, lab)
        ws.write_formula(r, 1, f"=COUNTA({rng})", st.get("cell"), len(rows))
        for j, state in enumerate(STATUSES):
            n = sum(1 for x in rows if x.rate is not None and x.rate.status == state)
            if state == NO_TARGET:
                formula = f'=COUNTIF({rng},"{PENDING_LABEL}")+COUNTIF({rng},"{LABELS[NO_TARGET]}")'
            else:
                formula = f'=COUNTIF({rng},"{LABELS[state]}")'
            fmt = st.status(state) if n and state in (BEHIND, UNREPORTED) else st.get("cell")
            ws.write_formula(r, 2 + j, formula, fmt, n)
        ws.write_blank(r, ncols - 1, None, st.get("cell"))
    # money totals against the plan
    r += 2
    ws.write_string(r, 0, "投资完成情况（万元）", st.get("section"))
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
        cols = {2: 3, 3: 4, 4: 6}
        return f"='{LIVELIHOOD}'!{cell(liv_row, cols[j])}" if j in cols else None

    lines = [
        ("重点项目（新建、续建）", "key", key_row, proj(key_row)),
        ("全部项目", "all", all_row, proj(all_row)),
        ("民生工程", "liv", liv_row, liv),
    ]
    for name, kind, _row, ref in lines:
        r += 1
        if kind == "liv":
            members = d.rows["livelihood"]
            total = None
            plan_sum = sum((x.plan_num("budget") or Decimal(0) for x in members), Decimal(0))
        else:
            members = [x for x in d.rows["projects"] if kind == "all" or x.item.values.get("key")]
            total = sum((x.plan_num("total_investment") or Decimal(0) for x in members), Decimal(0))
            plan_sum = sum((x.plan_num("annual_plan") or Decimal(0) for x in members), Decimal(0))
        done = sum((x.num("ytd_investment") or Decimal(0) for x in members), Decimal(0))
        rate = amount_rate(done, plan_sum, d.progress)
        state = rate.status if any(x.submission for x in members) else UNREPORTED
        ws.write_string(r, 0, name, lab)
        for j, value in ((1, total), (2, plan_sum), (3, done)):
            f = ref(j)
            if f is None or value is None:
                ws.write_blank(r, j, None, money)
            else:
                ws.write_formula(r, j, f, money, float(value))
        ws.write_formula(r, 4, ref(4) or "", st.get("cell", PCT), fnum(rate.rate))
        ws.write_number(r, 5, float(rate.benchmark), st.get("cell", PCT))
        gap = None if rate.rate is None else rate.rate - rate.benchmark
        rc, bc = cell(r, 4), cell(r, 5)
        ws.write_formula(r, 6, f'=IF(ISNUMBER({rc}),{rc}-{bc},"")', st.get("cell", PCT), fnum(gap))
        ws.write_string(r, 7, label(state), st.status(state))
    r += 1
    ws.write_string(
        r,
        0,
        "注：完成率 = 本年累计 ÷ 目标（年度计划）× 100；"
        "与序时进度相差 5 个百分点以上为超序时或滞后。详见各表及 docs/completion-rate.md。",
        st.get("subtitle"),
    )
    r += 2
    last = add_charts(book, ws, r)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, last, ncols - 1)
    ws.set_footer("&C第 &P 页，共 &N 页")
