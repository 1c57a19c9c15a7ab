"""The plan workbook's 报表 cell (issue 32, item 8): the forms by Chinese name or 表号 (ids
of older files too), a dropdown of the names, blank for all forms, a message that lists
what it takes; and no revision warning on a plan's first import. Through the CLI:
``plan template`` → filled as an office types it (openpyxl) → ``plan import``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import SAMPLE, read_yaml, tianbao
from tianbao.findings import Code, fill

ALL = ["indicators_monthly", "projects_progress", "livelihood_progress", "tasks_progress"]
NAMES = (
    "主要指标月报（目标01表）、重点项目进度（目标02表）、民生工程进度（目标03表）、"
    "重点任务进度（目标04表）"
)
HEADER = "报表（逗号分隔）"


def _basics_row(ws: Any, header: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == header)


def filled(template: Path, out: Path, forms: Any) -> Path:
    """The blank plan workbook filled as a new office would: one department, one
    indicator, the 报表 cell as typed."""
    wb = openpyxl.load_workbook(template)
    basics = wb["基本信息"]
    values = {"区（县）名称": "解放区", "区（县）代码": "jiefang", "计划年度": 2014,
              "基期年度": 2013, "计划版本": 1, HEADER: forms}  # fmt: skip
    for header, value in values.items():
        basics.cell(_basics_row(basics, header), 2).value = value
    wb["填报单位"].append(["FGW", "发改委"])
    wb["主要指标"].append(
        ["GDP", "地区生产总值", None, "亿元", "FGW", "累计", "可比价", 100, None, None, "增长", 8]
    )
    wb.save(out)
    return out


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, Path]:
    """A new workspace (init's skeleton plan) and a blank plan workbook."""
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "init", ws).exit_code == 0
    assert tianbao(CliRunner(), "plan", "template", book).exit_code == 0
    return ws, book


def imported(ws: Path, book: Path, *more: str) -> tuple[int, dict[str, Any]]:
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json", *more)
    return res.exit_code, json.loads(res.stdout)


# (typed in the 报表 cell, the forms plan.yaml then names)
READ_AS = [
    ("主要指标月报, 重点项目进度", ["indicators_monthly", "projects_progress"]),
    ("目标01表、目标04表", ["indicators_monthly", "tasks_progress"]),
    ("重点任务进度，目标02表；民生工程进度", ["tasks_progress", "projects_progress",
                                           "livelihood_progress"]),
    ("主要指标月报", ["indicators_monthly"]),
    ("  重点项目进度 ", ["projects_progress"]),
    ("indicators_monthly projects_progress", ["indicators_monthly", "projects_progress"]),
    ("indicators_monthly, 目标03表", ["indicators_monthly", "livelihood_progress"]),
    (None, ALL),  # blank: every form
    ("，", ALL),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "forms"), READ_AS, ids=[str(t) for t, _ in READ_AS])
def test_forms_cell__names_tablenos_and_ids_read_as_forms(
    fresh: tuple[Path, Path], tmp_path: Path, typed: Any, forms: list[str]
) -> None:
    ws, template = fresh
    code, out = imported(ws, filled(template, tmp_path / "f.xlsx", typed))
    assert code == 0, out["problems"]
    assert read_yaml(ws / "plan.yaml")["reporting"]["forms"] == forms
    blank_note = [n for n in out["notes"] if "blank: all forms" in n["why"]]
    assert bool(blank_note) == (forms == ALL)


# (typed, the finding, the message's words (zh, en) beyond the accepted list)
REFUSED = [
    ("主要指标月表", "UNKNOWN_FORM", fill(Code.UNKNOWN_FORM, "import", form_id="主要指标月表")),
    ("目标09表, 重点项目进度", "UNKNOWN_FORM", ("报表“目标09表”不存在", "no such form 目标09表")),
    ("nosuchform", "UNKNOWN_FORM", fill(Code.UNKNOWN_FORM, "import", form_id="nosuchform")),
    ("主要指标月报, 目标01表", "DUPLICATE_ID", ("“目标01表”与“主要指标月报”是同一张报表",
                                              "目标01表 and 主要指标月报 are the same form")),
    ("projects_progress, PROJECTS_PROGRESS", "DUPLICATE_ID", ("是同一张报表", "the same form")),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "code", "words"), REFUSED, ids=[t for t, _, _ in REFUSED])
def test_forms_cell__a_wrong_name_refused_at_the_cell_with_what_it_takes(
    fresh: tuple[Path, Path], tmp_path: Path, typed: str, code: str, words: tuple[str, str]
) -> None:
    ws, template = fresh
    before = (ws / "plan.yaml").read_bytes()
    book = filled(template, tmp_path / "f.xlsx", typed)
    status, out = imported(ws, book)
    assert status == 1
    assert [(p["code"], p["path"]) for p in out["problems"]] == [(code, "基本信息!B16")]
    assert (ws / "plan.yaml").read_bytes() == before
    for lang, word in zip(("zh", "en"), words, strict=True):
        res = tianbao(CliRunner(), "--lang", lang, "plan", "import", book, "-w", ws)
        line = next(ln for ln in res.output.splitlines() if "基本信息!B16" in ln)
        assert word in line, line
        if code == "UNKNOWN_FORM":  # the accepted values, in both languages
            assert NAMES in line and "空：全部报表" * (lang == "zh") in line, line


def test_template__the_forms_cell_has_a_dropdown_of_the_names(fresh: tuple[Path, Path]) -> None:
    _ws, template = fresh
    basics = openpyxl.load_workbook(template)["基本信息"]
    row = _basics_row(basics, HEADER)
    rules = [dv for dv in basics.data_validations.dataValidation if f"B{row}" in str(dv.sqref)]
    assert len(rules) == 1 and rules[0].type == "list"
    assert rules[0].formula1 == '"主要指标月报,重点项目进度,民生工程进度,重点任务进度"'
    assert rules[0].errorStyle == "information"  # several names may be typed
    assert basics.cell(row, 2).value is None


def test_export__writes_the_names_and_reads_back_the_same(tmp_path: Path) -> None:
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    basics = openpyxl.load_workbook(book)["基本信息"]
    shown = basics.cell(_basics_row(basics, HEADER), 2).value
    names = {"indicators_monthly": "主要指标月报", "projects_progress": "重点项目进度",
             "livelihood_progress": "民生工程进度", "tasks_progress": "重点任务进度"}  # fmt: skip
    forms = read_yaml(ws / "plan.yaml")["reporting"]["forms"]
    assert shown == ", ".join(names[f] for f in forms)
    code, out = imported(ws, book)
    assert code == 0 and out["changes"] == [], out


def test_export__many_forms__the_dropdown_reads_a_hidden_list(tmp_path: Path) -> None:
    """Past 255 characters an inline list is cut by Excel: the names go to a sheet."""
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    layout = (ws / "forms" / "tasks_progress.yaml").read_text(encoding="utf-8")
    for i in range(40):
        text = layout.replace("id: tasks_progress", f"id: extra_{i:02d}")
        text = text.replace("重点任务进度", f"专项调查第{i:02d}号表")
        text = text.replace("目标04表", f"专{i:02d}表")
        (ws / "forms" / f"extra_{i:02d}.yaml").write_text(text, encoding="utf-8")
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    names = wb["报表清单"]
    assert names.sheet_state == "hidden"
    listed = [c.value for c in names["A"]]
    assert len(listed) == 44 and "专项调查第39号表" in listed and "主要指标月报" in listed
    basics = wb["基本信息"]
    row = _basics_row(basics, HEADER)
    rule = next(dv for dv in basics.data_validations.dataValidation if f"B{row}" in str(dv.sqref))
    assert rule.formula1 == "'报表清单'!$A$1:$A$44"
    basics.cell(row, 2).value = "主要指标月报, 专12表, 专项调查第07号表"
    wb.save(book)
    code, out = imported(ws, book, "--dry-run")
    assert code == 0, out["problems"]
    change = next(c for c in out["changes"] if c["sheet"] == "基本信息")
    assert change["fields"][0]["after"] == ["主要指标月报", "专项调查第12号表", "专项调查第07号表"]


def test_first_import__no_warning_about_issued_templates(
    fresh: tuple[Path, Path], tmp_path: Path
) -> None:
    ws, template = fresh
    book = filled(template, tmp_path / "f.xlsx", "主要指标月报")
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws)
    assert res.exit_code == 0, res.output
    assert "计划版本没有提高" not in res.output and "已下发的模板" not in res.output


def _raise_annual_plan(book: Path, out: Path) -> Path:
    wb = openpyxl.load_workbook(book)
    wb["重点项目"]["F2"].value = (wb["重点项目"]["F2"].value or 0) + 100
    wb.save(out)
    return out


@pytest.mark.parametrize("issued", [False, True], ids=["nothing issued", "templates issued"])
def test_a_change_without_a_new_version__warned_only_once_templates_went_out(
    tmp_path: Path, issued: bool
) -> None:
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    if issued:
        res = tianbao(CliRunner(), "generate", "-w", ws, "-p", "2014-01", "--dept", "FGW")
        assert res.exit_code == 0, res.output
    changed = _raise_annual_plan(book, tmp_path / "改.xlsx")
    code, out = imported(ws, changed, "--dry-run")
    assert code == 0 and out["changes"], out
    assert out["version_kept"] is issued
    res = tianbao(CliRunner(), "plan", "import", changed, "-w", ws)
    assert ("已下发的模板将按新计划审核" in res.output) is issued, res.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init__the_next_step_names_template_and_import_in_either_language(
    tmp_path: Path, lang: str
) -> None:
    ws = tmp_path / "新区"
    res = tianbao(CliRunner(), "--lang", lang, "init", ws)
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.stderr.splitlines() if "plan template" in ln)
    assert f"tianbao plan import 计划.xlsx -w {ws}" in line, line
    assert ("填好后" in line) == (lang == "zh") and ("fill it in" in line) == (lang == "en")
