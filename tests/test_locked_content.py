"""Locked content no recorded figure depends on (the cover, the title rows, the
helper formulas) is compared with what the template wrote: a change is a warning
at its cell, and the figures are still recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from returns import Returns
from tianbao.findings import Code, fill

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("locked"), DEPT)


def validate(rs: Returns, path: Path) -> tuple[int, dict[str, Any]]:
    return rs.validate(path)


def locked(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == "STRUCT_LOCKED_CHANGED"]


def _cover_unit_forged(wb: openpyxl.Workbook, r: Returns) -> None:
    ws = wb["填报说明"]
    for row in ws.iter_rows(min_row=3, max_row=12):
        if row[0].value == "填报单位":
            row[1].value = "区工业和信息化局"


def _title_edited(wb: openpyxl.Workbook, r: Returns) -> None:
    wb[r.sheet("tasks_progress")]["A1"] = "重点任务（已全部完成）"


def _helper_typed_over(wb: openpyxl.Workbook, r: Returns) -> None:
    for key in r.keys("tasks_progress"):
        wb[r.sheet("tasks_progress")][r.cell("tasks_progress", key, "completion")] = 100


def test_untouched_return__no_locked_finding(rs: Returns) -> None:
    code, report = validate(rs, rs.june("untouched"))
    assert locked(report) == [] and code == 0, report["findings"]


@pytest.mark.parametrize(
    ("case", "mutate", "sheet", "says"),
    [
        ("cover", _cover_unit_forged, "填报说明", "区工业和信息化局"),
        ("title", _title_edited, "tasks_progress", "已全部完成"),
        ("helper", _helper_typed_over, "tasks_progress", "公式（自动计算）"),
    ],
)
def test_locked_content_changed__a_warning_at_its_cell(
    rs: Returns, case: str, mutate, sheet: str, says: str
) -> None:
    code, report = validate(rs, rs.june(f"locked_{case}", mutate))
    found = locked(report)
    name = rs.sheet(sheet) if sheet in rs.forms else sheet
    assert found, report["findings"]
    assert all(f["sheet"] == name and f["severity"] == "warning" for f in found), found
    assert says in found[0]["message"] and found[0]["cell"], found[0]
    assert report["status"] == "accepted_with_warnings" and code == 0


def test_helper_column_typed_over_everywhere__cells_named_then_counted(rs: Returns) -> None:
    _, report = validate(rs, rs.june("locked_helpers_all", _helper_typed_over))
    found = locked(report)
    rows = len(rs.keys("tasks_progress"))
    named = [f for f in found if f["cell"]]
    assert len(named) == min(rows, 10)
    assert named[0]["cell"] == rs.cell("tasks_progress", rs.keys("tasks_progress")[0], "completion")
    if rows > 10:
        more = fill(Code.STRUCT_LOCKED_CHANGED, "more", sheet=found[-1]["sheet"], rest=rows - 10)
        assert (found[-1]["message"], found[-1]["message_en"]) == more
