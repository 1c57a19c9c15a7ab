"""A form changed during the year, through the CLI: a return on the template issued
before is read as issued when the new version only added optional columns (a warning,
it counts), and refused naming both versions when the change was more than that."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import read_yaml, tianbao, write_yaml
from returns import Returns
from tianbao.findings import Code, fill
from tianbao.workspace import open_workspace

DEPT = "RSJ"
FORM = "projects_progress"


@pytest.fixture
def rs(tmp_path: Path) -> Returns:
    return Returns(tmp_path, DEPT)


def change_form(rs: Returns, edit: Any) -> None:
    layout = rs.ws / "forms" / f"{FORM}.yaml"
    data = read_yaml(layout)
    edit(data, rs.ws / "forms" / data["record_schema"])
    data["version"] += 1
    write_yaml(layout, data)
    res = tianbao(rs.runner, "check", "-w", rs.ws)
    assert res.exit_code == 0, res.output


def add_optional_column(data: dict[str, Any], schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["contact_person"] = {"type": "string", "maxLength": 50}
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    at = [c["field"] for c in data["columns"]].index("problems")
    label = {"zh": "项目联系人", "en": "Contact"}
    data["columns"].insert(at, {"field": "contact_person", "label": label, "entry": True})


def validate(rs: Returns, path: Path) -> tuple[int, list[dict[str, Any]]]:
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--json", "--previous", rs.previous)
    return res.exit_code, json.loads(res.stdout)["files"][0]["findings"]


@pytest.mark.slow
def test_only_an_optional_column_added__the_old_template_still_counts(rs: Returns) -> None:
    june = rs.june("ok")
    change_form(rs, add_optional_column)
    code, findings = validate(rs, june)
    assert code == 0, findings
    assert [f["code"] for f in findings if f["severity"] != "note"] == ["ID_FORM_OLDER"]
    (older,) = [f for f in findings if f["code"] == "ID_FORM_OLDER"]
    assert older["form"] == FORM and (older["value"], older["expected"]) == (3, 4)
    form = open_workspace(rs.ws).forms[FORM]
    said = fill(Code.ID_FORM_OLDER, title=form.title_zh, form_sheet=form.sheet, version=3,
                current=4, names="“项目联系人”")  # fmt: skip
    assert (older["message"], older["message_en"]) == said
    res = tianbao(rs.runner, "collect", "-w", rs.ws, june, "--received-at", "2014-07-03T10:00:00")
    assert res.exit_code == 0, res.output


@pytest.mark.slow
def test_a_required_column_added__new_template_needed_naming_the_versions(rs: Returns) -> None:
    june = rs.june("ok")

    def required(data: dict[str, Any], schema_path: Path) -> None:
        add_optional_column(data, schema_path)
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        schema["required"].append("contact_person")
        schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")

    change_form(rs, required)
    code, findings = validate(rs, june)
    assert code == 1
    (version,) = [f for f in findings if f["code"] == "ID_FORM_VERSION"]
    form = open_workspace(rs.ws).forms[FORM]
    said = fill(Code.ID_FORM_VERSION, title=form.title_zh, form_sheet=form.sheet, form_id=FORM,
                version=3, current=4)  # fmt: skip
    assert (version["message"], version["message_en"]) == said


@pytest.mark.slow
def test_a_header_renamed__new_template_needed(rs: Returns) -> None:
    june = rs.june("ok")

    def rename(data: dict[str, Any], schema_path: Path) -> None:
        col = next(c for c in data["columns"] if c["field"] == "problems")
        col["label"]["zh"] = "存在的主要问题"

    change_form(rs, rename)
    code, findings = validate(rs, june)
    assert code == 1 and "ID_FORM_VERSION" in [f["code"] for f in findings]
    assert "ID_FORM_OLDER" not in [f["code"] for f in findings]
