"""A merge over a form's rows is one finding at its top-left cell naming the range and
asking to unmerge (issue 30, item 7): nothing at the cells it hid, nor for what depends
on them (the template's 本年累计 formula, a rule, a row whose key it hid)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from returns import Returns

DEPT = "ZJJ"  # projects, a livelihood project and tasks


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("merges"), DEPT)


def _cells(ref: str) -> set[str]:
    c0, r0, c1, r1 = range_boundaries(ref)
    ws = openpyxl.Workbook().active
    return {ws.cell(r, c).coordinate for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}


def _formulas_kept(wb: openpyxl.Workbook, r: Returns) -> None:
    """本年累计 as the template issued it (=上期累计+本月): the clerk typed 本月 only."""
    issued = openpyxl.load_workbook(r.templates["2014-06"])[r.sheet("projects_progress")]
    ws = wb[r.sheet("projects_progress")]
    for key in r.keys("projects_progress"):
        cell = r.cell("projects_progress", key, "ytd_investment")
        ws[cell] = issued[cell].value


# (case, form, [(first row, first field, last row, last field)], keep 本年累计's formula)
CASES: list[tuple[str, str, list[tuple[int, str, int, str]], bool]] = [
    ("month_two_rows", "projects_progress", [(0, "month_investment", 1, "month_investment")], True),
    ("month_and_ytd", "projects_progress", [(0, "month_investment", 0, "ytd_investment")], True),
    ("block", "projects_progress", [(0, "month_investment", 2, "cumulative_investment")], False),
    ("key_column", "projects_progress", [(0, "id", 1, "id")], False),
    ("prefilled_names", "projects_progress", [(1, "name", 2, "name")], False),
    ("helper_formulas", "projects_progress", [(0, "plan_rate", 1, "plan_rate")], False),
    ("prefilled_to_entry", "projects_progress", [(2, "prev_ytd_investment", 2, "month_investment")],
     True),
    ("task_status", "tasks_progress", [(0, "status", 2, "status")], False),
    ("two_merges", "tasks_progress", [(0, "ytd_done", 1, "ytd_done"), (2, "note", 3, "note")],
     False),
]  # fmt: skip


@pytest.mark.parametrize(("case", "form", "merges", "kept"), CASES)
def test_merged_cells__one_finding_naming_the_range(
    rs: Returns, case: str, form: str, merges: list[tuple[int, str, int, str]], kept: bool
) -> None:
    keys = rs.keys(form)
    refs = [f"{rs.cell(form, keys[a], f)}:{rs.cell(form, keys[b], g)}" for a, f, b, g in merges]

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        if kept:
            _formulas_kept(wb, r)
        for ref in refs:
            wb[r.sheet(form)].merge_cells(ref)

    code, report = rs.validate(rs.june(f"merge_{case}", mutate))
    _one_finding_a_merge(rs, form, refs, code, report)


def _one_finding_a_merge(
    rs: Returns, form: str, refs: list[str], code: int, report: dict[str, Any]
) -> None:
    found = report["findings"]
    merged = [f for f in found if f["code"] == "STRUCT_MERGED_CELLS"]
    said = [(f["sheet"], f["cell"], f["value"]) for f in merged]
    assert said == [(rs.sheet(form), ref.split(":")[0], ref) for ref in refs], found
    for f, ref in zip(merged, refs, strict=True):
        assert f["severity"] == "error" and ref in f["message"] and "取消合并" in f["message"]
        assert ref in f["message_en"] and "unmerge" in f["message_en"]
    hidden = set().union(*(_cells(ref) for ref in refs))
    others = [f for f in found if f["cell"] in hidden and f["code"] != "STRUCT_MERGED_CELLS"]
    assert others == [], others
    errors = [f["code"] for f in found if f["severity"] == "error"]
    assert errors == ["STRUCT_MERGED_CELLS"] * len(refs), found
    assert not [f for f in found if f["code"].startswith(("STRUCT_ROW", "RULE_", "SCHEMA_"))], found
    assert code == 1 and report["status"] == "rejected"


def test_merged_texts_moved_into_the_first_cell__still_one_finding(rs: Returns) -> None:
    """LibreOffice offers to move the hidden cells' contents into the first: 本月 then
    reads “212.43 180.5”, which is the merge's doing, not a second problem."""
    form = "projects_progress"
    first, second = (rs.cell(form, k, "month_investment") for k in rs.keys(form)[:2])

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        ws = wb[r.sheet(form)]
        ws[first] = f"{ws[first].value} {ws[second].value}"
        ws.merge_cells(f"{first}:{second}")

    code, report = rs.validate(rs.june("merge_moved", mutate))
    _one_finding_a_merge(rs, form, [f"{first}:{second}"], code, report)


def test_the_templates_own_merges__no_finding(rs: Returns) -> None:
    """The title rows and the signature block below the table are merged as issued."""
    code, report = rs.validate(rs.june("merge_none"))
    assert [f for f in report["findings"] if f["code"] == "STRUCT_MERGED_CELLS"] == []
    assert code == 0, report["findings"]


def test_many_merges__named_then_counted(rs: Returns) -> None:
    form = "projects_progress"
    keys = rs.keys(form)
    pairs = len(keys) // 2

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        for i in range(pairs):
            a, b = (rs.cell(form, keys[2 * i + j], "progress") for j in (0, 1))
            wb[r.sheet(form)].merge_cells(f"{a}:{b}")

    _, report = rs.validate(rs.june("merge_many", mutate))
    merged: list[dict[str, Any]] = [
        f for f in report["findings"] if f["code"] == "STRUCT_MERGED_CELLS"
    ]
    assert pairs > 10 and len(merged) == 11, merged
    assert merged[-1]["value"] == pairs - 10 and f"另有 {pairs - 10} 处" in merged[-1]["message"]


def merged_return(rs: Returns, name: str) -> Path:
    """June with 本月 of the first two projects merged (I4:I5), 本年累计 as issued."""

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        _formulas_kept(wb, r)
        keys = r.keys("projects_progress")
        first, second = (r.cell("projects_progress", k, "month_investment") for k in keys[:2])
        wb[r.sheet("projects_progress")].merge_cells(f"{first}:{second}")

    return rs.june(name, mutate)
