"""A fifth form is two files in the workspace's forms/ and one line in the plan: no code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import problem_lines, read_yaml, tianbao, write_yaml
from tianbao.workspace import open_workspace

LAYOUT = """\
# 能耗季报: a form the office adds for itself
id: energy_quarterly
version: 1
title: {zh: 能耗季报, en: Energy use quarterly}
sheet: 能耗
rows: indicators
key: code
record_schema: energy_quarterly.schema.json
columns:
  - {field: code, label: {zh: 指标代码, en: Code}, prefill: code, width: 16}
  - {field: name, label: {zh: 指标名称, en: Indicator}, prefill: name.zh, width: 26}
  - {field: quarter_use, label: {zh: 本季能耗, en: Used this quarter}, entry: true, unit: 吨标准煤}
  - {field: ytd_use, label: {zh: 本年累计能耗, en: Used year to date}, entry: true, unit: 吨标准煤}
  - {field: note, label: {zh: 说明, en: Explanation}, entry: true, role: explanation}
rules:
  - id: ENE_YTD_GE_QUARTER
    severity: error
    expr: "ytd_use >= quarter_use"
    cell: ytd_use
    message:
      zh: "本年累计能耗（{ytd_use}）小于本季（{quarter_use}）"
      en: "Year to date ({ytd_use}) is below this quarter ({quarter_use})"
"""

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "quarter_use"],
    "properties": {
        "code": {"type": "string", "minLength": 1},
        "quarter_use": {"type": "number", "minimum": 0},
        "ytd_use": {"type": "number", "minimum": 0},
        "note": {"type": "string", "maxLength": 500},
    },
}


def add_fifth_form(ws: Path, layout: str = LAYOUT, schema: dict | None = None) -> None:
    forms = ws / "forms"
    (forms / "energy_quarterly.yaml").write_text(layout, encoding="utf-8")
    (forms / "energy_quarterly.schema.json").write_text(
        json.dumps(SCHEMA if schema is None else schema, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    plan = read_yaml(ws / "plan.yaml")
    plan["reporting"]["forms"].append("energy_quarterly")
    write_yaml(ws / "plan.yaml", plan)


def test_fifth_form__ok(sample_ws: Path, runner) -> None:
    add_fifth_form(sample_ws)

    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 0, result.output
    ws = open_workspace(sample_ws)
    assert "energy_quarterly" in ws.forms
    form = ws.forms["energy_quarterly"]
    assert [c.field for c in form.entry_columns] == ["quarter_use", "ytd_use", "note"]
    assert [r.id for r in form.rules] == ["ENE_YTD_GE_QUARTER"]
    assert len(ws.forms) == len(ws.plan.form_ids)


def _without(name: str) -> dict:
    schema = json.loads(json.dumps(SCHEMA))
    del schema["properties"][name]
    return schema


BROKEN = [
    # (id, layout text, record schema, expected code, file named by the problem)
    (
        "rule-unknown-field",
        LAYOUT.replace("ytd_use >= quarter_use", "ytd_use >= q_use"),
        None,
        "FORM_FIELD_MISSING",
        "forms/energy_quarterly.yaml",
    ),
    (
        "rule-unsafe",
        LAYOUT.replace("ytd_use >= quarter_use", "ytd_use.__class__"),
        None,
        "FORM_RULE_INVALID",
        "forms/energy_quarterly.yaml",
    ),
    (
        "entry-column-not-in-schema",
        LAYOUT,
        _without("ytd_use"),
        "FORM_FIELD_MISSING",
        "forms/energy_quarterly.yaml",
    ),
    (
        "schema-not-an-object",
        LAYOUT,
        {"type": "array"},
        "SCHEMA",
        "forms/energy_quarterly.schema.json",
    ),
    (
        "id-differs",
        LAYOUT.replace("id: energy_quarterly", "id: energy"),
        None,
        "FORM_ID_MISMATCH",
        "forms/energy_quarterly.yaml",
    ),
    (
        "rows-unknown",
        LAYOUT.replace("rows: indicators", "rows: energy"),
        None,
        "SCHEMA",
        "forms/energy_quarterly.yaml",
    ),
    (
        "layout-not-yaml",
        LAYOUT.replace("  - {field: name", "\t- {field: name"),
        None,
        "FILE_UNREADABLE",
        "forms/energy_quarterly.yaml",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("layout", "schema", "code", "file"),
    [b[1:] for b in BROKEN],
    ids=[b[0] for b in BROKEN],
)
def test_fifth_form_broken__exit_1(
    layout: str, schema: dict | None, code: str, file: str, sample_ws: Path, runner
) -> None:
    add_fifth_form(sample_ws, layout, schema)

    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1, result.output
    problems = problem_lines(result.stdout)
    assert {p["code"] for p in problems} == {code}, result.output
    assert {p["file"] for p in problems} == {file}, result.output


def test_fifth_form_files_but_not_in_plan__unused(sample_ws: Path, runner) -> None:
    add_fifth_form(sample_ws)
    plan = read_yaml(sample_ws / "plan.yaml")
    plan["reporting"]["forms"].remove("energy_quarterly")
    write_yaml(sample_ws / "plan.yaml", plan)

    assert tianbao(runner, "check", "-w", sample_ws).exit_code == 0
    assert "energy_quarterly" not in open_workspace(sample_ws).forms
