"""``tianbao collect --jobs 2`` records exactly what ``--jobs 1`` records.

A folder mixing May and June returns of several departments (June's previous
period arrives in the same run), a rejected return, a correction that
supersedes, the same bytes twice and a file whose name does not say what it
is: the ledgers of both runs hold the same submissions, statuses and values.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import tianbao.collect.pipeline as collect_module
from helpers import tianbao
from returns import Returns
from tianbao.dev.simulate import plausible_fill
from tianbao.ledger.db import ledger_path
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.template.generate import file_name
from tianbao.template.writer import write_workbook
from tianbao.workspace import open_workspace

DEPT = "RSJ"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Returns, Path]:
    rs = Returns(tmp_path_factory.mktemp("jobs"), DEPT)
    out = rs.base / "mixed"
    out.mkdir()
    ws = open_workspace(rs.ws)
    plan = ws.plan
    assert plan is not None
    forms = [ws.forms[f] for f in plan.form_ids]
    for code in list(plan.departments)[:6]:
        for period in ("2014-05", "2014-06"):
            content = build_content(plan, forms, code, Period.parse(period), ws.secret())
            if content.forms:
                target = out / file_name(content.period, code, content.department.name)
                write_workbook(content, target, fills=plausible_fill(content))
    shutil.copyfile(rs.previous, out / rs.previous.name)  # RSJ May, via openpyxl
    june = rs.june("june")
    shutil.copyfile(june, out / ("2014-06_" + DEPT + "_z_second.xlsx"))  # a newer save below
    shutil.copyfile(june, out / "copy-of-june.xlsx")  # the same bytes again, no hint in the name
    lower = rs.fills["2014-05"][rs.sheet("projects_progress")][
        rs.cell("projects_progress", rs.keys("projects_progress")[0], "ytd_investment")
    ]

    def down(wb: Any, r: Returns) -> None:
        cell = wb[r.sheet("projects_progress")][
            r.cell("projects_progress", r.keys("projects_progress")[0], "ytd_investment")
        ]
        cell.value = lower - 10

    shutil.copyfile(rs.june("down", down), out / ("2014-06_" + DEPT + "_down.xlsx"))
    def noted(wb: Any, r: Returns) -> None:  # other bytes than "june" whatever the clock
        cell = wb[r.sheet("projects_progress")][
            r.cell("projects_progress", r.keys("projects_progress")[0], "note")
        ]
        cell.value = "另存"

    # named as another department's May return: identity decides
    shutil.copyfile(rs.june("misnamed", noted), out / "2014-05_CZJ_misnamed.xlsx")
    return rs, out


def _run(rs: Returns, folder: Path, tmp: Path, jobs: int) -> tuple[Any, list[Any], list[Any]]:
    ws = tmp / f"ws{jobs}"
    shutil.copytree(rs.ws, ws, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    res = tianbao(
        rs.runner,
        "collect",
        "-w",
        ws,
        folder,
        "--received-at",
        "2014-07-03T10:00:00",
        "--json",
        "--jobs",
        str(jobs),
    )
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.stdout)
    with sqlite3.connect(ledger_path(ws)) as conn:
        subs = conn.execute(
            "SELECT id, sha256, file_name, department, period, status, superseded_by, errors, "
            "warnings, notes, report_json FROM submissions ORDER BY id"
        ).fetchall()
        cells = conn.execute(
            "SELECT submission_id, form, row_key, field, value, sheet, cell FROM cell_values "
            "ORDER BY rowid"
        ).fetchall()
    return data, subs, cells


def test_collect__jobs_2__same_ledger_as_jobs_1(
    folder: tuple[Returns, Path], tmp_path: Path
) -> None:
    rs, out = folder
    serial, subs1, cells1 = _run(rs, out, tmp_path, 1)
    parallel, subs2, cells2 = _run(rs, out, tmp_path, 2)
    statuses = {f["status"] for f in serial["files"]}
    assert {"accepted", "rejected"} <= statuses, statuses
    assert any(f["duplicate"] for f in serial["files"])
    assert serial["summary"] == parallel["summary"]
    assert [
        (f["file_name"], f["status"], f["submission_id"], f["report"]) for f in serial["files"]
    ] == [(f["file_name"], f["status"], f["submission_id"], f["report"]) for f in parallel["files"]]
    assert subs1 == subs2
    assert cells1 == cells2 and cells1


_VALIDATE_AHEAD = collect_module._validate_ahead


def _dies_on_fgw(validator: Any, path: str, previous: Any) -> Any:
    """A worker that dies on one file, as a reader crash would kill it."""
    if "_FGW_" in path:
        os._exit(3)
    return _VALIDATE_AHEAD(validator, path, previous)


def test_collect__worker_dies__same_ledger_as_jobs_1(
    folder: tuple[Returns, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rs, out = folder
    monkeypatch.setattr(collect_module, "_validate_ahead", _dies_on_fgw)
    serial, subs1, cells1 = _run(rs, out, tmp_path, 1)
    parallel, subs2, cells2 = _run(rs, out, tmp_path, 2)
    assert serial["summary"] == parallel["summary"]
    assert subs1 == subs2 and cells1 == cells2


def test_collect__grouped__same_ledger_as_one_by_one(
    folder: tuple[Returns, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded as groups (the parent validates every file itself: one group of the
    whole folder, cut where a file touches a department or bytes of the group) or one
    return at a time: the same ledger, results and reports."""
    import tianbao.collect.grouped as grouped
    from tianbao.support import parallel

    rs, out = folder
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    monkeypatch.setattr(grouped, "MOST", 1)
    one, subs1, cells1 = _run(rs, out, tmp_path / "one", 1)
    monkeypatch.setattr(grouped, "MOST", 1000)
    group, subs2, cells2 = _run(rs, out, tmp_path / "group", 1)
    assert one["summary"] == group["summary"]
    assert [
        (f["file_name"], f["status"], f["submission_id"], f["report"]) for f in one["files"]
    ] == [(f["file_name"], f["status"], f["submission_id"], f["report"]) for f in group["files"]]
    assert subs1 == subs2 and cells1 == cells2 and cells1
    assert {"accepted", "rejected"} <= {f["status"] for f in group["files"]}
