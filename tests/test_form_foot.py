"""A template is a Chinese statistical form: 表号 and 制表机关 in its sub-title, the
signature block (单位负责人、统计负责人、填表人、联系电话、报出日期) at its foot, in print;
validation knows the block, and a template issued before 表号 was shown still reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from returns import Returns
from tianbao.template.content import SIGNATURE

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("foot"), DEPT)


def validate(rs: Returns, path: Path) -> tuple[int, dict[str, Any]]:
    return rs.validate(path)


def foot_of(ws: Any) -> dict[str, Any]:
    """{label: the cell beside it} of the signature block."""
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.rstrip("：") in SIGNATURE:
                merged = [m for m in ws.merged_cells.ranges if c.coordinate in m]
                after = merged[0].max_col + 1 if merged else c.column + 1
                out[c.value.rstrip("：")] = ws.cell(c.row, after)
    return out


def test_template__table_number_office_and_signature_block(rs: Returns) -> None:
    wb = openpyxl.load_workbook(rs.templates["2014-06"])
    office = rs.plan.office
    assert office is not None
    for form_id in rs.plan.form_ids:
        form = rs.forms[form_id]
        ws = wb[form.sheet]
        sub = str(ws["A2"].value)
        assert sub.startswith(f"表号：{form.table_no}    制表机关：{office.name}"), sub
        foot = foot_of(ws)
        assert list(foot) == list(SIGNATURE), form_id
        last = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
        assert all(c.row > 3 + len(rs.keys(form_id)) for c in foot.values())  # below the rows
        assert all(c.protection.locked is False for c in foot.values())  # to fill in
        assert ws.print_area is not None and f"${last}" in ws.print_area  # and printed


def _signed(wb: openpyxl.Workbook, r: Returns) -> None:
    for form_id in r.plan.form_ids:
        foot = foot_of(wb[r.sheet(form_id)])
        foot["单位负责人"].value = "张局长"
        foot["填表人"].value = "李四"
        foot["联系电话"].value = "0391-1234567"
        foot["报出日期"].value = dt.datetime(2014, 7, 3)


def _legacy_subtitle(wb: openpyxl.Workbook, r: Returns) -> None:
    for form_id in r.plan.form_ids:
        ws = wb[r.sheet(form_id)]
        ws["A2"] = str(ws["A2"].value).split("    ", 2)[2]  # 表号 and 制表机关 dropped


@pytest.mark.parametrize("mutate", [_signed, _legacy_subtitle], ids=["signed", "legacy"])
def test_return__foot_and_older_subtitle_read_as_the_form(rs: Returns, mutate: Any) -> None:
    path = rs.june(mutate.__name__, mutate)
    code, report = validate(rs, path)
    assert code == 0, report["findings"]
    codes = {f["code"] for f in report["findings"]}
    assert not codes & {"STRUCT_EXTRA_ROW", "STRUCT_LOCKED_CHANGED"}, report["findings"]


def test_return__figures_typed_in_the_foot_are_still_caught(rs: Returns) -> None:
    """The block is skipped by its labels only: a row of figures below it is flagged."""

    def below(wb: openpyxl.Workbook, r: Returns) -> None:
        form = r.forms["tasks_progress"]
        ws = wb[form.sheet]
        row = max(c.row for c in foot_of(ws).values()) + 1
        ws.cell(row, 1).value = "T999"
        for j, col in enumerate(form.columns, 1):
            if col.entry:
                ws.cell(row, j).value = 5
                break

    _, report = validate(rs, rs.june("below", below))
    assert "STRUCT_EXTRA_ROW" in {f["code"] for f in report["findings"]}
