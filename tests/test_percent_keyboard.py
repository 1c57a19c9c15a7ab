"""Percentages as a clerk types them: "12%" in LibreOffice (zh-CN, the keyboard path).

Calc stores a typed "12%" as 0.12 with a percent number format when the cell is
General, which the templates' percent-point entry cells are; validate reads the
format with the value and records 12. Checked where it matters: the value in the
ledger and the figure in the district summary, through the CLI.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import tianbao
from lo import fill
from returns import Returns
from tianbao.ledger.db import Ledger

pytestmark = pytest.mark.slow  # see pyproject's markers

DEPT = "RSJ"


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Returns, Path]:
    """RSJ's June return: plausible values, then the percent, amount, date and plain
    cells typed through the keyboard, the percent cells with a "%"."""
    base = tmp_path_factory.mktemp("pct")
    rs = Returns(base, DEPT)
    spec: dict[str, dict[str, Any]] = {
        sheet: {
            cell: {"keyboard": v.isoformat()} if isinstance(v, dt.date) else v
            for cell, v in cells.items()
        }  # dates typed as a clerk types them
        for sheet, cells in rs.fills["2014-06"].items()
    }
    ind, liv = rs.sheet("indicators_monthly"), rs.sheet("livelihood_progress")
    jobs_ytd = spec[ind][rs.cell("indicators_monthly", "NEW_JOBS", "ytd")]
    invested = spec[liv][rs.cell("livelihood_progress", "L03", "ytd_investment")]
    keys = {
        # growth typed as 12% against a last year that makes it 12.0 (whole persons)
        (ind, rs.cell("indicators_monthly", "NEW_JOBS", "ytd_last_year")): (
            f"{round(jobs_ytd / 1.12)}"
        ),
        (ind, rs.cell("indicators_monthly", "NEW_JOBS", "yoy_pct")): "12%",
        (ind, rs.cell("indicators_monthly", "UNEMPLOYMENT", "month_value")): "2.9%",
        (liv, rs.cell("livelihood_progress", "L03", "progress_pct")): "45%",
        (liv, rs.cell("livelihood_progress", "L03", "ytd_investment")): f"{invested:,.2f}",
    }
    for (sheet, cell), text in keys.items():
        spec[sheet][cell] = {"keyboard": text}
    out = base / "typed" / rs.templates["2014-06"].name
    out.parent.mkdir()
    (report,) = fill([(rs.templates["2014-06"], spec, out)], locale="zh-CN")
    assert report["ok"], report
    return rs, out


def test_keyboard_percent__saved_by_calc_as_a_fraction_with_a_percent_format(
    typed: tuple[Returns, Path],
) -> None:
    rs, path = typed
    wb = openpyxl.load_workbook(path)
    cell = wb[rs.sheet("indicators_monthly")][rs.cell("indicators_monthly", "NEW_JOBS", "yoy_pct")]
    assert cell.value == pytest.approx(0.12) and "%" in cell.number_format


def test_keyboard_percent__recorded_in_percent_points_and_summed_so(
    typed: tuple[Returns, Path], tmp_path: Path
) -> None:
    rs, path = typed
    res = tianbao(
        rs.runner, "collect", "-w", rs.ws, rs.previous, path, "--received-at", "2014-07-03T10:00"
    )
    assert res.exit_code == 0, res.output
    with Ledger(rs.ws) as ledger:
        (sub,) = ledger.latest_accepted("2014-06")
        got = {(v.form, v.row_key, v.field): v.value for v in ledger.values(sub.id)}
    assert got[("indicators_monthly", "NEW_JOBS", "yoy_pct")] == pytest.approx(12.0)
    assert got[("indicators_monthly", "UNEMPLOYMENT", "month_value")] == pytest.approx(2.9)
    assert got[("livelihood_progress", "L03", "progress_pct")] == pytest.approx(45.0)
    invested = rs.fills["2014-06"][rs.sheet("livelihood_progress")][
        rs.cell("livelihood_progress", "L03", "ytd_investment")
    ]
    assert got[("livelihood_progress", "L03", "ytd_investment")] == pytest.approx(invested)

    summary, long = tmp_path / "summary.xlsx", tmp_path / "long.csv"
    res = tianbao(
        rs.runner, "consolidate", "-w", rs.ws, "--period", "2014-06", "-o", summary, "--csv", long
    )
    assert res.exit_code == 0, res.output
    with long.open(encoding="utf-8-sig", newline="") as fh:
        csv_values = {(r["row_key"], r["field"]): r["value"] for r in csv.DictReader(fh)}
    assert float(csv_values[("NEW_JOBS", "yoy_pct")]) == pytest.approx(12.0)
    assert float(csv_values[("UNEMPLOYMENT", "month_value")]) == pytest.approx(2.9)
    assert float(csv_values[("L03", "progress_pct")]) == pytest.approx(45.0)
    book = openpyxl.load_workbook(summary, data_only=True)
    figures = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert 2.9 in figures and 45 in figures  # the summary shows what the clerk typed
    assert 0.029 not in figures and 0.45 not in figures
