"""The auditors' outputs: the xlsx report and the annotated copies of the returns.

Returns and findings are made by hand here, so these tests pin the outputs, not
the validation: evil strings from a return stay strings, findings land on the
right cells, the original file is never touched, the report is reproducible.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from helpers import SAMPLE, printed_as_a_table
from tianbao.findings import CATALOG, RETURN_CODES, Code, Finding, Severity, make
from tianbao.report.annotate import (
    AUTHOR,
    ERROR_FILL,
    WARNING_FILL,
    annotate_all,
)
from tianbao.report.annotate import SHEET as ANNOTATION_SHEET
from tianbao.report.notice import HEADERS as ANNOTATION_HEADERS
from tianbao.report.validation_xlsx import (
    CODES_HEADERS,
    CODES_SHEET,
    FINDINGS_HEADERS,
    FINDINGS_SHEET,
    RULES_HEADERS,
    RULES_SHEET,
    SUMMARY_HEADERS,
    SUMMARY_SHEET,
    write_report,
)
from tianbao.validate.engine import FileReport, Validator
from tianbao.workspace import init_workspace, open_workspace

SHEET = "项目进度"
LOCKED = "民生实事"
EVIL_VALUE = '=HYPERLINK("http://x")'
EVIL_MESSAGE = "=1+2 本年累计完成投资小于本月完成投资"
EVIL_PLUS = "+cmd|' /C calc'!A0"
EVIL_AT = "@SUM(A1:A9)"
EVIL_FILE = "=2024-03_发改委.xlsx"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_return(path: Path) -> Path:
    """A small returned workbook: a form sheet, a protected one, a merged title."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet(SHEET)
    ws.merge_range(0, 0, 0, 7, "重大项目建设进度表")
    header = ["序号", "项目编号", "项目名称", "状态", "总投资", "本月", "本年累计", "开工累计"]
    ws.write_row(2, 0, header)
    ws.write_row(3, 0, [1, "P001", "东湖隧道", "在建", 1000, 20, 10, 300])
    ws.write_row(4, 0, [2, "P002", "西站改造", "未开工", 500, 0, 0, 0])
    ws.write_row(5, 0, [3, "P003", "滨江公园", "竣工", 80, 1, 2, 95])
    ws.write_comment("G4", "单位自己的批注")
    locked = wb.add_worksheet(LOCKED)
    locked.write_row(0, 0, ["事项", "进度"])
    locked.write_row(1, 0, ["老旧小区改造", "60%"])
    locked.protect("")
    wb.close()
    return path


def _f(code: Code, message: str = "", severity: Severity | None = None, **where) -> Finding:
    """A finding as a report shows it, with any message (the hostile ones included)."""
    return Finding(code, severity or CATALOG[code].severity, message or CATALOG[code].zh, **where)


def _findings(path: Path, sha: str) -> list[Finding]:
    at = {"file": str(path), "sha256": sha, "department": "fgw", "period": "2014-03"}
    row = {**at, "form": "projects_progress", "sheet": SHEET}
    return [
        _f(Code.RULE_FAILED, message=EVIL_MESSAGE, cell="G4", row_key="P001",
             field="ytd_investment", rule="PRJ_YTD_GE_MONTH", value=EVIL_VALUE, expected=20,
             **row),
        _f(Code.SCHEMA_TYPE, cell="G4", row_key="P001", field="ytd_investment", value=10.5,
             expected="number", **row),
        _f(Code.STRUCT_EXTRA_ROW, message=EVIL_PLUS, cell="H6", row_key="P003",
             field="cumulative_investment", value=95, expected=EVIL_AT, **row),
        make(Code.VALUE_NORMALISED, note_zh="已去除首尾空格", note_en="spaces removed", cell="F5",
             row_key="P002", value=" 0 ", expected=0, **row),
        # a cell inside the merged title: marked on its top-left cell A1
        make(Code.STRUCT_HEADER_CHANGED, cell="C1", value="改了", expected="重大项目", **row),
        make(Code.PLAN_VALUE_CHANGED, label="进度", want="50%", got="60%", sheet=LOCKED, cell="B2",
             value="60%", expected="50%", **at),
        # no cell, a missing sheet, a part name as "cell": listed, not marked
        make(Code.ID_FILENAME_MISMATCH, value=EVIL_FILE, expected="2014-03_fgw_…", **at),
        make(Code.STRUCT_SHEET_MISSING, sheet="不存在的表", cell="A1", expected="不存在的表", **at),
        _f(Code.READ_XML_ERROR, message="可疑部件", severity=Severity.NOTE, cell="xl/styles.xml",
             value="SUSPICIOUS", expected="xlsx", **at),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Validator:
    ws = init_workspace(tmp_path_factory.mktemp("ws") / "ws", SAMPLE)
    return Validator(open_workspace(ws))


@pytest.fixture
def returns(tmp_path: Path) -> dict[str, FileReport]:
    """Four reports: findings on cells, unreadable, clean, warning explained."""
    folder = tmp_path / "returns"
    folder.mkdir()
    good = _make_return(folder / "2014-03_fgw_重大项目.xlsx")
    sha = _sha256(good)
    bad = folder / "2014-03_jw_坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    clean = _make_return(folder / "2014-03_jw_干净.xlsx")
    explained = _make_return(folder / EVIL_FILE)
    return {
        "findings": FileReport(str(good), sha, good.stat().st_size, "fgw", "2014-03", "T-1",
                               _findings(good, sha)),
        "unreadable": FileReport(str(bad), _sha256(bad), 0, findings=[
            _f(Code.READ_NOT_A_ZIP, message="不是 zip 文件", file=str(bad), value="NOT_ZIP",
                 expected="xlsx")]),
        "clean": FileReport(str(clean), _sha256(clean), 0, "jw", "2014-03", "T-2"),
        "explained": FileReport(str(explained), _sha256(explained), 0, "jw", "2014-03", "T-3",
                                [_f(Code.RULE_WARNING_EXPLAINED, sheet=SHEET, cell="H4",
                                      file=str(explained))]),
    }  # fmt: skip


def _rows(ws: object) -> list[tuple[object, ...]]:
    return list(ws.iter_rows(values_only=True))  # type: ignore[attr-defined]


def _formulas(path: Path) -> list[str]:
    """Every <f> (formula) element in any sheet of the package."""
    with zipfile.ZipFile(path) as zf:
        return [
            f"{name}: {m}"
            for name in zf.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.findall(r"<f[ >/].{0,60}", zf.read(name).decode("utf-8"))
        ]


# --- the xlsx report ------------------------------------------------------------------


def test_write_report__has_all_sheets_with_headers(tmp_path, returns, validator) -> None:
    out = tmp_path / "审核报告.xlsx"
    write_report(list(returns.values()), out, validator)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, FINDINGS_SHEET, RULES_SHEET, CODES_SHEET]
    heads = {SUMMARY_SHEET: SUMMARY_HEADERS, FINDINGS_SHEET: FINDINGS_HEADERS,
             RULES_SHEET: RULES_HEADERS, CODES_SHEET: CODES_HEADERS}  # fmt: skip
    for name, header in heads.items():
        ws = wb[name]
        assert _rows(ws)[0] == header, name
        assert ws.freeze_panes == "A2", name
        last = openpyxl.utils.get_column_letter(len(header))
        assert ws.auto_filter.ref == f"A1:{last}{max(ws.max_row, 2)}", name
        assert printed_as_a_table(ws, 1) == [], name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_report__one_row_per_file_and_finding(tmp_path, returns, validator) -> None:
    reports = list(returns.values())
    out = tmp_path / "审核报告.xlsx"
    write_report(reports, out, validator)
    wb = openpyxl.load_workbook(out)

    summary = _rows(wb[SUMMARY_SHEET])[1:]
    assert [r[0] for r in summary] == [r.path for r in reports]
    assert [r[5] for r in summary] == ["退回", "退回", "通过", "通过（预警已说明）"]
    counts = [r[6:9] for r in summary]
    assert counts[0] == (5, 2, 2)  # error, warning, note
    assert counts[2] == (0, 0, 0)

    found = _rows(wb[FINDINGS_SHEET])[1:]
    assert len(found) == sum(len(r.findings) for r in reports)
    col = {h: i for i, h in enumerate(FINDINGS_HEADERS)}
    first = found[0]
    assert (first[col["工作表"]], first[col["单元格"]], first[col["代码"]]) == (
        SHEET, "G4", "RULE_FAILED")  # fmt: skip
    assert (first[col["级别"]], first[col["行编号"]], first[col["规则"]]) == (
        "错误", "P001", "PRJ_YTD_GE_MONTH")  # fmt: skip
    assert first[col["应为"]] == 20  # a number stays a number
    assert found[1][col["实际值"]] == 10.5

    rules = _rows(wb[RULES_SHEET])[1:]
    assert len(rules) == sum(len(f.rules) for f in validator.ws.forms.values())
    assert {r[2] for r in rules} >= {"PRJ_YTD_GE_MONTH", "PRJ_CUM_LE_TOTAL"}
    codes = _rows(wb[CODES_SHEET])[1:]
    assert [r[0] for r in codes] == [c.value for c in RETURN_CODES]  # a return's codes


def test_write_report__evil_strings_stay_strings(tmp_path, returns, validator) -> None:
    out = tmp_path / "审核报告.xlsx"
    write_report(list(returns.values()), out, validator)
    assert _formulas(out) == []
    wb = openpyxl.load_workbook(out)
    texts = {c.value: c.data_type for row in wb[FINDINGS_SHEET].iter_rows() for c in row}
    for evil in (EVIL_VALUE, EVIL_MESSAGE, EVIL_PLUS, EVIL_AT):
        assert texts.get(evil) == "s", evil
    files = {c.value: c.data_type for c in wb[SUMMARY_SHEET]["A"]}
    assert files[str(Path(returns["explained"].path))] == "s"


def test_write_report__same_reports_same_bytes(tmp_path, returns, validator) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_report(list(returns.values()), a, validator)
    write_report(list(returns.values()), b, validator)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:  # no wall-clock time, even across seconds
        core = zf.read("docProps/core.xml").decode("utf-8")
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == [
        "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"]  # fmt: skip


def test_write_report__no_reports__headers_only(tmp_path, validator) -> None:
    out = tmp_path / "空.xlsx"
    write_report([], out, validator)
    wb = openpyxl.load_workbook(out)
    assert _rows(wb[FINDINGS_SHEET]) == [FINDINGS_HEADERS]


# --- annotated copies -----------------------------------------------------------------


def test_annotate_all__marks_cells_on_a_copy(tmp_path, returns) -> None:
    report = returns["findings"]
    original = Path(report.path)
    before = _sha256(original)
    out = tmp_path / "批注"
    written = annotate_all([report], out)
    assert written == [out / f"{original.stem}.审核意见.xlsx"]
    assert _sha256(original) == before

    wb = openpyxl.load_workbook(written[0])
    ws = wb[SHEET]
    g4 = ws["G4"]
    assert g4.fill.fgColor.rgb == ERROR_FILL
    assert g4.comment.author == AUTHOR
    assert EVIL_MESSAGE in g4.comment.text
    assert CATALOG[Code.SCHEMA_TYPE].zh in g4.comment.text  # both findings, one comment
    assert f"实际值：{EVIL_VALUE}" in g4.comment.text and "应为：20" in g4.comment.text
    assert g4.value == 10  # the cell itself is untouched
    assert ws["H6"].fill.fgColor.rgb == WARNING_FILL
    assert f"应为：{EVIL_AT}" in ws["H6"].comment.text
    assert ws["F5"].fill.fill_type is None  # a note: commented, not highlighted
    assert ws["F5"].comment is not None
    assert ws["A1"].fill.fgColor.rgb == ERROR_FILL  # C1 lies in the merged title A1:H1
    assert "单位自己的批注" in g4.comment.text  # the clerk's own comment is kept
    locked = wb[LOCKED]
    assert locked.protection.sheet  # still protected, yet marked
    assert locked["B2"].fill.fgColor.rgb == ERROR_FILL
    marked = {(s.title, c.coordinate) for s in wb.worksheets for row in s.iter_rows()
              for c in row if c.comment is not None and c.comment.author == AUTHOR}  # fmt: skip
    assert marked == {(SHEET, "G4"), (SHEET, "H6"), (SHEET, "F5"), (SHEET, "A1"),
                      (LOCKED, "B2")}  # fmt: skip


def _notice(wb: openpyxl.Workbook) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(head lines, table rows) of the notice sheet."""
    rows = _rows(wb[ANNOTATION_SHEET])
    at = rows.index(ANNOTATION_HEADERS)
    return [r for r in rows[:at] if r[0]], rows[at + 1 :]


def test_annotate_all__findings_sheet_first_with_strings(tmp_path, returns) -> None:
    report = returns["findings"]
    [copy] = annotate_all([report], tmp_path / "批注")
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == ANNOTATION_SHEET
    assert wb.active.title == ANNOTATION_SHEET
    head, table = _notice(wb)
    assert head[0][0] == f"审核意见：{Path(report.path).name}"
    assert head[1][0] == "退回：5 处问题须改正，另有 2 处预警不影响受理"
    assert len(table) == len(report.findings)  # nothing to group here
    # Chinese only: no code anywhere on the sheet
    texts = " ".join(str(v) for r in _rows(wb[ANNOTATION_SHEET]) for v in r if v is not None)
    assert not any(f.code.value in texts for f in report.findings)
    # as a clerk walks the workbook: sheet by sheet, row by row (not by code)
    sheets = wb.sheetnames
    keys = []
    for _, where, *_rest in table:
        sheet, _, cell = str(where).partition(" ")
        keys.append((sheets.index(sheet) if sheet in sheets else -1,
                     int("".join(ch for ch in cell if ch.isdigit()) or 0)))  # fmt: skip
    assert keys == sorted(keys), table
    ws = wb[ANNOTATION_SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    at = len(_rows(ws)) - len(table)
    assert ws.print_title_rows == f"${at}:${at}" and ws.oddHeader.center.text.startswith("退回")
    cells = {c.value: c.data_type for row in wb[ANNOTATION_SHEET].iter_rows() for c in row}
    for evil in (EVIL_VALUE, EVIL_MESSAGE, EVIL_PLUS, EVIL_AT, EVIL_FILE):
        assert any(evil in str(v) and t == "s" for v, t in cells.items()), evil
    assert _formulas(copy) == []


def test_annotate_all__each_line_links_to_its_cell(tmp_path, returns) -> None:
    report = returns["findings"]
    [copy] = annotate_all([report], tmp_path / "批注")
    ws = openpyxl.load_workbook(copy)[ANNOTATION_SHEET]
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row
             if c.hyperlink is not None}  # fmt: skip
    assert links[f"{SHEET} G4"] == f"'{SHEET}'!G4"
    assert links[f"{LOCKED} B2"] == f"'{LOCKED}'!B2"
    assert links[f"{SHEET} C1"] == f"'{SHEET}'!A1"  # inside the merged title
    assert "不存在的表 A1" not in links  # no such sheet: listed, not linked


def test_annotate_all__skips_unreadable_and_changed_files(tmp_path, returns) -> None:
    out = tmp_path / "批注"
    changed = returns["clean"]
    Path(changed.path).write_bytes(Path(changed.path).read_bytes() + b"\0")
    written = annotate_all(list(returns.values()), out)
    assert [p.name for p in written] == [
        f"{Path(returns[k].path).stem}.审核意见.xlsx" for k in ("findings", "explained")
    ]
    assert len(list(out.iterdir())) == 2


def test_annotate_all__out_dir_is_the_returns_folder__never_overwrites(tmp_path, returns):
    report = returns["findings"]
    original = Path(report.path)
    before = _sha256(original)
    [copy] = annotate_all([report], original.parent)
    assert copy == original.with_name(f"{original.stem}.审核意见.xlsx")
    assert _sha256(original) == before
    # a same-named return from another folder must not land on this original either
    other = tmp_path / "other"
    other.mkdir()
    twin = _make_return(other / original.name)
    twin_report = FileReport(str(twin), _sha256(twin), 0)
    written = annotate_all([report, twin_report], original.parent)
    assert len(set(written)) == 2 and original not in written
    assert _sha256(original) == before


@pytest.mark.parametrize(
    ("codes", "says"),
    [
        ((), "通过"),
        (("SCHEMA_RANGE",), "退回：1 处问题须改正"),
        (("SCHEMA_RANGE", "SCHEMA_RANGE", "RULE_WARNING"), "退回：2 处问题须改正，1 处预警须说明"),
        (("RULE_WARNING",), "退回：1 处预警须说明"),  # unexplained: blocks
        (("RULE_WARNING", "VALUE_IMPLAUSIBLE"), "退回：1 处预警须说明，另有 1 处预警不影响受理"),
        (("VALUE_IMPLAUSIBLE",), "通过：1 处预警，不影响受理"),
        (("VALUE_NORMALISED",), "通过"),  # a note
    ],
)
def test_notice__headline_follows_the_one_rule(codes, says) -> None:
    from tianbao.report.notice import headline

    assert headline([_f(Code[c]) for c in codes]) == says


def test_annotate_all__a_clean_return_says_so_instead_of_an_empty_table(tmp_path, returns):
    [copy] = annotate_all([returns["clean"]], tmp_path / "批注")
    head, table = _notice(openpyxl.load_workbook(copy))
    assert head[1][0] == "通过" and any("无需重新报送" in str(h[0]) for h in head)
    assert [r[1:3] for r in table] == [("整个文件", "自动审核未发现问题")]
