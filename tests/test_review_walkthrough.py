"""The office's June through the CLI, on the demo: send ZJJ's return back with a reason,
accept TJJ's rejected one by hand, sign June off, refuse ZJJ's correction, reopen June
for it, take it, and read every step back from the history (the review issue's
walk-through)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import facts_of, tianbao

JUNE = "2014-06"
REASON = "本月完成投资与形象进度不符，请核实后重报"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("walk") / "demo")


def cli(*args: Any) -> Any:
    res = tianbao(CliRunner(), *args)
    assert "Traceback" not in res.output, res.output
    return res


def status_of(ws: Path, dept: str) -> dict[str, Any]:
    res = cli("status", "-w", ws, "-p", JUNE, "--json")
    report = json.loads(res.stdout)
    (d,) = [d for d in report["departments"] if d["department"] == dept]
    return {"dept": d, "chase": [e for e in report["chase"] if e["department"] == dept]}


def summary(ws: Path, out: Path) -> Any:
    assert cli("consolidate", "-w", ws, "-p", JUNE, "-o", out).exit_code == 0
    return openpyxl.load_workbook(out, data_only=True)


def status_rows(book: Any, dept: str) -> list[tuple[Any, ...]]:
    return [r for r in book["报送情况"].iter_rows(values_only=True) if r[0] == dept]


@pytest.mark.slow
def test_june_reviewed_signed_reopened_and_corrected(demo: Path, tmp_path: Path) -> None:
    ws = demo / "workspace"
    # 1. ZJJ's return sent back with a reason: 退回, the reason in status and 催报
    notices = tmp_path / "notices"
    res = cli("review", "return", "-w", ws, "-p", JUNE, "--dept", "ZJJ", "--reason", REASON,
              "--by", "李科长", "--out", notices)  # fmt: skip
    assert res.exit_code == 0, res.output
    (notice,) = notices.glob("*.xlsx")
    first = openpyxl.load_workbook(notice).worksheets[0]
    assert first.title == "审核结果"
    assert any(REASON in str(c.value) for row in first.iter_rows() for c in row)
    zjj = status_of(ws, "ZJJ")
    assert zjj["dept"]["state"] == "returned"
    assert REASON in zjj["chase"][0]["why"] and REASON in zjj["chase"][0]["text"]

    # 2. TJJ's rejected return accepted by hand: it counts, marked 强制受理
    res = cli("review", "force", "-w", ws, "-p", JUNE, "--dept", "TJJ", "--reason",
              "已电话核实，数字无误", "--by", "李科长")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert all(f["review"] == "forced" for f in status_of(ws, "TJJ")["dept"]["forms"])
    book = summary(ws, tmp_path / "reviewed.xlsx")
    assert status_rows(book, "TJJ") and all("强制受理" in r[3] for r in status_rows(book, "TJJ"))
    assert "解放区统计局" not in str(facts_of(book["总览"])["已报未通过（退回待重报）"])

    # 3. June signed off: refused while ZJJ is 退回 and WLQ 未报, signed anyway with a
    # note; ZJJ's correction is refused, the summary says who signed and what was open
    refused = cli("signoff", "-w", ws, "-p", JUNE, "--by", "王局长")
    assert refused.exit_code == 1 and "ZJJ 退回" in refused.output and "WLQ 未报" in refused.output
    note = "领导要求按时汇总，住建局更正后重新签发"
    res = cli("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", note)
    assert res.exit_code == 0, res.output
    signed = summary(ws, tmp_path / "signed.xlsx")
    line = str(facts_of(signed["总览"])["签发"])
    assert line.startswith("已签发：王局长") and note in line and "ZJJ 退回" in line
    original = next((demo / "returns" / JUNE).glob(f"{JUNE}_ZJJ_*.xlsx"))
    corrected = tmp_path / "corrected" / original.name
    corrected.parent.mkdir()
    shutil.copyfile(original, corrected)
    wb = openpyxl.load_workbook(corrected)
    sheet = wb["重点项目"]
    sheet.cell(4, sheet.max_column).value = "已按退回意见核实"
    wb.save(corrected)
    at = ("--received-at", "2014-07-09T10:00")
    refused = cli("collect", "-w", ws, corrected, *at)
    assert refused.exit_code == 1 and "签发" in refused.output and "review reopen" in refused.output

    # 4. reopened for ZJJ (a reason required), the correction comes in as 更正·签发后
    assert cli("review", "reopen", "-w", ws, "-p", JUNE, "--dept", "ZJJ").exit_code == 2
    res = cli("review", "reopen", "-w", ws, "-p", JUNE, "--dept", "ZJJ", "--reason",
              "住建局按退回意见更正", "--by", "王局长", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["period_reopened"] is True
    took = cli("collect", "-w", ws, corrected, *at)
    assert took.exit_code == 0, took.output
    zjj = status_of(ws, "ZJJ")
    assert zjj["dept"]["state"] in ("on_time", "late", "accepted_with_warnings")
    assert all(f["after_signoff"] for f in zjj["dept"]["forms"])
    draft = summary(ws, tmp_path / "draft.xlsx")
    assert str(facts_of(draft["总览"])["签发"]).startswith("未签发（草稿）")
    assert all("更正·签发后" in str(r[8]) for r in status_rows(draft, "ZJJ"))

    # 5. history: every submission and decision of ZJJ, with who, when and why
    res = cli("history", "-w", ws, "--dept", "ZJJ", "--period", JUNE, "--json")
    log = json.loads(res.stdout)
    subs = log["submissions"]
    returned = [s for s in subs if any(r["action"] == "returned" for r in s["reviews"])]
    assert returned and returned[0]["reviews"][0]["reason"] == REASON
    assert returned[0]["reviews"][0]["by"] == "李科长"
    assert subs[-1]["after_signoff"] is True and subs[-1]["file_name"] == corrected.name
    assert [x["action"] for x in log["signoffs"]] == ["signed", "withdrawn"]
    assert "住建局按退回意见更正" in log["signoffs"][-1]["note"]
    shown = cli("history", "-w", ws, "--dept", "ZJJ", "--period", JUNE)
    assert "更正·签发后" in shown.output and REASON[:8] in shown.output
