"""Last month carried forward (issue 32, item 2), through the CLI on the demo: July's
template arrives with June's 项目状态, 实际开工日期 and 开工累计 in its (editable) entry
cells; a return that keeps them is accepted without 「须填写实际开工日期」, and one
that moves a start date gets a warning to explain."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import tianbao
from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.findings import Code
from tianbao.ledger.sqlite import ledger_path
from tianbao.plan.periods import Period
from tianbao.template.content import HEADER_ROWS, build_content
from tianbao.workspace import open_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

DEPT = "FGW"  # answers for projects in the demo, its June return accepted
JULY = "2014-07"
SHEET = "重点项目"
CARRIED = ("项目状态", "实际开工日期", "开工累计完成投资(万元)")
FACTS = ("项目状态", "实际开工日期")  # what the clerk leaves as issued


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("carry") / "demo")


@pytest.fixture
def ws(base: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(base, tmp_path / "demo")) / "workspace"


def by_project(path: Path) -> dict[str, dict[str, Any]]:
    """{项目编号: {header: cell}} of a workbook's 重点项目 sheet."""
    sheet = openpyxl.load_workbook(path)[SHEET]
    heads = [c.value for c in sheet[HEADER_ROWS]]
    rows: dict[str, dict[str, Any]] = {}
    for line in sheet.iter_rows(min_row=HEADER_ROWS + 1):
        cells = dict(zip(heads, line, strict=False))
        key = cells.get("项目编号")
        if key is not None and isinstance(key.value, str) and key.value.startswith("P"):
            rows[key.value] = cells
    return rows


def june_archived(ws: Path) -> Path:
    """The archived file of FGW's June return that counts."""
    with sqlite3.connect(ledger_path(ws)) as conn:
        (rel,) = conn.execute(
            "SELECT archive_path FROM submissions WHERE period = '2014-06' AND department = ? "
            "AND status LIKE 'accepted%' AND superseded_by IS NULL",
            (DEPT,),
        ).fetchone()
    return ws / rel


def day(v: Any) -> Any:
    return v.date().isoformat() if isinstance(v, dt.datetime) else v


def july_template(ws: Path, out: Path) -> Path:
    res = tianbao(CliRunner(), "generate", "-w", ws, "-p", JULY, "--dept", DEPT, "-o", out)
    assert res.exit_code == 0, res.output
    (path,) = out.glob("*.xlsx")
    return path


def test_july_template__carries_june_s_status_start_date_and_total(
    ws: Path, tmp_path: Path
) -> None:
    july = by_project(july_template(ws, tmp_path / "t"))
    june = by_project(june_archived(ws))
    assert july.keys() == june.keys() and july
    started = [k for k, r in june.items() if r["实际开工日期"].value is not None]
    assert started, "the demo's June has started projects"
    for key, row in july.items():
        for head in CARRIED:
            assert day(row[head].value) == day(june[key][head].value), (key, head)
            # an entry cell as any other: yellow, not locked (the clerk may correct it)
            assert row[head].protection.locked is False, (key, head)
            fill = row["本月完成投资(万元)"].fill.fgColor.rgb
            assert row[head].fill.fgColor.rgb == fill, (key, head)
        assert row["本月完成投资(万元)"].value is None  # this month's own figure: blank


def july_return(ws: Path, tmp_path: Path, edit: dict[str, Any] | None = None) -> Path:
    """July filled as a clerk would: this month's figures typed, the carried facts
    left as issued (``edit``: {header of a fact: value} typed over the first started
    project's)."""
    template = july_template(ws, tmp_path / "t")
    w = open_workspace(ws)
    assert w.plan is not None
    forms = [w.forms[f] for f in w.plan.form_ids]
    content = build_content(w.plan, forms, DEPT, Period.parse(JULY), w.secret())
    fills = plausible_fill(content)
    rows = by_project(template)
    kept = {c.coordinate for r in rows.values() for h in FACTS for c in [r[h]]}
    fills[SHEET] = {a: v for a, v in fills[SHEET].items() if a not in kept}
    if edit:
        first = next(r for r in rows.values() if r["实际开工日期"].value is not None)
        fills[SHEET].update({first[h].coordinate: v for h, v in edit.items()})
    return fill_workbook(template, tmp_path / "in" / "july.xlsx", fills)


def validate(ws: Path, path: Path) -> tuple[int, list[dict[str, Any]]]:
    res = tianbao(CliRunner(), "validate", "-w", ws, path, "--json")
    return res.exit_code, json.loads(res.stdout)["files"][0]["findings"]


def test_a_return_that_keeps_the_carried_facts__accepted_without_date_errors(
    ws: Path, tmp_path: Path
) -> None:
    code, findings = validate(ws, july_return(ws, tmp_path))
    codes = [f["code"] for f in findings if f["severity"] != "note"]
    assert code == 0, findings
    assert "PRJ_STARTED_HAS_DATE" not in codes and Code.PLAN_CARRIED_CHANGED not in codes


def test_a_moved_start_date__a_warning_to_explain_at_its_cell(ws: Path, tmp_path: Path) -> None:
    moved = dt.datetime(2014, 7, 1)
    _, findings = validate(ws, july_return(ws, tmp_path, {"实际开工日期": moved}))
    (warning,) = [f for f in findings if f["code"] == Code.PLAN_CARRIED_CHANGED]
    assert warning["severity"] == "warning", [(f["code"], f["message"]) for f in findings]
    # a warning, not an error: the return stands once the move is explained
    assert not [f for f in findings if f["severity"] == "error"], findings
    assert "2014-07-01" in warning["message"] and "实际开工日期" in warning["message"]
    assert "2014-07-01" in warning["message_en"]
    june = by_project(june_archived(ws))
    assert day(june[warning["row_key"]]["实际开工日期"].value) in warning["message"]
