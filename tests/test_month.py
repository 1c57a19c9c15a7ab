"""The office's month without surprises (issue 32), through the CLI on the demo: a
sign-off with what is open in front of it, templates for those who are ready, one
deadline per return, a 退回 that points at a cell, and a wrong workspace key that
stays the office's fault."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from helpers import copy_workspace, facts_of, tianbao

pytestmark = pytest.mark.slow  # see pyproject's markers

JUNE = "2014-06"
ROOT = Path(__file__).resolve().parents[1]
ERROR_SCHEMA = json.loads((ROOT / "schemas" / "cli" / "error.schema.json").read_text("utf-8"))
RED = "FFFF7C80"  # report.notice.ERROR_FILL


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("month") / "demo")


@pytest.fixture
def demo(base: Path, tmp_path: Path) -> Path:
    """A copy of the demo of its own (the tests decide, sign and collect)."""
    return Path(shutil.copytree(base, tmp_path / "demo"))


def cli(*args: Any) -> Any:
    res = tianbao(CliRunner(), *args)
    assert "Traceback" not in res.output, res.output
    return res


def as_json(res: Any) -> dict[str, Any]:
    return json.loads(res.stdout)


def error_of(res: Any) -> dict[str, Any]:
    """The --json error object of a refusal: valid, and its exit code the command's."""
    data = as_json(res)
    Draft202012Validator(ERROR_SCHEMA).validate(data)
    assert data["error"]["exit"] == res.exit_code
    return data["error"]


def return_zjj(ws: Path, *more: str) -> Any:
    return cli("review", "return", "-w", ws, "-p", JUNE, "--dept", "ZJJ", "--reason",
               "本月完成投资与形象进度不符", *more)  # fmt: skip


# -- 1. sign-off ----------------------------------------------------------------------------
def test_signoff__open_departments_refuse_it__signed_anyway_with_a_note(
    demo: Path, tmp_path: Path
) -> None:
    ws = demo / "workspace"
    assert return_zjj(ws).exit_code == 0
    # WJW's warnings were not explained in the return; approved by the office, they close
    approve = ("review", "approve", "-w", ws, "-p", JUNE, "--by", "李科长", "--dept")
    assert cli(*approve, "WJW").exit_code == 0
    refused = cli("signoff", "-w", ws, "-p", JUNE, "--by", "王局长")
    assert refused.exit_code == 1
    for said in ("ZJJ 退回", "TJJ 未通过", "WLQ 未报", "--anyway"):
        assert said in refused.output, refused.output
    english = cli("--lang", "en", "signoff", "-w", ws, "-p", JUNE)
    assert english.exit_code == 1 and "ZJJ returned, TJJ rejected, WLQ missing" in english.output
    error = error_of(cli("signoff", "-w", ws, "-p", JUNE, "--json"))
    states = {x["department"]: x["state"] for x in error["outstanding"]}
    assert (states["ZJJ"], states["TJJ"], states["WLQ"]) == ("returned", "rejected", "missing")
    # the warnings still open: accepted with warnings, neither explained nor approved
    report = as_json(cli("status", "-w", ws, "-p", JUNE, "--as-of", "2014-07-10", "--json"))
    unexplained = {
        d["department"]
        for d in report["departments"]
        for f in d["forms"]
        if f["state"] == "accepted_with_warnings" and not f.get("explained")
        and f.get("review") != "approved"
    }
    assert {d for d, s in states.items() if s == "warnings"} == unexplained
    assert "WJW" not in states  # its warnings approved by the office
    assert "FGW" not in states  # on time, nothing to explain
    assert error["code"] == "REFUSED" and error["meaning"] == "refused"
    assert cli("signoff", "-w", ws, "-p", JUNE, "--anyway").exit_code == 2  # no note
    assert as_json(cli("history", "-w", ws, "-p", JUNE, "--json"))["signoffs"] == []

    note = "领导要求按时汇总，住建局更正后重新签发"
    signed = cli("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", note)
    assert signed.exit_code == 0 and "签发时未完结" in signed.output, signed.output
    summary = tmp_path / "summary.xlsx"
    assert cli("consolidate", "-w", ws, "-p", JUNE, "-o", summary).exit_code == 0
    book = openpyxl.load_workbook(summary)
    line = str(facts_of(book["总览"])["签发"])
    assert line.startswith("已签发：王局长") and note in line and "ZJJ 退回" in line
    assert any("已签发" in str(c.value) for row in book["报送情况"].iter_rows(max_row=3)
               for c in row)  # fmt: skip
    (last,) = as_json(cli("history", "-w", ws, "-p", JUNE, "--json"))["signoffs"]
    assert last["note"] == note and "ZJJ" in {x["department"] for x in last["outstanding"]}


def test_status_after_signoff__no_chase_asks_for_a_return_the_ledger_refuses(
    demo: Path, tmp_path: Path
) -> None:
    ws = demo / "workspace"
    assert return_zjj(ws).exit_code == 0
    asked = cli("status", "-w", ws, "-p", JUNE, "--as-of", "2014-07-15", "--json")
    assert any("重新报送" in e["text"] for e in as_json(asked)["chase"])  # before: they are asked
    assert cli("signoff", "-w", ws, "-p", JUNE, "--anyway", "--note", "先行签发").exit_code == 0
    out = tmp_path / "status.xlsx"
    res = cli("status", "-w", ws, "-p", JUNE, "--as-of", "2014-07-15", "--json", "--out", out)
    report = as_json(res)
    assert report["signed_off"]["note"] == "先行签发"
    assert {e["department"] for e in report["chase"]} == {"ZJJ", "TJJ", "WLQ"}
    for e in report["chase"]:
        assert "重新报送" not in e["text"] and "尽快报送" not in e["text"], e["text"]
        assert "已签发" in e["text"]
        assert e["reopen"].startswith(f"tianbao review reopen -p {JUNE} --dept {e['department']}")
    shown = cli("status", "-w", ws, "-p", JUNE, "--as-of", "2014-07-15")
    assert "已签发" in shown.output and "review reopen" in shown.output
    assert "已签发" in str(openpyxl.load_workbook(out)["报送情况"]["A1"].value)
    # what the status said holds: the ledger refuses ZJJ's correction until reopened
    original = next((demo / "returns" / JUNE).glob(f"{JUNE}_ZJJ_*.xlsx"))
    again = tmp_path / "again" / original.name
    again.parent.mkdir()
    wb = openpyxl.load_workbook(original)
    wb.properties.title = "更正"
    wb.save(again)
    assert cli("collect", "-w", ws, again, "--received-at", "2014-07-15T10:00").exit_code == 1


# -- 3. generate for those who are ready -----------------------------------------------------
def test_generate_july__the_ready_get_templates__two_without_june_are_named(
    demo: Path, tmp_path: Path
) -> None:
    ws = demo / "workspace"
    out = tmp_path / "july"
    res = cli("generate", "-w", ws, "-p", "2014-07", "-o", out, "--json")
    assert res.exit_code == 0, res.output
    data = as_json(res)
    assert len(data["templates"]) == 13 and len(list(out.glob("*.xlsx"))) == 13
    assert data["held"] == ["TJJ", "WLQ"]
    assert "上期数待补 TJJ、WLQ" in res.stderr
    # asked for one that waits: nothing written, refused with the way out
    alone = cli("generate", "-w", ws, "-p", "2014-07", "--dept", "WLQ", "-o", tmp_path / "w",
                "--json")  # fmt: skip
    assert alone.exit_code == 1 and "--missing-previous mark" in error_of(alone)["message"]
    assert not list((tmp_path / "w").glob("*.xlsx"))
    marked = cli("generate", "-w", ws, "-p", "2014-07", "--dept", "WLQ", "-o", tmp_path / "m",
                 "--missing-previous", "mark")  # fmt: skip
    assert marked.exit_code == 0, marked.output
    (template,) = (tmp_path / "m").glob("*.xlsx")
    sheet = openpyxl.load_workbook(template)["重点项目"]
    notes = [c for row in sheet.iter_rows(min_row=4) for c in row
             if c.comment is not None and "上期数待补" in c.comment.text]  # fmt: skip
    assert notes and all(c.value is None for c in notes)
    assert {sheet.cell(3, c.column).value for c in notes} == {"上期本年累计(万元)"}


# -- 4. one deadline per return ----------------------------------------------------------------
def test_return_due__is_the_deadline_of_status_and_chase(demo: Path) -> None:
    ws = demo / "workspace"
    res = return_zjj(ws, "--due", "2014-07-20", "--json")
    assert res.exit_code == 0 and as_json(res)["due"] == "2014-07-20"

    def zjj(as_of: str) -> tuple[dict[str, Any], dict[str, Any]]:
        report = as_json(cli("status", "-w", ws, "-p", JUNE, "--as-of", as_of, "--json"))
        (d,) = [d for d in report["departments"] if d["department"] == "ZJJ"]
        (e,) = [e for e in report["chase"] if e["department"] == "ZJJ"]
        return d, e

    d, e = zjj("2014-07-15")  # past the period's deadline (07-05), not the return's
    assert e["due"] == "2014-07-20" and e["days_overdue"] == 0
    assert "2014-07-20" in e["text"] and "2014-07-05" not in e["text"]
    assert {f["days_overdue"] for f in d["forms"]} == {0}
    d, e = zjj("2014-07-25")
    assert e["days_overdue"] == 5 and {f["days_overdue"] for f in d["forms"]} == {5}
    history = as_json(cli("history", "-w", ws, "--dept", "ZJJ", "-p", JUNE, "--json"))
    decided = [r for s in history["submissions"] for r in s["reviews"]]
    assert [r["due"] for r in decided] == ["2014-07-20"]


# -- 5. a 退回 at a cell or row --------------------------------------------------------------
@pytest.mark.parametrize(
    "wrong",
    [("--cell", "重点项目I5"), ("--cell", "没有这张表!A1"), ("--row", "P999")],
    ids=["no-sheet-mark", "unknown-sheet", "unknown-row"],
)
def test_return_cell__a_wrong_place_is_refused_with_nothing_recorded(
    base: Path, wrong: tuple[str, str]
) -> None:
    ws = base / "workspace"  # refused before anything is written: the shared demo stays
    res = return_zjj(ws, *wrong, "--json")
    assert res.exit_code == 2 and wrong[1] in error_of(res)["message"]
    history = as_json(cli("history", "-w", ws, "--dept", "ZJJ", "-p", JUNE, "--json"))
    assert not [r for s in history["submissions"] for r in s["reviews"]]


def test_return_cell__the_notice_shows_the_cell_first_and_red(demo: Path, tmp_path: Path) -> None:
    ws = demo / "workspace"
    notices = tmp_path / "notices"
    res = return_zjj(ws, "--cell", "重点项目!I5", "--row", "L08", "--out", notices)
    assert res.exit_code == 0, res.output
    (notice,) = notices.glob("*.xlsx")
    book = openpyxl.load_workbook(notice)
    table = list(book.worksheets[0].iter_rows(values_only=True))
    head = next(i for i, row in enumerate(table) if row[:2] == ("级别", "位置"))
    first, second, third = table[head + 1 : head + 4]
    assert first[1] == "重点项目 I5" and str(first[2]).startswith("统计局退回：本月完成投资")
    assert second[1] == "民生工程 第4行（L08）"
    assert third[1] == "民生工程 G4"  # the machine's finding comes after the office's
    cell = book["重点项目"]["I5"]
    assert cell.fill.fgColor.rgb == RED and cell.comment.text.startswith("【统计局退回】")
    assert book["民生工程"]["A4"].fill.fgColor.rgb == RED  # the row the office named
    history = as_json(cli("history", "-w", ws, "--dept", "ZJJ", "-p", JUNE, "--json"))
    (decided,) = [r for s in history["submissions"] for r in s["reviews"]]
    assert decided["cells"] == ["重点项目!I5", "L08"]


def test_return_cell__rendered__the_cell_s_line_first_on_page_one(
    demo: Path, tmp_path: Path
) -> None:
    import lo

    lo.require_lo()
    notices = tmp_path / "notices"
    res = return_zjj(demo / "workspace", "--cell", "重点项目!I5", "--out", notices)
    assert res.exit_code == 0, res.output
    (notice,) = notices.glob("*.xlsx")
    (pdf,) = lo.to_pdf([notice], tmp_path / "pdf")
    page_one = lo.pdf_text(pdf).split("\f")[0]
    assert "重点项目 I5" in page_one and "民生工程 G4" in page_one
    assert page_one.index("重点项目 I5") < page_one.index("民生工程 G4")


# -- 6. the office's faults stay with the office -----------------------------------------------
def _other_key(demo: Path, tmp_path: Path) -> Path:
    ws = copy_workspace(demo / "workspace", tmp_path / "ws")
    (ws / ".tianbao" / "secret.key").write_bytes(b"\x01" * 32)  # a re-created key
    return ws


def test_collect_with_another_key__records_nothing_and_says_what_to_restore(
    demo: Path, tmp_path: Path
) -> None:
    ws = _other_key(demo, tmp_path)
    june = demo / "returns" / JUNE
    res = cli("collect", "-w", ws, june, "--received-at", "2014-07-04T10:00")
    assert res.exit_code == 3, res.output
    (line,) = [x for x in res.output.splitlines() if x.startswith("错误")]
    assert ".tianbao/secret.key" in line and "备份" in line
    error = error_of(cli("collect", "-w", ws, june, "--json"))
    assert error["code"] == "KEY" and error["meaning"] == "fault"
    assert as_json(cli("history", "-w", ws, "--json"))["submissions"] == []


def test_chase__a_key_mismatch_is_not_the_department_s_fault(demo: Path, tmp_path: Path) -> None:
    from tianbao.dev.simulate import fill_workbook, plausible_fill
    from tianbao.plan.periods import Period
    from tianbao.template.content import build_content
    from tianbao.workspace import open_workspace

    ws = _other_key(demo, tmp_path)
    out = tmp_path / "t"
    made = cli("generate", "-w", ws, "-p", JUNE, "--dept", "WLQ", "-o", out,
               "--allow-missing-previous")  # fmt: skip
    assert made.exit_code == 0, made.output
    (template,) = out.glob("*.xlsx")
    w = open_workspace(ws)
    assert w.plan is not None
    content = build_content(w.plan, [w.forms[f] for f in w.plan.form_ids], "WLQ",
                            Period.parse(JUNE), w.secret())  # fmt: skip
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fill_workbook(template, inbox / template.name, plausible_fill(content))
    zjj = next((demo / "returns" / JUNE).glob(f"{JUNE}_ZJJ_*.xlsx"))
    shutil.copyfile(zjj, inbox / zjj.name)  # signed with the demo's own key
    res = cli("collect", "-w", ws, inbox, "--received-at", "2014-07-04T10:00")
    assert res.exit_code == 1, res.output  # WLQ's verifies: the key is right, ZJJ's is not
    report = as_json(cli("status", "-w", ws, "-p", JUNE, "--as-of", "2014-07-10", "--json"))
    (e,) = [e for e in report["chase"] if e["department"] == "ZJJ"]
    assert e["reason"] == "rejected" and "重新报送" in e["text"]
    for internal in ("密钥", "secret.key", "工作区"):
        assert internal not in e["text"] and internal not in e["why"], e["text"]


# -- 3. every refusal under --json is an error object ------------------------------------------
def _bad_inputs(root: Path, tmp: Path) -> list[tuple[list[Any], int]]:
    ws, gone = root / "workspace", tmp / "no-such-workspace"
    june = root / "returns" / JUNE
    a_file = tmp / "a-file"
    a_file.write_text("x", encoding="utf-8")
    return [
        (["check", "-w", gone], 2),
        (["consolidate", "-w", ws, "-p", "2014-13"], 2),
        (["collect", "-w", gone, june], 2),
        (["demo", root], 2),  # not an empty folder
        (["generate", "-w", ws, "-p", "2014-13"], 2),
        (["history", "-w", gone], 2),
        (["init", ws], 2),  # a workspace already
        (["plan", "export", "-w", gone, tmp / "p.xlsx"], 2),
        (["plan", "import", tmp / "x.xlsx", "-w", gone], 2),
        (["plan", "template", a_file / "blank.xlsx"], 2),  # a folder under a file
        (["review", "approve", "-w", ws, "-p", JUNE, "--dept", "NOPE"], 2),
        (["signoff", "-w", ws, "-p", JUNE], 1),  # open departments
        (["status", "-w", ws, "-p", "2014-13"], 2),
        (["validate", "-w", ws, "-p", "2014-13", june], 2),
        (["accounts", "issue", "-w", gone], 2),
        (["accounts", "list", "-w", gone], 2),
        (["accounts", "reset", "NOPE", "-w", ws], 2),
        (["package", "-w", ws, "-p", JUNE, "-o", tmp / "p.zip"], 1),  # not signed off
        (["trace", "-w", gone, "-p", JUNE, "--indicator", "FAI"], 2),
    ]


def test_every_command__a_refusal_under_json_is_an_error_object(base: Path, tmp_path: Path) -> None:
    from test_json_output import NO_JSON, _commands

    cases = _bad_inputs(base, tmp_path)
    groups = ("plan", "accounts")
    names = {" ".join(str(a) for a in args[: 2 if args[0] in groups else 1]) for args, _ in cases}
    wanted = {name for name, _ in _commands() if name not in NO_JSON}
    assert names == wanted  # a new command needs its case here
    for args, code in cases:
        res = cli(*args, "--json")
        assert res.exit_code == code, (args, res.output)
        error = error_of(res)
        assert error["message"] and error["message_en"], args
