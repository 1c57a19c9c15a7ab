"""A plan's target or base for a part of a whole (失业率, 覆盖率, 占比…) past 100 % / 1000 ‰ is
RATE_ABOVE_WHOLE at its place, in ``tianbao check`` and in ``plan import`` (at the cell); growth
rates, indices and completions are not bounded (issue 30: what validate says of a figure, the
plan check says of a target)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import SAMPLE, read_yaml, tianbao, write_yaml


def _indicator(code: str, name: str, unit: str, **more: Any) -> dict[str, Any]:
    return {"code": code, "name": {"zh": name, "en": code}, "unit": unit,
            "department": "TJJ", "accumulation": "point", **more}  # fmt: skip


# (name, unit, where the figure goes, value, flagged)
CASES = [
    ("城镇登记失业率", "%", ("target", "level"), 120, True),
    ("城镇登记失业率", "%", ("target", "level"), 3.1, False),
    ("农村合作医疗参合覆盖率", "%", ("target", "level"), 100, False),  # the whole itself
    ("农村合作医疗参合覆盖率", "%", ("base", "value"), 101.5, True),
    ("高中阶段教育普及率", "%", ("city_target", "level"), 130, True),
    ("人口自然增长率", "‰", ("target", "level"), 1200, False),  # a change: not bounded
    ("婴儿死亡率", "‰", ("target", "level"), 1200, True),
    ("招商引资任务完成率", "%", ("target", "level"), 130, False),  # a completion can exceed
    ("工业增加值占比", "亿元", ("target", "level"), 130, False),  # not a rate at all
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("plan-rates") / "ws"
    assert tianbao(CliRunner(), "init", ws, "--sample", SAMPLE).exit_code == 0
    return ws


@pytest.mark.parametrize(("name", "unit", "path", "value", "flagged"), CASES,
                         ids=[f"{c[0]}-{c[2][0]}-{c[3]}" for c in CASES])  # fmt: skip
def test_check__a_share_past_its_whole(
    sample: Path, tmp_path: Path, name: str, unit: str, path: tuple[str, str], value: float,
    flagged: bool,
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(sample, ws)
    plan = read_yaml(ws / "plan.yaml")
    entry = _indicator("NEWRATE", name, unit, target={"kind": "ceiling", "level": 1})
    entry.setdefault(path[0], {"kind": "ceiling"} if path[0] != "base" else {})[path[1]] = value
    plan["indicators"].append(entry)
    write_yaml(ws / "plan.yaml", plan)
    res = tianbao(CliRunner(), "check", "-w", ws, "--json")
    found = [p for p in json.loads(res.stdout)["problems"] if p["code"] == "RATE_ABOVE_WHOLE"]
    assert bool(found) is flagged, res.stdout
    if flagged:
        (one,) = found
        assert one["path"].endswith(f"[{len(plan['indicators']) - 1}].{'.'.join(path)}"), one
        assert "NEWRATE" in one["message"] and f"{1000 if unit == '‰' else 100}" in one["message"]


def test_plan_import__the_cell_is_named(sample: Path, tmp_path: Path) -> None:
    ws, book = tmp_path / "ws", tmp_path / "计划.xlsx"
    shutil.copytree(sample, ws)
    assert tianbao(CliRunner(), "plan", "export", "-w", ws, book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["主要指标"]
    col = {c.value: c.column for c in sheet[1]}
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "UNEMPLOYMENT")
    sheet.cell(row, col["目标值"]).value = 103
    wb.save(book)
    res = tianbao(CliRunner(), "plan", "import", book, "-w", ws, "--json")
    out = json.loads(res.stdout)
    (one,) = [p for p in out["problems"] if p["code"] == "RATE_ABOVE_WHOLE"]
    letter = openpyxl.utils.get_column_letter(col["目标值"])
    assert res.exit_code == 1 and f"主要指标!{letter}{row}" in json.dumps(one, ensure_ascii=False)
