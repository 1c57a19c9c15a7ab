"""A return read and written again by another program (issue 30, item 7): one line
saying so, not a line per helper formula with raw floats.

pandas is not a dependency: the fixture leaves what
``pd.read_excel(path, sheet_name=None, header=None)`` and ``to_excel(header=False,
index=False)`` per sheet leave (every sheet written back visible, values only: a
formula as the number Excel last computed for it, with its binary noise; whole
numbers as floats; no styles, protection, merges or document properties), and what
the default ``index=True`` adds (an index column before the data)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from returns import Returns

DEPT = "ZJJ"  # 重点项目, 民生工程 and 重点任务, each with a helper formula column
RAW_FLOAT = re.compile(r"\d\.\d{7,}")  # 37.49999999999999, 0.30000000000000004


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("resave"), DEPT)


def _computed(r: int) -> float:
    """A figure as a spreadsheet's binary arithmetic leaves it (never a round one)."""
    return (0.1 * r + 0.2) * 100 / 3


def pandas_resave(path: Path, index: bool = False) -> list[str]:
    """Rewrite ``path`` as such a script does; the cells whose formula became a value."""
    book = openpyxl.load_workbook(path)
    out = openpyxl.Workbook()
    out.remove(out.active)
    lost = []
    for ws in book.worksheets:  # the very hidden identity sheet too, now visible
        copy = out.create_sheet(ws.title)
        shift = 1 if index else 0
        for row in ws.iter_rows():
            for c in row:
                v: Any = c.value
                if isinstance(v, str) and v.startswith("="):
                    v = _computed(c.row)
                    lost.append(f"{ws.title}!{c.coordinate}")
                elif isinstance(v, int) and not isinstance(v, bool):
                    v = float(v)  # a numeric column with blanks is float64
                if v is not None:
                    copy.cell(c.row, c.column + shift, v)
            if index and row and row[0].row > 1:
                copy.cell(row[0].row, 1, row[0].row - 2)
    out.save(path)
    return lost


def test_pandas_resave__one_finding_counting_the_formulas_lost(rs: Returns) -> None:
    path = rs.june("resaved")
    lost = pandas_resave(path)
    helpers = [c for c in lost if "!" in c and not c.startswith("_")]
    code, report = rs.validate(path)
    found = [f for f in report["findings"] if f["code"] == "STRUCT_LOCKED_CHANGED"]
    assert len(found) == 1, found
    (f,) = found
    first = next(c for c in helpers if _helper(rs, c))
    count = sum(1 for c in helpers if _helper(rs, c))
    assert f["value"] == count and f"{f['sheet']}!{f['cell']}" == first, (f, first)
    assert f"{count} 处自动计算的公式" in f["message"] and first in f["message"], f["message"]
    assert "其他程序" in f["message"] and "统计局下发的模板中重新填写" in f["message"]
    assert "another program" in f["message_en"] and str(count) in f["message_en"]
    assert not [g for g in report["findings"] if RAW_FLOAT.search(g["message"])], report
    assert code == 0 and report["status"] == "accepted_with_warnings", report["findings"]


def _helper(rs: Returns, ref: str) -> bool:
    """A helper formula cell (完成率), not an entry cell issued with a default sum."""
    sheet, cell = ref.split("!")
    for form_id in ("projects_progress", "livelihood_progress", "tasks_progress"):
        if rs.sheet(form_id) != sheet:
            continue
        form = rs.forms[form_id]
        helpers = [c.field for c in form.columns if c.formula and not c.entry]
        return any(cell == rs.cell(form_id, k, h) for k in rs.keys(form_id) for h in helpers)
    return False


@pytest.mark.parametrize(
    ("typed", "shown"), [(70 / 3, "23.3"), (100, "100.0"), ("已完成", "已完成")]
)
def test_one_helper_typed_over__said_at_its_cell_as_the_cell_shows_it(
    rs: Returns, typed: Any, shown: str
) -> None:
    form = "tasks_progress"
    cell = rs.cell(form, rs.keys(form)[0], "completion")

    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        wb[r.sheet(form)][cell] = typed

    code, report = rs.validate(rs.june(f"typed_over_{shown}", mutate))
    found = [f for f in report["findings"] if f["code"] == "STRUCT_LOCKED_CHANGED"]
    assert [(f["sheet"], f["cell"]) for f in found] == [(rs.sheet(form), cell)], found
    assert f"现为“{shown}”" in found[0]["message"], found[0]["message"]
    assert code == 0


def test_pandas_resave_with_its_index_column__one_line_naming_the_cause(rs: Returns) -> None:
    """to_excel's default index column moves the identity sheet's cells too."""
    path = rs.june("resaved_index")
    pandas_resave(path, index=True)
    code, report = rs.validate(path)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in errors] == ["ID_MISSING"], report["findings"]
    assert "pandas" in errors[0]["message"] and "重新下载" in errors[0]["message"]
    assert code == 1


def test_a_title_overwritten_by_a_number__shown_as_the_sheet_shows_it(rs: Returns) -> None:
    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        wb[r.sheet("tasks_progress")]["A1"] = 70 / 3  # 23.333333333333332

    code, report = rs.validate(rs.june("title_number", mutate))
    found = [f for f in report["findings"] if f["code"] == "STRUCT_LOCKED_CHANGED"]
    assert [f["cell"] for f in found] == ["A1"] and "现为“23.33”" in found[0]["message"], found
    assert not RAW_FLOAT.search(found[0]["message"]) and code == 0
