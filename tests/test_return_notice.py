"""退回通知: `tianbao review return` writes the file the office emails back — the
archived return with its findings marked and, first, the office's reason, who and
when, the date the corrected return is due and whom to call."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import lo
from helpers import facts_of, tianbao
from tianbao.report.notice import SHEET
from tianbao.workspace import open_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

REASON = "本月完成投资比上月增加三倍，请核实并在说明栏写明原因"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("notice") / "demo") / "workspace"


def _head(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [str(r[0]) for r in ws.iter_rows(values_only=True, max_row=12) if r[0]]


def test_return__writes_the_notice_with_reason_due_date_and_contact(demo: Path) -> None:
    args = ["-p", "2014-06", "--dept", "ZJJ", "--reason", REASON, "--by", "王审核"]
    res = tianbao(CliRunner(), "review", "return", "-w", demo, *args, "--due", "2014-07-12",
                  "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    done = json.loads(res.stdout)
    notice = Path(done["notice"])
    assert notice.parent == demo / "outputs" / "notices" / "2014-06"
    sub = done["submission"]
    assert notice.name == sub["file_name"].removesuffix(".xlsx") + ".退回通知.xlsx"
    head = _head(notice)
    assert head[0] == f"退回通知：{sub['file_name']}" and head[1].startswith("退回")
    assert f"退回原因：{REASON}" in head and any("王审核" in line for line in head)
    assert any("2014年7月12日 前重新报送" in line for line in head)
    plan = open_workspace(demo).plan
    assert plan is not None and plan.office is not None
    assert any(plan.office.phone in line for line in head)
    # the return's own findings are marked on their cells, as recorded in the ledger
    book = openpyxl.load_workbook(notice)
    marked = [c for ws in book.worksheets[1:] for row in ws.iter_rows() for c in row
              if c.comment is not None]  # fmt: skip
    assert len(marked) == len({(f["sheet"], f["cell"]) for f in _findings(demo, sub["id"])
                               if f["sheet"] and f["cell"]})  # fmt: skip
    # returned again (a second thought): a second notice, the first kept
    res = tianbao(CliRunner(), "review", "reopen", "-w", demo, "-p", "2014-06", "--dept", "ZJJ")
    assert res.exit_code == 0, res.output
    res = tianbao(CliRunner(), "review", "return", "-w", demo, "-p", "2014-06", "--dept", "ZJJ",
                  "--reason", "复核后仍须说明", "--json")  # fmt: skip
    second = Path(json.loads(res.stdout)["notice"])
    assert second != notice and notice.exists() and second.name.endswith(".退回通知.2.xlsx")


def _findings(ws: Path, submission: int) -> list[dict]:
    from tianbao.ledger.db import Ledger

    with Ledger(ws, readonly=True) as ledger:
        sub = ledger.submission(submission)
    assert sub is not None
    return sub.report["findings"]


def test_return__a_due_date_that_is_no_date__nothing_recorded(demo: Path) -> None:
    before = tianbao(CliRunner(), "history", "-w", demo, "--dept", "FGW", "--json").stdout
    res = tianbao(CliRunner(), "review", "return", "-w", demo, "-p", "2014-06", "--dept", "FGW",
                  "--reason", "x", "--due", "下周一")  # fmt: skip
    assert res.exit_code == 2 and "--due" in res.output and "Traceback" not in res.output
    after = tianbao(CliRunner(), "history", "-w", demo, "--dept", "FGW", "--json").stdout
    strip = lambda s: {k: v for k, v in json.loads(s).items() if k != "made_at"}  # noqa: E731
    assert strip(before) == strip(after)


def test_libreoffice__the_notice_opens_and_prints_the_reason(demo: Path, tmp_path: Path) -> None:
    res = tianbao(CliRunner(), "review", "return", "-w", demo, "-p", "2014-06", "--dept", "GYY",
                  "--reason", REASON, "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    notice = Path(json.loads(res.stdout)["notice"])
    (pdf,) = lo.to_pdf([notice], tmp_path / "pdf")  # the whole file, as the clerk opens it
    text = lo.pdf_text(pdf).replace("\n", "")
    assert "退回通知" in text and REASON[:12] in text


def test_status__the_chase_list_says_why_and_has_the_text_to_send(demo: Path) -> None:
    res = tianbao(CliRunner(), "review", "return", "-w", demo, "-p", "2014-06", "--dept", "CGJ",
                  "--reason", REASON)  # fmt: skip
    assert res.exit_code == 0, res.output
    res = tianbao(CliRunner(), "status", "-w", demo, "-p", "2014-06", "--as-of", "2014-07-10",
                  "--json")  # fmt: skip
    chase = {e["department"]: e for e in json.loads(res.stdout)["chase"]}
    plan = open_workspace(demo).plan
    assert plan is not None and plan.office is not None
    cgj = chase["CGJ"]
    assert cgj["why"] == REASON
    assert f"退回原因：{REASON}" in cgj["text"] and plan.office.phone in cgj["text"]
    rejected = [e for e in chase.values() if e["reason"] == "rejected"]
    assert rejected, "the demo has a rejected return"
    for e in rejected:  # its first blocking finding, from the ledger
        findings = _findings(demo, e["submission_id"])
        first = next(f["message"] for f in findings if f["severity"] == "error")
        assert e["why"].startswith(first) and "审核未通过" in e["text"]
    missing = [e for e in chase.values() if e["reason"] == "missing"]
    assert all("尚未报送，已逾期 5 天" in e["text"] for e in missing)
    printed = tianbao(CliRunner(), "status", "-w", demo, "-p", "2014-06", "--as-of", "2014-07-10")
    assert cgj["text"] in printed.output


def test_summary__a_rejected_department_is_not_said_missing(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    res = tianbao(CliRunner(), "consolidate", "-w", demo, "-p", "2014-06", "-o", out, "--json")
    assert res.exit_code == 0, res.output
    facts = facts_of(openpyxl.load_workbook(out)["总览"])
    status = json.loads(
        tianbao(CliRunner(), "status", "-w", demo, "-p", "2014-06", "--json").stdout
    )
    name = {d["department"]: d["name"] for d in status["departments"]}
    again = [name[d["department"]] for d in status["departments"]
             if d["state"] in ("rejected", "returned")]  # fmt: skip
    missing = [name[d["department"]] for d in status["departments"] if d["state"] == "missing"]
    assert again and missing
    assert all(n in facts["已报未通过（退回待重报）"] for n in again)
    assert all(n not in facts["未报单位"] for n in again)
    assert all(n in facts["未报单位"] for n in missing)
    assert re.fullmatch(r"2014年7月[0-9]{1,2}日 [0-9]{2}:[0-9]{2}", facts["最新受理报表收到时间"])
