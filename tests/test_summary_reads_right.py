"""The summary reads right on its own, every figure traceable over months (issue 30,
items 3 and 5), on the demo. Each figure or label is recomputed from the ledger's rows
(SQL on its tables) and the archived return workbooks (openpyxl), never through
tianbao's own reading of them:

* 总览's investment: the plan of the projects that reported beside the year's plan, so
  the printed figures divide to the printed rate; rate and status refer to the detail
  row, 「·已报 n/m」 and all;
* 趋势 marks a month a department's return does not count for (sent back, rejected,
  missing), in its label and a note line;
* a quarter's or half-year's flows name every month's return in 数据来源 and the CSV;
* a correction that makes Σ months ≠ 本年累计 is noted beside the figure.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import find_cell, read_yaml, tianbao
from tianbao.ledger.sqlite import ledger_path

pytestmark = pytest.mark.slow  # see pyproject's markers

MONTHS = {"2014-Q2": (4, 5, 6), "2014-H1": (1, 2, 3, 4, 5, 6)}
FLOW_COLUMN = {"主要指标": "I", "重点项目": "K"}  # 本季（各月合计）... on each detail sheet
SUMMED = {  # collection -> (form, key field in the plan, flow field, year-to-date field)
    "indicators": ("indicators_monthly", "code", "month_value", "ytd"),
    "projects": ("projects_progress", "id", "month_investment", "ytd_investment"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("demo") / "run") / "workspace"


@pytest.fixture(scope="module")
def changed(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo after the office sent ZJJ's May return back and FGW corrected May's
    全社会固定资产投资 (本月 and 本年累计 one higher) in July."""
    ws = tmp_path_factory.mktemp("changed") / "workspace"
    shutil.copytree(demo, ws)
    runner = CliRunner()
    res = tianbao(runner, "review", "return", "-w", ws, "-p", "2014-05", "--dept", "ZJJ",
                  "--reason", "数字有误", "--by", "张三")  # fmt: skip
    assert res.exit_code == 0, res.output
    (sid, archived) = counting(ws, 5)["FGW"][:2]
    at = {f: (s, c) for f, s, c in sql(ws, "SELECT field, sheet, cell FROM cell_values WHERE "
          "submission_id = ? AND row_key = 'FAI'", sid)}  # fmt: skip
    wb = openpyxl.load_workbook(ws / archived)
    month, ytd, last_year, yoy = (wb[at[f][0]][at[f][1]] for f in
                                  ("month_value", "ytd", "ytd_last_year", "yoy_pct"))  # fmt: skip
    month.value, ytd.value = month.value + 1, ytd.value + 1
    yoy.value = round((ytd.value / last_year.value - 1) * 100, 1)  # as the rules want
    fixed = tmp_path_factory.mktemp("fixed") / Path(archived).name
    wb.save(fixed)
    res = tianbao(runner, "collect", "-w", ws, fixed, "--corrections",
                  "--received-at", "2014-07-21T09:00")  # fmt: skip
    assert res.exit_code == 0, res.output
    return ws


# -- the ledger, read with SQL -------------------------------------------------------------
def sql(ws: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ledger_path(ws)) as conn:
        return conn.execute(query, params).fetchall()


def counting(ws: Path, month: int) -> dict[str, tuple[int, str, str, int]]:
    """department -> (id, archive path, sha256, correction) of the return that counts for
    2014-MM: the newest accepted one not sent back (or a rejected one forced through)."""
    decided = dict(sql(ws, "SELECT submission_id, action FROM reviews ORDER BY id"))
    rows = sql(ws, "SELECT department, id, archive_path, sha256, correction, status FROM "
               "submissions WHERE period = ? ORDER BY received_at, id",
               f"2014-{month:02d}")  # fmt: skip
    out: dict[str, tuple[int, str, str, int]] = {}
    for dept, sid, path, sha, correction, state in rows:
        review = decided.get(sid, "")
        if (state in ("accepted", "accepted_with_warnings") and review != "returned") or (
            state == "rejected" and review == "forced"
        ):
            out[dept] = (sid, path, sha, correction)
    return out


def why_not(ws: Path, dept: str, month: int) -> str:
    """Why a department's return does not count that month: 退回, 未通过 or 未报."""
    rows = sql(ws, "SELECT s.status, r.action FROM submissions s LEFT JOIN reviews r ON "
               "r.submission_id = s.id WHERE s.department = ? AND s.period = ?",
               dept, f"2014-{month:02d}")  # fmt: skip
    marks = {x for row in rows for x in row}
    return "退回" if "returned" in marks else "未通过" if "rejected" in marks else "未报"


def figure(ws: Path, sid: int, form: str, key: str, field: str) -> Decimal | None:
    found = sql(ws, "SELECT value FROM cell_values WHERE submission_id = ? AND form = ? "
                "AND row_key = ? AND field = ?", sid, form, key, field)  # fmt: skip
    if not found or found[0][0] in ("null", ""):
        return None
    value = found[0][0]
    return Decimal(value) if re.fullmatch(r"-?[0-9.eE+-]+", value) else None


def summarise(ws: Path, period: str, out: Path, *more: str | Path) -> None:
    res = tianbao(CliRunner(), "consolidate", "-w", ws, "-p", period, "-o", out, *more)
    assert res.exit_code == 0, res.output


# -- 总览 ----------------------------------------------------------------------------------
def test_dashboard__investment_figures_divide_to_the_rate__status_refers_to_the_detail_row(
    demo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "june.xlsx"
    summarise(demo, "2014-06", out)
    formulas, cached = (openpyxl.load_workbook(out, data_only=x) for x in (False, True))
    plan, june = read_yaml(demo / "plan.yaml"), counting(demo, 6)
    top, col = find_cell(cached["总览"], "投资完成情况（亿元）")
    heads = [cached["总览"].cell(top + 1, col + j).value for j in range(8)]
    assert heads == ["项目", "总投资", "年度计划", "已报项目计划", "本年累计", "完成率(%)",
                     "序时进度(%)", "状态"]  # fmt: skip
    groups = (
        ("重点项目（新建、续建）", "projects_progress", "annual_plan",
         [p for p in plan["projects"] if p.get("key")]),
        ("全部项目", "projects_progress", "annual_plan", plan["projects"]),
        ("民生工程", "livelihood_progress", "budget", plan["livelihood"]),
    )  # fmt: skip
    incomplete = 0
    for i, (name, form, plan_field, members) in enumerate(groups):
        r = top + 2 + i
        line = [cached["总览"].cell(r, col + j).value for j in range(8)]
        assert line[0] == name
        whole, judged, done, n = Decimal(0), Decimal(0), Decimal(0), 0
        for p in members:
            planned = Decimal(str(p.get(plan_field) or 0))
            whole += planned
            sub = june.get(p["department"])
            ytd = None if sub is None else figure(demo, sub[0], form, p["id"], "ytd_investment")
            if ytd is not None:
                judged, done, n = judged + planned, done + ytd, n + 1
        assert line[2] == pytest.approx(float(whole / 10_000)), name
        assert line[3] == pytest.approx(float(judged / 10_000)), name
        assert line[4] == pytest.approx(float(done / 10_000)), name
        assert line[5] == pytest.approx(float(done / judged * 100)), name
        # as printed (亿元 to 2 decimals, the rate to 1): the figures divide to the rate,
        # within what the rounding of each can move it
        a, b = round(line[4], 2), round(line[3], 2)
        slack = 100 * 0.005 * (1 / b + a / b**2) + 0.05
        assert abs(a / b * 100 - round(line[5], 1)) <= slack, name
        assert abs(a / round(line[2], 2) * 100 - line[5]) > slack or n == len(members), name
        # rate and status: references to the detail row, which says ·已报 n/m too
        for j, what in ((5, "rate"), (7, "status")):
            ref = formulas["总览"].cell(r, col + j).value
            m = re.fullmatch(r"='([^']+)'!([A-Z]+[0-9]+)", ref)
            assert m, (name, what, ref)
            assert cached[m.group(1)][m.group(2)].value == line[j], (name, what)
        if n < len(members):
            assert line[7].endswith(f"·已报{n}/{len(members)}"), (name, line[7])
            incomplete += 1
        else:
            assert "已报" not in line[7]
    assert incomplete >= 1  # WLQ and TJJ missing in June: the key projects are short


# -- 趋势 ----------------------------------------------------------------------------------
def test_trend__a_month_lacking_departments_is_marked(changed: Path, tmp_path: Path) -> None:
    out = tmp_path / "june.xlsx"
    summarise(changed, "2014-06", out)
    trend = openpyxl.load_workbook(out, data_only=True)["趋势"]
    plan = read_yaml(changed / "plan.yaml")
    expected = {
        it["department"]
        for c in ("indicators", "projects", "livelihood", "tasks")
        for it in plan.get(c) or []
    }
    head = [c.value for c in trend[4]][4:]
    notes = [str(r[1]) for r in trend.iter_rows(values_only=True) if r[1] and "月：缺 " in r[1]]
    lacking = {}
    for m in range(1, 7):
        missing = sorted(expected - set(counting(changed, m)))
        lacking[m] = {d: why_not(changed, d, m) for d in missing}
        assert head[m - 1] == f"{m}月" + (f"（缺{len(missing)}）" if missing else ""), m
        line = [x for x in notes if x.startswith(f"{m}月：缺 ")]
        if not missing:
            assert line == [], m
            continue
        (text,) = line
        for d in missing:
            assert re.search(rf"{d} [^（]*（{lacking[m][d]}）", text), (m, d, text)
    assert lacking[5] == {"ZJJ": "退回"}  # the return the office sent back
    assert lacking[6] == {"TJJ": "未通过", "WLQ": "未报"}


# -- provenance over months ----------------------------------------------------------------
@pytest.mark.parametrize("period", ["2014-Q2", "2014-H1"])
def test_period__every_months_return_of_a_summed_flow_is_named(
    changed: Path, tmp_path: Path, period: str
) -> None:
    out, long = tmp_path / "summary.xlsx", tmp_path / "long.csv"
    summarise(changed, period, out, "--csv", long)
    months = MONTHS[period]
    by_month = {m: counting(changed, m) for m in months}
    plan = read_yaml(changed / "plan.yaml")
    # recomputed: which (department, month, submission) each summed flow comes from
    want: dict[tuple[str, str], set[tuple[str, str, int]]] = {}
    for collection, (form, key, flow, _) in SUMMED.items():
        for it in plan[collection]:
            point = it.get("accumulation") == "point"  # the last month's, never summed
            parts = set()
            for m in months[-1:] if point else months:
                sub = by_month[m].get(it["department"])
                if sub is None or figure(changed, sub[0], form, it[key], flow) is None:
                    break
                parts.add((it["department"], f"2014-{m:02d}", sub[0]))
            else:
                want[(form, it[key])] = parts
    assert len(want) > 20
    book = openpyxl.load_workbook(out, data_only=True)
    got: dict[tuple[str, str], set[tuple[str, str, int]]] = {}
    archives: dict[int, Any] = {}
    paths = {s[0]: (s[1], s[2]) for subs in by_month.values() for s in subs.values()}
    # the return of a figure is in 来源报表, by 登记编号; its form and row in the ledger
    returns = {r[0]: r for r in book["来源报表"].iter_rows(min_row=5, values_only=True)}
    for row in book["数据来源"].iter_rows(min_row=5, values_only=True):
        sheet, where, _, _, _, value, sid, dept, osheet, ocell = row
        if sheet not in FLOW_COLUMN or not where.startswith(FLOW_COLUMN[sheet]):
            continue
        _, rdept, _, _, month, _, sha = returns[sid]
        assert rdept == dept
        ((form, key),) = sql(changed, "SELECT form, row_key FROM cell_values WHERE submission_id"
                             " = ? AND sheet = ? AND cell = ?", sid, osheet, ocell)  # fmt: skip
        got.setdefault((form, key), set()).add((dept, month, sid))
        path, want_sha = paths[sid]
        assert sha == want_sha == hashlib.sha256((changed / path).read_bytes()).hexdigest()
        if sid not in archives:
            archives[sid] = openpyxl.load_workbook(changed / path, data_only=True)
        assert archives[sid][osheet][ocell].value == pytest.approx(value), (sid, osheet, ocell)
    assert got == want
    # the long CSV: every value of every month's counting return, each with its month
    with long.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    named = {(t["period"], t["department"], int(t["submission_id"]), t["sha256"]) for t in table}
    returns = {
        (f"2014-{m:02d}", dept, sub[0], sub[2]) for m, subs in by_month.items()
        for dept, sub in subs.items()
    }  # fmt: skip
    assert named == returns
    ids = sorted({sid for _, _, sid, _ in returns})
    marks = ",".join("?" * len(ids))
    (n,) = sql(changed, f"SELECT count(*) FROM cell_values WHERE submission_id IN ({marks})", *ids)
    assert len(table) == n[0]


def test_correction__months_that_do_not_add_up_to_the_year_to_date__noted(
    changed: Path, tmp_path: Path
) -> None:
    (fixed,) = [s for s in counting(changed, 5).values() if s[3]]  # FGW's May correction
    for period in MONTHS:
        out = tmp_path / f"{period}.xlsx"
        summarise(changed, period, out)
        months = MONTHS[period]
        by_month = {m: counting(changed, m) for m in (months[0] - 1, *months) if m}
        plan = read_yaml(changed / "plan.yaml")
        book = openpyxl.load_workbook(out)
        noted = 0
        for collection, sheet in (("indicators", "主要指标"), ("projects", "重点项目")):
            form, key, flow, ytd_field = SUMMED[collection]
            rows = {r[0].value: r for r in book[sheet].iter_rows(min_row=5) if r[0].value}
            for it in plan[collection]:
                if it.get("accumulation") == "point":
                    continue
                dept, code = it["department"], it[key]

                def at(
                    m: int, field: str, dept: str = dept, code: str = code, form: str = form
                ) -> Any:
                    sub = by_month[m].get(dept)  # noqa: B023 - the period's, read at once
                    return None if sub is None else figure(changed, sub[0], form, code, field)

                parts = [at(m, flow) for m in months]
                ytd = at(months[-1], ytd_field)
                base = at(months[0] - 1, ytd_field) if months[0] > 1 else Decimal(0)
                comment = rows[code][ord(FLOW_COLUMN[sheet]) - ord("A")].comment
                if None in parts or ytd is None or base is None:
                    assert comment is None, (period, code)
                    continue
                total = sum(parts, Decimal(0))
                if total == ytd - base:
                    assert comment is None, (period, code)
                    continue
                noted += 1
                assert comment is not None, (period, code)
                text = comment.text
                shown = re.match(r"各月合计 (\S+) 与本年累计", text)
                assert shown and Decimal(shown.group(1)) == total, text
                assert str(ytd - base) in text or f"{ytd - base:f}".rstrip("0") in text, text
                assert text.endswith(f"：5月报表已更正（#{fixed[0]}）"), text
        assert noted == 1, period  # FGW's 全社会固定资产投资, and nothing else
        again = tmp_path / f"again-{period}.xlsx"
        summarise(changed, period, again)
        assert again.read_bytes() == out.read_bytes()  # notes and all: the same bytes
