"""Form layouts and record schemas checked against their JSON Schemas once per change,
not once per command (tianbao.forms.cache): a second command skips the check of
unchanged files; an edited file is checked again and its problem reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tianbao.forms.load as form_load
from helpers import tianbao
from tianbao.workspace import open_workspace

FORM = "projects_progress"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the JSON Schema checks of form files were run on."""
    seen: list[str] = []
    real_located, real_check = form_load.iter_located, form_load.Draft202012Validator.check_schema

    def located(validator, instance):
        seen.append("layout")
        return real_located(validator, instance)

    def check_schema(schema, *args, **kwargs):
        seen.append("record schema")
        return real_check(schema, *args, **kwargs)

    monkeypatch.setattr(form_load, "iter_located", located)
    monkeypatch.setattr(form_load.Draft202012Validator, "check_schema", check_schema)
    return seen


def own_form(ws: Path) -> Path:
    """The workspace's own copy of a standard form (what an office edits)."""
    layout, schemas = form_load.locate(FORM, None)
    shutil.copyfile(layout, ws / "forms" / layout.name)
    schema = form_load.load_form(layout, schemas).form.schema_path
    shutil.copyfile(schema, ws / "forms" / schema.name)
    return ws / "forms" / layout.name


def test_a_second_open_skips_the_checks_of_unchanged_forms(sample_ws: Path, checks) -> None:
    forms = len(open_workspace(sample_ws).require_ok().forms)
    assert checks.count("layout") == forms and checks.count("record schema") == forms
    checks.clear()
    assert len(open_workspace(sample_ws).require_ok().forms) == forms
    assert checks == []
    # tianbao check trusts no cache
    open_workspace(sample_ws, use_cache=False).require_ok()
    assert checks.count("layout") == forms


def test_an_edited_layout_is_checked_again_and_its_problem_said(
    sample_ws: Path, runner, checks
) -> None:
    layout = own_form(sample_ws)
    open_workspace(sample_ws).require_ok()
    checks.clear()
    text = layout.read_text(encoding="utf-8")
    assert text.count("\nversion: ") == 1
    layout.write_text(text.replace("\nversion: ", "\nversion: zwei #", 1), encoding="utf-8")

    ws = open_workspace(sample_ws)
    assert "layout" in checks
    assert any(p.code.name == "SCHEMA" and "version" in p.path for p in ws.problems), ws.problems
    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code != 0 and "version" in result.output
