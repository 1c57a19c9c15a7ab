"""Figures as a government report prints them (issue 30 item 6, issue 32 item 9), on the
demo's June summary. Every expectation is recomputed from the plan (plan.yaml), the form
layouts (forms/*.yaml) and the ledger's recorded figures (SQL), never through tianbao:

* each figure's number format follows its unit: 亿元 two decimals, persons and counts
  whole, % and ‰ one decimal;
* a rate indicator's 同比 is its difference from last year in 百分点 / 千分点;
* 重点任务's group lines count tasks (by verdict, and done), never add one task's figure
  to another's; 合计 adds only those counts;
* no code where people read: 主要指标's and 趋势's code columns are hidden, and the long
  CSV names the row, the field, the unit and the form after its old columns;
* 数据来源 says rows and fields in words, 来源报表 a return's forms by title; the CSV's
  form is its id.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import read_yaml
from test_summary_reads_right import counting, figure, sql

PERIOD = "2014-06"
# unit -> the number format a report prints it in (the table of the task, by hand)
PRINTED = {
    "亿元": "#,##0.00",
    "万美元": "#,##0.00",
    "万元": "#,##0.00",
    "元": "#,##0",
    "人": "#,##0",
    "个": "#,##0",
    "条": "#,##0",
    "项": "#,##0",
    "所": "#,##0",
    "亩": "#,##0.0",
    "%": "0.0",
    "‰": "0.0",
}
POINTS = {"%": "百分点", "‰": "千分点"}
OLD_CSV = ["period", "department", "form", "row_key", "field", "value", "submission_id",
           "sheet", "cell", "sha256"]  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("demo") / "run")


@pytest.fixture(scope="module")
def book(demo: Path) -> Any:
    return openpyxl.load_workbook(demo / "outputs" / f"summary-{PERIOD}.xlsx", data_only=True)


@pytest.fixture(scope="module")
def plan(demo: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_yaml(demo / "workspace" / "plan.yaml")
    return data


def figures(ws: Path, dept: str, key: str) -> dict[str, Decimal | None]:
    """field -> the figure June's counting return of ``dept`` recorded for the row."""
    sub = counting(ws, 6).get(dept)
    if sub is None:
        return {}
    fields = ("month_value", "ytd", "ytd_last_year", "yoy_pct")
    return {f: figure(ws, sub[0], "indicators_monthly", key, f) for f in fields}


def rows_named(sheet: Any, name_col: int = 2) -> dict[str, int]:
    return {
        str(sheet.cell(r, name_col).value): r
        for r in range(5, sheet.max_row + 1)
        if sheet.cell(r, name_col).value
    }


def test_indicators__each_figure_prints_as_its_unit_says(book: Any, plan: dict) -> None:
    sheet = book["主要指标"]
    at = rows_named(sheet)
    seen = set()
    for ind in plan["indicators"]:
        r, unit = at[ind["name"]["zh"]], ind["unit"]
        assert sheet.cell(r, 3).value == unit
        # 2013年实际, 目标值, 本月, 本年累计, 上年同期
        for col in (5, 7, 9, 10, 11):
            assert sheet.cell(r, col).number_format == PRINTED[unit], (ind["code"], col)
        seen.add(unit)
    assert {"亿元", "人", "%", "‰", "元"} <= seen
    # nothing prints four decimals any more (6.0601 亿元 read as 6.06)
    for ws in book.worksheets:
        formats = {c.number_format for row in ws.iter_rows() for c in row}
        assert not any(f.endswith("##") and "0.00" in f for f in formats), ws.title


def test_dashboard__indicator_figures_print_as_their_unit_says(book: Any, plan: dict) -> None:
    dash = book["总览"]
    units = {ind["name"]["zh"]: ind["unit"] for ind in plan["indicators"]}
    found = 0
    for r in range(1, 40):
        name = dash.cell(r, 1).value
        if name in units:
            found += 1
            assert dash.cell(r, 2).value == units[name]
            assert dash.cell(r, 3).number_format == PRINTED[units[name]], name
    assert found == len(units)


def test_rate_indicators__change_in_points_recomputed(demo: Path, book: Any, plan: dict) -> None:
    """同比 of 失业率 is June's rate less last year's, in 百分点 (‰: 千分点), on 主要指标 and
    on 总览; an amount's stays the return's growth in %."""
    sheet, dash = book["主要指标"], book["总览"]
    at, on_dash = rows_named(sheet), rows_named(dash, 1)
    checked = 0
    for ind in plan["indicators"]:
        got = figures(demo / "workspace", ind["department"], ind["code"])
        r, unit = at[ind["name"]["zh"]], ind["unit"]
        cell, shown = sheet.cell(r, 12), dash.cell(on_dash[ind["name"]["zh"]], 4)
        now = got.get("month_value" if ind.get("accumulation") == "point" else "ytd")
        if unit in POINTS and (now is None or got["ytd_last_year"] is None):
            assert cell.value in (None, ""), ind["code"]
        elif unit in POINTS:
            want = now - got["ytd_last_year"]
            assert Decimal(str(cell.value)).quantize(Decimal("0.0001")) == want, ind["code"]
            assert POINTS[unit] in cell.number_format and "%" not in cell.number_format
            assert shown.value == pytest.approx(float(want)), ind["code"]
            assert POINTS[unit] in shown.number_format
            checked += 1
        elif got.get("yoy_pct") is not None:
            assert cell.value == pytest.approx(float(got["yoy_pct"])), ind["code"]
            assert "百分点" not in cell.number_format
    assert checked == 3  # 人口自然增长率 ‰, 失业率 %, 节能减排 %


# the verdicts a task row shows, in the order the group lines count them
VERDICTS = ("超序时", "符合序时", "滞后", "逾期", "未报", "无考核目标")


def task_verdict(ws: Path, task: dict[str, Any]) -> tuple[str, bool]:
    """(verdict, done) of a plan task in June, from the plan and its department's
    counting return alone, by the rules of docs/completion-rate.md (序时进度 50)."""
    sub = counting(ws, 6).get(task["department"])
    target = task.get("target")
    target = Decimal(str(target)) if isinstance(target, (int, float)) else None
    if sub is None:
        return "未报", False
    done = figure(ws, sub[0], "tasks_progress", task["id"], "ytd_done")
    query = ("SELECT value FROM cell_values WHERE submission_id = ? AND row_key = ? "
             "AND form = 'tasks_progress' AND field = 'status'")  # fmt: skip
    said = sql(ws, query, sub[0], task["id"])
    finished = (
        done is not None and done >= target
        if target is not None
        else bool(said) and json.loads(said[0][0]) == "已完成"
    )
    if target is not None and done is None:
        return "未报", False
    if target is None or target == 0:
        verdict = "无考核目标"
    else:
        rate = done / target * 100
        verdict = "超序时" if rate >= 55 else "滞后" if rate < 45 else "符合序时"
    if str(task.get("deadline") or "9999") <= "2014-06-30" and not finished:
        verdict = "逾期"
    return verdict, finished


def test_tasks__group_lines_count_tasks_never_add_them(demo: Path, book: Any, plan: dict) -> None:
    """Per 关键词: how many tasks, how many done, how many of each verdict, recomputed
    from the plan and the returns; no line adds one task's figure to another's (the
    issue's 3 tasks 「个」 = 24), and 合计 adds only those counts."""
    sheet = book["重点任务"]
    ws = demo / "workspace"
    want: dict[str, list[int]] = {}  # keyword -> [tasks, done, *verdicts]
    sums: set[Decimal] = set()  # what adding tasks' figures within a group would give
    by_key: dict[str, list[Decimal]] = {}
    for task in plan["tasks"]:
        verdict, done = task_verdict(ws, task)
        counts = want.setdefault(task["keyword"], [0] * (2 + len(VERDICTS)))
        counts[0] += 1
        counts[1] += done
        counts[2 + VERDICTS.index(verdict)] += 1
        if isinstance(task.get("target"), (int, float)):
            by_key.setdefault(task["keyword"], []).append(Decimal(str(task["target"])))
    for targets in by_key.values():
        if len(targets) > 1:
            sums.add(sum(targets))
    assert sums and len(want) > 1
    lines = {
        sheet.cell(r, 2).value: r for r in range(5, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "关键词"
    }  # fmt: skip
    assert list(lines) == list(want)  # in the plan's order
    cols = (3, 4, *range(7, 7 + len(VERDICTS)))
    head = min(lines.values()) - 1
    assert [sheet.cell(head, c).value for c in cols[2:]] == list(VERDICTS)
    for key, r in lines.items():
        got = [sheet.cell(r, c).value for c in cols]
        assert got == want[key], key
        assert sum(got[2:]) == got[0]  # every task is under one verdict
        numbers = [sheet.cell(r, c).value for c in range(3, 16)]
        assert not {Decimal(str(v)) for v in numbers if isinstance(v, (int, float))} & sums
    (total,) = [r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 1).value == "合计"]
    added = [sum(x) for x in zip(*want.values(), strict=True)]
    assert [sheet.cell(total, c).value for c in cols] == added
    assert sheet.cell(total, 3).value == len(plan["tasks"])
    # the formulas count the rows; only 合计 sums, and only the group lines' counts
    formulas = openpyxl.load_workbook(demo / "outputs" / f"summary-{PERIOD}.xlsx")["重点任务"]
    for r in [*lines.values(), total]:
        for c in cols:
            text = str(formulas.cell(r, c).value)
            assert text.startswith("=") and "SUMIF" not in text, (r, c, text)
            summed = [int(x) for x in re.findall(r"SUM\(\$[A-Z]+\$(\d+):", text)]
            assert summed == ([min(lines.values())] if r == total else []), (r, c, text)


def test_detail_sheets__codes_are_not_shown(demo: Path) -> None:
    book = openpyxl.load_workbook(demo / "outputs" / f"summary-{PERIOD}.xlsx")
    for name in ("主要指标", "趋势"):
        sheet = book[name]
        assert sheet["A5"].value == "GDP"  # kept for the screen's filters and formulas
        assert sheet.column_dimensions["A"].hidden, name


def test_long_csv__names_the_row_field_and_unit(demo: Path, plan: dict) -> None:
    forms = {f.stem: read_yaml(f) for f in (demo / "workspace" / "forms").glob("*.yaml")}
    labels = {(form, c["field"]): c for form, lay in forms.items() for c in lay["columns"]}
    names = {ind["code"]: (ind["name"]["zh"], ind["unit"]) for ind in plan["indicators"]}
    names |= {p["id"]: (p["name"], "") for p in plan["projects"]}
    names |= {t["id"]: (t["description"], t.get("unit") or "") for t in plan["tasks"]}
    names |= {x["id"]: (x["name"], "") for x in plan["livelihood"]}
    with (demo / "outputs" / f"long-{PERIOD}.csv").open(encoding="utf-8-sig") as fh:
        table = list(csv.reader(fh))
    assert table[0] == [*OLD_CSV, "row_name", "field_name", "unit", "form_name"]
    units = set()
    for row in table[1:]:
        got = dict(zip(table[0], row, strict=True))
        name, row_unit = names[got["row_key"]]
        column = labels[(got["form"], got["field"])]
        assert got["row_name"] == name
        assert got["field_name"] == column["label"]["zh"].replace("{base_year}", "2013")
        want = row_unit if column.get("unit") == "row" else column.get("unit", "")
        assert got["unit"] == want, got
        assert got["form_name"] == forms[got["form"]]["title"]["zh"]  # form: the id, kept
        units.add(got["unit"])
    assert {"亿元", "人", "%", "万元"} <= units


def test_data_sources__name_the_form_row_field_and_unit(
    demo: Path, book: Any, plan: dict
) -> None:
    """数据来源 says each figure's row, field and unit in words (the codes are in the
    ledger and the long CSV); 来源报表 names each return's forms by their titles
    (主要指标月报, not indicators_monthly)."""
    ws = demo / "workspace"
    forms = {f.stem: read_yaml(f) for f in (ws / "forms").glob("*.yaml")}
    labels = {(form, c["field"]): c for form, lay in forms.items() for c in lay["columns"]}
    title_of = {form: lay["title"]["zh"] for form, lay in forms.items()}
    units = {ind["code"]: ind["unit"] for ind in plan["indicators"]}
    names = {ind["code"]: ind["name"]["zh"] for ind in plan["indicators"]}
    names |= {p["id"]: p["name"] for p in plan["projects"]}
    names |= {x["id"]: x["name"] for x in plan["livelihood"]}
    for t in plan["tasks"]:
        names[t["id"]], units[t["id"]] = t["description"], t.get("unit") or ""
    sheet = book["数据来源"]
    assert [sheet.cell(4, c).value for c in (3, 4, 5)] == ["行名称", "字段名称", "计量单位"]
    # what each return's cells are, from the ledger: (sheet, cell) -> (form, row, field)
    cells = {
        (sid, s, c): (form, key, field)
        for sid, s, c, form, key, field in sql(
            ws, "SELECT submission_id, sheet, cell, form, row_key, field FROM cell_values"
        )
    }
    used: dict[int, set[str]] = {}
    n = 0
    for row in sheet.iter_rows(min_row=5, values_only=True):
        row_name, field_name, unit, sid, osheet, ocell = *row[2:5], row[6], *row[8:10]
        form, key, field = cells[(sid, osheet, ocell)]
        used.setdefault(sid, set()).add(form)
        column = labels[(form, field)]
        assert row_name == names[key]
        assert field_name == column["label"]["zh"].replace("{base_year}", "2013")
        want = units.get(key, "") if column.get("unit") == "row" else column.get("unit", "")
        assert (unit or "") == want, row
        n += 1
    returns = {r[0]: r[3] for r in book["来源报表"].iter_rows(min_row=5, values_only=True)}
    for sid, took in used.items():
        ((recorded,),) = sql(ws, "SELECT forms FROM submissions WHERE id = ?", sid)
        titles = returns[sid].split("、")  # never the id (indicators_monthly)
        assert titles == [title_of[f] for f in recorded.split(",")], sid
        assert {title_of[f] for f in took} <= set(titles)
    assert n > 100 and "DOMESTIC_CAPITAL" in names
