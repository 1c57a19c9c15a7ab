"""Data quality over the months (validate.quality): each check as a small table, then
through the CLI on the demo, where a June figure far from its project's months is a
warning to explain, never a rejection."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import tianbao
from tianbao.forms.load import load_form, locate
from tianbao.plan.model import PlanItem
from tianbao.plan.periods import Period
from tianbao.validate.history import EarlierMonths
from tianbao.validate.quality import check_quality
from tianbao.validate.records import FormRecords, RowRecord

pytestmark = pytest.mark.slow  # see pyproject's markers


def projects_form() -> Any:
    found = locate("projects_progress", None)
    assert found is not None
    return load_form(*found).form


def judged(month: int, history: list[dict[str, Any] | None], now: dict[str, Any]) -> list[str]:
    """The codes found for a project row with ``history`` (months 1..month-1, None for
    a month without a return) and this month's figures ``now``."""
    form = projects_form()
    row = RowRecord("P1", PlanItem("projects", "P1", "D", {}, {}), 4, {"id": "P1", **now},
                    {"month_investment": "J4", "ytd_investment": "K4"})  # fmt: skip
    records = {form.id: FormRecords(form, "重点项目", [row])}
    months = [
        (Period(2014, "month", m), {} if h is None else {form.id: {"P1": h}})
        for m, h in enumerate(history, 1)
    ]
    found = check_quality(records, EarlierMonths(tuple(months)), Period(2014, "month", month), {})
    return [f.code.value for f in found]


def flows(*values: float) -> list[dict[str, Any] | None]:
    ytd, out = 0.0, []
    for v in values:
        ytd += v
        out.append({"month_investment": v, "ytd_investment": ytd, "status": "在建"})
    return out


CASES = [
    # month, earlier months, this month -> codes
    (6, flows(100, 110, 95, 105, 100), {"month_investment": 3000, "ytd_investment": 3510},
     ["QUALITY_OUTLIER", "QUALITY_CONCENTRATED"]),
    (6, flows(100, 110, 95, 105, 100), {"month_investment": 2000, "ytd_investment": 2510},
     ["QUALITY_OUTLIER"]),  # 79.7 %: not above 80
    (6, flows(100, 110, 95, 105, 100), {"month_investment": 104, "ytd_investment": 614}, []),
    # three earlier months only: no outlier score, and 104 of 514 is no concentration
    (4, flows(100, 5, 300), {"month_investment": 4000, "ytd_investment": 4405},
     ["QUALITY_CONCENTRATED"]),
    # a history without spread is measured with a spread of 10 % of its median:
    # nine times the steady figure is far off, a move of 2.6 % is not
    (6, flows(100, 100, 100, 100, 100), {"month_investment": 900, "ytd_investment": 1400},
     ["QUALITY_OUTLIER"]),
    (7, flows(0, 0, 233.99, 234.0, 233.99, 234.0), {"month_investment": 240,
                                                    "ytd_investment": 1175.98}, []),
    (6, flows(100, 100, 100, 100, 100), {"month_investment": 130, "ytd_investment": 630}, []),
    # the zero months before the project started are not its history: 3 months only
    (7, flows(0, 0, 0, 100, 100, 100), {"month_investment": 900, "ytd_investment": 1200}, []),
    # five times its median is still caught; a month holding 90 % of the year too
    (7, flows(0, 100, 110, 95, 105, 100), {"month_investment": 500, "ytd_investment": 1010},
     ["QUALITY_OUTLIER"]),
    (6, flows(10, 10, 10, 10, 10), {"month_investment": 450, "ytd_investment": 500},
     ["QUALITY_OUTLIER", "QUALITY_CONCENTRATED"]),
    # the first month of investment holds all of the project's year: no concentration
    (6, flows(0, 0, 0, 0, 0), {"month_investment": 300, "ytd_investment": 300}, []),
    (6, [None, None, *flows(0, 0, 0)], {"month_investment": 300, "ytd_investment": 300}, []),
    # February: too early to call a month concentrated
    (2, flows(10), {"month_investment": 500, "ytd_investment": 510}, []),
    # 在建 and the year to date unchanged in three returns
    (6, flows(100, 100, 100, 100, 0), {"month_investment": 0, "ytd_investment": 400,
                                       "status": "在建"}, ["QUALITY_UNCHANGED"]),
    # not started: nothing should move
    (6, flows(100, 100, 100, 100, 0), {"month_investment": 0, "ytd_investment": 400,
                                       "status": "未开工"}, []),
    # a month without a return breaks the run of equal figures
    (6, [*flows(100, 100, 100, 100), None], {"month_investment": 0, "ytd_investment": 400,
                                             "status": "在建"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("month", "history", "now", "codes"), CASES)
def test_quality_checks(month: int, history: Any, now: dict[str, Any], codes: list[str]) -> None:
    assert judged(month, history, now) == codes


def test_outlier_message_gives_the_figures_and_quotes_the_explanation() -> None:
    form = projects_form()
    row = RowRecord("P1", PlanItem("projects", "P1", "D", {}, {}), 4,
                    {"id": "P1", "month_investment": 2000, "ytd_investment": 2510,
                     "note": "6月支付土地款"}, {"month_investment": "J4"})  # fmt: skip
    months = [(Period(2014, "month", m), {form.id: {"P1": h}})
              for m, h in enumerate(flows(100, 110, 95, 105, 100), 1)]  # fmt: skip
    records = {form.id: FormRecords(form, "重点项目", [row])}
    (outlier,) = check_quality(records, EarlierMonths(tuple(months)), Period(2014, "month", 6), {})
    assert outlier.cell == "J4" and outlier.severity.value == "warning" and not outlier.blocking
    assert "中位数 102.5" in outlier.message and "3.5" in outlier.message
    assert "已说明：6月支付土地款" in outlier.message


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("quality") / "demo")


def with_outlier(demo: Path, folder: Path) -> tuple[Path, str]:
    """A copy of ZJJ's June return in ``folder`` with one project's 本月 five times its
    months (explained), and that project's key."""
    original = next((demo / "returns" / "2014-06").glob("2014-06_ZJJ_*.xlsx"))
    path = folder / original.name
    shutil.copyfile(original, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["重点项目"]
    head = {c.value: c.column for c in ws[3]}
    month, ytd = head["本月完成投资(万元)"], head["本年累计完成投资(万元)"]
    january = openpyxl.load_workbook(next((demo / "returns" / "2014-01").glob("*_ZJJ_*.xlsx")))
    # a project investing since January: five months of history (P023 began in March)
    rows = january["重点项目"].iter_rows(min_row=4, values_only=True)
    key = next(r[0] for r in rows if isinstance(r[month - 1], (int, float)) and r[month - 1] > 0)
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == key)
    cum = head["开工累计完成投资(万元)"]
    before, was = ws.cell(row, head["上期本年累计(万元)"]).value, ws.cell(row, month).value
    ws.cell(row, month).value = before * 2  # some 1/5 of it a month before
    ws.cell(row, ytd).value = before * 3
    ws.cell(row, cum).value = ws.cell(row, cum).value - was + before * 2
    ws.cell(row, head["说明"]).value = "6月集中支付拆迁补偿款"  # the month-on-month rule asks
    wb.save(path)
    return path, key


def test_cli__a_june_figure_far_from_its_months_is_a_warning(demo: Path, tmp_path: Path) -> None:
    path, key = with_outlier(demo, tmp_path)
    res = tianbao(CliRunner(), "validate", "-w", demo / "workspace", path, "--json")
    report = json.loads(res.stdout)["files"][0]
    quality = [f for f in report["findings"] if f["code"].startswith("QUALITY_")]
    assert {f["code"] for f in quality} >= {"QUALITY_OUTLIER"}, report["findings"]
    assert all(f["row_key"] == key for f in quality)
    assert report["status"] == "accepted_with_warnings", report["findings"]
    assert "修正Z值" in quality[0]["message"] and "已说明：6月集中支付" in quality[0]["message"]


def test_history__typed_and_picklable__workers_find_what_one_process_finds(
    demo: Path, tmp_path: Path
) -> None:
    """The earlier months ride with the previous return as a typed History (no key a
    form could also have); pickled to the batch's workers, they give each file the
    same quality findings as a validation in this process."""
    import pickle

    from tianbao import api
    from tianbao.collect.previous import ledger_lookup
    from tianbao.ledger.db import Ledger
    from tianbao.validate.history import History
    from tianbao.workspace import open_workspace

    ws = open_workspace(demo / "workspace")
    with Ledger(ws.root, readonly=True) as ledger:
        history = ledger_lookup(ledger, ws.forms.values())("ZJJ", "2014-06")
    assert isinstance(history, History) and "__months__" not in history.previous
    assert [str(m) for m, _ in history.months.months] == [f"2014-0{m}" for m in range(1, 6)]
    assert pickle.loads(pickle.dumps(history)) == history
    folder = tmp_path  # June's returns, ZJJ's with a figure far from its months
    for one in (demo / "returns" / "2014-06").glob("*.xlsx"):
        shutil.copyfile(one, folder / one.name)
    with_outlier(demo, folder)

    def quality(paths: list[Path], jobs: int) -> list[tuple[str, str, str]]:
        reports = api.validate_files(demo / "workspace", paths, jobs=jobs).reports
        return [(Path(r.path).name, f.code.value, f.cell) for r in reports for f in r.findings
                if f.code.value.startswith("QUALITY_")]  # fmt: skip

    on_workers = quality([folder], 2)
    assert on_workers
    flagged = sorted({name for name, _, _ in on_workers})
    alone = [x for name in flagged for x in quality([folder / name], 1)]  # one file: no worker
    assert sorted(alone) == sorted(on_workers)


def repeating_may(demo: Path, folder: Path) -> Path:
    """A copy of ZJJ's June return in ``folder`` with every 本月 figure of May's return
    typed again (the year to date carried on as the clerk would)."""
    may = openpyxl.load_workbook(next((demo / "returns" / "2014-05").glob("*_ZJJ_*.xlsx")))
    original = next((demo / "returns" / "2014-06").glob("2014-06_ZJJ_*.xlsx"))
    path = folder / original.name
    shutil.copyfile(original, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["重点项目"]
    head = {c.value: c.column for c in ws[3]}
    month, ytd = head["本月完成投资(万元)"], head["本年累计完成投资(万元)"]
    cum, before = head["开工累计完成投资(万元)"], head["上期本年累计(万元)"]
    was_may = {r[0].value: r[month - 1].value for r in may["重点项目"].iter_rows(min_row=4)}
    changed = 0
    for r in range(4, ws.max_row + 1):
        new, old = was_may.get(ws.cell(r, 1).value), ws.cell(r, month).value
        if not isinstance(new, (int, float)) or not isinstance(old, (int, float)):
            continue
        changed += new != old
        ws.cell(r, month).value = new
        ws.cell(r, ytd).value = round((ws.cell(r, before).value or 0) + new, 2)
        if isinstance(ws.cell(r, cum).value, (int, float)):
            ws.cell(r, cum).value = round(ws.cell(r, cum).value - old + new, 2)
    assert changed  # June's figures differed from May's before
    wb.save(path)
    return path


def test_cli__a_return_repeating_last_months_figures_is_one_warning(
    demo: Path, tmp_path: Path
) -> None:
    """ZJJ's June return repeating May's 本月 figures: one warning for the whole
    return, none for a return whose figures moved."""
    original = next((demo / "returns" / "2014-06").glob("2014-06_ZJJ_*.xlsx"))
    path = repeating_may(demo, tmp_path)

    def quality(p: Path) -> list[dict[str, Any]]:
        res = tianbao(CliRunner(), "validate", "-w", demo / "workspace", p, "--json")
        found = json.loads(res.stdout)["files"][0]["findings"]
        return [f for f in found if f["code"].startswith("QUALITY_")]

    (repeated,) = quality(path)
    assert repeated["code"] == "QUALITY_REPEATED_MONTH" and repeated["sheet"] == "重点项目"
    assert "与 5 月报表逐一相同" in repeated["message"]
    assert quality(original) == []


def test_cli__one_word_for_a_return_with_warnings_until_each_is_explained(
    demo: Path, tmp_path: Path
) -> None:
    """validate, collect, status and history name an accepted return with a warning
    nobody explained 「通过（有预警）」, and 「通过（预警已说明）」 only when the row's
    说明 explains every warning."""
    ws = tmp_path / "ws"
    shutil.copytree(demo / "workspace", ws)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    unexplained, (explained, _) = (
        repeating_may(demo, tmp_path / "a"),
        with_outlier(demo, tmp_path / "b"),
    )
    run = CliRunner()
    cases = [(unexplained, "通过（有预警）"), (explained, "通过（预警已说明）")]
    for hour, (path, label) in enumerate(cases, 9):
        said = tianbao(run, "validate", "-w", ws, path).stdout
        assert label in said, said
        at = f"2014-07-10T{hour:02d}:00:00+08:00"  # after the demo's; the second an hour later
        collected = tianbao(run, "collect", "-w", ws, path, "--received-at", at)
        assert label in collected.stdout, (collected.stdout, collected.stderr)
        status = tianbao(run, "status", "-w", ws, "-p", "2014-06").stdout
        zjj = next(line for line in status.splitlines() if "ZJJ" in line)
        assert label in zjj, status
        history = tianbao(run, "history", "-w", ws, "-p", "2014-06").stdout
        assert label in [line for line in history.splitlines() if "ZJJ" in line][-1], history
