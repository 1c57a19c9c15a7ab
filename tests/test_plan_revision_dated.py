"""A dated plan revision (年中调整 effective 2014-07), through the CLI, as a year runs:
June keeps the plan it was issued and summed with, July's templates issued before the
revision get the revision's message for the changed row only, and each month's summary
uses the targets in force for it and says which plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import SAMPLE, facts_of, read_yaml, tianbao, write_yaml
from returns import Returns
from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.workspace import open_workspace

DEPT = "RSJ"
SUMMARY_HEAD = 5  # first detail row of the summary's sheets


class Year:
    """RSJ's May and June collected under plan v1, a July template issued from v1 on
    the last day of June, then the revision: RSJ's first project's annual plan lowered,
    effective 2014-07."""

    def __init__(self, base: Path) -> None:
        self.rs = rs = Returns(base, DEPT)
        self.june = rs.june("ok")
        res = tianbao(rs.runner, "collect", "-w", rs.ws, self.june,
                      "--received-at", "2014-07-03T10:00:00")  # fmt: skip
        assert res.exit_code == 0, res.output
        self.july_old = self._generate("2014-07", base / "templates" / "2014-07-v1")
        # the clerk fills it from what it shows (plan v1), and sends it in August
        self.july_filled = self.fill(self.july_old, "2014-07", "old.xlsx")
        plan = read_yaml(rs.ws / "plan.yaml")
        self.project = next(p for p in plan["projects"] if p["department"] == DEPT)
        self.old_value = self.project["annual_plan"]
        self.new_value = self.old_value - 300
        for p in plan["projects"]:
            if p["id"] == self.project["id"]:
                p["annual_plan"] = self.new_value
        plan["plan_version"] += 1
        plan["revision"] = {"effective": "2014-07", "reason": "年中调整"}
        write_yaml(rs.ws / "plan.yaml", plan)
        self.check = tianbao(rs.runner, "check", "-w", rs.ws)

    def _generate(self, period: str, out: Path) -> Path:
        res = tianbao(self.rs.runner, "generate", "-w", self.rs.ws, "--period", period,
                      "--dept", DEPT, "-o", out)  # fmt: skip
        assert res.exit_code == 0, res.output
        (path,) = out.glob(f"{period}_{DEPT}_*.xlsx")
        return path

    def fill(self, template: Path, period: str, name: str) -> Path:
        """The template filled with plausible values for the plan in force now."""
        w = open_workspace(self.rs.ws)
        plan = w.plan_for(Period.parse(period))
        content = build_content(
            plan, [w.forms[f] for f in plan.form_ids], DEPT, Period.parse(period), w.secret()
        )
        return fill_workbook(template, template.parent / "filled" / name, plausible_fill(content))

    def validate(self, path: Path) -> tuple[int, list[dict[str, Any]]]:
        res = tianbao(self.rs.runner, "validate", "-w", self.rs.ws, path, "--json")
        return res.exit_code, json.loads(res.stdout)["files"][0]["findings"]

    def summary(self, period: str) -> Path:
        out = self.rs.base / "summary" / f"{period}.xlsx"
        res = tianbao(self.rs.runner, "consolidate", "-w", self.rs.ws, "--period", period,
                      "-o", out)  # fmt: skip
        assert res.exit_code == 0, res.output
        return out

    def annual_plan_in(self, summary: Path) -> Any:
        sheet = openpyxl.load_workbook(summary, data_only=True)["重点项目"]
        heads = [sheet.cell(SUMMARY_HEAD - 1, c).value for c in range(1, sheet.max_column + 1)]
        col = next(i for i, h in enumerate(heads, 1) if h and "计划投资" in str(h))
        for r in range(SUMMARY_HEAD, sheet.max_row + 1):
            if any(sheet.cell(r, c).value == self.project["id"] for c in range(1, 4)):
                return sheet.cell(r, col).value
        raise AssertionError(f"{self.project['id']} not in the summary")

    @staticmethod
    def plan_line(summary: Path) -> str:
        sheet = openpyxl.load_workbook(summary)["总览"]
        return str(facts_of(sheet)["计划版本"])


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Year:
    return Year(tmp_path_factory.mktemp("dated"))


def test_check__names_the_periods_the_revision_leaves_alone(year: Year) -> None:
    assert year.check.exit_code == 0, year.check.output
    out = year.check.output
    assert "第2版计划自 2014-07 起执行；2014-07 以前各期仍按第1版审核和汇总" in out
    affected = [line for line in out.splitlines() if line.startswith("提示：计划已调整")]
    # May and June were issued under the plan still in force for them: only July is
    assert len(affected) == 1 and "已下发的 2014-07 模板中，RSJ 的预填内容" in affected[0]


def test_a_june_return_after_the_revision__judged_by_junes_plan(year: Year) -> None:
    code, findings = year.validate(year.june)
    assert code == 0, findings
    codes = {f["code"] for f in findings}
    assert not codes & {"ID_OLD_PLAN", "ID_PLAN_REVISED", "PLAN_REVISED", "PLAN_VALUE_CHANGED"}


def test_june_summary__the_old_target_and_says_which_plan(year: Year) -> None:
    june = year.summary("2014-06")
    assert year.annual_plan_in(june) == year.old_value
    assert year.plan_line(june) == "第1版（第2版自 2014-07 起执行，本期仍按第1版）"


def test_july_on_a_template_issued_before__the_revision_message_and_it_counts(
    year: Year,
) -> None:
    july = year.july_filled
    code, findings = year.validate(july)
    assert code == 0, findings  # accepted with warnings
    revised = [f for f in findings if f["code"] == "PLAN_REVISED"]
    assert [f["row_key"] for f in revised] == [year.project["id"]]  # that row only
    message = revised[0]["message"]
    assert message.startswith("计划已于 2014-07 调整（年中调整）：「2014年计划投资(万元)」")
    assert "请使用新模板" in message and "不得修改" not in message
    assert f"{year.old_value:,}".replace(",", "") in message.replace(",", "")
    res = tianbao(year.rs.runner, "collect", "-w", year.rs.ws, july,
                  "--received-at", "2014-08-04T10:00:00")  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = year.summary("2014-07")
    assert year.annual_plan_in(summary) == year.new_value
    assert year.plan_line(summary) == "第2版（2014-07 起执行：年中调整）"


def test_july_templates_issued_now__show_the_new_figure(year: Year) -> None:
    fresh = year._generate("2014-07", year.rs.base / "templates" / "2014-07-v2")
    sheet = openpyxl.load_workbook(fresh)[year.rs.sheet("projects_progress")]
    cell = year.rs.cell("projects_progress", year.project["id"], "annual_plan")
    assert sheet[cell].value == year.new_value
    # and a June template re-issued now is still June's
    again = year._generate("2014-06", year.rs.base / "templates" / "2014-06-again")
    sheet = openpyxl.load_workbook(again)[year.rs.sheet("projects_progress")]
    assert sheet[cell].value == year.old_value


def test_an_effective_period_outside_the_year__check_says_where(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    plan = read_yaml(ws / "plan.yaml")
    plan["revision"] = {"effective": "2015-07"}
    write_yaml(ws / "plan.yaml", plan)
    res = tianbao(runner, "check", "-w", ws)
    assert res.exit_code == 1 and "REVISION_PERIOD" in res.output, res.output
