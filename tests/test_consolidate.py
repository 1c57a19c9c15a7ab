"""tianbao consolidate through the CLI: the district summary of June 2014 from the
accepted returns of three departments (one superseded, one rejected return too),
every total recomputed here independently from the ledger's raw rows, the plan
file and the archived returns, and compared with the workbook's formulas and
cached values."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import SAMPLE_PLAN, facts_of, find_cell, read_yaml, tianbao
from returns import Returns
from tianbao.consolidate.rates import (
    AHEAD,
    BEHIND,
    BELOW,
    NO_TARGET,
    ON_TRACK,
    OVER,
    OVERDUE,
    REACHED,
    UNREPORTED,
    WITHIN,
    amount_rate,
    growth_judged,
    indicator_rate,
    overdue,
)
from tianbao.ledger.db import ledger_path

PERIOD = "2014-06"
DEPTS = ("RSJ", "FGW", "SYQ")  # RSJ answers for all four forms, SYQ for 28 projects
ON_TIME = "2014-07-03T10:00:00"
INJECTED = "=1+2"  # a note that Excel would run if written as a formula
INJECTED_2 = "@SUM(A1)"
REJECTED_MONTH = 99999999  # only the rejected return has this figure
SUPERSEDED_EXTRA = Decimal("1000.5")  # only the superseded return has this on top
HEAD = 5  # first detail row (1-based) of the summary's detail sheets
IND_STATUS = 19  # 主要指标's 状态 column (1-based), after 完成率, 序时进度, 差


def set_cell(wb: openpyxl.Workbook, r: Returns, form: str, key: str, field: str, v: Any) -> None:
    cell = wb[r.sheet(form)][r.cell(form, key, field)]
    cell.value = v
    if isinstance(v, str):
        cell.data_type = "s"


@dataclass
class Case:
    base: Path
    ws: Path
    rs: dict[str, Returns]
    summary: Path
    long_csv: Path
    rejected_id: int
    superseded_id: int


def _collect(r: Returns, ws: Path, path: Path, at: str) -> dict[str, Any]:
    res = tianbao(r.runner, "collect", "-w", ws, path, "--received-at", at, "--json")
    return json.loads(res.stdout)["files"][0]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    base = tmp_path_factory.mktemp("consolidate")
    rs = {d: Returns(base, d) for d in DEPTS}
    r, ws = rs["RSJ"], rs["RSJ"].ws

    # SYQ: an earlier accepted return with other figures, superseded by the correct one
    syq = rs["SYQ"]
    key = next(
        k
        for k in syq.keys("projects_progress")
        if (
            syq.fills[PERIOD]["重点项目"].get(syq.cell("projects_progress", k, "ytd_investment"))
            or 0
        )
        > 0
    )

    def earlier(wb: openpyxl.Workbook, x: Returns) -> None:
        sheet = wb[x.sheet("projects_progress")]
        # May counts in the ledger: the month moves with the totals, so the chain holds
        for field in ("month_investment", "ytd_investment", "cumulative_investment"):
            c = sheet[x.cell("projects_progress", key, field)]
            c.value = float(Decimal(str(c.value)) + SUPERSEDED_EXTRA)
        set_cell(wb, x, "projects_progress", key, "problems", "旧版本的问题")

    old = _collect(r, ws, syq.june("syq-old", earlier), "2014-07-02T09:00:00")
    assert old["status"] in ("accepted", "accepted_with_warnings"), old

    # RSJ: texts that look like formulas in the explanation columns
    def texts(wb: openpyxl.Workbook, x: Returns) -> None:
        set_cell(wb, x, "projects_progress", x.keys("projects_progress")[0], "note", INJECTED)
        set_cell(wb, x, "livelihood_progress", x.keys("livelihood_progress")[0], "note", INJECTED_2)

    for d in DEPTS:
        june = rs[d].june("ok", texts if d == "RSJ" else None)
        got = _collect(r, ws, june, ON_TIME)
        assert got["status"] in ("accepted", "accepted_with_warnings"), got

    # FGW: a later return with a blocking error: rejected, never counted
    fgw = rs["FGW"]

    def bad(wb: openpyxl.Workbook, x: Returns) -> None:
        k = x.keys("projects_progress")[0]
        set_cell(wb, x, "projects_progress", k, "month_investment", REJECTED_MONTH)

    rejected = _collect(r, ws, fgw.june("fgw-bad", bad), "2014-07-04T09:00:00")
    assert rejected["status"] == "rejected", rejected

    summary, long_csv = base / "out" / "summary.xlsx", base / "out" / "long.csv"
    res = tianbao(
        r.runner, "consolidate", "-w", ws, "--period", PERIOD, "-o", summary, "--csv", long_csv
    )
    assert res.exit_code == 0, res.output
    assert str(summary) in res.stdout
    return Case(base, ws, rs, summary, long_csv, rejected["submission_id"], old["submission_id"])


# -- independent readings ----------------------------------------------------------------
def sql(ws: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ledger_path(ws)) as conn:
        return conn.execute(query, params).fetchall()


def accepted(ws: Path) -> dict[str, tuple[Any, ...]]:
    """department -> (id, sha256, file_name, archive_path) of the return that counts,
    straight from the table: the newest accepted of each department."""
    rows = sql(
        ws,
        "SELECT department, id, sha256, file_name, archive_path, received_at FROM submissions "
        "WHERE period = ? AND status IN ('accepted','accepted_with_warnings') "
        "ORDER BY received_at, id",
        PERIOD,
    )
    return {r[0]: r[1:5] for r in rows}


def cell_values(ws: Path, ids: list[int]) -> list[tuple[Any, ...]]:
    marks = ",".join("?" * len(ids))
    return sql(
        ws,
        "SELECT submission_id, form, row_key, field, value, sheet, cell FROM cell_values "
        f"WHERE submission_id IN ({marks}) ORDER BY submission_id, rowid",
        *ids,
    )


def returned(ws: Path) -> dict[tuple[str, str, str], Any]:
    """(form, row key, field) -> value of the accepted returns, each value checked
    against the archived original file."""
    subs = accepted(ws)
    out: dict[tuple[str, str, str], Any] = {}
    books: dict[int, Any] = {}
    for sid, _sha, _name, archive in subs.values():
        books[sid] = openpyxl.load_workbook(ws / archive, data_only=True)
    for sid, form, key, field, value, sheet, cell in cell_values(ws, list(books)):
        value = json.loads(value)
        original = books[sid][sheet][cell].value
        if isinstance(value, (int, float)):
            assert Decimal(str(original)) == Decimal(str(value)), (sheet, cell)
        out[(form, key, field)] = value
    return out


def d(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def exact(cached: Any) -> Decimal:
    """A cached number as the decimal it spells (shortest repr of the stored float)."""
    assert isinstance(cached, (int, float)), cached
    return Decimal(repr(float(cached))).normalize()


@pytest.fixture(scope="module")
def books(case: Case) -> tuple[Any, Any]:
    return (
        openpyxl.load_workbook(case.summary, data_only=False),
        openpyxl.load_workbook(case.summary, data_only=True),
    )


@pytest.fixture(scope="module")
def values(case: Case) -> dict[tuple[str, str, str], Any]:
    return returned(case.ws)


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return read_yaml(SAMPLE_PLAN)


def rows_by_first_col(sheet: Any) -> dict[str, int]:
    return {
        str(sheet.cell(r, 1).value): r
        for r in range(HEAD, sheet.max_row + 1)
        if sheet.cell(r, 1).value is not None
    }


def find_row(sheet: Any, col: int, text: str, after: int = HEAD) -> int:
    for r in range(after, sheet.max_row + 1):
        if sheet.cell(r, col).value == text:
            return r
    raise AssertionError(f"{text!r} not found in column {col} of {sheet.title}")


# -- the tests -----------------------------------------------------------------------------
@pytest.mark.slow
def test_consolidate__sheets__in_order(books: tuple[Any, Any]) -> None:
    formulas, _ = books
    assert formulas.sheetnames == [
        "总览",
        "主要指标",
        "趋势",  # June: 1–6月
        "重点项目",
        "民生工程",
        "重点任务",
        "报送情况",
        "来源报表",
        "数据来源",
    ]


def test_consolidate__project_rows_and_totals__equal_the_accepted_returns(
    case: Case, books: tuple[Any, Any], values: dict, plan: dict
) -> None:
    formulas, cached = books
    f, c = formulas["重点项目"], cached["重点项目"]
    projects = plan["projects"]
    at = rows_by_first_col(c)
    cols = {"total": 9, "plan": 10, "month": 11, "ytd": 12, "cum": 13}
    field = {"month": "month_investment", "ytd": "ytd_investment", "cum": "cumulative_investment"}

    def figure(p: dict[str, Any], name: str) -> Decimal:
        if name == "total":
            return d(p["total_investment"])
        if name == "plan":
            return d(p.get("annual_plan"))
        return d(values.get(("projects_progress", p["id"], field[name])))

    def reported(members: list[dict[str, Any]], name: str) -> bool:
        """A plan figure always; a returned one only when some member gave it."""
        return name not in field or any(
            values.get(("projects_progress", p["id"], field[name])) is not None for p in members
        )

    def subtotal(cached: Any, members: list[dict[str, Any]], name: str) -> Decimal | None:
        if not reported(members, name):
            assert cached is None, (name, cached)  # blank, never 0
            return None
        return exact(cached)

    def expected(members: list[dict[str, Any]], name: str) -> Decimal | None:
        return sum(figure(p, name) for p in members) if reported(members, name) else None

    for p in projects:  # every detail row as returned (blank when not reported)
        r = at[p["id"]]
        got = c.cell(r, cols["ytd"]).value
        want = values.get(("projects_progress", p["id"], "ytd_investment"))
        assert (got is None) == (want is None), p["id"]
        if want is not None:
            assert exact(got) == d(want)
    first, last = HEAD, HEAD + len(projects) - 1
    total = find_row(c, 2, "合计（全部项目）")
    key = find_row(c, 2, "其中：重点项目（新建、续建）")
    assert total == last + 1
    for name, col in cols.items():
        letter = openpyxl.utils.get_column_letter(col)
        rng = f"${letter}${first}:${letter}${last}"
        want = f'=IF(COUNT({rng})=0,"",SUM({rng}))' if name in field else f"=SUM({rng})"
        assert f.cell(total, col).value == want
        assert subtotal(c.cell(total, col).value, projects, name) == expected(projects, name)
        assert "SUMIF($D$" in f.cell(key, col).value
        keyed = [p for p in projects if p.get("key")]
        assert subtotal(c.cell(key, col).value, keyed, name) == expected(keyed, name)
    # 295 亿元 and the 90 亿元 year plan
    assert exact(c.cell(key, cols["total"]).value) == Decimal(2950000)
    assert exact(c.cell(key, cols["plan"]).value) == Decimal(900000)
    # the rate over the members that reported: Σ 本年累计 ÷ Σ 年度计划 of those only
    gave = [
        p
        for p in projects
        if p.get("key") and values.get(("projects_progress", p["id"], "ytd_investment")) is not None
    ]
    ytd_key = sum(figure(p, "ytd") for p in gave)
    plan_key = sum(figure(p, "plan") for p in gave)
    assert c.cell(key, 14).value == pytest.approx(float(ytd_key / plan_key * 100))
    assert "SUMIFS(" in f.cell(key, 14).value

    # every subtotal block: SUMIF over the detail rows, value = the decimal sum
    dims = {
        "类别": lambda p: p["category"],
        "责任单位": lambda p: next(
            x["name"] for x in plan["departments"] if x["code"] == p["department"]
        ),
        "责任领导": lambda p: p["leader"],
        "关键词": lambda p: p["keyword"],
        "路径": lambda p: p["path"],
    }
    for dim, of in dims.items():
        groups: dict[str, list[dict]] = defaultdict(list)
        for p in projects:
            groups[of(p)].append(p)
        found = [r for r in range(key + 1, c.max_row + 1) if c.cell(r, 1).value == dim]
        assert sorted(str(c.cell(r, 2).value) for r in found) == sorted(groups), dim
        for r in found:
            members = groups[c.cell(r, 2).value]
            assert c.cell(r, 3).value == len(members)
            for name, col in cols.items():
                formula = f.cell(r, col).value
                assert "SUMIF(" in formula and f"$B${r}" in formula, formula
                assert subtotal(c.cell(r, col).value, members, name) == expected(members, name), (
                    dim,
                    c.cell(r, 2).value,
                    name,
                )
    categories = [
        c.cell(r, 2).value for r in range(key + 1, c.max_row + 1) if c.cell(r, 1).value == "类别"
    ]
    assert categories == ["新建", "续建", "运作", "储备"]


def test_consolidate__livelihood_and_task_totals(
    books: tuple[Any, Any], values: dict, plan: dict
) -> None:
    formulas, cached = books
    f, c = formulas["民生工程"], cached["民生工程"]
    items = plan["livelihood"]
    r = find_row(c, 1, "合计")
    last = HEAD + len(items) - 1
    assert f.cell(r, 4).value == f"=SUM($D${HEAD}:$D${last})"
    assert f.cell(r, 5).value == f'=IF(COUNT($E${HEAD}:$E${last})=0,"",SUM($E${HEAD}:$E${last}))'
    assert exact(c.cell(r, 4).value) == sum(d(x["budget"]) for x in items)
    done = sum(d(values.get(("livelihood_progress", x["id"], "ytd_investment"))) for x in items)
    assert exact(c.cell(r, 5).value) == done
    gave = [
        x
        for x in items
        if values.get(("livelihood_progress", x["id"], "ytd_investment")) is not None
    ]
    assert c.cell(r, 7).value == pytest.approx(
        float(done / sum(d(x["budget"]) for x in gave) * 100)
    )

    # 重点任务: per 关键词 a count of tasks, never a sum of their figures
    f, c = formulas["重点任务"], cached["重点任务"]
    keywords: dict[str, list[dict]] = defaultdict(list)
    for t in plan["tasks"]:
        keywords[t["keyword"]].append(t)
    found = {
        c.cell(r, 2).value: r for r in range(HEAD, c.max_row + 1) if c.cell(r, 1).value == "关键词"
    }
    assert list(found) == list(keywords)
    for keyword, r in found.items():
        assert f.cell(r, 3).value.startswith("=COUNTIF(")
        assert c.cell(r, 3).value == len(keywords[keyword])
        assert sum(c.cell(r, j).value for j in range(7, 13)) == len(keywords[keyword])
        assert not any("SUMIF" in str(f.cell(r, j).value) for j in range(3, 16))


def test_consolidate__indicator_rows__actual_rate_status(
    books: tuple[Any, Any], values: dict, plan: dict
) -> None:
    _, cached = books
    c = cached["主要指标"]
    at = rows_by_first_col(c)
    assert set(at) == {i["code"] for i in plan["indicators"]}
    for ind in plan["indicators"]:
        r = at[ind["code"]]
        point = ind["accumulation"] == "point"
        actual = values.get(("indicators_monthly", ind["code"], "month_value" if point else "ytd"))
        got = c.cell(r, 10).value
        status = c.cell(r, IND_STATUS).value
        # the chart's category: the name, and why where there is no bar to show
        chart_label = c.cell(r, IND_STATUS + 2).value
        why = {"未报": "（未报）", "目标待定": "（目标待定）", "达标": "（上限：达标）",
               "超标": "（上限：超标）"}  # fmt: skip
        assert chart_label == ind["name"]["zh"] + why.get(status, "")
        if actual is None:
            assert got is None and status == "未报", ind["code"]
            continue
        assert exact(got) == d(actual)
        last_year = values.get(("indicators_monthly", ind["code"], "ytd_last_year"))
        assert exact(c.cell(r, 11).value) == d(last_year)
        level = c.cell(r, 7).value
        kind = ind["target"]["kind"]
        growth = values.get(("indicators_monthly", ind["code"], "yoy_pct"))
        rate_cell = c.cell(r, IND_STATUS - 3).value
        if kind == "given_later":
            assert (rate_cell, status) == (None, "目标待定")
        elif kind == "ceiling":  # a limit: headroom and 达标/超标, no ratio
            assert status == ("达标" if d(actual) <= d(level) else "超标"), ind["code"]
            assert rate_cell is None
            assert exact(c.cell(r, 15).value) == d(level) - d(actual)
        elif kind in ("growth", "growth_and_level") and growth is not None:
            # judged by 累计增速 against the target rate, as leaders read it
            target = d(ind["target"]["rate_pct"])
            assert exact(c.cell(r, 13).value) == target
            assert exact(c.cell(r, 14).value) == d(growth) - target
            assert status == ("达到目标" if d(growth) >= target else "低于目标"), ind["code"]
            assert rate_cell == pytest.approx(float(d(actual) / d(level) * 100))
        else:
            rate = d(actual) / d(level) * 100
            assert rate_cell == pytest.approx(float(rate))
            bench = Decimal(100) if point else Decimal(50)
            assert c.cell(r, IND_STATUS - 2).value == float(bench)
            want = "超序时" if rate >= bench + 5 else "滞后" if rate < bench - 5 else "符合序时"
            assert status == want, ind["code"]


def test_consolidate__dashboard_counts__match_the_detail_sheets(
    books: tuple[Any, Any], plan: dict
) -> None:
    formulas, cached = books
    f, c = formulas["总览"], cached["总览"]
    section, left = find_cell(c, "完成情况（按状态计数）")
    head = section + 1
    assert c.cell(head, left).value == "项目"
    labels = [c.cell(head, left + j).value for j in range(1, 9)]
    assert labels == [
        "合计",
        "超序时",
        "符合序时",
        "滞后/逾期",
        "达到目标/达标",
        "低于目标/超标",
        "未报",
        "目标待定/无考核目标",
    ]
    sheets = {
        "主要指标": (IND_STATUS, "indicators", "code"),
        "重点项目": (17, "projects", "id"),
        "民生工程": (10, "livelihood", "id"),
        "重点任务": (12, "tasks", "id"),
    }
    for i, (sheet, (col, collection, key)) in enumerate(sheets.items()):
        r = head + 1 + i
        assert c.cell(r, left).value == sheet
        detail = cached[sheet]
        at = rows_by_first_col(detail)
        states = [detail.cell(at[str(x[key])], col).value for x in plan[collection]]
        counts = [
            len(states),
            states.count("超序时"),
            states.count("符合序时"),
            states.count("滞后") + states.count("逾期"),
            states.count("达到目标") + states.count("达标"),
            states.count("低于目标") + states.count("超标"),
            states.count("未报"),
            states.count("目标待定") + states.count("无考核目标"),
        ]
        assert [c.cell(r, left + 1 + j).value for j in range(8)] == counts, sheet
        assert f.cell(r, left + 1).value.startswith(f"=COUNTA('{sheet}'!")
    # departments reported: three of those that answer for a row
    assert facts_of(c)["已报单位（已受理）"] == 3


def test_consolidate__rejected_and_superseded__never_counted(
    case: Case, books: tuple[Any, Any]
) -> None:
    _, cached = books
    numbers = [
        cell.value
        for ws in cached.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, (int, float))
    ]
    assert REJECTED_MONTH not in numbers
    texts = [cell.value for ws in cached.worksheets for row in ws.iter_rows() for cell in row]
    assert "旧版本的问题" not in texts
    src = cached["数据来源"]
    ids = {src.cell(r, 7).value for r in range(HEAD, src.max_row + 1)}
    good = {v[0] for v in accepted(case.ws).values()}
    assert ids == good
    assert case.rejected_id not in ids and case.superseded_id not in ids
    status = {
        row[0]: row[1]
        for row in sql(case.ws, "SELECT id, status FROM submissions WHERE period = ?", PERIOD)
    }
    assert status[case.rejected_id] == "rejected"
    assert status[case.superseded_id] == "superseded"


def test_consolidate__data_sources__every_figure_traced_to_its_cell(
    case: Case, books: tuple[Any, Any]
) -> None:
    _, cached = books
    src = cached["数据来源"]
    by_dept = accepted(case.ws)
    subs = {v[0]: v for v in by_dept.values()}
    raw = {
        (sid, sheet, cell): json.loads(value)
        for sid, _, _, _, value, sheet, cell in cell_values(case.ws, list(subs))
    }
    n = 0
    for r in range(HEAD, src.max_row + 1):
        row = [src.cell(r, j).value for j in range(1, 11)]
        if row[0] is None:
            continue
        n += 1
        sheet, where, _, _, _, value, sid, dept, osheet, ocell = row
        assert by_dept[dept][0] == sid
        want = raw[(sid, osheet, ocell)]  # the ledger's value at that cell of that return
        assert value == want or exact(value) == d(want)
        # the summary cell holds that very value
        shown = cached[sheet][where].value
        assert shown == want or exact(shown) == d(want), (sheet, where)
    assert n > 100


def test_consolidate__source_returns__each_once_with_its_file_and_checksum(
    case: Case, books: tuple[Any, Any], plan: dict
) -> None:
    """Every 登记编号 of 数据来源 is in 来源报表 once, in the order first used, with the
    ledger's department, period, file name and sha256, and the sha256 of the archived file."""
    _, cached = books
    used = [r[6] for r in cached["数据来源"].iter_rows(min_row=HEAD, values_only=True)]
    listed = list(cached["来源报表"].iter_rows(min_row=HEAD, values_only=True))
    assert [r[0] for r in listed] == list(dict.fromkeys(used))  # each once, first used first
    names = {x["code"]: x["name"] for x in plan["departments"]}
    for sid, dept, name, _, period, file_name, sha in listed:
        ((want_dept, want_period, want_name, want_sha, path),) = sql(
            case.ws,
            "SELECT department, period, file_name, sha256, archive_path FROM submissions "
            "WHERE id = ?",
            sid,
        )
        assert (dept, period, file_name, sha) == (want_dept, want_period, want_name, want_sha)
        assert name == names[dept]
        assert hashlib.sha256((case.ws / path).read_bytes()).hexdigest() == sha
    assert len(listed) == len(accepted(case.ws))


def test_consolidate__formulas__never_contain_text_from_returns(
    case: Case, books: tuple[Any, Any]
) -> None:
    texts = {
        json.loads(v)
        for (v,) in sql(case.ws, "SELECT value FROM cell_values")
        if isinstance(json.loads(v), str) and len(json.loads(v)) > 1
    }
    assert INJECTED in texts and INJECTED_2 in texts
    with zipfile.ZipFile(case.summary) as zf:
        formulas = [
            m
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(r"<f>(.*?)</f>", zf.read(name).decode("utf-8"))
        ]
    assert len(formulas) > 100
    ours = {"未报", "目标待定", "无考核目标", "超序时", "符合序时", "滞后"}
    for text in texts - ours:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert not any(escaped in f for f in formulas), text
    formulas_book, _ = books
    hits = [
        cell
        for ws in formulas_book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value in (INJECTED, INJECTED_2)
    ]
    assert len(hits) >= 4  # the detail cell and its 数据来源 row, for each
    assert all(cell.data_type == "s" for cell in hits)


def test_consolidate__rerun__identical_bytes(case: Case) -> None:
    r = case.rs["RSJ"]
    again, again_csv = case.base / "again" / "summary.xlsx", case.base / "again" / "long.csv"
    res = tianbao(
        r.runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", again, "--csv", again_csv
    )
    assert res.exit_code == 0, res.output
    assert again.read_bytes() == case.summary.read_bytes()
    assert again_csv.read_bytes() == case.long_csv.read_bytes()


def test_consolidate__csv__one_row_per_value(case: Case) -> None:
    raw_bytes = case.long_csv.read_bytes()
    assert raw_bytes.startswith(b"\xef\xbb\xbf")
    with case.long_csv.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    subs = accepted(case.ws)
    dept_of = {v[0]: k for k, v in subs.items()}
    raw = cell_values(case.ws, list(dept_of))
    assert len(table) == len(raw)
    assert list(table[0])[:10] == [  # then row_name, field_name, unit (test_summary_print)
        "period",
        "department",
        "form",
        "row_key",
        "field",
        "value",
        "submission_id",
        "sheet",
        "cell",
        "sha256",
    ]
    got = {
        (t["department"], t["form"], t["row_key"], t["field"], int(t["submission_id"])): t
        for t in table
    }
    for sid, form, key, field, value, sheet, cell in raw:
        t = got[(dept_of[sid], form, key, field, sid)]
        assert (t["period"], t["sheet"], t["cell"]) == (PERIOD, sheet, cell)
        assert t["sha256"] == subs[dept_of[sid]][1]
        v = json.loads(value)
        if isinstance(v, (int, float)):
            assert Decimal(t["value"]) == Decimal(str(v))
        elif v in (INJECTED, INJECTED_2):
            assert t["value"] == "'" + v  # guarded against CSV formula injection
        else:
            assert t["value"] == v


def test_consolidate__period_without_returns__all_unreported(case: Case, tmp_path: Path) -> None:
    r = case.rs["RSJ"]
    out = tmp_path / "july.xlsx"
    res = tianbao(r.runner, "consolidate", "-w", case.ws, "-p", "2014-07", "-o", out)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, data_only=True)
    for sheet, col in {
        "主要指标": IND_STATUS,
        "重点项目": 17,
        "民生工程": 10,
        "重点任务": 12,
    }.items():
        ws = wb[sheet]
        counts = ("分组方式", "关键词", "合计") if sheet == "重点任务" else ()  # not a row's state
        states = {
            ws.cell(x, col).value
            for x in range(HEAD, ws.max_row + 1)
            if ws.cell(x, 1).value and ws.cell(x, 1).value not in counts
        }
        states -= {None, "状态"}  # the subtotal blocks' headers
        assert states == {"未报"}, (sheet, states)
    assert wb["数据来源"].max_row <= HEAD - 1


def test_consolidate__usage_errors__exit_2(case: Case, tmp_path: Path) -> None:
    r = case.rs["RSJ"]
    out = tmp_path / "x.xlsx"
    for period in ("2014-13", "2013-06", "2014-Q5", "2013-Q2"):  # 2014-Q2 is a quarter summary
        res = tianbao(r.runner, "consolidate", "-w", case.ws, "-p", period, "-o", out)
        assert res.exit_code == 2, (period, res.output)
    res = tianbao(r.runner, "consolidate", "-w", tmp_path / "nothing", "-p", PERIOD, "-o", out)
    assert res.exit_code == 2, res.output
    assert not out.exists()


def test_consolidate__sources_past_a_sheet__go_on_in_the_next(
    case: Case, books: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """数据来源 past Excel's row limit (here made 40 rows) goes on in 数据来源（续2）...:
    the same rows, in the same order, split."""
    from tianbao.consolidate import sources

    monkeypatch.setattr(sources, "SOURCES_PER_SHEET", 40)
    out = tmp_path / "split.xlsx"
    res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
    assert res.exit_code == 0, res.output
    split = openpyxl.load_workbook(out, data_only=True)
    names = [n for n in split.sheetnames if n.startswith("数据来源")]
    assert names[0] == "数据来源" and names[1] == "数据来源（续2）" and len(names) > 2
    assert split.sheetnames[: -len(names)] == books[1].sheetnames[:-1]

    def rows(ws: Any) -> list[tuple[Any, ...]]:
        return [r for r in ws.iter_rows(min_row=HEAD, values_only=True) if r[0] is not None]

    whole = rows(books[1]["数据来源"])
    parts = [rows(split[n]) for n in names]
    assert all(len(p) == 40 for p in parts[:-1]) and 0 < len(parts[-1]) <= 40
    assert [r for p in parts for r in p] == whole
    assert split["数据来源（续2）"]["A1"].value.endswith("（续2）")


def test_consolidate__sources_on_a_second_core__the_bytes_written_here(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """数据来源 written by a worker process (a worker per sheet of 40 rows, in batches of
    7, some rows with text to escape) is byte for byte what the main process writes."""
    from tianbao.consolidate import forked, longcsv, sources

    started: list[int] = []
    start, of = forked.SheetWorker.__init__, longcsv.Names.of

    def counted(self: Any, *args: Any) -> None:
        started.append(1)
        start(self, *args)

    def escaped(self: Any, form: str, key: str, name: str) -> tuple[str, str, str]:
        row, field, unit = of(self, form, key, name)
        return (row + " <R&D> ", field, unit) if len(name) % 2 else (row, field, unit)

    monkeypatch.setattr(forked.SheetWorker, "__init__", counted)
    monkeypatch.setattr(longcsv.Names, "of", escaped)
    monkeypatch.setattr(sources, "SOURCES_PER_SHEET", 40)
    monkeypatch.setattr(sources, "BATCH", 7)
    monkeypatch.setattr(sources, "worth_it", lambda: True)  # one core: a worker all the same

    def summary(name: str, parallel_from: int) -> bytes:
        monkeypatch.setattr(sources, "PARALLEL_FROM", parallel_from)
        out = tmp_path / name
        res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
        assert res.exit_code == 0, res.output
        return out.read_bytes()

    here = summary("here.xlsx", 10**9)
    assert not started
    there = summary("worker.xlsx", 0)
    assert len(started) > 2
    assert there == here
    sheet = openpyxl.load_workbook(tmp_path / "worker.xlsx", read_only=True)["数据来源（续2）"]
    assert any(" <R&D> " in str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def test_consolidate__detail_rows_on_a_second_core__the_bytes_written_here(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The detail sheets' rows lent to workers (from their first row, in batches of 2,
    with 数据来源's worker beside them; every other row with text to escape, which
    xlsxwriter writes cell by cell) give the bytes the main process writes alone."""
    from tianbao.consolidate import book, forked, lending, sources, workbook

    lent: list[str] = []
    start, text = forked.SheetWorker.__init__, book.Book.text

    def counted(self: Any, ws: Any, *args: Any) -> None:
        lent.append(ws.name)
        start(self, ws, *args)

    def escaped(self: Any, ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
        text(self, ws, r, c, f"{value}\n & <乙> " if value and r % 2 else value, fmt)

    monkeypatch.setattr(forked.SheetWorker, "__init__", counted)
    monkeypatch.setattr(book.Book, "text", escaped)
    monkeypatch.setattr(lending, "BATCH", 2)
    monkeypatch.setattr(workbook, "LEND_FROM", 0)
    monkeypatch.setattr(sources, "PARALLEL_FROM", 0)

    def summary(name: str, workers: bool) -> bytes:
        monkeypatch.setattr(workbook, "worth_it", lambda: workers)
        monkeypatch.setattr(sources, "worth_it", lambda: workers)
        out = tmp_path / name
        res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
        assert res.exit_code == 0, res.output
        return out.read_bytes()

    here = summary("here.xlsx", False)
    assert not lent
    there = summary("workers.xlsx", True)
    assert {"主要指标", "重点项目", "民生工程", "重点任务", "来源报表", "数据来源"} <= set(lent)
    assert there == here
    sheet = openpyxl.load_workbook(tmp_path / "workers.xlsx", read_only=True)["重点项目"]
    assert any("\n & <乙> " in str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def test_consolidate__summary_zip__deflated_at_level_one(case: Case) -> None:
    """The summary's parts are deflated at zlib level 1 (fast; templates keep xlsxwriter's
    default, see the golden test): each part's stored bytes are level 1's of its XML."""
    import struct
    import zlib

    raw = case.summary.read_bytes()
    with zipfile.ZipFile(case.summary) as z:
        for info in z.infolist():
            start = info.header_offset + 30  # the local header, then its name and extra
            name_len, extra_len = struct.unpack("<HH", raw[start - 4 : start])
            stored = raw[start + name_len + extra_len :][: info.compress_size]
            deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
            data = z.read(info)
            assert stored == deflate.compress(data) + deflate.flush(), info.filename


def test_consolidate__large_part__deflated_in_pieces_on_two_threads(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part of PARALLEL_FROM bytes or more is deflated in CHUNK pieces on two threads:
    one valid deflate stream (the CRC checked on reading), the parts' bytes those of
    the zip deflated on one thread, and the same zip on every run."""
    from tianbao.consolidate import deflate

    pieces: list[int] = []
    piece = deflate._piece

    def counted(data: bytes, before: bytes, level: int) -> bytes:
        pieces.append(len(data))
        return piece(data, before, level)

    monkeypatch.setattr(deflate, "_piece", counted)
    monkeypatch.setattr(deflate, "cores", lambda: 2)
    monkeypatch.setattr(deflate, "CHUNK", 5000)

    def summary(name: str, parallel_from: int) -> tuple[bytes, dict[str, bytes]]:
        monkeypatch.setattr(deflate, "PARALLEL_FROM", parallel_from)
        out = tmp_path / name
        res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
        assert res.exit_code == 0, res.output
        with zipfile.ZipFile(out) as z:
            assert z.testzip() is None
            return out.read_bytes(), {i.filename: z.read(i) for i in z.infolist()}

    _, whole = summary("one.xlsx", 10**12)
    assert not pieces
    zipped, parts = summary("two.xlsx", 20_000)
    assert len(pieces) > 4 and set(pieces) >= {5000}
    assert parts == whole
    assert summary("again.xlsx", 20_000)[0] == zipped


def test_consolidate__rows_read_on_a_second_core__the_bytes_read_here(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each collection's rows read from the ledger by a forked process (in batches of 2;
    重点项目's started before the sheets) give the bytes of the summary read in the main
    process."""
    from tianbao.consolidate import prefetch

    forked: list[int] = []
    start = prefetch.Reader.__init__

    def counted(self: Any, *args: Any) -> None:
        forked.append(1)
        start(self, *args)

    monkeypatch.setattr(prefetch.Reader, "__init__", counted)
    monkeypatch.setattr(prefetch, "BATCH", 2)
    monkeypatch.setattr(prefetch, "worth_it", lambda: True)  # one core: a reader all the same

    def summary(name: str, read_from: int) -> bytes:
        monkeypatch.setattr(prefetch, "READ_FROM", read_from)
        out = tmp_path / name
        res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
        assert res.exit_code == 0, res.output
        return out.read_bytes()

    here = summary("here.xlsx", 10**9)
    assert not forked
    there = summary("reader.xlsx", 0)
    assert len(forked) >= 4  # each collection's rows
    assert there == here


def test_consolidate__summary_fails__no_ledger_reader_left(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A summary that fails before it takes the rows read ahead stops their reader."""
    from tianbao.consolidate import consolidate, prefetch, workbook
    from tianbao.workspace import open_workspace

    readers: list[Any] = []
    start = prefetch.Reader.__init__

    def kept(self: Any, *args: Any) -> None:
        readers.append(self)
        start(self, *args)

    def fails(*args: Any) -> None:
        raise RuntimeError("主要指标 failed")

    monkeypatch.setattr(prefetch.Reader, "__init__", kept)
    monkeypatch.setattr(prefetch, "READ_FROM", 0)
    monkeypatch.setattr(prefetch, "worth_it", lambda: True)
    monkeypatch.setattr(workbook, "write_indicators", fails)
    with pytest.raises(RuntimeError, match="主要指标 failed"):
        consolidate(open_workspace(case.ws), PERIOD, tmp_path / "summary.xlsx")
    assert len(readers) == 1  # 重点项目's, started before the sheets
    assert not readers[0].proc.is_alive() and readers[0].conn.closed


def test_consolidate__collector_off_while_writing__on_again_after_a_failure_too(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cyclic garbage collector is off while the summary is written (in the main
    thread) and on again afterwards, whether the summary was written or failed."""
    import gc

    from tianbao.consolidate import consolidate, workbook
    from tianbao.workspace import open_workspace

    seen: list[bool] = []
    write = workbook.write_indicators

    def noted(*args: Any) -> None:
        seen.append(gc.isenabled())
        write(*args)

    def fails(*args: Any) -> None:
        seen.append(gc.isenabled())
        raise RuntimeError("主要指标 failed")

    assert gc.isenabled()
    monkeypatch.setattr(workbook, "write_indicators", noted)
    consolidate(open_workspace(case.ws), PERIOD, tmp_path / "summary.xlsx")
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(workbook, "write_indicators", fails)
    with pytest.raises(RuntimeError, match="主要指标 failed"):
        consolidate(open_workspace(case.ws), PERIOD, tmp_path / "failed.xlsx")
    assert seen == [False, False] and gc.isenabled()


def test_consolidate__ledger_reader_dies__a_fault_and_no_summary(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tianbao.consolidate import prefetch

    monkeypatch.setattr(prefetch, "READ_FROM", 0)
    monkeypatch.setattr(prefetch, "worth_it", lambda: True)
    monkeypatch.setattr(prefetch, "_read", lambda *args: os._exit(1))
    out = tmp_path / "summary.xlsx"
    res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
    assert res.exit_code == 3, res.output
    assert "读取台账的工作进程意外退出" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_consolidate__sources_worker_dies__a_fault_and_no_summary(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tianbao.consolidate import forked, sources

    monkeypatch.setattr(sources, "PARALLEL_FROM", 0)
    monkeypatch.setattr(sources, "worth_it", lambda: True)
    monkeypatch.setattr(forked, "_serve", lambda *args: os._exit(1))
    out = tmp_path / "summary.xlsx"
    res = tianbao(case.rs["RSJ"].runner, "consolidate", "-w", case.ws, "-p", PERIOD, "-o", out)
    assert res.exit_code == 3, res.output
    assert "写数据来源的工作进程意外退出" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_summary_sheet__shortcuts__write_what_xlsxwriter_writes(tmp_path: Path) -> None:
    """SummarySheet's shortcuts (whole rows at once, plain cells, plain formulas)
    give the bytes xlsxwriter's own code gives, whatever the text."""
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    from tianbao.consolidate.book import OPTIONS
    from tianbao.consolidate.rowwriter import SummarySheet, _plain

    plain: list[Any] = ["plain", "数据来源", "", "全角（）", 0, 1.5, -2, 1e20, 0.1 + 0.2, None]
    plain += [12345678901234567]
    tricky = [" lead", "trail ", "a&b", "x<y>", '"q"', "_x0041_", "tab\tin", "line\nbreak"]
    tricky += ["\x01ctl", "\ufffe", "\u3000全角", "长" * 20000, "nbsp\u00a0", "\u2028ls"]
    tricky += ["a\ue000 b"]  # the separator _plain_row joins texts with, then a space
    mixed = plain + tricky
    rows = [
        [
            (mixed if r % 3 == 0 else plain)[(r * 5 + c) % len(mixed if r % 3 == 0 else plain)]
            for c in range(12)
        ]
        for r in range(60)
    ]
    # and each tricky value alone among plain ones, four times: through every path
    rows += [[*plain[:5], t, *plain[5:11]] for t in tricky for _ in range(4)]
    assert sum(all(map(_plain, row)) for row in rows) > 30
    assert sum(not all(map(_plain, row)) for row in rows) > 10
    formulas = ["=SUM($A$1:$A$3)", '=IF(ISNUMBER(A1),A1-B1,"")', "=COUNTIF('表'!$B$5:$B$9,\"<>\")"]
    formulas += ["=SORT(A1:A3)", "=1+2", '=IF(COUNT(A1)=0,"",IF(B1<>0,C1/B1*100,""))']
    formulas += ['=SUMIFS(A1:A3,B1:B3,"<>")', "=SUMPRODUCT((A1:A3>0)*1)", "=NA()"]

    class Reference(Worksheet):  # the same calls, every cell through xlsxwriter's own code
        def write_plain_rows(self, first: int, rows: list[list[Any]], fmt: Any) -> None:
            for i, values in enumerate(rows):
                self.write_plain_row(first + i, values, fmt)

        def write_plain_row(self, row: int, values: list[Any], fmt: Any) -> None:
            for c, v in enumerate(values):
                if v is None:
                    self.write_blank(row, c, None, fmt)
                elif isinstance(v, str):
                    self.write_string(row, c, v, fmt)
                else:
                    self.write_number(row, c, v, fmt)

        def write_cells(self, row: int, cells: dict[int, Any]) -> None:
            for c, (kind, v, fmt, cached) in cells.items():
                if kind == "f":
                    self.write_formula(row, c, v, fmt, cached)
                elif kind == "b":
                    self.write_blank(row, c, None, fmt)
                elif kind == "s":
                    self.write_string(row, c, v, fmt)
                else:
                    self.write_number(row, c, v, fmt)

    def cells(r: int, row: list[Any], fmt: Any, other: Any) -> dict[int, Any]:
        """A buffered row: its values out of column order, two formulas among them."""
        out: dict[int, Any] = {}
        for c in (5, 0, 11, 3, 1, 2, 4, 6, 7, 8, 10):
            v = row[c]
            kind = "b" if v is None else "s" if isinstance(v, str) else "n"
            out[c] = (kind, v, other if c % 3 else fmt, 0)
        cached = ("", r / 3, r, 1e20, "甲 & <乙>（未报）", "#N/A", " ")[r // 4 % 7]
        out[9] = ("f", formulas[r // 4 % len(formulas)], fmt, cached)
        out[12] = ("f", '=IF(ISNUMBER(A1),A1-B1,"")', fmt, "")
        return out

    def build(cls: type) -> bytes:
        path = tmp_path / f"{cls.__name__}.xlsx"
        wb = xlsxwriter.Workbook(str(path), {**OPTIONS, "tmpdir": str(tmp_path)})
        wb.set_properties({"created": dt.datetime(2014, 7, 3)})
        fmt, other = wb.add_format({"border": 1}), wb.add_format({"bold": True})
        ws = wb.add_worksheet("表", worksheet_class=cls)
        ws.write_string(0, 0, "title", other)
        ws.set_row(1, 30)
        for r, row in enumerate(rows[1:], 1):
            if r % 4 == 1:
                ws.set_row(r, 12 + r)
                ws.write_cells(r, cells(r, row, fmt, other))
                continue
            if r % 4:
                ws.write_plain_row(r, row, fmt)
                continue
            for c, v in enumerate(row):
                if v is None:
                    ws.write_blank(r, c, None, fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v, other if c % 2 else fmt)
                else:
                    ws.write_number(r, c, v, fmt)
            ws.write_formula(r, 12, formulas[r // 4 % len(formulas)], fmt, "" if r % 8 else r / 2)
        # many rows at once: plain ones; some with tricky text; some with a row's height
        # set among them; a gap before the next
        r = len(rows)
        easy = [row for row in rows if all(map(_plain, row))]
        ws.write_plain_rows(r, easy[:20], fmt)
        ws.write_plain_rows(r + 20, rows[:9], fmt)
        ws.set_row(r + 35, 20)
        ws.write_plain_rows(r + 30, easy[:10], fmt)
        ws.write_plain_rows(r + 50, easy[10:20], other)
        wb.close()
        with zipfile.ZipFile(path) as zf:
            return zf.read("xl/worksheets/sheet1.xml")

    ours = build(SummarySheet)
    assert ours == build(Reference)
    assert "_xlfn._xlws.SORT(" in ours.decode("utf-8")


@pytest.mark.slow
def test_consolidate__synthetic_departments__totals_equal_the_ledger(tmp_path: Path) -> None:
    """Eleven synthetic departments, nine of them reporting: each department's and
    the district's project figures in the summary are the ledger's, summed."""
    from click.testing import CliRunner

    from tianbao.dev.simulate import plausible_fill
    from tianbao.dev.synthetic import make_synthetic_workspace
    from tianbao.plan.periods import Period
    from tianbao.template.content import build_content
    from tianbao.template.generate import file_name
    from tianbao.template.writer import write_workbook
    from tianbao.workspace import open_workspace

    ws_dir = make_synthetic_workspace(tmp_path / "ws", 11, 6)
    ws = open_workspace(ws_dir).require_ok()
    assert ws.plan is not None
    forms = [ws.forms[f] for f in ws.plan.form_ids]
    inbox = tmp_path / "in"
    inbox.mkdir()
    codes = list(ws.plan.departments)
    for code in codes[:9]:
        content = build_content(ws.plan, forms, code, Period.parse(PERIOD), ws.secret())
        name = file_name(Period.parse(PERIOD), code, content.department.name)
        write_workbook(content, inbox / name, fills=plausible_fill(content))
    runner = CliRunner()
    res = tianbao(runner, "collect", "-w", ws_dir, inbox, "--received-at", ON_TIME)
    assert res.exit_code == 0, res.output
    out = tmp_path / "summary.xlsx"
    res = tianbao(runner, "consolidate", "-w", ws_dir, "-p", PERIOD, "-o", out)
    assert res.exit_code == 0, res.output

    ytd: dict[str, Decimal] = defaultdict(Decimal)  # department -> sum of 本年累计
    for dept, value in sql(
        ws_dir,
        "SELECT s.department, c.value FROM cell_values c JOIN submissions s "
        "ON s.id = c.submission_id WHERE s.period = ? AND s.status LIKE 'accepted%' "
        "AND c.form = 'projects_progress' AND c.field = 'ytd_investment'",
        PERIOD,
    ):
        ytd[dept] += Decimal(str(json.loads(value)))
    assert len(ytd) == 9
    c = openpyxl.load_workbook(out, data_only=True)["重点项目"]
    total = find_row(c, 2, "合计（全部项目）")
    assert exact(c.cell(total, 12).value) == sum(ytd.values())
    name_of = {code: d.name for code, d in ws.plan.departments.items()}
    by_dept = {
        c.cell(r, 2).value: r
        for r in range(total, c.max_row + 1)
        if c.cell(r, 1).value == "责任单位"
    }
    assert set(by_dept) == {name_of[code] for code in codes}
    for code in codes:
        r = by_dept[name_of[code]]
        if code in ytd:
            assert exact(c.cell(r, 12).value) == ytd[code], code
        else:
            # nobody of the department reported: blank (never 0) and 未报
            assert c.cell(r, 12).value is None and c.cell(r, 17).value == "未报", code


# -- the rules, one by one ----------------------------------------------------------------
P = Decimal(50)


@pytest.mark.parametrize(
    ("actual", "level", "direction", "point", "rate", "state"),
    [
        ("55", "100", "min", False, "55", AHEAD),
        ("46", "100", "min", False, "46", ON_TRACK),
        ("44.9", "100", "min", False, "44.9", BEHIND),
        ("-3", "100", "min", False, "-3", BEHIND),  # negative actual: negative rate
        ("98", "100", "min", True, "98", ON_TRACK),  # point figures: benchmark 100
        ("3.0", "3.1", "max", True, None, WITHIN),  # ceiling: within, no ratio
        ("3.1", "3.1", "max", True, None, WITHIN),  # ceiling: at the limit
        ("3.2", "3.1", "max", True, None, OVER),  # ceiling: above
        ("0", "3.1", "max", True, None, WITHIN),
        ("0", "0", "min", False, None, ON_TRACK),  # zero target: reached
        ("-1", "0", "min", False, None, BEHIND),
        ("-4", "-10", "min", False, None, ON_TRACK),  # negative target, pro-rated -5
        ("-6", "-10", "min", False, None, BEHIND),
        ("5", None, None, True, None, NO_TARGET),  # given later
        (None, "100", "min", False, None, UNREPORTED),
    ],
)
def test_indicator_rate__rules(
    actual: str | None,
    level: str | None,
    direction: str | None,
    point: bool,
    rate: str | None,
    state: str,
) -> None:
    got = indicator_rate(
        Decimal(actual) if actual is not None else None,
        Decimal(level) if level is not None else None,
        direction,
        point,
        P,
    )
    assert got.status == state
    if direction == "max" and actual is not None:
        assert got.headroom == Decimal(level) - Decimal(actual)
    if rate is not None:
        assert got.rate == Decimal(rate)
    else:
        assert got.rate is None


@pytest.mark.parametrize(
    ("growth", "target", "state", "gap"),
    [
        ("12.0", "14", BELOW, "-2.0"),  # 社会消费品零售总额: +12 % against 增长14%以上
        ("6.5", "15", BELOW, "-8.5"),
        ("14", "14", REACHED, "0"),
        ("15.2", "14", REACHED, "1.2"),
        (None, "14", AHEAD, None),  # no growth figure: the level judgment stands
    ],
)
def test_growth_target__judged_by_growth(
    growth: str | None, target: str, state: str, gap: str | None
) -> None:
    level = indicator_rate(Decimal(60), Decimal(100), "min", False, P)  # 60 %: 超序时
    got = growth_judged(level, Decimal(growth) if growth else None, Decimal(target))
    assert got.status == state and got.rate == Decimal(60)  # the level completion stays
    assert got.growth_gap == (Decimal(gap) if gap else None)
    unreported = indicator_rate(None, Decimal(100), "min", False, P)
    assert growth_judged(unreported, Decimal(growth or 1), Decimal(target)).status == UNREPORTED


@pytest.mark.parametrize(
    ("deadline", "target", "done", "status", "state"),
    [
        ("2014-05-31", "10", "8", "推进中", OVERDUE),  # deadline passed, not done
        ("2014-06-30", "10", "8", "推进中", OVERDUE),  # due at the period's end
        ("2014-05-31", "10", "10", "已完成", AHEAD),  # done: 100 % against 50 %
        ("2014-12-31", "10", "4", "推进中", BEHIND),  # not due yet: judged by 序时进度
        ("2014-05-31", None, None, "推进中", OVERDUE),  # no numeric target: by its 状态
        ("2014-05-31", None, None, "已完成", NO_TARGET),
    ],
)
def test_task_deadline__overdue_when_passed_and_not_done(
    deadline: str, target: str | None, done: str | None, status: str, state: str
) -> None:
    t = Decimal(target) if target else None
    d_ = Decimal(done) if done else (Decimal(0) if t is None else None)
    rate = amount_rate(d_, t, P)
    values = {"ytd_done": float(done) if done else None, "status": status}
    got = overdue(rate, deadline, dt.date(2014, 6, 30), t, values)
    assert got.status == state
    assert overdue(amount_rate(None, t, P), deadline, dt.date(2014, 6, 30), t, {}).status == (
        UNREPORTED
    )


def test_amount_rate__projects() -> None:
    assert amount_rate(Decimal(30), Decimal(60), P).rate == Decimal(50)
    assert amount_rate(Decimal(30), Decimal(60), P).status == ON_TRACK
    assert amount_rate(Decimal(10), Decimal(0), P).status == NO_TARGET  # annual plan 0
    assert amount_rate(Decimal(10), Decimal(0), P).rate is None
    assert amount_rate(None, Decimal(60), P).status == UNREPORTED
    assert amount_rate(Decimal(60), Decimal(60), P).status == AHEAD


# -- LibreOffice: opens, recalculates to the same figures, renders ---------------------------
@pytest.mark.slow
def test_consolidate__libreoffice__recalculates_same_values_and_renders(
    case: Case, tmp_path: Path
) -> None:
    import lo

    (pdf,) = lo.to_pdf([case.summary], tmp_path / "pdf")
    assert pdf.stat().st_size > 10_000
    text = lo.pdf_text(pdf)
    assert "目标任务完成情况汇总" in text and "合计（全部项目）" in text
    assert _formula_cells_agree(case.summary, tmp_path) > 500
    if shutil.which("pdftoppm"):
        import subprocess

        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
        )
        assert list(tmp_path.glob("p*.png"))


def _formula_cells_agree(summary: Path, tmp_path: Path) -> int:
    """Every formula's cached value equals LibreOffice's recalculated one; the count."""
    import lo

    (again,) = lo.roundtrip([summary], tmp_path / "rt")
    formulas = openpyxl.load_workbook(summary)
    cached = openpyxl.load_workbook(summary, data_only=True)
    recalculated = openpyxl.load_workbook(again, data_only=True)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    ours = cached[ws.title][c.coordinate].value
                    theirs = recalculated[ws.title][c.coordinate].value
                    where = (ws.title, c.coordinate, c.value[:80], ours, theirs)
                    if isinstance(ours, (int, float)):
                        assert theirs == pytest.approx(ours, rel=1e-12, abs=1e-9), where
                    else:  # a blank stays blank: LibreOffice must not compute a 0 there
                        assert theirs in (ours, None, ""), where
                    checked += 1
    return checked


@pytest.mark.slow
def test_consolidate__month_with_no_returns__blank_not_zero_and_as_libreoffice_computes(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from helpers import SAMPLE

    runner = CliRunner()
    ws, out = tmp_path / "ws", tmp_path / "empty.xlsx"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    res = tianbao(runner, "consolidate", "-w", ws, "--period", "2014-03", "-o", out)
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out, data_only=True)
    liv = book["民生工程"]
    r = find_row(liv, 1, "合计")
    assert liv.cell(r, 5).value is None  # 本年累计: nobody reported, not 0
    assert liv.cell(r, 7).value is None and liv.cell(r, 10).value == "未报"
    prj = book["重点项目"]
    r = find_row(prj, 2, "合计（全部项目）")
    assert prj.cell(r, 12).value is None and prj.cell(r, 14).value is None
    tasks = book["重点任务"]
    groups = [r for r in range(HEAD, tasks.max_row + 1) if tasks.cell(r, 1).value == "关键词"]
    # every task 未报 (column 11), none done (column 4)
    assert groups and all(tasks.cell(r, 11).value == tasks.cell(r, 3).value for r in groups)
    assert all(tasks.cell(r, 4).value == 0 for r in groups)
    assert _formula_cells_agree(out, tmp_path) > 100


@pytest.mark.slow
def test_consolidate__paths_differing_only_in_case__one_subtotal_as_sumif_counts(
    tmp_path: Path,
) -> None:
    """SUMIF/COUNTIF ignore letter case: 路径一：PPP项目 and 路径一：ppp项目 are one group."""
    from click.testing import CliRunner

    from helpers import SAMPLE, write_yaml

    runner = CliRunner()
    ws, out = tmp_path / "ws", tmp_path / "paths.xlsx"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    data = read_yaml(ws / "plan.yaml")
    projects = data["projects"]
    projects[0]["path"], projects[1]["path"] = "路径九：PPP项目", "路径九：ppp项目"
    write_yaml(ws / "plan.yaml", data)
    res = tianbao(runner, "consolidate", "-w", ws, "--period", "2014-03", "-o", out)
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out, data_only=True)["重点项目"]
    rows = [
        r
        for r in range(HEAD, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "路径" and "路径九" in str(sheet.cell(r, 2).value)
    ]
    assert len(rows) == 1 and sheet.cell(rows[0], 3).value == 2
    from lo import lo_available

    if lo_available()[0] or os.environ.get("CI"):
        assert _formula_cells_agree(out, tmp_path) > 100


@pytest.mark.slow  # LibreOffice recalculates it: see pyproject's markers
def test_consolidate__task_keywords__case_blank_and_pattern_each_counted_once(
    tmp_path: Path,
) -> None:
    """重点任务's group lines: keywords differing only in case are one group (COUNTIF's
    way); a blank keyword and one Excel would read as a pattern are counted row by row."""
    from click.testing import CliRunner

    from helpers import SAMPLE, write_yaml

    runner = CliRunner()
    ws, out = tmp_path / "ws", tmp_path / "keywords.xlsx"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    data = read_yaml(ws / "plan.yaml")
    tasks = data["tasks"]
    tasks[0]["keyword"], tasks[1]["keyword"], tasks[2]["keyword"] = "PPP", "ppp", "*"
    tasks[3]["keyword"] = ""
    write_yaml(ws / "plan.yaml", data)
    res = tianbao(runner, "consolidate", "-w", ws, "--period", "2014-03", "-o", out)
    assert res.exit_code == 0, res.output
    sheet = openpyxl.load_workbook(out, data_only=True)["重点任务"]
    lines = {
        sheet.cell(r, 2).value: r for r in range(HEAD, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "关键词"
    }  # fmt: skip
    assert list(lines)[:3] == ["PPP", "*", "（无关键词）"]
    assert [sheet.cell(lines[k], 3).value for k in ("PPP", "*", "（无关键词）")] == [2, 1, 1]
    assert sum(sheet.cell(r, 3).value for r in lines.values()) == len(tasks)
    from lo import lo_available

    if lo_available()[0] or os.environ.get("CI"):
        assert _formula_cells_agree(out, tmp_path) > 100


def test_consolidate__charts__categories_from_the_hidden_label_column_are_plotted(
    case: Case,
) -> None:
    """Excel and LibreOffice skip hidden cells unless the chart says otherwise: without
    plotVisOnly="1" (xlsxwriter leaves it out for show_hidden_data) the indicator chart,
    whose categories are a hidden column, renders empty."""
    import zipfile

    with zipfile.ZipFile(case.summary) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert charts and not any('<c:plotVisOnly val="1"/>' in x for x in charts)
    sheet = openpyxl.load_workbook(case.summary)["主要指标"]
    letter = openpyxl.utils.get_column_letter(IND_STATUS + 2)
    assert sheet.column_dimensions[letter].hidden
    assert any(f"'主要指标'!${letter}$" in x for x in charts)


def test_consolidate__few_bars__each_chart_points_at_its_own_sheet(case: Case) -> None:
    """A district of a few indicators and departments draws every bar, straight from its
    sheet's rows (the projects' names from column B); only a big one's chart points at
    总览's hidden copy of the rows it picked, and says so in its title."""
    import zipfile

    with zipfile.ZipFile(case.summary) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    bars = [x for x in charts if "<c:barChart>" in x]
    assert len(bars) == 3
    assert not any("'总览'!" in x or "完成率最低" in x for x in bars)
    assert sum("'重点项目'!$B$" in x for x in bars) == 2


def test_dashboard__investment_in_yi_yuan_from_the_detail_totals(books: tuple[Any, Any]) -> None:
    """总览 reads 亿元: each figure is its detail sheet's 万元 total ÷ 10,000, a blank stays
    blank (the formula says so too)."""
    formulas, cached = books
    f, c = formulas["总览"], cached["总览"]
    title, col = find_cell(c, "投资完成情况（亿元）")
    checked = 0
    for r in range(title + 2, title + 5):
        for j in (col + 1, col + 2, col + 4):  # 总投资, 年度计划, 本年累计
            formula = f.cell(r, j).value
            if formula is None:
                continue
            m = re.fullmatch(r"=IF\(ISNUMBER\(('[^']+'!\$?[A-Z]+\$?[0-9]+)\),\1/10000,\"\"\)",
                             formula)  # fmt: skip
            assert m, formula
            sheet, ref = m.group(1).split("!")
            detail = cached[sheet.strip("'")][ref.replace("$", "")].value
            got = c.cell(r, j).value
            if detail is None:
                assert got in (None, ""), (r, j)
            else:
                assert got == pytest.approx(float(detail) / 10_000), (r, j)
                checked += 1
    assert checked >= 6


# -- 总览, the leader's page ----------------------------------------------------------------
def test_dashboard__each_main_indicator_from_its_row_on_the_detail_sheet(
    books: tuple[Any, Any], plan: dict
) -> None:
    """Value, growth, target, rate and status of every main indicator on page 1, each a
    reference to its 主要指标 cell with the same cached value (blank stays blank)."""
    formulas, cached = books
    f, c, detail = formulas["总览"], cached["总览"], cached["主要指标"]
    at = rows_by_first_col(detail)
    top, left = find_cell(c, "主要指标完成情况")
    heads = [c.cell(top + 1, left + j).value for j in range(7)]
    assert heads[0] == "指标" and heads[3] == "同比增长(%)" and heads[-1] == "状态"
    for i, ind in enumerate(plan["indicators"]):
        r, src = top + 2 + i, at[ind["code"]]
        assert c.cell(r, left).value == ind["name"]["zh"]
        for j, there in ((2, 10), (3, 12), (5, IND_STATUS - 3)):
            want = detail.cell(src, there).value
            got = c.cell(r, left + j).value
            assert got in (None, "") if want is None else got == pytest.approx(want, rel=1e-12)
            ref = f"'主要指标'!{openpyxl.utils.get_column_letter(there)}{src}"
            assert ref in f.cell(r, left + j).value
        assert c.cell(r, left + 6).value == detail.cell(src, IND_STATUS).value
        assert "≈" not in (c.cell(r, left + 4).value or "")  # the level it implies: detail


def test_dashboard__overdue_milestones_in_red(
    books: tuple[Any, Any], plan: dict, values: dict[tuple[str, str, str], Any]
) -> None:
    """A start milestone past due is overdue while the project is not 在建/竣工 and has no
    start date; a finish milestone while it is not 竣工; a project unreported is not judged."""
    _, cached = books
    c, detail = cached["总览"], cached["重点项目"]
    late = []
    for p in plan["projects"]:
        state = values.get(("projects_progress", p["id"], "status"))
        started = values.get(("projects_progress", p["id"], "actual_start"))
        if state is None and ("projects_progress", p["id"], "ytd_investment") not in values:
            continue
        for m in p.get("milestones") or []:
            if m["due"] > "2014-06-30":
                continue
            if ("开工" in m["text"] and state not in ("在建", "竣工") and not started) or (
                m["text"] in ("竣工", "大修工程完工") and state != "竣工"
            ):
                late.append(p["id"])
    assert late, "the case has overdue milestones"
    r, left = find_cell(c, f"逾期未完成的节点目标（{len(late)} 个）")
    listed = [str(c.cell(r + 1 + i, left).value) for i in range(min(len(late), 8))]
    assert [x.split(" ")[0] for x in listed] == sorted(
        late, key=[p["id"] for p in plan["projects"]].index
    )[:8]
    assert all(
        c.cell(r + 1 + i, left).font.color.rgb.endswith("C00000") for i in range(len(listed))
    )
    at = rows_by_first_col(detail)
    for pid in late:  # and red on 重点项目's 节点目标 too
        assert detail.cell(at[pid], 20).font.color.rgb.endswith("C00000"), pid


def test_dashboard__page_one_is_measured_and_the_charts_follow(books: tuple[Any, Any]) -> None:
    formulas, _ = books
    dash = formulas["总览"]
    assert dash.page_setup.orientation == "landscape" and 70 <= int(dash.page_setup.scale) <= 100
    assert not dash.sheet_properties.pageSetUpPr.fitToPage
    breaks = [b.id for b in dash.row_breaks.brk]
    last = max(r for r in range(1, dash.max_row + 1) if any(
        dash.cell(r, j).value is not None for j in range(1, dash.max_column + 1)))  # fmt: skip
    assert breaks and breaks[0] >= last  # page 1 ends after the tables, charts after it


def test_charts__benchmark_a_tick_on_each_bar_not_a_line(case: Case) -> None:
    with zipfile.ZipFile(case.summary) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    bars = [x for x in charts if "<c:barChart>" in x]
    assert len(bars) >= 3  # indicators, by category, by department
    for xml in bars:
        line = xml[xml.index("<c:lineChart>") :]
        assert '<c:symbol val="dash"/>' in line
        assert "<a:ln><a:noFill/></a:ln>" in line.replace(" ", "")


def test_no_sheet_worker_is_forked_from_a_request_thread(monkeypatch) -> None:
    """tianbao serve makes a summary in a request's thread: written there serially."""
    import threading

    from tianbao.consolidate import forked

    monkeypatch.setattr(forked, "cores", lambda: 2)
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(forked.worth_it()))
    thread.start()
    thread.join()
    assert seen == [False]
    assert forked.worth_it() is forked.can_fork()  # the main thread may
