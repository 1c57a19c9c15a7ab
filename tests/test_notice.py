"""The correction notice (审核意见) a clerk gets back, made through `validate --annotate`.

A half-filled June return of SYQ (28 projects): 19 untouched project rows and
wrong figures in others. The notice must say the verdict, the deadline and whom to
call, group the blank rows into one line, link each line to its cell, carry no
English code, and print on at most 2 A4 landscape pages (rendered by LibreOffice).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import lo
from helpers import require_or_skip, tianbao
from returns import Returns
from tianbao.report.notice import HEADERS, SHEET

DEPT = "SYQ"
FORM = "projects_progress"


def _blank(rs: Returns, keys: list[str], fields: tuple[str, ...]):
    def mutate(wb: openpyxl.Workbook, rs: Returns) -> None:
        ws = wb[rs.sheet(FORM)]
        for k in keys:
            for f in fields:
                ws[rs.cell(FORM, k, f)] = None

    return mutate


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("notice"), DEPT)


def _annotate(rs: Returns, name: str, mutate: Any) -> tuple[Path, list[dict[str, Any]], str]:
    """(the notice file, the findings of validate --json, what the command said)."""
    path = rs.june(name, mutate)
    out = path.parent / "审核意见"
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--annotate", out, "--json")
    assert res.exit_code == 1, res.output
    (copy,) = out.glob("*.xlsx")
    assert copy.name == f"{path.stem}.审核意见.xlsx"
    start = res.stdout.index("{")
    report = json.JSONDecoder().raw_decode(res.stdout[start:])[0]
    return copy, report["files"][0]["findings"], res.stderr


def _notice(copy: Path) -> tuple[list[str], list[tuple[Any, ...]], Any]:
    ws = openpyxl.load_workbook(copy)[SHEET]
    rows = list(ws.iter_rows(values_only=True))
    at = rows.index(HEADERS)
    return [str(r[0]) for r in rows[:at] if r[0]], rows[at + 1 :], ws


def test_blank_rows__one_line_per_run_and_the_head_says_what_to_do(rs: Returns) -> None:
    keys = rs.keys(FORM)
    blank = keys[6:25]
    copy, findings, said = _annotate(
        rs, "blank", _blank(rs, blank, ("month_investment", "status", "progress"))
    )
    required = [f for f in findings if f["code"] == "SCHEMA_REQUIRED"]
    assert len(required) >= 2 * len(blank)  # at least 本月 and 状态 are required
    head, table, ws = _notice(copy)
    # counted in problems (the notice's lines: the 19 rows are one), with their cells
    problems = sum(r[0] == "错误" for r in table)
    cells = len({(f["sheet"], f["cell"]) for f in findings if f["severity"] == "error"})
    assert problems < cells
    assert head[1] == f"退回：{problems} 处问题须改正（涉及 {cells} 个单元格）"
    assert any("报送截止日期：2014年7月5日" in line for line in head)
    plan = rs.plan
    assert plan is not None and plan.office is not None
    assert any(plan.office.phone in line and plan.office.name in line for line in head)
    # the 19 rows: one line, naming the rows, the columns and the count
    first, last = (int(rs.cell(FORM, k, "status")[1:]) for k in (blank[0], blank[-1]))
    runs = [r for r in table if str(r[1]).endswith("行")]
    assert [r[1] for r in runs] == [f"{rs.sheet(FORM)} 第{first}–{last}行"]
    assert f"（{len(blank)} 行共 {len(required)} 处）" in runs[0][2]
    assert "本月完成投资" in runs[0][2] and "项目状态" in runs[0][2]
    assert len(table) == len(findings) - len(required) + 1
    # the line links to the run's first cell, and every blank cell is still marked
    link = next(c.hyperlink for row in ws.iter_rows() for c in row if c.value == runs[0][1])
    assert link.location == f"'{rs.sheet(FORM)}'!{rs.cell(FORM, blank[0], 'month_investment')}"
    form = openpyxl.load_workbook(copy)[rs.sheet(FORM)]
    assert all(form[f["cell"]].comment is not None for f in required)
    assert "已写出 1 份审核意见" in said


def test_blank_rows__a_gap_splits_the_run_and_one_row_says_its_name(rs: Returns) -> None:
    keys = rs.keys(FORM)
    fields = ("month_investment", "status")

    def mutate(wb: openpyxl.Workbook, rs: Returns) -> None:
        _blank(rs, keys[2:5] + keys[6:8], fields)(wb, rs)  # keys[5] filled: a gap
        _blank(rs, keys[10:11], fields)(wb, rs)  # one row alone
        _blank(rs, keys[12:13], ("status",))(wb, rs)  # one cell alone: its own message
        wb[rs.sheet(FORM)][rs.cell(FORM, keys[14], "month_investment")] = "无"  # a word

    copy, _, _ = _annotate(rs, "gaps", mutate)
    _, table, _ = _notice(copy)
    row = {k: int(rs.cell(FORM, k, "status")[1:]) for k in keys}
    sheet = rs.sheet(FORM)
    wheres = [str(r[1]) for r in table]
    assert f"{sheet} 第{row[keys[2]]}–{row[keys[4]]}行" in wheres
    assert f"{sheet} 第{row[keys[6]]}–{row[keys[7]]}行" in wheres
    alone = next(r for r in table if r[1] == f"{sheet} 第{row[keys[10]]}行")
    assert alone[2].startswith(f"第 {row[keys[10]]} 行“") and "未填" in alone[2]
    assert f"{sheet} {rs.cell(FORM, keys[12], 'status')}" in wheres
    typed = next(
        r for r in table if r[1] == f"{sheet} {rs.cell(FORM, keys[14], 'month_investment')}"
    )
    assert "填写了“无”" in typed[2]
    # in the clerk's order: by row
    rows = [int(re.search(r"[0-9]+", w.split(" ")[1]).group()) for w in wheres  # type: ignore[union-attr]
            if w.startswith(sheet)]  # fmt: skip
    assert rows == sorted(rows)


def test_no_code_and_no_english_on_the_notice(rs: Returns) -> None:
    copy, findings, _ = _annotate(rs, "codes", _blank(rs, rs.keys(FORM)[:3], ("status",)))
    head, table, _ = _notice(copy)
    text = " ".join(str(v) for r in [*[(h,) for h in head], *table] for v in r if v is not None)
    assert not any(f["code"] in text for f in findings)
    book = openpyxl.load_workbook(copy)
    comments = [c.comment.text for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.comment is not None]  # fmt: skip
    assert comments and not any(f["code"] in t for f in findings for t in comments)


def _eighty(wb: openpyxl.Workbook, rs: Returns) -> None:
    """About 80 findings: blank rows, negative amounts, words in number cells."""
    keys = rs.keys(FORM)
    ws = wb[rs.sheet(FORM)]
    _blank(rs, keys[8:27], ("month_investment", "status", "progress"))(wb, rs)
    for k in keys[:8]:
        ws[rs.cell(FORM, k, "month_investment")] = -5
        ws[rs.cell(FORM, k, "cumulative_investment")] = "约一千万"
        ws[rs.cell(FORM, k, "actual_start")] = "去年"


@pytest.mark.slow
def test_libreoffice__eighty_findings_print_on_two_pages(rs: Returns, tmp_path: Path) -> None:
    copy, findings, _ = _annotate(rs, "eighty", _eighty)
    assert len(findings) >= 60
    head, table, _ = _notice(copy)
    # the notice alone: the other sheets print too, after it
    book = openpyxl.load_workbook(copy)
    for name in book.sheetnames[1:]:
        del book[name]
    alone = tmp_path / "notice.xlsx"
    book.save(alone)
    (pdf,) = lo.to_pdf([alone], tmp_path / "pdf")
    require_or_skip(shutil.which("pdfinfo") is not None, "pdfinfo (poppler-utils) not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))
    assert pages <= 2, (pages, len(table))
    size = re.search(r"Page size:\s+([0-9.]+) x ([0-9.]+)", info.stdout)
    assert size is not None, info.stdout
    width, height = float(size.group(1)), float(size.group(2))
    assert width > height  # landscape
    text = lo.pdf_text(pdf)
    assert head[1] in text and "第 1 页，共" in text
    assert str(table[-1][2])[:12] in text.replace("\n", "")  # the last line is printed
    # at a readable size: its text is 11 pt, printed at 70 % or more
    scales = [p.scale for p in lo.printed_pages(pdf, body_pt=11.0, least=5)]
    assert scales[0] is not None and all(s is None or s >= 0.695 for s in scales), scales


def test_bounds_in_messages_as_a_clerk_reads_them(rs: Returns) -> None:
    def negative(wb: openpyxl.Workbook, rs: Returns) -> None:
        wb[rs.sheet(FORM)][rs.cell(FORM, rs.keys(FORM)[0], "month_investment")] = -5

    _, findings, _ = _annotate(rs, "bounds", negative)
    (ranged,) = [f for f in findings if f["code"] == "SCHEMA_RANGE"]
    assert "（0 至 1,000万）" in ranged["message"] and ranged["expected"] == "0 至 1,000万"
