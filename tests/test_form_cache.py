"""Form layouts and record schemas checked against their JSON Schemas and parsed once per
change, not once per command (tianbao.forms.cache): a second command skips the check and
the parse of unchanged files and builds forms equal to the YAML's; an edited file is
checked and parsed again and its problem reported with its line; a damaged cache is a miss."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import tianbao.forms.cache as form_cache
import tianbao.forms.load as form_load
import tianbao.support.yamlio as yamlio
from helpers import tianbao
from tianbao import api
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


# ---- the parse cache: a form built from the JSON of its files' parses -------------------


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The form files parsed from their YAML (the plan's parses are not counted)."""
    seen: list[bytes] = []
    real = yamlio.parse_yaml_bytes

    def counting(raw: bytes) -> yamlio.LoadedYaml:
        seen.append(raw)
        return real(raw)

    monkeypatch.setattr(form_cache, "parse_yaml_bytes", counting)
    monkeypatch.setattr(form_load, "parse_yaml_bytes", counting)
    return seen


def parsed_names(ws: Path, seen: list[bytes]) -> list[str]:
    by_bytes = {p.read_bytes(): p.name for p in (ws / "forms").iterdir()}
    return sorted(by_bytes.get(raw, "?") for raw in seen)


def parse_files(ws: Path) -> list[Path]:
    return sorted((ws / ".tianbao" / "cache").glob(f"{form_cache.PARSED_PREFIX}*.json"))


def drop_parse_files(ws: Path) -> None:
    for p in parse_files(ws):
        p.unlink()


def test_a_second_open_builds_every_form_from_the_cache_equal_to_the_yaml(
    sample_ws: Path, parses: list[bytes]
) -> None:
    drop_parse_files(sample_ws)
    first = api.open_workspace(sample_ws).require_ok().forms
    assert len(parses) == 2 * len(first) == 8  # a layout and a record schema each
    assert len(parse_files(sample_ws)) == 8
    parses.clear()

    cached = api.open_workspace(sample_ws).require_ok().forms
    assert parses == []
    # tianbao check trusts no cache: every file parsed, lines and all
    fresh = api.open_workspace(sample_ws, use_cache=False).require_ok().forms
    assert len(parses) == 8
    assert list(cached) == list(fresh) == list(first)
    for form_id, form in fresh.items():
        assert cached[form_id] == form, form_id
        assert repr(cached[form_id]) == repr(form), form_id  # 1 and 1.0 are ==, not repr-equal


def test_a_template_from_cached_forms_is_byte_identical(sample_ws: Path, runner) -> None:
    def generate(out: Path) -> bytes:
        result = tianbao(
            runner, "generate", "-w", sample_ws, "--period", "2014-06", "--dept", "FGW",
            "-o", out, "--allow-missing-previous",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        (book,) = out.glob("*.xlsx")
        return book.read_bytes()

    drop_parse_files(sample_ws)
    from_yaml = generate(sample_ws.parent / "yaml")
    assert len(parse_files(sample_ws)) == 8
    assert generate(sample_ws.parent / "cached") == from_yaml


def test_an_edited_layout_misses_the_cache_and_is_checked_and_parsed_again(
    sample_ws: Path, parses: list[bytes], checks: list[str]
) -> None:
    layout = own_form(sample_ws)
    api.open_workspace(sample_ws).require_ok()
    before = parse_files(sample_ws)
    parses.clear()
    checks.clear()
    text = layout.read_text(encoding="utf-8")
    old = "title: {zh: 重点项目进度, en: Key projects progress}"
    assert text.count(old) == 1
    layout.write_text(text.replace(old, old.replace("进度", "进展")), encoding="utf-8")

    form = api.open_workspace(sample_ws).require_ok().forms[FORM]
    assert form.title_zh == "重点项目进展"
    assert parsed_names(sample_ws, parses) == [layout.name]  # its record schema: cached
    assert checks == ["layout"]
    # the edited layout's parse replaced its old one
    after = parse_files(sample_ws)
    assert len(after) == len(before) and set(after) != set(before)
    parses.clear()
    assert api.open_workspace(sample_ws).require_ok().forms[FORM] == form
    assert parses == []


def test_a_record_schema_edit_still_names_the_layout_line(
    sample_ws: Path, runner, parses: list[bytes]
) -> None:
    """The layout comes from the cache (no lines); the problem found in it must still
    name its line, so the form is loaded again from the files."""
    layout = own_form(sample_ws)
    api.open_workspace(sample_ws).require_ok()
    schema = sample_ws / "forms" / f"{FORM}.schema.json"
    doc = json.loads(schema.read_text(encoding="utf-8"))
    del doc["properties"]["note"]
    schema.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    line = 1 + layout.read_text(encoding="utf-8").splitlines().index(
        next(t for t in layout.read_text(encoding="utf-8").splitlines() if "{field: note," in t)
    )
    parses.clear()

    (problem,) = api.open_workspace(sample_ws).problems
    assert (problem.code.name, problem.file, problem.line) == (
        "FORM_FIELD_MISSING", f"forms/{FORM}.yaml", line
    )  # fmt: skip
    assert layout.name in parsed_names(sample_ws, parses)
    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1 and f"forms/{FORM}.yaml:{line}" in result.output, result.output


def _forged_empty(path: Path) -> None:
    doc = json.loads(path.read_bytes())
    path.write_text(json.dumps({**doc, "data": {}}), encoding="utf-8")


def _other_key(path: Path) -> None:
    other = next(p for p in path.parent.glob(f"{form_cache.PARSED_PREFIX}*") if p != path)
    path.write_bytes(other.read_bytes())


GARBLES = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:100]),
    "empty": lambda p: p.write_bytes(b""),
    "not utf-8": lambda p: p.write_bytes(b"\xff\xfe{}"),
    "a list": lambda p: p.write_text("[1, 2]"),
    "another key's file": _other_key,
    "another format": lambda p: p.write_text(p.read_text().replace('"format":1', '"format":0')),
    "forged data that does not fit": _forged_empty,
    "a folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("garble", GARBLES.values(), ids=GARBLES.keys())
def test_a_garbled_parse_is_a_miss_not_a_crash(
    sample_ws: Path, parses: list[bytes], garble
) -> None:
    fresh = api.open_workspace(sample_ws, use_cache=False).require_ok().forms
    api.open_workspace(sample_ws).require_ok()
    (layout_parse,) = (p for p in parse_files(sample_ws) if f"-{FORM}.yaml-" in p.name)
    garble(layout_parse)
    parses.clear()

    assert api.open_workspace(sample_ws).require_ok().forms == fresh
    assert parsed_names(sample_ws, parses) == [f"{FORM}.yaml"] or (
        # forged data is only found out when it does not fit: then both files are read again
        garble is _forged_empty
        and parsed_names(sample_ws, parses) == [f"{FORM}.schema.json", f"{FORM}.yaml"]
    )
    if layout_parse.is_file():  # the next open finds a sound parse again
        parses.clear()
        assert api.open_workspace(sample_ws).require_ok().forms == fresh
        assert parses == []
