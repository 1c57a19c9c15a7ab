"""Issue 30's messages that left the clerk guessing, checked once more (item 7): a date
that cannot be read says how to write one, whatever was wrong with it."""

from __future__ import annotations

import openpyxl
import pytest

from returns import Returns


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("messages"), "ZJJ")


@pytest.mark.parametrize(
    "typed", ["2014-02-30", "2014年13月", "去年三月", "三月份", "2014/6/31", "下月开工"]
)
def test_an_unreadable_date__one_finding_showing_how_to_write_one(rs: Returns, typed: str) -> None:
    form = "projects_progress"
    key = next(k for k in rs.keys(form) if rs.fills["2014-06"]["重点项目"].get(
        rs.cell(form, k, "actual_start")))  # fmt: skip
    cell = rs.cell(form, key, "actual_start")

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        wb[r.sheet(form)][cell] = typed

    code, report = rs.validate(rs.june(f"date_{typed}", mutate))
    here = [f for f in report["findings"] if f["cell"] == cell and f["severity"] == "error"]
    assert [f["code"] for f in here] == ["VALUE_UNPARSEABLE"], report["findings"]
    assert typed in here[0]["message"] and "请填写如 2014-07-01" in here[0]["message"], here
    assert "e.g. 2014-07-01" in here[0]["message_en"]
    assert code == 1
