"""tianbao validate through the CLI: each failure produces its code at its cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from jsonschema import Draft202012Validator

from helpers import ROOT, made_apart, tianbao
from returns import Returns
from tianbao.support import console_table

DEPT = "RSJ"  # answers for all four forms in the sample


@pytest.fixture(scope="module")
def rs(tmp_path_factory) -> Returns:
    return Returns(tmp_path_factory.mktemp("validate"), DEPT)


def validate(rs: Returns, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        str(path),
        "--json",
        "--previous",
        str(rs.previous),
        *extra,
    )
    data = json.loads(res.stdout)
    return res.exit_code, data


def codes(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["code"], f["sheet"], f["cell"]) for f in data["files"][0]["findings"]]


def test_validate__correct_return__no_finding(rs: Returns) -> None:
    code, data = validate(rs, rs.june("ok"))
    assert data["files"][0]["findings"] == []
    assert code == 0 and data["valid"] is True


def test_validate__json_matches_its_schema(rs: Returns) -> None:
    schema = json.loads((ROOT / "schemas" / "validation-report.schema.json").read_text())
    _, data = validate(
        rs, rs.june("schema", lambda wb, r: _set(wb, r, "projects_progress", 0, "status", "进行中"))
    )
    Draft202012Validator(schema).validate(data)


def _set(wb: openpyxl.Workbook, r: Returns, form: str, row: int, field: str, value: Any) -> None:
    key = r.keys(form)[row]
    cell = wb[r.sheet(form)][r.cell(form, key, field)]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _val(r: Returns, form: str, row: int, field: str) -> Any:
    key = r.keys(form)[row]
    return r.fills["2014-06"][r.sheet(form)].get(r.cell(form, key, field))


def _sheet_cell(wb, r: Returns, form: str, row: int, field: str):
    key = r.keys(form)[row]
    return wb[r.sheet(form)][r.cell(form, key, field)]


def _error_value(wb, r: Returns) -> None:
    c = _sheet_cell(wb, r, "livelihood_progress", 0, "ytd_investment")
    c.value = "#DIV/0!"
    c.data_type = "e"


def _drop_identity(wb, r: Returns) -> None:
    from openpyxl.packaging.custom import CustomPropertyList

    wb.custom_doc_props = CustomPropertyList()
    del wb["_tianbao"]


def _forge_department(wb, r: Returns) -> None:
    for p in wb.custom_doc_props.props:
        if p.name == "tianbao_department":
            p.value = "FGW"
    meta = wb["_tianbao"]
    for row in meta.iter_rows(min_row=1, max_row=20):
        if row[0].value == "department":
            row[1].value = "FGW"


def _edit_meta_only(wb, r: Returns) -> None:
    meta = wb["_tianbao"]
    for row in meta.iter_rows(min_row=1, max_row=20):
        if row[0].value == "generated_at":
            row[1].value = "2014-01-01T00:00:00Z"


def _rename_sheet(wb, r: Returns) -> None:
    wb[r.sheet("tasks_progress")].title = "任务"


def _delete_sheet(wb, r: Returns) -> None:
    del wb[r.sheet("tasks_progress")]


def _header(wb, r: Returns) -> None:
    wb[r.sheet("projects_progress")]["J3"].value = "累计投资"


def _insert_blank_row(wb, r: Returns) -> None:
    wb[r.sheet("projects_progress")].insert_rows(4)


def _delete_row(wb, r: Returns) -> None:
    wb[r.sheet("projects_progress")].delete_rows(5)


def _extra_row(wb, r: Returns) -> None:
    sh = wb[r.sheet("projects_progress")]
    sh["A20"].value = "P999"
    sh["I20"].value = 5


def _duplicate_row(wb, r: Returns) -> None:
    sh = wb[r.sheet("projects_progress")]
    for col in range(1, 18):
        sh.cell(20, col).value = sh.cell(4, col).value


def _extra_sheet(wb, r: Returns) -> None:
    wb.create_sheet("草稿")["A1"].value = "备忘"


def _ytd_below_month(wb, r: Returns) -> None:
    _set(wb, r, "projects_progress", 0, "month_investment", 10**5)


def _not_started_with_money(wb, r: Returns) -> None:
    _set(wb, r, "projects_progress", 0, "status", "未开工")


def _no_start_date(wb, r: Returns) -> None:
    _set(wb, r, "projects_progress", 0, "actual_start", None)


def _ytd_decreasing(wb, r: Returns) -> None:
    _set(wb, r, "projects_progress", 0, "ytd_investment", 1.0)
    _set(wb, r, "projects_progress", 0, "month_investment", 0.5)
    _set(wb, r, "projects_progress", 0, "cumulative_investment", 2.0)


def _ytd_chain(wb, r: Returns) -> None:
    v = _val(r, "projects_progress", 0, "month_investment")
    _set(wb, r, "projects_progress", 0, "month_investment", v - 10)


def _growth_wrong(wb, r: Returns) -> None:
    _set(wb, r, "indicators_monthly", 0, "yoy_pct", 55.5)


def _over_budget(wb, r: Returns) -> None:
    _set(wb, r, "livelihood_progress", 0, "ytd_investment", 900)


def _over_budget_explained(wb, r: Returns) -> None:
    _over_budget(wb, r)
    _set(wb, r, "livelihood_progress", 0, "note", "追加预算300万元，已经区政府批准")


def _not_applicable(wb, r: Returns) -> None:
    _set(wb, r, "indicators_monthly", 1, "ytd", 3.0)


# (case, mutation, expected code, form, row, field, exit code, extra CLI args)
# field None: the code is checked without its cell
CASES: list[tuple[str, Any, str, str | None, int, str | None, int, tuple[str, ...]]] = [
    # identity
    ("no_identity", _drop_identity, "ID_MISSING", None, 0, None, 1, ()),
    ("forged_department", _forge_department, "ID_SIGNATURE_INVALID", None, 0, None, 1, ()),
    # a copy edited beside one that verifies: someone changed it (issue: forged copy)
    ("meta_sheet_edited", _edit_meta_only, "ID_COPY_FORGED", None, 0, None, 1, ()),
    ("wrong_period", None, "ID_WRONG_PERIOD", None, 0, None, 1, ("--period", "2014-05")),
    ("wrong_department", None, "ID_WRONG_DEPARTMENT", None, 0, None, 1, ("--dept", "FGW")),
    # structure
    ("sheet_renamed", _rename_sheet, "STRUCT_SHEET_RENAMED", None, 0, None, 0, ()),
    ("sheet_deleted", _delete_sheet, "STRUCT_SHEET_MISSING", None, 0, None, 1, ()),
    ("header_changed", _header, "STRUCT_HEADER_CHANGED", None, 0, None, 1, ()),
    ("blank_row_inserted", _insert_blank_row, "STRUCT_ROW_MOVED", None, 0, None, 0, ()),
    ("row_deleted", _delete_row, "STRUCT_ROW_MISSING", None, 0, None, 1, ()),
    ("extra_row", _extra_row, "STRUCT_EXTRA_ROW", None, 0, None, 0, ()),
    ("duplicate_row", _duplicate_row, "STRUCT_ROW_DUPLICATE", None, 0, None, 1, ()),
    ("extra_sheet", _extra_sheet, "STRUCT_EXTRA_SHEET", None, 0, None, 0, ()),
    # plan integrity
    (
        "target_edited",
        lambda wb, r: _set(wb, r, "indicators_monthly", 0, "target_level", 99999),
        "PLAN_VALUE_CHANGED",
        "indicators_monthly",
        0,
        "target_level",
        1,
        (),
    ),
    (
        "not_applicable_filled",
        _not_applicable,
        "PLAN_NOT_APPLICABLE_FILLED",
        "indicators_monthly",
        1,
        "ytd",
        1,
        (),
    ),
    # what people type
    (
        "fullwidth_number",
        lambda wb, r: _set(
            wb,
            r,
            "livelihood_progress",
            0,
            "progress_pct",
            str(_val(r, "livelihood_progress", 0, "progress_pct")).translate(
                str.maketrans("0123456789", "０１２３４５６７８９")
            ),
        ),
        "VALUE_NORMALISED",
        "livelihood_progress",
        0,
        "progress_pct",
        0,
        (),
    ),
    (
        "yi_to_wan",
        lambda wb, r: _set(
            wb,
            r,
            "livelihood_progress",
            0,
            "ytd_investment",
            f"{_val(r, 'livelihood_progress', 0, 'ytd_investment') / 10000}亿元",
        ),
        "VALUE_UNIT_CONVERTED",
        "livelihood_progress",
        0,
        "ytd_investment",
        0,
        (),
    ),
    (
        "percent_typed",
        lambda wb, r: _set(
            wb,
            r,
            "indicators_monthly",
            1,
            "month_value",
            f"{_val(r, 'indicators_monthly', 1, 'month_value')}%",
        ),
        "VALUE_NORMALISED",
        "indicators_monthly",
        1,
        "month_value",
        0,
        (),
    ),
    (
        "chinese_date",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "actual_start", "2014年4月1日"),
        "VALUE_NORMALISED",
        "projects_progress",
        0,
        "actual_start",
        0,
        (),
    ),
    (
        "unparseable",
        lambda wb, r: _set(wb, r, "livelihood_progress", 0, "ytd_investment", "约100"),
        "VALUE_UNPARSEABLE",
        "livelihood_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "wrong_unit",
        lambda wb, r: _set(wb, r, "livelihood_progress", 0, "ytd_investment", "100人"),
        "VALUE_UNIT_MISMATCH",
        "livelihood_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "bad_date",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "actual_start", "2014-02-30"),
        "VALUE_UNPARSEABLE",
        "projects_progress",
        0,
        "actual_start",
        1,
        (),
    ),
    (
        "excel_error",
        _error_value,
        "VALUE_EXCEL_ERROR",
        "livelihood_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "start_after_period",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "actual_start", "2014-07-01"),
        "RULE_FAILED",
        "projects_progress",
        0,
        "actual_start",
        1,
        (),
    ),
    (
        "formula_no_cache",
        lambda wb, r: (
            _set(wb, r, "livelihood_progress", 0, "ytd_investment", "=1+1")
            or setattr(
                _sheet_cell(wb, r, "livelihood_progress", 0, "ytd_investment"), "data_type", "f"
            )
        ),
        "VALUE_FORMULA_IN_ENTRY",
        "livelihood_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    # schema
    (
        "status_not_in_list",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "status", "进行中"),
        "SCHEMA_ENUM",
        "projects_progress",
        0,
        "status",
        1,
        (),
    ),
    (
        "status_blank",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "status", None),
        "SCHEMA_REQUIRED",
        "projects_progress",
        0,
        "status",
        1,
        (),
    ),
    (
        "progress_over_100",
        lambda wb, r: _set(wb, r, "livelihood_progress", 0, "progress_pct", 120),
        "VALUE_ABOVE_WHOLE",  # a progress is a part of the whole work (issue 30)
        "livelihood_progress",
        0,
        "progress_pct",
        1,
        (),
    ),
    (
        "text_too_long",
        lambda wb, r: _set(wb, r, "projects_progress", 0, "problems", "长" * 600),
        "SCHEMA_LENGTH",
        "projects_progress",
        0,
        "problems",
        1,
        (),
    ),
    # audit rules: within a row, against the plan, across periods
    (
        "ytd_below_month",
        _ytd_below_month,
        "RULE_FAILED",
        "projects_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "not_started_with_money",
        _not_started_with_money,
        "RULE_FAILED",
        "projects_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "started_without_date",
        _no_start_date,
        "RULE_FAILED",
        "projects_progress",
        0,
        "actual_start",
        1,
        (),
    ),
    (
        "ytd_decreasing",
        _ytd_decreasing,
        "RULE_FAILED",
        "projects_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "ytd_chain_broken",
        _ytd_chain,
        "RULE_FAILED",
        "projects_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "growth_inconsistent",
        _growth_wrong,
        "RULE_FAILED",
        "indicators_monthly",
        0,
        "yoy_pct",
        1,
        (),
    ),
    (
        "warning_unexplained",
        _over_budget,
        "RULE_WARNING",
        "livelihood_progress",
        0,
        "ytd_investment",
        1,
        (),
    ),
    (
        "warning_explained",
        _over_budget_explained,
        "RULE_WARNING_EXPLAINED",
        "livelihood_progress",
        0,
        "ytd_investment",
        0,
        (),
    ),
]
RULE_OF = {
    "start_after_period": "PRJ_START_NOT_AFTER_PERIOD",
    "ytd_below_month": "PRJ_YTD_GE_MONTH",
    "not_started_with_money": "PRJ_NOT_STARTED_ZERO",
    "started_without_date": "PRJ_STARTED_HAS_DATE",
    "ytd_decreasing": "PRJ_YTD_NOT_DECREASING",
    "ytd_chain_broken": "PRJ_YTD_CHAIN",
    "growth_inconsistent": "IND_GROWTH_CONSISTENT",
    "warning_unexplained": "LIV_OVER_BUDGET",
    "warning_explained": "LIV_OVER_BUDGET",
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "mutate", "code", "form", "row", "field", "exit_code", "args"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_validate__finding_at_cell(
    rs: Returns, case, mutate, code, form, row, field, exit_code, args
) -> None:
    got_exit, data = validate(rs, rs.june(case, mutate), *args)
    findings = data["files"][0]["findings"]
    found = [(f["code"], f["sheet"], f["cell"]) for f in findings]
    if field is not None:
        key = rs.keys(form)[row]
        assert (code, rs.sheet(form), rs.cell(form, key, field)) in found, found
    else:
        assert code in [c for c, _, _ in found], found
    if case in RULE_OF:
        assert RULE_OF[case] in [f["rule"] for f in findings if f["code"] == code]
    assert got_exit == exit_code, found


def test_validate__edited_target_names_original_and_new(rs: Returns) -> None:
    _, data = validate(
        rs,
        rs.june(
            "target_msg", lambda wb, r: _set(wb, r, "indicators_monthly", 0, "target_level", 99999)
        ),
    )
    (f,) = [f for f in data["files"][0]["findings"] if f["code"] == "PLAN_VALUE_CHANGED"]
    assert f["value"] == 99999 and f["expected"] == 6000
    assert "6000" in f["message"] and "99999" in f["message"]


def test_validate__without_previous__note_only(rs: Returns) -> None:
    june = str(rs.june("noprev"))
    res = tianbao(rs.runner, "validate", "-w", rs.ws, june, "--json", "--no-history")
    data = json.loads(res.stdout)
    assert [f["code"] for f in data["files"][0]["findings"]] == ["RULE_NO_PREVIOUS"]
    assert res.exit_code == 0
    # by default, May's counting return comes from the ledger: nothing to note
    res = tianbao(rs.runner, "validate", "-w", rs.ws, june, "--json")
    assert json.loads(res.stdout)["files"][0]["findings"] == [] and res.exit_code == 0


def test_validate__old_plan_version(rs: Returns, tmp_path: Path) -> None:
    import shutil

    ws2 = tmp_path / "ws2"
    shutil.copytree(rs.ws, ws2)
    # without the plan it was issued from (kept by generate; see test_plan_revision.py)
    shutil.rmtree(ws2 / ".tianbao" / "plans")
    plan = ws2 / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("plan_version: 1", "plan_version: 2"),
        encoding="utf-8",
    )
    res = tianbao(rs.runner, "validate", "-w", ws2, str(rs.june("old")), "--json")
    codes_ = [f["code"] for f in json.loads(res.stdout)["files"][0]["findings"]]
    assert "ID_OLD_PLAN" in codes_ and res.exit_code == 1


def test_validate__one_bad_file_never_stops_a_batch(rs: Returns, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_empty.xlsx").write_bytes(b"")
    (folder / "b_text.xlsx").write_text("部门,数值\n财政局,1\n", encoding="utf-8")
    import shutil

    shutil.copyfile(rs.june("batch_ok"), folder / rs.templates["2014-06"].name)
    res = tianbao(
        rs.runner, "validate", "-w", rs.ws, str(folder), "--json", "--previous", str(rs.previous)
    )
    data = json.loads(res.stdout)
    valid = {Path(f["path"]).name: f["valid"] for f in data["files"]}
    assert valid == {
        "a_empty.xlsx": False,
        "b_text.xlsx": False,
        rs.templates["2014-06"].name: True,
    }
    assert res.exit_code == 1
    for f in data["files"]:
        if not f["valid"]:
            assert f["findings"][0]["code"] in ("READ_EMPTY_FILE", "READ_CSV_OR_TEXT")


def test_validate__report_and_annotate(rs: Returns, tmp_path: Path) -> None:
    bad = rs.june("annotate", lambda wb, r: _set(wb, r, "projects_progress", 0, "status", "进行中"))
    before = bad.read_bytes()
    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        str(bad),
        "--previous",
        str(rs.previous),
        "--report",
        str(tmp_path / "report.xlsx"),
        "--annotate",
        str(tmp_path / "ann"),
    )
    assert res.exit_code == 1
    assert bad.read_bytes() == before  # the original is never modified
    report = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert "审核结果" in report.sheetnames
    (copy,) = (tmp_path / "ann").glob("*.xlsx")
    wb = openpyxl.load_workbook(copy)
    cell = _sheet_cell(wb, rs, "projects_progress", 0, "status")
    assert cell.comment is not None and "进行中" in cell.comment.text


def test_validate__usage_errors_exit_2(rs: Returns, tmp_path: Path) -> None:
    res = tianbao(rs.runner, "validate", "-w", tmp_path / "nowhere", str(rs.previous))
    assert res.exit_code == 2 and "Traceback" not in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = tianbao(rs.runner, "validate", "-w", rs.ws, str(empty))
    assert res.exit_code == 2


@pytest.mark.slow
def test_validate__parallel_same_as_serial(rs: Returns, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "many"
    by_name = {c[0]: c[1] for c in CASES}
    for name, mutate in (
        ("p_ok", None),
        ("p_enum", by_name["status_not_in_list"]),
        ("p_rule", _ytd_chain),
        ("p_target", by_name["target_edited"]),
    ):
        dst = folder / name
        dst.mkdir(parents=True)
        shutil.copyfile(rs.june(name, mutate), dst / rs.templates["2014-06"].name)
    (folder / "z_empty.xlsx").write_bytes(b"")
    outputs = []
    for jobs in ("1", "2"):
        res = tianbao(
            rs.runner,
            "validate",
            "-w",
            rs.ws,
            str(folder),
            "--json",
            "--jobs",
            jobs,
            "--previous",
            str(rs.previous),
        )
        outputs.append(made_apart(json.loads(res.stdout)))
        assert res.exit_code == 1
    assert outputs[0] == outputs[1]
    assert [Path(f["path"]).parent.name for f in outputs[0]["files"]] == [
        "p_enum",
        "p_ok",
        "p_rule",
        "p_target",
        "many",
    ]


@pytest.mark.slow
def test_validate__rule_across_sheets(tmp_path_factory) -> None:
    """FAI's 本年累计 (亿元) must cover the department's projects (万元): a sheet total."""
    fgw = Returns(tmp_path_factory.mktemp("fgw"), "FGW")
    row = fgw.keys("indicators_monthly").index("FAI")

    def tiny_fai(wb, r: Returns) -> None:
        _set(wb, r, "indicators_monthly", row, "month_value", 0.001)
        _set(wb, r, "indicators_monthly", row, "ytd", 0.001)

    _, data = validate(fgw, fgw.june("tiny_fai", tiny_fai))
    hits = [f for f in data["files"][0]["findings"] if f["rule"] == "IND_FAI_COVERS_PROJECTS"]
    assert [(f["code"], f["cell"]) for f in hits] == [
        ("RULE_WARNING", fgw.cell("indicators_monthly", "FAI", "ytd"))
    ]
    projects = sum(
        v
        for ref, v in fgw.fills["2014-06"][fgw.sheet("projects_progress")].items()
        if ref.startswith(_col_letter(fgw, "projects_progress", "ytd_investment"))
    )
    assert hits[0]["expected"] == pytest.approx(projects)


def _col_letter(r: Returns, form: str, field: str) -> str:
    return "".join(ch for ch in r.cell(form, r.keys(form)[0], field) if ch.isalpha())


def test_validate__many_findings__plain_lines_not_tables(
    rs: Returns, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the table limit, findings and summary are tab-separated lines (a round of
    thousands of files would spend minutes in rich's table layout)."""
    files = [rs.june("plain-a", _ytd_below_month), rs.june("plain-b", _extra_row)]
    monkeypatch.setattr(console_table, "MAX_TABLE_ROWS", 1)
    res = tianbao(rs.runner, "validate", "-w", rs.ws, *map(str, files), "--jobs", "1")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert "┃" not in res.stdout and "│" not in res.stdout
    head = lines.index("文件\t级别\t代码\t工作表\t单元格\t说明")
    findings = [line.split("\t") for line in lines[head + 1 :] if line.count("\t") == 5]
    assert {(Path(f[0]).name, f[2]) for f in findings} >= {
        (files[0].name, "RULE_FAILED"),
        (files[1].name, "STRUCT_EXTRA_ROW"),
    }
    summary = lines.index("文件\t单位\t报告期\t结果\t错误\t预警\t提示")
    assert [line.split("\t")[0] for line in lines[summary + 1 : summary + 3]] == [
        str(f) for f in files
    ]
    assert "1/2 个文件通过" in res.stdout  # an extra row is a warning
