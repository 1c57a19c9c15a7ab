"""tianbao status through the CLI: on time, late, missing, rejected, accepted with
explained warnings, and the list of whom to chase (催报) with their phones."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import printed_as_a_table, tianbao
from returns import Returns
from tianbao.support import console_table

PERIOD = "2014-06"  # deadline: 2014-06-30 + 5 days = 2014-07-05
AS_OF = "2014-07-10"


def set_cell(
    wb: openpyxl.Workbook, r: Returns, form: str, key: str, field: str, value: Any
) -> None:
    cell = wb[r.sheet(form)][r.cell(form, key, field)]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def explained_warning(wb: openpyxl.Workbook, r: Returns) -> None:
    """A task marked done below its target (a warning), explained in 说明."""
    key = next(
        k
        for k in r.keys("tasks_progress")
        if isinstance(r.plan.item("tasks", k).values.get("target"), (int, float))
    )
    target = r.plan.item("tasks", key).values["target"]
    set_cell(wb, r, "tasks_progress", key, "status", "已完成")
    set_cell(wb, r, "tasks_progress", key, "ytd_done", target / 2)
    set_cell(wb, r, "tasks_progress", key, "note", "年度目标调整，已报区政府同意")


def enum_error(wb: openpyxl.Workbook, r: Returns) -> None:
    set_cell(wb, r, "projects_progress", r.keys("projects_progress")[0], "status", "进行中")


def correction(wb: openpyxl.Workbook, r: Returns) -> None:
    set_cell(wb, r, "indicators_monthly", r.keys("indicators_monthly")[0], "note", "更正")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One workspace; TJJ on time (and corrected, still before the deadline), SWJ late by 3
    days, RSJ rejected, MZJ accepted with an explained warning, the others missing."""
    base = tmp_path_factory.mktemp("status")
    runner = CliRunner()
    rets = {d: Returns(base, d) for d in ("TJJ", "SWJ", "RSJ", "MZJ")}
    ws = base / "ws"
    plan: list[tuple[str, Path, str]] = [
        ("TJJ", rets["TJJ"].june("tjj"), "2014-07-03T16:20:00"),
        ("TJJ", rets["TJJ"].june("tjj2", correction), "2014-07-04T09:00:00"),
        ("SWJ", rets["SWJ"].june("swj"), "2014-07-08T08:30:00"),
        ("RSJ", rets["RSJ"].june("rsj", enum_error), "2014-07-02T11:00:00"),
        ("MZJ", rets["MZJ"].june("mzj", explained_warning), "2014-07-05T23:59:59"),
    ]
    ids: dict[str, list[int]] = {}
    for dept, path, at in plan:
        res = tianbao(runner, "collect", "-w", ws, path, "--received-at", at, "--json")
        assert res.exit_code in (0, 1), res.output
        (f,) = json.loads(res.stdout)["files"]
        assert f["department"] == dept
        ids.setdefault(dept, []).append(f["submission_id"])
    return {"ws": ws, "runner": runner, "ids": ids, "base": base}


def status_json(office: dict[str, Any], *extra: str) -> dict[str, Any]:
    res = tianbao(
        office["runner"],
        "status",
        "-w",
        office["ws"],
        "--period",
        PERIOD,
        "--as-of",
        AS_OF,
        "--json",
        *extra,
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def by_dept(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["department"]: d for d in data["departments"]}


@pytest.mark.slow
def test_status__states_per_department_and_form(office: dict[str, Any]) -> None:
    data = status_json(office)
    assert data["deadline"] == "2014-07-05" and data["as_of"] == AS_OF
    depts = by_dept(data)
    tjj = depts["TJJ"]
    # one submission per row: the correction counts now, so the row is its id, file,
    # time and lateness; the first version is listed beside it
    (form,) = tjj["forms"]
    assert tjj["state"] == "on_time" and form["state"] == "on_time"
    assert form["submission_id"] == office["ids"]["TJJ"][1]
    assert form["days_late"] == 0
    assert form["received_at"] == "2014-07-04T09:00:00+08:00"
    assert form["received_local"] == "2014-07-04 09:00"
    assert form["superseded"] == [
        {"id": office["ids"]["TJJ"][0], "received_at": "2014-07-03T16:20:00+08:00"}
    ]

    swj = depts["SWJ"]
    assert {f["state"] for f in swj["forms"]} == {"late"}
    assert {f["days_late"] for f in swj["forms"]} == {3}
    assert {f["form"] for f in swj["forms"]} == {"indicators_monthly", "projects_progress"}

    rsj = depts["RSJ"]
    assert rsj["state"] == "rejected"
    assert {f["state"] for f in rsj["forms"]} == {"rejected"}
    assert {f["submission_id"] for f in rsj["forms"]} == {office["ids"]["RSJ"][0]}

    mzj = depts["MZJ"]
    states = {f["form"]: f["state"] for f in mzj["forms"]}
    assert set(states.values()) == {"accepted_with_warnings"}, states  # on the deadline day

    fgw = depts["FGW"]
    assert {f["state"] for f in fgw["forms"]} == {"missing"}
    assert {f["days_overdue"] for f in fgw["forms"]} == {5}
    assert all(f["submission_id"] is None for f in fgw["forms"])
    assert "XXX" not in depts


def test_status__departments_follow_the_plan_rows(office: dict[str, Any]) -> None:
    from tianbao.workspace import open_workspace

    w = open_workspace(office["ws"])
    depts = by_dept(status_json(office))
    for code in w.plan.departments:
        want = [f for f in w.plan.form_ids if w.plan.rows_for(w.forms[f].rows, code)]
        if want:
            assert [f["form"] for f in depts[code]["forms"]] == want
        else:
            assert code not in depts


def test_status__chase_list_with_contacts(office: dict[str, Any]) -> None:
    data = status_json(office)
    chase = {c["department"]: c for c in data["chase"]}
    assert "TJJ" not in chase and "SWJ" not in chase and "MZJ" not in chase
    assert chase["RSJ"]["reason"] == "rejected"
    assert chase["RSJ"]["submission_id"] == office["ids"]["RSJ"][0]
    assert chase["FGW"]["reason"] == "missing"
    assert chase["FGW"]["contact"] == {"name": "郭某某", "phone": "0391-3951333"}
    assert chase["FGW"]["days_overdue"] == 5
    assert set(chase["FGW"]["forms"]) == {
        "indicators_monthly",
        "projects_progress",
        "tasks_progress",
    }
    summary = data["summary"]
    assert summary["to_chase"] == len(data["chase"])
    assert summary["complete"] == 3  # TJJ, SWJ, MZJ
    assert summary["late"] == 2 and summary["rejected"] == 4


def test_status__before_the_deadline__nothing_overdue(office: dict[str, Any]) -> None:
    res = tianbao(
        office["runner"],
        "status",
        "-w",
        office["ws"],
        "-p",
        PERIOD,
        "--as-of",
        "2014-07-01",
        "--json",
    )
    data = json.loads(res.stdout)
    assert {c["days_overdue"] for c in data["chase"]} == {0}


def test_status__human_output(office: dict[str, Any]) -> None:
    res = tianbao(office["runner"], "status", "-w", office["ws"], "-p", PERIOD, "--as-of", AS_OF)
    assert res.exit_code == 0
    out = res.stdout
    for text in ("催报", "0391-3951333", "郭某某", "迟报", "未报", "退回未通过", "按时报送"):
        assert text in out, text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status__states_in_words_not_keys(office: dict[str, Any], lang: str) -> None:
    """Every state the round shows (on time, late, missing, rejected, with warnings) is a
    word of the language asked for in the table, the counts and the chase list; never the
    ledger's key (on_time, accepted_with_warnings)."""
    from tianbao.ledger.status import LABELS, LABELS_EN, STATES

    res = tianbao(office["runner"], "--lang", lang, "status", "-w", office["ws"], "-p", PERIOD,
                  "--as-of", AS_OF)  # fmt: skip
    assert res.exit_code == 0, res.output
    out = res.stdout
    words = LABELS if lang == "zh" else LABELS_EN
    data = status_json(office)
    shown = {f["state"] for d in data["departments"] for f in d["forms"]}
    assert {"on_time", "late", "missing", "rejected"} <= shown, shown
    for state in shown:
        assert words[state] in out, (state, words[state])
    for key in STATES:  # the keys no word contains (late and rejected are words too)
        if "_" in key:
            assert re.search(rf"(?<![\w]){key}(?![\w])", out) is None, key


def test_status__big_round__plain_lines_with_the_same_rows(
    office: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the table limit (a round of thousands of departments) each row is one
    tab-separated line: the same rows as the table, without rich's layout cost."""
    data = status_json(office)
    rows = sum(len(d["forms"]) for d in data["departments"])
    monkeypatch.setattr(console_table, "MAX_TABLE_ROWS", 3)
    res = tianbao(office["runner"], "status", "-w", office["ws"], "-p", PERIOD, "--as-of", AS_OF)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    head = lines.index("单位\t名称\t报表\t状态\t迟报天数\t编号\t文件")
    body = lines[head + 1 : head + 1 + rows]
    assert all(line.count("\t") == 6 for line in body), body
    assert [line.split("\t")[0] for line in body if line.split("\t")[0]] == [
        d["department"] for d in data["departments"]
    ]
    assert "┃" not in res.stdout and "│" not in res.stdout  # no rich table anywhere
    for text in ("催报", "0391-3951333", "郭某某", "迟报", "未报", "退回未通过", "按时报送"):
        assert text in res.stdout, text


def test_status__xlsx_out(office: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "status.xlsx"
    data = status_json(office, "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["报送情况", "催报名单"]
    sheet = wb["报送情况"]
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    swj = [r for r in table if r[0] == "SWJ"]
    assert {r[3] for r in swj} == {"迟报"} and {r[4] for r in swj} == {3}
    chase = [[c.value for c in row] for row in wb["催报名单"].iter_rows(min_row=4)]
    fgw = next(r for r in chase if r[0] == "FGW")
    assert fgw[2:5] == ["郭某某", "0391-3951333", "未报"]
    assert len(chase) == len(data["chase"])
    assert [w for s in wb.worksheets for w in printed_as_a_table(s, 3)] == []
    # deterministic: the same ledger gives the same bytes
    again = tmp_path / "again.xlsx"
    status_json(office, "--out", str(again))
    assert again.read_bytes() == out.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_status__no_returns_yet__all_missing(office: dict[str, Any], tmp_path: Path) -> None:
    ws = tmp_path / "fresh"
    shutil.copytree(office["ws"], ws, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
    res = tianbao(office["runner"], "status", "-w", ws, "-p", PERIOD, "--as-of", AS_OF, "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert {f["state"] for d in data["departments"] for f in d["forms"]} == {"missing"}
    assert len(data["chase"]) == len(data["departments"])


def test_status__usage_errors__exit_2(office: dict[str, Any]) -> None:
    run = office["runner"]
    assert tianbao(run, "status", "-w", office["ws"], "-p", "2014-13").exit_code == 2
    assert tianbao(run, "status", "-w", office["ws"], "-p", "2015-06").exit_code == 2
    assert (
        tianbao(run, "status", "-w", office["ws"], "-p", PERIOD, "--as-of", "July").exit_code == 2
    )
    assert tianbao(run, "status", "-w", office["ws"]).exit_code == 2  # --period required


@pytest.mark.slow
@pytest.mark.parametrize(
    ("versions", "state", "days_late", "note"),
    [
        # on time, corrected 15 days after the deadline: still on time, shown as 更正
        ([("ok", "2014-07-03T09:00:00"), ("fix", "2014-07-20T09:00:00")], "on_time", 0, True),
        # late by 3 days, corrected later: the first accepted version's lateness
        ([("ok", "2014-07-08T09:00:00"), ("fix", "2014-07-20T09:00:00")], "late", 3, True),
        # a rejected return is no report: lateness is the accepted one's
        ([("bad", "2014-07-02T09:00:00"), ("ok", "2014-07-09T09:00:00")], "late", 4, False),
        ([("ok", "2014-07-05T23:00:00")], "on_time", 0, False),
    ],
)
def test_status__lateness_is_the_first_accepted_returns(
    tmp_path: Path, versions: list[tuple[str, str]], state: str, days_late: int, note: bool
) -> None:
    runner, r = CliRunner(), Returns(tmp_path, "SWJ")
    ws = tmp_path / "ws"
    made = {"ok": lambda n: r.june(n), "fix": lambda n: r.june(n, correction)}
    made["bad"] = lambda n: r.june(n, enum_error)
    for i, (kind, at) in enumerate(versions):
        res = tianbao(runner, "collect", "-w", ws, made[kind](f"v{i}"), "--received-at", at)
        assert res.exit_code in (0, 1), res.output
    res = tianbao(runner, "status", "-w", ws, "-p", PERIOD, "--as-of", AS_OF, "--json")
    form = by_dept(json.loads(res.stdout))["SWJ"]["forms"][0]
    first_ok = next(at for kind, at in versions if kind != "bad")
    assert (form["state"], form["days_late"]) == (state, days_late)
    assert form["received_at"].startswith(versions[-1][1])  # the version that counts now
    assert form["first_received_at"].startswith(first_ok) if note else not form["first_received_at"]
    shown = tianbao(runner, "status", "-w", ws, "-p", PERIOD, "--as-of", AS_OF).output
    assert ("更正" in shown) == note
