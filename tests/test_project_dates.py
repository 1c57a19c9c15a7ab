"""Dates a project's plan category rules out: a table of cases through the CLI."""

from __future__ import annotations

import json

import pytest

from helpers import tianbao
from returns import Returns

FORM = "projects_progress"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("dates"), "CGJ")  # rows: 新建, 续建, ...


def _categories(rs: Returns) -> list[str]:
    return [it.values["category"] for it in rs.plan.rows_for(rs.forms[FORM].rows, "CGJ")]


# (case, row, status or None to keep, actual start, rule or None, exit code)
CASES = [
    ("new_started_last_year", 0, "在建", "2013-11-01", "PRJ_NEW_STARTED_IN_YEAR", 1),
    ("new_started_this_year", 0, "在建", "2014-02-10", None, 0),
    (
        "continuing_started_this_year",
        1,
        "在建",
        "2014-03-01",
        "PRJ_CONTINUING_STARTED_BEFORE_YEAR",
        1,
    ),
    ("continuing_started_before", 1, "在建", "2012-05-01", None, 0),
    ("not_started_with_a_date", 0, "未开工", "2014-03-01", "PRJ_NOT_STARTED_NO_DATE", 1),
    ("start_after_the_period", 0, "在建", "2014-07-01", "PRJ_START_NOT_AFTER_PERIOD", 1),
]


@pytest.mark.parametrize(("case", "row", "status", "start", "rule", "exit_code"), CASES)
def test_project_dates__what_the_category_rules_out(
    rs: Returns, case: str, row: int, status: str, start: str, rule: str | None, exit_code: int
) -> None:
    assert _categories(rs)[:2] == ["新建", "续建"]
    key = rs.keys(FORM)[row]

    def mutate(wb, r: Returns) -> None:
        ws = wb[r.sheet(FORM)]
        for field, value in (("status", status), ("actual_start", start)):
            cell = ws[r.cell(FORM, key, field)]
            cell.value, cell.data_type = value, "s"
        if status == "未开工":
            for field in ("month_investment", "ytd_investment"):
                ws[r.cell(FORM, key, field)].value = 0

    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        rs.june(case, mutate),
        "--json",
        "--previous",
        rs.previous,
    )
    found = json.loads(res.stdout)["files"][0]["findings"]
    date_rules = {
        "PRJ_NEW_STARTED_IN_YEAR",
        "PRJ_CONTINUING_STARTED_BEFORE_YEAR",
        "PRJ_NOT_STARTED_NO_DATE",
        "PRJ_START_NOT_AFTER_PERIOD",
    }
    hits = [(f["rule"], f["cell"]) for f in found if f["rule"] in date_rules]
    assert hits == ([(rule, rs.cell(FORM, key, "actual_start"))] if rule else []), found
    if rule:
        (f,) = [f for f in found if f["rule"] == rule]
        assert start in f["message"] and not f["message"].startswith(rule), f["message"]
    assert res.exit_code == exit_code, found
