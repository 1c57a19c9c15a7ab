"""The city's targets (the cascade, ``city_target``) survive the plan workbook: ``plan export``
writes them in the 市定目标 columns, ``plan import`` reads them back, what an office types there
is what ``check`` compares, and a workbook made before those columns existed still imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from helpers import SAMPLE, read_yaml, tianbao, write_yaml

CITY = {"kind": "growth", "rate_pct": 9.5, "strict": True, "text": "市定增长9.5%以上"}


def _sample(tmp_path: Path) -> tuple[Path, Path]:
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    return ws, book


def _imported(ws: Path, book: Path) -> tuple[int, dict[str, Any]]:
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json")
    return res.exit_code, json.loads(res.stdout)


def _columns(sheet: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in sheet[1] if c.value}


def test_export_import__the_city_target_round_trips(tmp_path: Path) -> None:
    ws, book = _sample(tmp_path)
    plan = read_yaml(ws / "plan.yaml")
    plan["indicators"][0]["city_target"] = CITY
    write_yaml(ws / "plan.yaml", plan)
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    sheet = openpyxl.load_workbook(book)["主要指标"]
    col = _columns(sheet)
    heads = ("市定目标类型", "市定目标增速(%)", "市定严格超过")
    shown = [sheet.cell(2, col[h]).value for h in heads]
    assert shown == ["增长", 9.5, "是"], shown
    code, out = _imported(ws, book)
    assert code == 0 and out["changes"] == [], out
    assert read_yaml(ws / "plan.yaml")["indicators"][0]["city_target"] == CITY


def test_typed_city_target__check_names_where_the_district_differs(tmp_path: Path) -> None:
    ws, book = _sample(tmp_path)
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["主要指标"]
    col = _columns(sheet)
    own = read_yaml(ws / "plan.yaml")["indicators"][0]["target"]
    sheet.cell(2, col["市定目标类型"]).value = "增长"
    sheet.cell(2, col["市定目标增速(%)"]).value = float(own.get("rate_pct") or 0) + 1
    wb.save(book)
    code, out = _imported(ws, book)
    assert code == 0, out
    res = tianbao(CliRunner(), "check", "-w", ws)
    assert "CITY_TARGET_DIFFERS" in res.output, res.output


def test_a_workbook_without_the_city_columns__still_imports(tmp_path: Path) -> None:
    ws, book = _sample(tmp_path)
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["主要指标"]
    for c in sorted((c for h, c in _columns(sheet).items() if h.startswith("市定")), reverse=True):
        sheet.delete_cols(c)
    wb.save(book)
    code, out = _imported(ws, book)
    assert code == 0 and out["changes"] == [], out
