"""A plan that cannot swallow a department (issue 29): codes plain and unique without
regard to letter case, text free of control and bidi characters, every problem of a
plan workbook in one pass, the dry run and the import alike. Through the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import read_yaml, tianbao, write_yaml
from tianbao.findings import Code, fill

Edit = Callable[[openpyxl.Workbook], None]


@pytest.fixture
def ws(sample_ws: Path) -> Path:
    return sample_ws  # init --sample, made once and copied (conftest)


@pytest.fixture
def book(ws: Path, tmp_path: Path) -> Path:
    out = tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, out).exit_code == 0
    return out


def edited(src: Path, dst: Path, *edits: Edit) -> Path:
    wb = openpyxl.load_workbook(src)
    for edit in edits:
        edit(wb)
    wb.save(dst)
    return dst


def problems(ws: Path, book: Path, *more: str) -> tuple[int, list[tuple[str, str]]]:
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json", *more)
    out = json.loads(res.stdout)
    return res.exit_code, [(p["code"], p["path"]) for p in out["problems"]]


def _lower(sheet: str, cell: str, at: str) -> Edit:
    """Copy ``cell`` to ``at`` in lower case: the same code in another case."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][at] = str(wb[sheet][cell].value).lower()

    return edit


def _row(sheet: str, values: list[Any]) -> Edit:
    return lambda wb: wb[sheet].append(values)


def _set(sheet: str, cell: str, value: Any) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


def _append(sheet: str, cell: str, text: str) -> Edit:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = f"{wb[sheet][cell].value}{text}"

    return edit


# a code that differs from another only in case: (what, edits, the clashing cell)
CASE_CLASHES = [
    ("department", [_row("填报单位", ["fgw", "另一个发改委"])], "填报单位!A17"),
    ("indicator", [_lower("主要指标", "A2", "A3")], "主要指标!A3"),
    ("project", [_lower("重点项目", "A2", "A3")], "重点项目!A3"),
    ("task", [_lower("重点任务", "A2", "A3")], "重点任务!A3"),
    ("livelihood", [_lower("民生工程", "A2", "A3")], "民生工程!A3"),
]


@pytest.mark.slow
@pytest.mark.parametrize("dry", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize(("what", "edits", "cell"), CASE_CLASHES, ids=[c[0] for c in CASE_CLASHES])
def test_a_code_differing_only_in_case__refused_at_its_cell(
    ws: Path, book: Path, tmp_path: Path, what: str, edits: list[Edit], cell: str, dry: bool
) -> None:
    before = (ws / "plan.yaml").read_bytes()
    bad = edited(book, tmp_path / "bad.xlsx", *edits)
    code, found = problems(ws, bad, *(["--dry-run"] if dry else []))
    assert code == 1 and ("DUPLICATE_ID", cell) in found, (what, found)
    assert (ws / "plan.yaml").read_bytes() == before


def test_forms_differing_only_in_case__refused(ws: Path, book: Path, tmp_path: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        basics = wb["基本信息"]
        for row in basics.iter_rows(min_row=2):
            if row[0].value == "报表（逗号分隔）":
                first = str(row[1].value).split(",")[0].strip()
                row[1].value = f"{row[1].value},{first.upper()}"
                edit.cell = f"基本信息!B{row[1].row}"  # type: ignore[attr-defined]

    code, found = problems(ws, edited(book, tmp_path / "f.xlsx", edit))
    assert code == 1 and ("DUPLICATE_ID", edit.cell) in found, found  # type: ignore[attr-defined]


def _plan_edit(mutate: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(ws: Path) -> None:
        data = read_yaml(ws / "plan.yaml")
        mutate(data)
        write_yaml(ws / "plan.yaml", data)

    return apply


def _dept_case(d: dict[str, Any]) -> None:
    d["departments"].append({"code": d["departments"][0]["code"].lower(), "name": "另一个"})


def _project_case(d: dict[str, Any]) -> None:
    d["projects"][1]["id"] = d["projects"][0]["id"].lower()


def _code_line_break(d: dict[str, Any]) -> None:
    d["tasks"][0]["id"] += "\n"


def _name_nel(d: dict[str, Any]) -> None:
    d["departments"][0]["name"] += "\x85"


def _name_rlo(d: dict[str, Any]) -> None:
    d["projects"][0]["name"] = "\u202e" + d["projects"][0]["name"]


# plan.yaml edited by hand: (what, edit, code, path)
CHECKED = [
    ("department case", _dept_case, "DUPLICATE_ID", "$.departments[15].code"),
    ("project case", _project_case, "DUPLICATE_ID", "$.projects[1].id"),
    ("code with a line break", _code_line_break, "CODE_NOT_PLAIN", "$.tasks[0].id"),
    ("name with U+0085", _name_nel, "CONTROL_CHARS", "$.departments[0].name"),
    ("name with U+202E", _name_rlo, "CONTROL_CHARS", "$.projects[0].name"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("what", "edit", "code", "path"), CHECKED, ids=[c[0] for c in CHECKED])
def test_check__codes_and_text_of_plan_yaml(
    ws: Path, what: str, edit: Callable[[dict[str, Any]], None], code: str, path: str
) -> None:
    _plan_edit(edit)(ws)
    res = tianbao(CliRunner(), "check", "-w", ws, "--json")
    assert res.exit_code == 1, res.output
    found = [(p["code"], p["path"]) for p in json.loads(res.stdout)["problems"]]
    assert (code, path) in found, (what, found)


# a control or bidi character in a text cell: (what, sheet, cell)
INVISIBLE = [
    ("\x85", "填报单位", "B2"),  # NEL: a YAML line break
    ("\u202e", "填报单位", "B3"),  # right-to-left override
    ("_x0007_", "重点项目", "B2"),  # BEL, as a workbook stores it
    ("\u2028", "重点任务", "D2"),
    ("\u2066", "民生工程", "E2"),
    ("\u200f", "主要指标", "B2"),
    ("\x9b", "基本信息", "B2"),
]


@pytest.mark.slow
@pytest.mark.parametrize("dry", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize(
    ("char", "sheet", "cell"),
    INVISIBLE,
    ids=[f"U+{ord(c[0]):04X}" if len(c[0]) == 1 else c[0] for c in INVISIBLE],
)
def test_an_invisible_character__refused_at_its_cell(
    ws: Path, book: Path, tmp_path: Path, char: str, sheet: str, cell: str, dry: bool
) -> None:
    before = (ws / "plan.yaml").read_bytes()
    bad = edited(book, tmp_path / "bad.xlsx", _append(sheet, cell, f"中{char}间"))
    code, found = problems(ws, bad, *(["--dry-run"] if dry else []))
    assert code == 1 and found == [("CONTROL_CHARS", f"{sheet}!{cell}")], found
    assert (ws / "plan.yaml").read_bytes() == before


def test_a_line_break_in_a_text_cell__imported(ws: Path, book: Path, tmp_path: Path) -> None:
    code, found = problems(
        ws, edited(book, tmp_path / "b.xlsx", _append("重点任务", "D2", "\n二期"))
    )
    assert code == 0, found
    assert read_yaml(ws / "plan.yaml")["tasks"][0]["description"].endswith("\n二期")


def test_every_problem_in_one_pass(ws: Path, book: Path, tmp_path: Path) -> None:
    """A duplicate code, a name with U+0085, an annual plan above the total and a form
    that does not exist are listed beside a cell that cannot be read, not after it is
    fixed."""

    def annual_above_total(wb: openpyxl.Workbook) -> None:
        wb["重点项目"]["F5"] = wb["重点项目"]["E5"].value + 1

    def unknown_form(wb: openpyxl.Workbook) -> None:
        for row in wb["基本信息"].iter_rows(min_row=2):
            if row[0].value == "报表（逗号分隔）":
                row[1].value = f"{row[1].value},nosuchform"
                unknown_form.cell = f"基本信息!B{row[1].row}"  # type: ignore[attr-defined]

    bad = edited(
        book,
        tmp_path / "bad.xlsx",
        _set("重点项目", "E3", "四千万"),
        _lower("民生工程", "A2", "A4"),
        _append("填报单位", "B2", "中\x85间"),
        annual_above_total,
        unknown_form,
    )
    code, found = problems(ws, bad)
    assert code == 1
    assert sorted(found) == sorted(
        [
            ("CELL_VALUE", "重点项目!E3"),
            ("DUPLICATE_ID", "民生工程!A4"),
            ("CONTROL_CHARS", "填报单位!B2"),
            ("ANNUAL_PLAN_ABOVE_TOTAL", "重点项目!F5"),
            ("UNKNOWN_FORM", unknown_form.cell),  # type: ignore[attr-defined]
        ]
    )


def _many_rows(wb: openpyxl.Workbook) -> None:
    for i in range(5_000):
        wb["重点项目"].append([f"X{i:04d}", f"项目{i}"])


# past a stated limit (read.limits.PLAN_LIMITS): (what, edit, the limit named)
PAST_LIMITS = [
    ("a stray value at A1048576", _set("重点项目", "A1048576", "x"), "5,000 rows"),
    ("5,000 more project rows", _many_rows, "5,000 rows"),
    ("a stray value in column CA", _set("重点任务", "CA2", "x"), "64 columns"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("what", "edit", "limit"), PAST_LIMITS, ids=[p[0] for p in PAST_LIMITS])
def test_past_a_limit__refused_before_it_is_read(
    ws: Path, book: Path, tmp_path: Path, what: str, edit: Edit, limit: str
) -> None:
    """Refused by the guard's scan (which stops at the limit), before the reader builds
    a single row: a stray value at A1048576 cost 25 s and 629 MB when it was read."""
    bad = edited(book, tmp_path / "big.xlsx", edit)
    res = tianbao(CliRunner(), "plan", "import", bad, "-w", ws, "--dry-run")
    assert res.exit_code == 1, res.output
    assert "计划工作簿超出限制" in res.output and limit in res.output, res.output
    code, found = problems(ws, bad)
    assert code == 1 and [c for c, _ in found] == ["WORKBOOK_UNREADABLE"]


def _form(name: str) -> Edit:
    """One more form on 基本信息's 报表 row."""

    def edit(wb: openpyxl.Workbook) -> None:
        for row in wb["基本信息"].iter_rows(min_row=2):
            if row[0].value == "报表（逗号分隔）":
                row[1].value = f"{row[1].value},{name}"

    return edit


def _merge(sheet: str, ref: str) -> Edit:
    return lambda wb: wb[sheet].merge_cells(ref)


# the catalog's (zh, en) of a problem as plan import's lines show it
NO_FORM = fill(Code.UNKNOWN_FORM, "import", form_id="nosuchform")
MERGED = fill(Code.MERGED_CELLS, ref="M10:N10")

# plan import's lines in the language asked for: (case, edits, Chinese, English)
IMPORT_LINES = [
    ("problems", [_set("重点项目", "B4", None), _append("填报单位", "B2", "中\x85间")],
     ["计划未导入", "重点项目!B4：项目名称未填：这一栏必须填写", "含看不见的控制字符 U+0085"],
     ["the plan was not imported", "重点项目!B4: 项目名称 is empty: it must be filled in",
      "holds invisible control characters U+0085"]),
    ("changes", [_set("重点项目", "F2", 100), _set("重点项目", "E3", "２０亿元")],
     ["与原计划相比：修改 2 行", "修改 重点项目 P001", "按 200000 读入", "未写入 plan.yaml"],
     ["against the plan in place: 2 changed", "changed 重点项目 P001", "read as 200000",
      "plan.yaml not written"]),
    ("unknown form", [_form("nosuchform")], [NO_FORM[0]], [NO_FORM[1]]),
    ("merged cells", [_merge("重点项目", "M10:N10")], [f"重点项目!M10：{MERGED[0]}"],
     [f"重点项目!M10: {MERGED[1]}"]),
    ("past a limit", [_set("重点任务", "CA2", "x")],
     ["计划工作簿超出限制：每张表最多 5,000 行、64 列"],
     ["the plan workbook is past a limit of 5,000 rows x 64 columns"]),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("case", "edits", "zh", "en"), IMPORT_LINES, ids=[c[0] for c in IMPORT_LINES]
)
def test_plan_import_lines__in_the_language_asked_for(
    ws: Path, book: Path, tmp_path: Path, lang: str, case: str, edits: list[Edit],
    zh: list[str], en: list[str],
) -> None:  # fmt: skip
    bad = edited(book, tmp_path / "b.xlsx", *edits)
    res = tianbao(CliRunner(), "--lang", lang, "plan", "import", bad, "-w", ws, "--dry-run")
    wanted, other = (zh, en) if lang == "zh" else (en, zh)
    for text in wanted:
        assert text in res.output, res.output
    for text in other:
        assert text not in res.output, res.output


@pytest.mark.slow
def test_formatting_below_the_table__no_rows_and_no_limit(
    ws: Path, book: Path, tmp_path: Path
) -> None:
    """Borders drawn down to row 8,000 (past the row limit) hold no values: imported."""
    from openpyxl.styles import Border, Side

    def borders(wb: openpyxl.Workbook) -> None:
        sheet, side = wb["重点项目"], Border(left=Side(style="thin"))
        for r in range(sheet.max_row + 1, 8_001):
            for c in range(1, 14):
                sheet.cell(r, c).border = side

    code, found = problems(ws, edited(book, tmp_path / "b.xlsx", borders), "--dry-run")
    assert code == 0, found
