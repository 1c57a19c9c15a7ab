"""Plan revisions during the year: templates already issued stay valid where the
department's own pre-filled rows did not change, and a figure the office revised is
the office's revision (PLAN_REVISED), not the clerk's edit. Through the CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import read_yaml, tianbao, write_yaml
from returns import Returns
from tianbao.findings import Code, fill

DEPT = "RSJ"  # answers for all four forms in the sample


@pytest.fixture
def rs(tmp_path: Path) -> Returns:
    return Returns(tmp_path, DEPT)


def validate(rs: Returns, path: Path) -> tuple[int, list[dict[str, Any]]]:
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--json", "--previous", rs.previous)
    return res.exit_code, json.loads(res.stdout)["files"][0]["findings"]


def revise(rs: Returns, edit: Any) -> dict[str, Any]:
    plan = read_yaml(rs.ws / "plan.yaml")
    edit(plan)
    plan["plan_version"] += 1
    write_yaml(rs.ws / "plan.yaml", plan)
    assert tianbao(rs.runner, "check", "-w", rs.ws).exit_code == 0
    return plan


def first_project(plan: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in plan["projects"] if p["department"] == DEPT)


def test_another_departments_contact__the_template_stays_valid(rs: Returns) -> None:
    june = rs.june("ok")
    revise(rs, lambda p: p["departments"][0]["contact"].update(phone="0391-9999999"))
    code, findings = validate(rs, june)
    assert code == 0, findings
    assert [f["code"] for f in findings] == ["ID_PLAN_REVISED"]  # a note, nothing else


def test_own_contact__cover_text_of_the_issued_template_is_not_tampering(rs: Returns) -> None:
    june = rs.june("ok")

    def edit(plan: dict[str, Any]) -> None:
        d = next(d for d in plan["departments"] if d["code"] == DEPT)
        d["contact"]["name"] = "新联系人"

    revise(rs, edit)
    code, findings = validate(rs, june)
    assert code == 0 and [f["code"] for f in findings] == ["ID_PLAN_REVISED"], findings


def test_a_revised_annual_plan__the_offices_revision_named_and_the_return_counts(
    rs: Returns,
) -> None:
    june = rs.june("ok")
    old = first_project(read_yaml(rs.ws / "plan.yaml"))
    new_value = old["annual_plan"] - 300

    plan = revise(rs, lambda p: first_project(p).update(annual_plan=new_value))
    code, findings = validate(rs, june)
    assert code == 0, findings  # accepted with a warning
    revised = [f for f in findings if f["code"] == "PLAN_REVISED"]
    assert [f["cell"] for f in revised] == [rs.cell("projects_progress", old["id"], "annual_plan")]
    assert f"{old['annual_plan']:,} → {new_value:,}".replace(",", "") in revised[0][
        "message"
    ].replace(",", "").replace(".00", "")
    assert revised[0]["severity"] == "warning" and "不得修改" not in revised[0]["message"]
    assert revised[0]["message"].startswith("「2014年计划投资(万元)」计划已调整")  # the header read
    assert first_project(plan)["annual_plan"] == new_value


def test_after_a_revision_the_clerks_own_edit_is_still_an_error_against_what_they_saw(
    rs: Returns,
) -> None:
    old = first_project(read_yaml(rs.ws / "plan.yaml"))
    cell = rs.cell("projects_progress", old["id"], "total_investment")

    def clerk(wb: Any, r: Returns) -> None:
        wb[r.sheet("projects_progress")][cell] = old["total_investment"] + 1

    june = rs.june("edited", clerk)
    revise(rs, lambda p: first_project(p).update(annual_plan=old["annual_plan"] - 1))
    code, findings = validate(rs, june)
    assert code == 1
    (changed,) = [f for f in findings if f["code"] == "PLAN_VALUE_CHANGED"]
    assert changed["cell"] == cell and changed["expected"] == old["total_investment"]


def test_a_project_added_by_the_revision__the_old_template_lacks_it_and_says_why(
    rs: Returns,
) -> None:
    june = rs.june("ok")

    def add(plan: dict[str, Any]) -> None:
        extra = dict(first_project(plan), id="P999", name="年中新增项目")
        extra.pop("milestones", None)
        plan["projects"].append(extra)

    revise(rs, add)
    code, findings = validate(rs, june)
    assert code == 1
    (missing,) = [f for f in findings if f["code"] == "STRUCT_ROW_MISSING"]
    assert missing["row_key"] == "P999"
    assert missing["message"] == fill(Code.STRUCT_ROW_MISSING, "added", key="P999")[0]


def test_without_the_kept_plan__still_an_old_plan(rs: Returns) -> None:
    june = rs.june("ok")
    revise(rs, lambda p: p["departments"][0]["contact"].update(phone="0391-9999999"))
    shutil.rmtree(rs.ws / ".tianbao" / "plans")
    code, findings = validate(rs, june)
    assert code == 1 and "ID_OLD_PLAN" in [f["code"] for f in findings]


def test_collect_records_a_return_on_a_revised_plan(rs: Returns) -> None:
    june = rs.june("ok")
    revise(rs, lambda p: first_project(p).update(annual_plan=first_project(p)["annual_plan"] - 5))
    res = tianbao(rs.runner, "collect", "-w", rs.ws, june, "--received-at", "2014-07-03T10:00:00")
    assert res.exit_code == 0, res.output


def test_check_lists_the_issued_templates_a_revision_affects(rs: Returns) -> None:
    revise(rs, lambda p: first_project(p).update(annual_plan=first_project(p)["annual_plan"] - 5))
    res = tianbao(rs.runner, "check", "-w", rs.ws)
    assert res.exit_code == 0
    lines = [line for line in res.output.splitlines() if line.startswith("提示：计划已调整")]
    assert {line.split("已下发的 ")[1][:7] for line in lines} == {"2014-05", "2014-06"}
    assert all(f"中，{DEPT} 的预填内容与现计划不同" in line for line in lines)
    assert all("其余 0 个单位" in line for line in lines)  # only RSJ's were generated


def test_a_recreated_key_after_a_revision__still_said_as_a_key_problem(rs: Returns) -> None:
    """The template was made from the plan before the revision: with the key re-created
    its content is compared with what that plan (kept when it was issued) would write,
    so the office is told about its key, and the department is not accused."""

    june = rs.june("ok")
    revise(rs, lambda p: first_project(p).update(annual_plan=first_project(p)["annual_plan"] - 1))
    (rs.ws / ".tianbao" / "secret.key").write_text(os.urandom(32).hex())
    code, findings = validate(rs, june)
    codes = {f["code"] for f in findings}
    assert code == 1 and "ID_KEY_MISMATCH" in codes, findings
    assert "ID_SIGNATURE_INVALID" not in codes
