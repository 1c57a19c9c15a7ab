"""tianbao plan import: the plan workbook back into plan.yaml, through the CLI.

Round trips (sample, a 200-department plan), what people type, the ten typical
mistakes (each one finding at its sheet and cell, exit 1, plan.yaml untouched), the
changes listed against the old plan and the backup kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import SAMPLE, read_yaml, tianbao
from tianbao.dev.synthetic import synthetic_plan
from tianbao.planbook.read import import_plan_workbook
from tianbao.planbook.write import write_plan_workbook


@pytest.fixture
def ws(sample_ws: Path) -> Path:
    return sample_ws  # init --sample, made once and copied (conftest)


@pytest.fixture
def book(ws: Path, tmp_path: Path) -> Path:
    out = tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, out).exit_code == 0
    return out


def edited(src: Path, dst: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def imported(ws: Path, book: Path, *more: str) -> tuple[int, dict[str, Any]]:
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json", *more)
    return res.exit_code, json.loads(res.stdout)


def test_round_trip__the_sample_into_a_new_workspace(ws: Path, book: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "new"
    assert tianbao(CliRunner(), "init", fresh).exit_code == 0
    code, out = imported(fresh, book)
    assert code == 0, out["problems"]
    assert read_yaml(fresh / "plan.yaml") == read_yaml(ws / "plan.yaml")
    assert out["backup"] and Path(out["backup"]).is_file()  # the skeleton kept
    assert tianbao(CliRunner(), "check", "-w", fresh).exit_code == 0


def test_round_trip__the_same_plan_changes_nothing(ws: Path, book: Path) -> None:
    before = (ws / "plan.yaml").read_bytes()
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws)
    assert res.exit_code == 0, res.output
    assert "没有改动" in res.output
    assert (ws / "plan.yaml").read_bytes() == before  # comments and all


@pytest.mark.slow
def test_round_trip__200_departments(tmp_path: Path) -> None:
    plan = synthetic_plan(200, 6)
    plan["projects"][0]["milestones"] = [{"due": "2014-06-30", "text": "主体封顶"}]
    path = tmp_path / "big.xlsx"
    write_plan_workbook(path, plan)
    got = import_plan_workbook(path)
    assert got.problems == []
    assert got.data == plan


@pytest.mark.slow
def test_what_people_type_is_read_as_meant(ws: Path, book: Path, tmp_path: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        p = wb["重点项目"]
        p["E2"] = "２０亿元"  # full-width, another unit of money
        p["F2"] = "4,000"
        p["G2"] = p["G2"].value.lower()  # the department in lower case
        p["K2"] = "2014年7月"
        wb["主要指标"]["K2"] = " 增长 "

    code, out = imported(ws, edited(book, tmp_path / "typed.xlsx", edit))
    assert code == 0, out["problems"]
    first = read_yaml(ws / "plan.yaml")["projects"][0]
    assert (first["total_investment"], first["annual_plan"]) == (200000, 4000)
    assert first["start"] == "2014-07-01"
    assert first["department"] == read_yaml(Path(out["backup"]))["projects"][0]["department"]
    assert {n["cell"] for n in out["notes"]} >= {"重点项目!E2", "重点项目!F2", "重点项目!K2"}


def _set(sheet: str, cell: str, value: Any) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


def _copy(sheet: str, src: str, dst: str) -> Callable[[openpyxl.Workbook], None]:
    return lambda wb: _set(sheet, dst, wb[sheet][src].value)(wb)


def _annual_above_total(wb: openpyxl.Workbook) -> None:
    wb["重点项目"]["F2"] = wb["重点项目"]["E2"].value + 1


def _merge_header(wb: openpyxl.Workbook) -> None:
    wb["重点项目"].merge_cells("A1:B1")


def _rename(wb: openpyxl.Workbook) -> None:
    wb["重点任务"].title = "重点任务表"


def _hide_row(wb: openpyxl.Workbook) -> None:
    wb["重点项目"].row_dimensions[5].hidden = True


# the ten typical mistakes: (what, edit, code, cell)
MISTAKES = [
    ("unknown department", _set("重点项目", "G2", "XYZ"), "UNKNOWN_DEPARTMENT", "重点项目!G2"),
    ("annual above total", _annual_above_total, "ANNUAL_PLAN_ABOVE_TOTAL", "重点项目!F2"),
    ("target kind blank", _set("主要指标", "K3", None), "REQUIRED_EMPTY", "主要指标!K3"),
    ("text in a number cell", _set("重点项目", "E3", "四千万"), "CELL_VALUE", "重点项目!E3"),
    ("duplicated project name", _copy("重点项目", "B2", "B3"), "DUPLICATE_NAME", "重点项目!B3"),
    ("merged header", _merge_header, "MERGED_CELLS", "重点项目!A1"),
    ("renamed sheet", _rename, "SHEET_MISSING", "重点任务表!A1"),
    ("hidden row", _hide_row, "HIDDEN_ROW", "重点项目!A5"),
    ("empty required cell", _set("重点项目", "B4", None), "REQUIRED_EMPTY", "重点项目!B4"),
    ("date typed as text", _set("重点项目", "K2", "四月底前"), "CELL_VALUE", "重点项目!K2"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("what", "edit", "code", "cell"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake__one_finding_at_its_cell_and_nothing_written(
    ws: Path, book: Path, tmp_path: Path, what: str, edit: Any, code: str, cell: str
) -> None:
    before = (ws / "plan.yaml").read_bytes()
    bad = edited(book, tmp_path / "bad.xlsx", edit)
    res = tianbao(CliRunner(), "plan", "import", bad, "-w", ws)
    assert res.exit_code == 1, res.output
    assert f"{cell}：" in res.output and "计划未导入" in res.output
    assert "Traceback" not in res.output
    exit_code, out = imported(ws, bad)
    assert exit_code == 1
    assert [(p["code"], p["path"]) for p in out["problems"]] == [(code, cell)], what
    assert (ws / "plan.yaml").read_bytes() == before
    assert not (ws / ".tianbao" / "backups").exists()


@pytest.mark.slow
def test_changes__listed_per_department_and_the_old_plan_kept(
    ws: Path, book: Path, tmp_path: Path
) -> None:
    old = read_yaml(ws / "plan.yaml")
    p = old["projects"][0]

    def edit(wb: openpyxl.Workbook) -> None:
        wb["重点项目"]["F2"] = p["annual_plan"] - 100
        wb["重点项目"].delete_rows(3)  # the second project goes
        wb["基本信息"]["B9"] = 2  # 计划版本

    res = tianbao(CliRunner(), "plan", "import", edited(book, tmp_path / "b.xlsx", edit), "-w", ws)
    assert res.exit_code == 0, res.output
    line = f"修改 重点项目 {p['id']}「{p['name']}」：年度计划投资(万元) {p['annual_plan']} → "
    assert line + f"{p['annual_plan'] - 100}" in res.output
    assert f"删除 重点项目 {old['projects'][1]['id']}" in res.output
    assert "修改 基本信息：计划版本 1 → 2" in res.output
    new = read_yaml(ws / "plan.yaml")
    assert new["plan_version"] == 2 and len(new["projects"]) == len(old["projects"]) - 1
    (backup,) = (ws / ".tianbao" / "backups").iterdir()
    assert read_yaml(backup) == old
    assert tianbao(CliRunner(), "check", "-w", ws).exit_code == 0


def test_dry_run__lists_the_changes_writes_nothing(ws: Path, book: Path, tmp_path: Path) -> None:
    before = (ws / "plan.yaml").read_bytes()
    changed = edited(book, tmp_path / "c.xlsx", _set("重点项目", "F2", 1))
    code, out = imported(ws, changed, "--dry-run")
    assert code == 0 and out["changes"] and out["written"] is None
    assert (ws / "plan.yaml").read_bytes() == before


def test_unreadable_workbook__one_line_exit_1(ws: Path, tmp_path: Path) -> None:
    bad = tmp_path / "计划.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    before = (ws / "plan.yaml").read_bytes()
    code, out = imported(ws, bad)
    assert code == 1 and [p["code"] for p in out["problems"]] == ["WORKBOOK_UNREADABLE"]
    assert (ws / "plan.yaml").read_bytes() == before


@pytest.mark.slow
def test_a_formula_typed_as_a_name_stays_text(ws: Path, book: Path, tmp_path: Path) -> None:
    code, _ = imported(ws, edited(book, tmp_path / "f.xlsx", _set("重点项目", "B2", "'=1+1")))
    assert code == 0
    assert read_yaml(ws / "plan.yaml")["projects"][0]["name"] == "'=1+1"


@pytest.mark.slow
@pytest.mark.parametrize(
    "typed, effective",
    [
        ("2014-07", "2014-07"),
        ("2014年7月", "2014-07"),
        ("2014.7", "2014-07"),
        (dt.datetime(2014, 7, 1), "2014-07"),  # what a spreadsheet makes of 2014-07
    ],
)
def test_a_dated_revision__typed_as_people_type_it(
    ws: Path, book: Path, tmp_path: Path, typed: Any, effective: str
) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        basics = wb["基本信息"]
        rows = {basics.cell(r, 1).value: r for r in range(1, basics.max_row + 1)}
        basics.cell(rows["计划版本"], 2).value = 2
        basics.cell(rows["调整生效期"], 2).value = typed
        basics.cell(rows["调整说明"], 2).value = "年中调整"

    code, out = imported(ws, edited(book, tmp_path / "r.xlsx", edit))
    assert code == 0, out
    assert read_yaml(ws / "plan.yaml")["revision"] == {"effective": effective, "reason": "年中调整"}


def test_a_revision_period_that_is_no_period__placed_at_its_cell(
    ws: Path, book: Path, tmp_path: Path
) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        basics = wb["基本信息"]
        rows = {basics.cell(r, 1).value: r for r in range(1, basics.max_row + 1)}
        basics.cell(rows["调整生效期"], 2).value = "下半年"
        edit.cell = f"基本信息!B{rows['调整生效期']}"  # type: ignore[attr-defined]

    code, out = imported(ws, edited(book, tmp_path / "r.xlsx", edit))
    assert code == 1
    assert [(p["code"], p["path"]) for p in out["problems"]] == [
        ("CELL_VALUE", edit.cell)  # type: ignore[attr-defined]
    ]


def test_import__a_field_left_blank_that_the_schema_defaults_is_written(tmp_path: Path) -> None:
    """growth_basis left blank in the workbook (as a new office types it): plan.yaml is
    written without it and the plan reads it as the default, not a machine fault."""
    ws = tmp_path / "ws"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    book = tmp_path / "plan.xlsx"
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["主要指标"]
    header = next(c.column for c in sheet[1] if c.value == "增速口径")
    blanked = 0
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header).value not in (None, ""):
            sheet.cell(row, header).value = None
            blanked += 1
    assert blanked
    wb.save(book)
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json")
    assert res.exit_code == 0, res.output
    written = {i["code"]: i for i in read_yaml(ws / "plan.yaml")["indicators"]}
    assert "growth_basis" not in written["GDP"]  # was 可比价 (real), now the default
