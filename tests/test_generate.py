"""tianbao generate: one workbook per department, checked through the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.cell_range import CellRange

from tianbao import identity as ident
from tianbao.cli import main
from tianbao.template.validations import constraints_of, data_validation
from tianbao.workspace import open_workspace

PERIOD = "2014-06"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "ws"
    assert run("init", str(path), "--sample", "jiefang-2014").exit_code == 0
    return path


@pytest.fixture(scope="module")
def generated(ws: Path, tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("templates")
    res = run(
        "generate", "-w", str(ws), "--period", PERIOD, "-o", str(out), "--allow-missing-previous"
    )
    assert res.exit_code == 0, res.output
    return sorted(out.glob("*.xlsx"))


def load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def custom_props(wb: openpyxl.Workbook) -> dict[str, str]:
    return {p.name: str(p.value) for p in wb.custom_doc_props.props}


@pytest.mark.slow
def test_generate__one_workbook_per_department(ws: Path, generated: list[Path]) -> None:
    plan = open_workspace(ws).plan
    assert plan is not None
    answering = {
        code
        for code in plan.departments
        if any(plan.rows_for(c, code) for c in ("indicators", "projects", "tasks", "livelihood"))
    }
    names = {p.name.split("_")[1] for p in generated}
    assert names == answering
    for p in generated:
        assert re.fullmatch(rf"{PERIOD}_[A-Z]+_.+\.xlsx", p.name)


def test_generate__dept_narrows(ws: Path, tmp_path: Path) -> None:
    res = run(
        "generate",
        "-w",
        str(ws),
        "--period",
        PERIOD,
        "--dept",
        "FGW",
        "--dept",
        "CZJ",
        "-o",
        str(tmp_path),
        "--allow-missing-previous",
    )
    assert res.exit_code == 0
    assert sorted(p.name.split("_")[1] for p in tmp_path.glob("*.xlsx")) == ["CZJ", "FGW"]


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2014-13"],
        ["--period", "2015-06"],
        ["--period", "2014-Q2"],
        ["--period", "June"],
        ["--period", PERIOD, "--dept", "NOPE"],
    ],
)
def test_generate__bad_period_or_dept__exit_2_one_line(ws: Path, tmp_path: Path, args) -> None:
    res = CliRunner().invoke(main, ["generate", "-w", str(ws), *args, "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1
    assert not list(tmp_path.glob("*.xlsx"))


def test_generate__rows_prefilled_and_locked(ws: Path, generated: list[Path]) -> None:
    w = open_workspace(ws)
    plan = w.plan
    assert plan is not None
    for path in generated:
        dept = path.name.split("_")[1]
        wb = load(path)
        assert wb.sheetnames[0] == "填报说明"
        assert wb["_tianbao"].sheet_state == "veryHidden"
        for form in w.forms.values():
            items = plan.rows_for(form.rows, dept)
            if not items:
                assert form.sheet not in wb.sheetnames
                continue
            sh = wb[form.sheet]
            assert sh.protection.sheet
            assert sh.protection.formatColumns is False  # False = allowed in OOXML terms
            assert sh.freeze_panes == "C4"
            assert sh.page_setup.orientation == "landscape"
            assert int(sh.page_setup.paperSize) in (8, 9)  # A3 for the wide sheets
            assert sh.print_title_rows.replace("$", "") == "1:3"
            assert plan.departments[dept].name in sh.oddHeader.left.text
            keys = [sh.cell(r, 1).value for r in range(4, 4 + len(items))]
            assert keys == [it.key for it in items]
            for ci, col in enumerate(form.columns, start=1):
                cell = sh.cell(4, ci)
                if col.prefill:
                    assert cell.protection.locked
                elif col.entry and col.applies_to(items[0].values):
                    assert not cell.protection.locked, (path.name, col.field)
                elif col.formula:
                    assert cell.protection.locked


def test_generate__every_schema_constraint_has_excel_validation(
    ws: Path, generated: list[Path]
) -> None:
    w = open_workspace(ws)
    plan = w.plan
    assert plan is not None
    checked = 0
    for path in generated:
        wb = load(path)
        for form in w.forms.values():
            if form.sheet not in wb.sheetnames:
                continue
            sh = wb[form.sheet]
            dvs = sh.data_validations.dataValidation
            for ci, col in enumerate(form.columns, start=1):
                if not col.entry:
                    continue
                letter = openpyxl.utils.get_column_letter(ci)
                mine = [
                    dv
                    for dv in dvs
                    if any(re.match(rf"{letter}\d", str(r)) for r in dv.sqref.ranges)
                ]
                schema = form.field_schema(col.field)
                wanted = constraints_of(schema)
                items = plan.rows_for(form.rows, path.name.split("_")[1])
                applicable = [4 + i for i, it in enumerate(items) if col.applies_to(it.values)]
                if not wanted or not applicable:
                    assert not mine  # a cell that does not apply takes no input
                    continue
                covered = {
                    row
                    for dv in mine
                    for r in dv.sqref.ranges
                    for row, _col in CellRange(str(r)).cells
                }
                assert covered == set(applicable), (path.name, col.field)
                assert mine, (path.name, form.id, col.field)
                dv = mine[0]
                assert dv.promptTitle and dv.prompt and dv.error, "Chinese prompt and alert"
                if "enum" in wanted:
                    assert dv.type == "list"
                    src = dv.formula1
                    if src.startswith('"'):
                        assert src.strip('"').split(",") == [str(v) for v in schema["enum"]]
                    else:
                        assert "_lists" in src
                elif "date" in wanted:
                    assert dv.type == "date"
                elif "number" in wanted or "integer" in wanted:
                    assert dv.type == ("whole" if "integer" in wanted else "decimal")
                    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
                    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
                    if lo is not None and hi is not None:
                        assert (float(dv.formula1), float(dv.formula2)) == (lo, hi)
                elif "maxLength" in wanted:
                    assert dv.type == "textLength"
                    assert float(dv.formula2) == schema["maxLength"]
                checked += 1
    assert checked > 20


@pytest.mark.slow
def test_generate__identity_signed_and_secret_never_written(
    ws: Path, generated: list[Path]
) -> None:
    secret = open_workspace(ws).secret()
    for path in generated:
        props = custom_props(load(path))
        identity = {k: props[ident.PROPERTY_PREFIX + k] for k in ident.IDENTITY_FIELDS}
        assert identity["period"] == PERIOD
        assert identity["department"] == path.name.split("_")[1]
        assert ident.verify(secret, identity, props[ident.SIGNATURE_PROPERTY])
        forged = {**identity, "department": "XXX"}
        assert not ident.verify(secret, forged, props[ident.SIGNATURE_PROPERTY])
        assert not ident.verify(b"another-secret" * 4, identity, props[ident.SIGNATURE_PROPERTY])
        with zipfile.ZipFile(path) as zf:
            blob = b"".join(zf.read(n) for n in zf.namelist())
        assert secret not in blob
        meta = load(path)["_tianbao"]
        values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(2, 14)}
        assert values["signature"] == props[ident.SIGNATURE_PROPERTY]


def test_generate__same_inputs_same_bytes_whatever_the_jobs(ws: Path, tmp_path: Path) -> None:
    listings = []
    for sub, jobs in (("a", "1"), ("b", "2"), ("c", "3")):
        res = run(
            "generate",
            "-w",
            str(ws),
            "--period",
            PERIOD,
            "-o",
            str(tmp_path / sub),
            "-j",
            jobs,
            "--allow-missing-previous",
        )
        assert res.exit_code == 0, res.output
        listings.append(res.stdout.replace(f"/{sub}/", "/"))
    a = sorted((tmp_path / "a").glob("*.xlsx"))
    assert len(a) == 15
    for sub in ("b", "c"):
        assert sorted(p.name for p in (tmp_path / sub).glob("*.xlsx")) == [f.name for f in a]
        for f in a:
            assert f.read_bytes() == (tmp_path / sub / f.name).read_bytes(), (sub, f.name)
    assert listings[0] == listings[1] == listings[2]  # same lines, same department order


def test_generate__a_killed_runs_temporary_file_is_swept_a_live_ones_kept(
    ws: Path, tmp_path: Path
) -> None:
    # the folder is listed once per run, not once per template: the sweep must still happen
    args = ["generate", "-w", str(ws), "--period", PERIOD, "-o", str(tmp_path)]
    assert run(*args, "--dept", "FGW", "--allow-missing-previous").exit_code == 0
    (made,) = tmp_path.glob("*.xlsx")
    code = "import os; print(os.getpid())"
    dead = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    stale = tmp_path / f".{made.stem}.{dead.strip()}-k1ll.tmp"
    live = tmp_path / f".{made.stem}.{os.getppid()}-l1ve.tmp"  # another writer, still at it
    other = tmp_path / f".{PERIOD}_CZJ_x.{dead.strip()}-k1ll.tmp"  # a file this run never writes
    for leftover in (stale, live, other):
        leftover.write_bytes(b"half a workbook")
    assert run(*args, "--dept", "FGW", "--allow-missing-previous").exit_code == 0
    assert (stale.exists(), live.exists(), other.exists()) == (False, True, True)


def test_generate__formulas_have_cached_values_and_own_row(generated: list[Path]) -> None:
    seen = 0
    for path in generated:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not name.startswith("xl/worksheets/sheet"):
                    continue
                xml = zf.read(name).decode()
                for m in re.finditer(r'<c r="[A-Z]+(\d+)"[^>]*><f>([^<]*)</f><v>', xml):
                    row, formula = m.group(1), m.group(2)
                    refs = set(re.findall(r"[A-Z]+(\d+)", formula))
                    assert refs == {row}, formula
                    seen += 1
    assert seen > 0


def test_generate__plan_strings_never_become_formulas(ws: Path, tmp_path: Path) -> None:
    plan_path = ws.parent / "inj" / "plan.yaml"
    run("init", str(ws.parent / "inj"), "--sample", "jiefang-2014")
    text = plan_path.read_text(encoding="utf-8")
    evil = '=HYPERLINK("http://x","点我")'
    text = text.replace("星凯国际城市综合体", evil.replace('"', '\\"'), 1)
    plan_path.write_text(text, encoding="utf-8")
    res = run(
        "generate",
        "-w",
        str(plan_path.parent),
        "--period",
        PERIOD,
        "-o",
        str(tmp_path),
        "--allow-missing-previous",
    )
    assert res.exit_code == 0, res.output
    found = False
    for path in tmp_path.glob("*.xlsx"):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                data = zf.read(name).decode("utf-8", "replace")
                assert "<f>HYPERLINK" not in data
                if "HYPERLINK" in data and name == "xl/sharedStrings.xml":
                    found = True
    assert found, "the evil name is written, as a plain string"


def test_generate__the_cover_says_where_to_send_it_and_whom_to_call(
    ws: Path, generated: list[Path]
) -> None:
    plan = open_workspace(ws).plan
    assert plan is not None and plan.office is not None
    cover = load(generated[0])["填报说明"]
    lines = {r[0]: r[1] for r in cover.iter_rows(min_row=3, values_only=True) if r[0]}
    assert lines["收表单位"] == plan.office.name
    assert lines["报送方式"] == plan.office.submit_to
    assert plan.office.phone in lines["咨询电话"] and plan.office.contact in lines["咨询电话"]
    dept = plan.departments[generated[0].name.split("_")[1]]
    assert dept.contact_phone in lines["本单位联系人"]


def test_generate__no_office_in_the_plan__no_office_lines(ws: Path, tmp_path: Path) -> None:
    other = tmp_path / "ws"
    run("init", str(other), "--sample", "jiefang-2014")
    plan_path = other / "plan.yaml"
    text = plan_path.read_text(encoding="utf-8")
    start = text.index("  office:")
    end = text.index("  forms:", start)
    plan_path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "out"
    res = run("generate", "-w", str(other), "--period", PERIOD, "--dept", "FGW", "-o", str(out),
              "--allow-missing-previous")  # fmt: skip
    assert res.exit_code == 0, res.output
    cover = load(next(out.glob("*.xlsx")))["填报说明"]
    labels = {r[0] for r in cover.iter_rows(min_row=3, values_only=True)}
    assert "收表单位" not in labels and "本单位联系人" in labels


def test_input_prompts__bounds_as_a_clerk_reads_them() -> None:
    """「请输入-100万 至 1亿 之间的数字」, never 1e+07."""
    import re
    import zipfile

    from helpers import ROOT

    golden = ROOT / "tests" / "golden" / "2014-06_FGW.xlsx"
    with zipfile.ZipFile(golden) as z:
        sheets = "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )
    prompts = re.findall(r'prompt="([^"]*)"', sheets)
    assert prompts and not any(re.search(r"\de[+-]\d", p) for p in prompts), prompts[:3]
    assert any("1亿" in p for p in prompts)


NUMBER_BOUNDS = [
    # (number schema, Excel criteria, what the input message asks for)
    (
        {"minimum": 0, "maximum": 100},
        {"criteria": "between", "minimum": 0, "maximum": 100},
        "0 至 100 之间的数字",
    ),
    ({"minimum": 0}, {"criteria": ">=", "value": 0}, "不小于 0 的数字"),
    ({"exclusiveMinimum": 0}, {"criteria": ">", "value": 0}, "大于 0 的数字"),
    ({"maximum": 5}, {"criteria": "<=", "value": 5}, "不大于 5 的数字"),
    ({"exclusiveMaximum": 5}, {"criteria": "<", "value": 5}, "小于 5 的数字"),
    ({}, {"criteria": "between", "minimum": -1e15, "maximum": 1e15}, "数字"),
]


@pytest.mark.parametrize(("bounds", "criteria", "asks"), NUMBER_BOUNDS)
def test_number_validation__criteria_and_message_follow_the_bounds(bounds, criteria, asks) -> None:
    opts = data_validation({"type": "number", **bounds}, "本月完成投资", "万元")
    assert opts["validate"] == "decimal"
    assert {k: opts[k] for k in criteria} == criteria
    assert set(opts) - set(criteria) == {
        "validate",
        "input_title",
        "input_message",
        "error_title",
        "error_message",
    }
    assert opts["input_message"] == f"请输入{asks}（万元）。只填数字，不要带单位或逗号。"
