"""One bad cell, or one file that trips a bug of ours, never stops a batch:
the file gets its finding, the others are validated and recorded."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import Ledger
from tianbao.validate import engine

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("hostile"), DEPT)


def _typed(form: str, field: str, text: str) -> Any:
    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[0], field)]
        cell.value, cell.data_type = text, "s"

    return mutate


def _batch(rs: Returns, tmp_path: Path) -> tuple[Path, Path]:
    """May's return, a June return with an impossibly large amount, and a copy of
    the good June return under another name (other bytes)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copyfile(rs.previous, folder / rs.previous.name)
    huge = rs.june("huge", _typed("projects_progress", "ytd_investment", "1e999999999亿元"))
    shutil.copyfile(huge, folder / f"2014-06_{DEPT}_a_huge.xlsx")
    good = folder / f"2014-06_{DEPT}_b_good.xlsx"
    shutil.copyfile(rs.june("good"), good)
    return folder, good


def test_validate__impossibly_large_amount__out_of_range_at_its_cell(
    rs: Returns, tmp_path: Path
) -> None:
    folder, _ = _batch(rs, tmp_path)
    res = tianbao(rs.runner, "validate", "-w", rs.ws, folder, "--json", "--jobs", "1")
    assert "Traceback" not in res.output
    data = json.loads(res.stdout)
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    assert len(by_name) == 3  # every file validated
    huge = by_name[f"2014-06_{DEPT}_a_huge.xlsx"]
    form = "projects_progress"
    cell = rs.cell(form, rs.keys(form)[0], "ytd_investment")
    assert ("VALUE_OUT_OF_RANGE", rs.sheet(form), cell) in [
        (f["code"], f["sheet"], f["cell"]) for f in huge["findings"]
    ]
    assert by_name[f"2014-06_{DEPT}_b_good.xlsx"]["valid"]
    assert res.exit_code == 1


def test_collect__a_file_tripping_a_bug__rejected_alone_the_rest_recorded(
    rs: Returns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    copy_workspace(rs.ws, ws)
    folder, good = _batch(rs, tmp_path)
    crash = folder / f"2014-06_{DEPT}_c_crash.xlsx"
    shutil.copyfile(rs.june("crash", _typed("projects_progress", "progress", "进度正常 ")), crash)
    real = engine.extract_form

    def buggy(form: Any, *args: Any, **kwargs: Any) -> Any:
        sheets = args[2]
        if any("进度正常 " in str(v) for s in sheets.values() for row in s.rows for v in row):
            raise KeyError("a bug of ours")
        return real(form, *args, **kwargs)

    monkeypatch.setattr(engine, "extract_form", buggy)
    res = tianbao(
        rs.runner, "collect", "-w", ws, folder, "--json", "--received-at", "2014-07-03T10:00"
    )
    assert "Traceback" not in res.output
    data = json.loads(res.stdout)
    status = {f["file_name"]: f["status"] for f in data["files"]}
    assert status == {
        rs.previous.name: "accepted",
        f"2014-06_{DEPT}_a_huge.xlsx": "rejected",
        good.name: "accepted",
        crash.name: "rejected",
    }
    (crashed,) = [f for f in data["files"] if f["file_name"] == crash.name]
    assert [f["code"] for f in crashed["report"]["findings"]] == ["VALIDATION_CRASHED"]
    with Ledger(ws) as ledger:
        assert len(ledger.history()) == 4
    assert res.exit_code == 1


def _formula_in_entry(wb: openpyxl.Workbook, r: Returns) -> None:
    form = "projects_progress"
    cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "progress")]
    cell.value = '=HYPERLINK("http://example.invalid/x","点此查看")'


def test_annotate__department_formulas_become_values_in_the_copy(
    rs: Returns, tmp_path: Path
) -> None:
    path = rs.june("formula", _formula_in_entry)
    out = tmp_path / "ann"
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--annotate", out)
    assert "Traceback" not in res.output
    (copy,) = out.glob("*.xlsx")
    formulas = [
        (ws.title, c.coordinate)
        for ws in openpyxl.load_workbook(copy).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []  # neither the department's nor any other: the copy is inert


@pytest.mark.slow
def test_annotate__huge_merged_range__no_copy_within_the_limits(
    rs: Returns, tmp_path: Path
) -> None:
    from tianbao.read.limits import Limits
    from tianbao.report.annotate import annotate_all
    from tianbao.validate.engine import Validator
    from tianbao.workspace import open_workspace

    good = rs.june("merge_bomb")
    path = tmp_path / good.name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet3"):  # 重点项目
                text = data.decode("utf-8")
                merge = '<mergeCells count="1"><mergeCell ref="A20:XFD1200"/></mergeCells>'
                if "<mergeCells" in text:  # one more merge, 19.3 M cells
                    text = text.replace(
                        "</mergeCells>", '<mergeCell ref="A20:XFD1200"/></mergeCells>'
                    )
                else:
                    text = text.replace("</sheetData>", "</sheetData>" + merge)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    report = Validator(open_workspace(rs.ws)).validate(path)
    limits = Limits(time_seconds=20, memory_bytes=512 << 20)
    assert annotate_all([report], tmp_path / "ann", limits) == []  # refused, no crash
    assert list((tmp_path / "ann").iterdir()) == []


def test_consolidate_csv__renamed_sheet_never_a_formula(rs: Returns, tmp_path: Path) -> None:
    import csv

    evil = "=cmd|' /C calc'!A0"

    ws = tmp_path / "ws"
    copy_workspace(rs.ws, ws)
    # Excel would refuse the "/" in a sheet name; a hand-made file carries any name
    good = rs.june("renamed_evil")
    path = tmp_path / good.name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                old = f'name="{rs.sheet("projects_progress")}"'.encode()
                assert old in data
                data = data.replace(old, f'name="{evil}"'.encode())
            dst.writestr(item, data)
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, path, "--received-at", "2014-07-03")
    assert res.exit_code == 0, res.output  # renamed sheets are recognised by their header
    out = tmp_path / "long.csv"
    res = tianbao(
        rs.runner,
        "consolidate",
        "-w",
        ws,
        "--period",
        "2014-06",
        "-o",
        tmp_path / "s.xlsx",
        "--csv",
        out,
    )
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert any(row[7] == "'" + evil for row in rows[1:])  # the sheet column, escaped
    risky = [f for row in rows for f in row if f[:1] in ("=", "+", "@", "\t", "\r")]
    assert risky == []


def test_formula_with_a_cached_value_in_an_entry_cell__refused_not_trusted(
    rs: Returns, tmp_path: Path
) -> None:
    # what a program that saves cached values writes for "=1+1" after someone edited the
    # cache: the ledger would record 999 where LibreOffice (recalculating) shows 2
    import re

    form = "livelihood_progress"
    cell = rs.cell(form, rs.keys(form)[0], "ytd_investment")
    good = rs.june("cached_formula")
    path = tmp_path / good.name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):  # F4 of every sheet: harmless
                data = re.sub(
                    rb'(<c r="' + cell.encode() + rb'"[^>]*?)(?: t="n")?>(<v>[^<]*</v>)</c>',
                    rb"\1><f>1+1</f><v>999</v></c>",
                    data,
                )
            dst.writestr(item, data)
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--json", "--previous", rs.previous)
    found = [
        (f["code"], f["sheet"], f["cell"]) for f in json.loads(res.stdout)["files"][0]["findings"]
    ]
    assert ("VALUE_FORMULA_IN_ENTRY", rs.sheet(form), cell) in found, found
    assert res.exit_code == 1
