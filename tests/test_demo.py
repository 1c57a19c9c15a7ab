"""tianbao demo: the whole cycle on the sample, checked through its ledger and outputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from helpers import facts_of, read_yaml, tianbao
from tianbao.ledger.db import Ledger
from tianbao.ledger.status import status
from tianbao.plan.periods import Period
from tianbao.workspace import open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("demo") / "run")


@pytest.mark.slow
def test_demo__outputs_written(demo: Path) -> None:
    out = demo / "outputs"
    assert (out / "status-2014-06.xlsx").is_file()
    assert (out / "validation-2014-06.xlsx").is_file()
    assert len(list((demo / "templates" / "2014-06").glob("*.xlsx"))) == 15


def test_demo__rejected_never_counted_and_resubmission_replaces(demo: Path) -> None:
    ws = demo / "workspace"
    with Ledger(ws) as ledger:
        for period in ("2014-03", "2014-04", "2014-05", "2014-06"):
            latest = ledger.latest_accepted(period)
            assert all(s.status in ("accepted", "accepted_with_warnings") for s in latest)
        june = {s.department: s for s in ledger.latest_accepted("2014-06")}
        assert "TJJ" not in june and "WLQ" not in june  # rejected, missing
        assert june["ZJJ"].status == "accepted_with_warnings"
        march = [s for s in ledger.history(department="RSJ", period="2014-03")]
        assert sorted(s.status for s in march) == ["accepted", "rejected"]


def test_demo__status_of_june(demo: Path) -> None:
    ws = open_workspace(demo / "workspace")
    report = status(ws, "2014-06", as_of=dt.date(2014, 7, 12))
    chase = {c.department: c.reason for c in report.chase}
    assert chase == {"TJJ": "rejected", "WLQ": "missing"}
    states = {d.code: {f.state for f in d.forms} for d in report.departments}
    assert states["GYY"] == {"late"}
    assert states["FGW"] == {"on_time"}


def test_demo__summary_figures_recomputed_from_the_archive(demo: Path) -> None:
    """The demo's summary against an independent reading of the accepted returns
    (ledger values checked against the archived files): the same checks as
    tests/test_consolidate.py, on the whole sample."""
    import openpyxl

    import test_consolidate as tc

    ws = demo / "workspace"
    summary = demo / "outputs" / "summary-2014-06.xlsx"
    books = (
        openpyxl.load_workbook(summary, data_only=False),
        openpyxl.load_workbook(summary, data_only=True),
    )
    values = tc.returned(ws)
    plan = tc.read_yaml(tc.SAMPLE_PLAN)
    case = tc.Case(demo, ws, {}, summary, demo / "outputs" / "long-2014-06.csv", 0, 0)
    tc.test_consolidate__project_rows_and_totals__equal_the_accepted_returns(
        case, books, values, plan
    )
    tc.test_consolidate__livelihood_and_task_totals(books, values, plan)
    tc.test_consolidate__indicator_rows__actual_rate_status(books, values, plan)
    dash = books[1]["总览"]
    reported = facts_of(dash)["已报单位（已受理）"]
    assert reported == len(tc.accepted(ws)) == 13  # 15 less TJJ (rejected) and WLQ (missing)
    tc.test_consolidate__data_sources__every_figure_traced_to_its_cell(case, books)
    with Ledger(ws) as ledger:
        rejected = {
            s.department for s in ledger.history(period="2014-06") if s.status == "rejected"
        }
    assert "TJJ" in rejected
    sheet = books[1]["主要指标"]
    gdp = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "GDP")
    assert "未报" in gdp  # TJJ's rejected June return is not counted


def test_demo__validate_and_collect_give_each_file_the_same_findings(demo: Path) -> None:
    """validate takes each department's previous return from the ledger, as collect
    did: a folder pre-checked by the office gets the verdicts collect will give."""
    import json

    from click.testing import CliRunner

    ws = demo / "workspace"
    res = tianbao(CliRunner(), "validate", "-w", ws, demo / "returns" / "2014-06", "--json")
    checked = json.loads(res.stdout)["files"]
    with Ledger(ws) as ledger:
        recorded = {s.sha256: s.report for s in ledger.history(period="2014-06")}

    def key(findings: list[dict]) -> list[tuple]:
        return [(f["code"], f["sheet"], f["cell"], f["rule"], f["message"]) for f in findings]

    compared = 0
    for f in checked:
        if f["sha256"] in recorded:
            assert key(f["findings"]) == key(recorded[f["sha256"]]["findings"]), f["path"]
            compared += 1
    assert compared >= 10
    assert not any(
        x["code"] == "RULE_NO_PREVIOUS" for f in checked for x in f["findings"]
    )  # every department had a May return in the ledger


def test_demo__quarter_summary_from_its_last_month_with_the_months_beside(
    demo: Path, tmp_path: Path
) -> None:
    import openpyxl
    from click.testing import CliRunner

    ws, runner = demo / "workspace", CliRunner()
    out = tmp_path / "q2.xlsx"
    res = tianbao(runner, "consolidate", "-w", ws, "-p", "2014-Q2", "-o", out)
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out, data_only=True)
    dash = book["总览"]
    facts = facts_of(dash)
    assert facts["报告期"].startswith("2014年第二季度") and "2014年6月" in facts["报告期"]
    trend = book["趋势"]
    rows = {r[0]: r for r in trend.iter_rows(min_row=5, values_only=True) if r[0]}
    with Ledger(ws) as ledger:
        for month in range(1, 7):
            counting = {s.department: s for s in ledger.latest_accepted(f"2014-{month:02d}")}
            fgw = counting.get("FGW")  # FAI, year to date, answered by FGW in the sample
            got = rows["FAI"][3 + month]
            if fgw is None:
                assert got is None
                continue
            want = next(
                v.value
                for v in ledger.values(fgw.id)
                if v.form == "indicators_monthly" and v.row_key == "FAI" and v.field == "ytd"
            )
            assert got == want, month
    # January's own summary has no months to show; a period beyond the year's is refused
    jan = tmp_path / "jan.xlsx"
    assert tianbao(runner, "consolidate", "-w", ws, "-p", "2014-01", "-o", jan).exit_code == 0
    assert "趋势" not in openpyxl.load_workbook(jan).sheetnames
    bad = tianbao(runner, "consolidate", "-w", ws, "-p", "2014-Q5", "-o", jan)
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_demo__june_summary_has_the_months_and_their_rate_lines(demo: Path) -> None:
    """趋势 of June: 1–6月; the key projects' year-to-date investment of each month is the
    sum over that month's counting returns, its rate over the plan of the projects that
    reported; the line charts on 总览 draw the 趋势 rows against 序时进度."""
    import zipfile

    import openpyxl

    ws = demo / "workspace"
    summary = demo / "outputs" / "summary-2014-06.xlsx"
    trend = openpyxl.load_workbook(summary, data_only=True)["趋势"]
    head = [c.value for c in trend[4]]
    # June lacks TJJ (rejected) and WLQ (missing): its label says so
    assert head[4:] == [f"{m}月" for m in range(1, 6)] + ["6月（缺2）"]
    rows = {r[1]: r for r in trend.iter_rows(min_row=5, values_only=True) if r[1]}
    plan = read_yaml(ws / "plan.yaml")
    key = [p for p in plan["projects"] if p.get("key")]
    assert key
    with Ledger(ws) as ledger:
        for month in range(1, 7):
            counting = {s.department: s for s in ledger.latest_accepted(f"2014-{month:02d}")}
            done, planned = Decimal(0), Decimal(0)
            for p in key:
                sub = counting.get(p["department"])
                if sub is None:
                    continue
                mine = ("projects_progress", p["id"], "ytd_investment")
                ytd = next((v.value for v in ledger.values(sub.id)
                            if (v.form, v.row_key, v.field) == mine), None)  # fmt: skip
                if ytd is not None:
                    done += Decimal(str(ytd))
                    planned += Decimal(str(p["annual_plan"]))
            got = rows["重点项目（新建、续建）本年累计完成投资"][3 + month]
            rate = rows["重点项目（新建、续建）投资完成率(%)"][3 + month]
            assert got == pytest.approx(float(done)), month
            assert rate == pytest.approx(float(done / planned * 100)), month
            assert rows["序时进度(%)"][3 + month] == pytest.approx(month * 100 / 12)
    with zipfile.ZipFile(summary) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/")]
    lines = [x for x in charts if "<c:lineChart>" in x and "'趋势'!" in x]
    assert len(lines) == 2  # the indicators' and the investment's rate paths


@pytest.mark.parametrize(("period", "months"), [("2014-Q2", (4, 5, 6)), ("2014-H1", range(1, 7))])
def test_demo__quarter_and_half_year_figures_by_their_kind(
    demo: Path, tmp_path: Path, period: str, months: Any
) -> None:
    """From the monthly returns (docs/completion-rate.md): a monthly flow (本月, 本月完成投资)
    is the sum over the period's months, a year-to-date figure and a point-in-time one
    are the last month's; 报送情况 says which months each department's return counts for."""
    import openpyxl
    from click.testing import CliRunner

    ws = demo / "workspace"
    out = tmp_path / f"{period}.xlsx"
    assert tianbao(CliRunner(), "consolidate", "-w", ws, "-p", period, "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out, data_only=True)
    plan = read_yaml(ws / "plan.yaml")
    with Ledger(ws) as ledger:
        counting = {
            m: {s.department: s for s in ledger.latest_accepted(f"2014-{m:02d}")} for m in months
        }

        def figure(m: int, dept: str, form: str, key: str, field: str) -> Any:
            sub = counting[m].get(dept)
            if sub is None:
                return None
            want = (form, key, field)
            return next((v.value for v in ledger.values(sub.id)
                         if (v.form, v.row_key, v.field) == want), None)  # fmt: skip

        def summed(dept: str, form: str, key: str, field: str) -> float | None:
            got = [figure(m, dept, form, key, field) for m in months]
            if any(x is None for x in got):
                return None  # a month short: blank, never a partial total
            return float(sum(Decimal(str(x)) for x in got))

        sheet = book["主要指标"]
        head = [c.value for c in sheet[4]]
        assert head[8] == ("本季（各月合计）" if period.endswith("Q2") else "本半年（各月合计）")
        rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
        checked = 0
        for ind in plan["indicators"]:
            row, dept = rows[ind["code"]], ind["department"]
            point = ind["accumulation"] == "point"
            if point:
                want = figure(months[-1], dept, "indicators_monthly", ind["code"], "month_value")
            else:
                want = summed(dept, "indicators_monthly", ind["code"], "month_value")
            assert row[8] == (None if want is None else pytest.approx(want)), ind["code"]
            last = figure(months[-1], dept, "indicators_monthly", ind["code"],
                          "month_value" if point else "ytd")  # fmt: skip
            assert row[9] == last, ind["code"]
            checked += want is not None
        assert checked >= 5
        projects = {r[0]: r for r in book["重点项目"].iter_rows(min_row=5, values_only=True)}
        for p in plan["projects"][:40]:
            want = summed(p["department"], "projects_progress", p["id"], "month_investment")
            got = projects[p["id"]][10]
            assert got == (None if want is None else pytest.approx(want)), p["id"]
    status = [r for r in book["报送情况"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert all(r[11] for r in status)
    wlq = [r for r in status if r[0] == "WLQ"]  # never reported in June
    assert wlq and all("缺6月" in r[11] for r in wlq)
    gdp = rows["GDP"]  # TJJ's June return rejected: no 本季, no 本年累计
    assert gdp[8] is None and gdp[9] is None


@pytest.mark.parametrize("period", ["2014-06", "2014-Q2"])
def test_demo__consolidate_reads_each_value_once(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, period: str
) -> None:
    """One consolidate decodes each recorded value of a return at most once: the detail
    sheets, the period's flows and 趋势 share one read (they used to read the summary's
    month twice). Every ledger read that decodes values is counted."""
    from collections import Counter

    from click.testing import CliRunner

    decoded: Counter[tuple[int, str, str, str]] = Counter()
    row_values, field_values, values = Ledger.row_values, Ledger.field_values, Ledger.values

    def counted_rows(self: Ledger, rows: Any) -> Any:
        rows = list(rows)
        for (sid, form, key), found in zip(rows, row_values(self, rows), strict=True):
            decoded.update((sid, form, key, name) for name in found[0])
            yield found

    def counted_fields(self: Ledger, ids: Any, form: str, fields: Any) -> Any:
        for sid, key, name, value in field_values(self, ids, form, fields):
            decoded[(sid, form, key, name)] += 1
            yield sid, key, name, value

    def counted_values(self: Ledger, submission_id: int) -> Any:
        found = values(self, submission_id)
        decoded.update((v.submission_id, v.form, v.row_key, v.field) for v in found)
        return found

    monkeypatch.setattr(Ledger, "row_values", counted_rows)
    monkeypatch.setattr(Ledger, "field_values", counted_fields)
    monkeypatch.setattr(Ledger, "values", counted_values)
    out = tmp_path / "summary.xlsx"
    res = tianbao(CliRunner(), "consolidate", "-w", demo / "workspace", "-p", period, "-o", out)
    assert res.exit_code == 0, res.output
    twice = [at for at, n in decoded.items() if n > 1]
    assert twice == [], f"{len(twice)} values decoded more than once, e.g. {twice[:3]}"
    with Ledger(demo / "workspace") as ledger:
        june = {s.id for s in ledger.latest_accepted("2014-06")}
        may = {s.id for s in ledger.latest_accepted("2014-05")}
    sids = {sid for sid, *_ in decoded}
    assert june <= sids and sids & may  # the summary's month and an earlier one were read


def test_demo__month_figures_before_the_rows__read_once_and_the_same(demo: Path) -> None:
    """Asked for 趋势's figures before the detail sheets streamed the rows, the summary
    reads the rows then and hands the same ones to ``rows``, without a second read."""
    from tianbao.consolidate.data import gather

    ws = open_workspace(demo / "workspace")
    with Ledger(ws.root, readonly=True) as ledger:
        first = gather(ws, ledger, Period.parse("2014-06"))
        early = first.month_figures("projects")
        reads = []
        first.ledger = _Spy(ledger, reads)  # type: ignore[assignment]
        rows = [(r.key, r.values) for r in first.rows("projects")]
        second = gather(ws, ledger, Period.parse("2014-06"))
        assert rows == [(r.key, r.values) for r in second.rows("projects")]
        assert early == second.month_figures("projects")
    assert reads == []  # the held rows, not a second read
    assert any(m == Period.parse("2014-06") for m, _, _ in early)


class _Spy:
    """A ledger that notes each read of recorded values."""

    def __init__(self, ledger: Ledger, reads: list[str]) -> None:
        self.ledger, self.reads = ledger, reads

    def __getattr__(self, name: str) -> Any:
        if name in ("row_values", "field_values", "values"):
            self.reads.append(name)
        return getattr(self.ledger, name)
