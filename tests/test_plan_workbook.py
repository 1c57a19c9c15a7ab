"""The plan as an Excel workbook (plan template / plan export), through the CLI."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import read_yaml, tianbao, write_yaml
from tianbao.planbook.sheets import SHEETS


@pytest.fixture
def ws(sample_ws: Path) -> Path:
    return sample_ws  # init --sample, made once and copied (conftest)


def test_export__every_part_of_the_plan_one_row_per_item(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    res = tianbao(CliRunner(), "plan", "export", "-w", ws, out)
    assert res.exit_code == 0, res.output
    plan = read_yaml(ws / "plan.yaml")
    book = openpyxl.load_workbook(out)
    for spec in SHEETS:
        rows = list(book[spec.name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.header for c in spec.cols], spec.name
        if spec.collection == "projects.milestones":
            expected = sum(len(p.get("milestones") or []) for p in plan["projects"])
        else:
            expected = len(plan[spec.collection])
        assert len(rows) - 1 == expected, spec.name
        assert book[spec.name].freeze_panes == "B2"
    first = next(book["重点项目"].iter_rows(min_row=2, max_row=2, values_only=True))
    p = plan["projects"][0]
    assert first[:6] == (
        p["id"],
        p["name"],
        p["category"],
        "是" if p["key"] else "否",
        p["total_investment"],
        p["annual_plan"],
    )
    lists = [dv for dv in book["重点项目"].data_validations.dataValidation if dv.type == "list"]
    assert any("新建" in (dv.formula1 or "") for dv in lists)
    basics = dict(book["基本信息"].iter_rows(min_row=2, values_only=True))
    assert basics["计划年度"] == plan["year"] and basics["区（县）名称"] == "解放区"
    kinds = next(book["主要指标"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert plan["indicators"][0]["target"]["kind"] == "growth" and kinds[10] == "增长"  # a label
    depts = [dv for dv in book["重点项目"].data_validations.dataValidation if dv.sqref]
    assert any("填报单位" in (dv.formula1 or "") for dv in depts)  # 责任单位 from the codes


def test_export__text_stays_text_and_the_bytes_repeat(ws: Path, tmp_path: Path) -> None:
    plan = read_yaml(ws / "plan.yaml")
    plan["projects"][0]["name"] = '=HYPERLINK("http://x","点我")'
    write_yaml(ws / "plan.yaml", plan)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for out in (a, b):
        assert tianbao(CliRunner(), "plan", "export", "-w", ws, out).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    cell = openpyxl.load_workbook(a)["重点项目"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_template__headers_and_dropdowns_no_rows(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    assert tianbao(CliRunner(), "plan", "template", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "说明"
    for spec in SHEETS:
        assert book[spec.name].max_row == 1, spec.name
    assert all(v is None for (_, v) in book["基本信息"].iter_rows(min_row=2, values_only=True))
