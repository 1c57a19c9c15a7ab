"""Messages a clerk can act on: every catalog code has a complete Chinese text, and
every finding the validate cases produce reads as a sentence — no placeholders, no
Python reprs, no library English, no pasted page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import tianbao
from returns import Returns
from tianbao.findings import CATALOG, Code

CJK = re.compile(r"[\u4e00-\u9fff]")
REPR = re.compile(r"\[\s*'|'\s*\]|\{'|\bNone\b|\bTrue\b|\bFalse\b")
ENGLISH = re.compile(r"\b[a-z]{3,} [a-z]{2,} [a-z]{2,}\b")
LIBRARY_EN = re.compile(r"is a required property|is not of type|is not one of|does not match")


@pytest.mark.parametrize("code", list(Code), ids=lambda c: c.value)
def test_catalog__every_code_has_a_complete_chinese_and_english_text(code: Code) -> None:
    info = CATALOG[code]
    assert CJK.search(info.zh), info.zh
    assert "{" not in info.zh and "{" not in info.en
    assert not REPR.search(info.zh)
    assert info.en and not CJK.search(info.en.replace("说明", "")), info.en
    assert info.en not in info.zh and info.zh != info.en


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("messages"), "RSJ")


@pytest.mark.slow
def test_findings_of_every_validate_case__read_as_chinese_sentences(
    rs: Returns, tmp_path: Path
) -> None:
    from test_validate import CASES

    folder = tmp_path / "cases"
    folder.mkdir()
    for case, mutate, *_ in CASES:
        shutil.copyfile(rs.june(f"msg_{case}", mutate), folder / f"2014-06_RSJ_{case}.xlsx")

    # a page pasted into a cell, and a word for "nothing" in a required one
    def pasted(wb, r: Returns) -> None:
        form = "projects_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "ytd_investment")] = "很长" * 2500

    def nothing(wb, r: Returns) -> None:
        form = "livelihood_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "ytd_investment")] = "无"

    def percent(wb, r: Returns) -> None:  # what Calc stores for a typed 2.9%
        form = "indicators_monthly"
        cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "yoy_pct")]
        cell.value, cell.number_format = 0.029, "0.0%"

    def header(wb, r: Returns) -> None:
        form = "projects_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "month_investment")[0] + "3"] = "本月投资"

    shutil.copyfile(rs.june("msg_percent", percent), folder / "2014-06_RSJ_percent.xlsx")
    shutil.copyfile(rs.june("msg_header", header), folder / "2014-06_RSJ_header.xlsx")
    shutil.copyfile(rs.june("msg_pasted", pasted), folder / "2014-06_RSJ_pasted.xlsx")
    shutil.copyfile(rs.june("msg_nothing", nothing), folder / "2014-06_RSJ_nothing.xlsx")
    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        folder,
        "--json",
        "--previous",
        rs.previous,
        "--jobs",
        "1",
    )
    files = json.loads(res.stdout)["files"]
    messages = [(Path(f["path"]).name, x) for f in files for x in f["findings"]]
    assert len(messages) > len(CASES)
    for name, f in messages:
        text = f["message"]
        where = (name, f["code"], text)
        assert CJK.search(text), where
        assert not re.search(r"\{[a-z_.]+\}", text), where  # a placeholder left unfilled
        assert not REPR.search(text), where
        assert not LIBRARY_EN.search(text), where
        assert not ENGLISH.search(text), where  # the English goes to message_en
        assert len(text) < 400, where  # a pasted page is cut
    by_file = {Path(f["path"]).name: f["findings"] for f in files}
    (required,) = [x for x in by_file["2014-06_RSJ_nothing.xlsx"] if x["code"] == "SCHEMA_REQUIRED"]
    assert "填写了“无”" in required["message"] and "请填 0" in required["message"]
    assert "第 " in required["message"] and "行" in required["message"]  # which row
    (note,) = [x for x in by_file["2014-06_RSJ_percent.xlsx"] if x["code"] == "VALUE_NORMALISED"]
    assert "显示为 2.9%" in note["message"] and "按 2.9 记录" in note["message"], note
    assert note["message_en"] and note["expected"] == 2.9
    header = by_file["2014-06_RSJ_header.xlsx"]
    assert [x["code"] for x in header if x["field"] == "month_investment"] == [
        "STRUCT_HEADER_CHANGED"
    ], header  # not one "required" per row on top of it
