"""The district summary workbook (xlsxwriter).

Sheets: ``SHEETS`` below, in workbook order (the command's help lists them from
there too). Detail rows are values;
subtotals and totals are Excel formulas (SUM / SUMIF / COUNTIF over the detail
cells) written with their cached values, computed here in decimal, so Excel
shows the audit trail and any reader sees the numbers. Text from returns is always written with
``write_string`` (and the workbook never turns strings into formulas); SUMIF
criteria are cell references, never text pasted into a formula. The created
time is pinned (from the ledger) and every list is in a stable order, so the
same ledger state gives the same bytes.

Memory: detail rows stream from the ledger, each written once (and its figures
listed in 数据来源 at once) in ``constant_memory`` mode; only subtotals are kept.
Time: with a second core, forked workers write 数据来源's rows (``sourcerows``)
and the long detail sheets' later rows (``lending``), and read the long
collections' rows from the ledger (``prefetch``), while this process writes the
rest, byte for byte as it would itself; the zip's large parts are deflated on
two threads (``deflate``).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.consolidate.book import (
    DASHBOARD,
    HEAD,
    INDICATORS,
    LIVELIHOOD,
    OPTIONS,
    PROJECTS,
    RETURNS,
    SOURCES,
    STATUS,
    TASKS,
    Book,
)
from tianbao.consolidate.dashboard import write_dashboard
from tianbao.consolidate.data import Consolidated
from tianbao.consolidate.forked import worth_it
from tianbao.consolidate.projects import write_projects
from tianbao.consolidate.rowwriter import SummaryWorkbook
from tianbao.consolidate.sheets import (
    write_indicators,
    write_livelihood,
    write_status,
    write_tasks,
)
from tianbao.consolidate.sources import Sources
from tianbao.consolidate.styles import Styles
from tianbao.consolidate.trend import TREND, has_trend, write_trend

LEND_FROM = 2_000  # rows of a detail sheet written here before a worker writes the rest

# The summary's sheets in workbook order, each with what it holds (中文, English) where
# the name does not say it: the workbook is written in this order, and the help of
# ``tianbao consolidate`` (and so docs/cli.md) lists them from here.
SHEETS: tuple[tuple[str, str, str], ...] = (
    (
        DASHBOARD,
        "领导页：主要指标、逾期节点、报送情况、投资（亿元），其后为图表",
        "the leader's page: main indicators, overdue milestones, reporting, investment in"
        " 亿元; then the charts",
    ),
    (INDICATORS, "", ""),
    (TREND, "逐月，2月起", "month by month, from February on"),
    (PROJECTS, "", ""),
    (LIVELIHOOD, "", ""),
    (TASKS, "", ""),
    (STATUS, "", ""),
    (
        RETURNS,
        "数据来源所取自的每份报表：单位、报表期、文件及其SHA-256校验值",
        "each return 数据来源 takes figures from: department, period, file and its SHA-256",
    ),
    (SOURCES, "", ""),
)


def sheet_list(lang: str) -> str:
    """The sheets as the help says them: 「总览（…）、主要指标、…」 or 「总览 (…), 主要指标, …」."""
    if lang == "zh":
        return "、".join(f"{name}（{zh}）" if zh else name for name, zh, _ in SHEETS)
    return ", ".join(f"{name} ({en})" if en else name for name, _, en in SHEETS)


@dataclass
class Written:
    sources: int  # figures taken from returns (rows of 数据来源)
    # collection -> status -> number of detail rows
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def write_summary(data: Consolidated, path: Path) -> Written:
    with _collector_paused():
        return _write_summary(data, path)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the summary is written, in the main
    thread only (``tianbao serve`` writes one in a request's thread: the collector is
    the whole process's). The summary makes next to no reference cycles, and the
    collector's passes over the objects the plan and the rows hold took a tenth of
    the write at 1,000 returns."""
    pause = gc.isenabled() and threading.current_thread() is threading.main_thread()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()


def _write_summary(data: Consolidated, path: Path) -> Written:
    # each sheet's rows wait in a temporary file (TMPDIR) until the workbook is zipped
    wb = SummaryWorkbook(str(path), OPTIONS)
    plan = data.plan
    wb.set_properties(
        {
            "title": f"{plan.district_name}{data.of.label_zh}目标任务完成情况汇总",
            "subject": "主要指标、重点项目、民生工程、重点任务完成情况",
            "author": f"{plan.district_name}统计局",
            "company": plan.district_name,
            "category": "tianbao 汇总",
            "keywords": f"tianbao consolidate {data.of}",
            "created": data.created,
        }
    )
    book = Book(data, wb, Styles(wb))
    trend = has_trend(book)  # 1–N月 from February on
    sheets = {name: wb.add_worksheet(name) for name, _, _ in SHEETS if name != TREND or trend}
    if worth_it():  # the long detail sheets' later rows written on the second core
        for name in (INDICATORS, PROJECTS, LIVELIHOOD, TASKS, RETURNS):
            sheets[name].lend_from = HEAD + LEND_FROM
    dash = sheets[DASHBOARD]
    sources = Sources(book, sheets[SOURCES], sheets[RETURNS])
    book.sources = sources
    data.read_ahead("projects")  # its first rows ready when 主要指标 is written
    try:
        write_indicators(book, sheets[INDICATORS])
        write_projects(book, sheets[PROJECTS])
        write_livelihood(book, sheets[LIVELIHOOD])
        write_tasks(book, sheets[TASKS])
        write_status(book, sheets[STATUS])
        if trend:
            write_trend(book, sheets[TREND])
        sources.finish()
        write_dashboard(book, dash)
        dash.activate()
        wb.close()
    except BaseException:  # no worker left writing a summary that failed
        sources.close()
        wb.abandon()
        data.close_readers()
        raise
    return Written(sources.count, book.counts)
