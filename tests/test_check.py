"""``tianbao check``: each broken plan gives exactly its code, located by file, line and path.

Every broken plan is the sample plan with one small edit: a dict edit (load, mutate,
dump) or, where the breakage is syntactic, a text edit.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    dump_yaml,
    line_of_path,
    parse_json_path,
    parse_yaml,
    problem_lines,
    read_yaml,
    tianbao,
    write_yaml,
)
from tianbao import __version__
from tianbao.check import check_workspace

# ---------------------------------------------------------------- plan edits


def edit(mutate: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    """A text edit made by loading the plan, mutating the dict and dumping it."""

    def apply(text: str) -> str:
        data = parse_yaml(text)
        mutate(data)
        return dump_yaml(data)

    return apply


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = parse_json_path(path)

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in parents:
            node = node[part]
        if value is _DELETE:
            del node[last]
        elif callable(value):
            node[last] = value(node)
        else:
            node[last] = value

    return mutate


_DELETE = object()


def _dup_department(data: dict[str, Any]) -> None:
    data["departments"].insert(1, copy.deepcopy(data["departments"][0]))


def _dup_project(data: dict[str, Any]) -> None:
    data["projects"][1]["id"] = data["projects"][0]["id"]


def _dates(data: dict[str, Any]) -> None:
    data["projects"][0].update(start="2014-09-01", finish="2014-03-31")


def _milestone(data: dict[str, Any]) -> None:
    data["projects"][0]["milestones"] = [{"due": "2015-02-01", "text": "竣工投产"}]


def _after_line(prefix: str, insert: str) -> Callable[[str], str]:
    """Insert a line after the first line starting with ``prefix``."""

    def apply(text: str) -> str:
        lines = text.splitlines(keepends=True)
        i = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        return "".join([*lines[: i + 1], insert + "\n", *lines[i + 1 :]])

    return apply


def _sub(pattern: str, replacement: str) -> Callable[[str], str]:
    """Replace the first match of ``pattern`` (a line of the plan)."""

    def apply(text: str) -> str:
        broken, n = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert n == 1, pattern
        return broken

    return apply


def line_with(marker: str) -> Callable[[str], int]:
    """Expected line: the one holding ``marker`` in the broken file."""
    return lambda text: next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


AT_PATH = "at path"  # expected line: where the problem's JSON path is in the broken file


@dataclass(frozen=True)
class Case:
    id: str
    broken: Callable[[str], str | bytes | None]  # sample text -> broken file (None: no file)
    code: str
    path: str
    line: str | int | Callable[[str], int] | None = AT_PATH  # None: the whole file


CASES = [
    Case(
        "unknown-department",
        edit(_set("$.projects[0].department", "NOPE")),
        "UNKNOWN_DEPARTMENT",
        "$.projects[0].department",
    ),
    Case("duplicate-project-id", edit(_dup_project), "DUPLICATE_ID", "$.projects[1].id"),
    Case(
        "duplicate-department-code", edit(_dup_department), "DUPLICATE_ID", "$.departments[1].code"
    ),
    Case(
        "annual-plan-above-total",
        edit(_set("$.projects[0].annual_plan", lambda p: p["total_investment"] + 1)),
        "ANNUAL_PLAN_ABOVE_TOTAL",
        "$.projects[0].annual_plan",
    ),
    Case("finish-before-start", edit(_dates), "DATE_ORDER", "$.projects[0].finish"),
    Case(
        "milestone-outside-year",
        edit(_milestone),
        "MILESTONE_OUTSIDE",
        "$.projects[0].milestones[0].due",
    ),
    Case(
        "wrong-unit", edit(_set("$.indicators[0].unit", "亿美元")), "SCHEMA", "$.indicators[0].unit"
    ),
    Case(
        "missing-target", edit(_set("$.indicators[0].target", _DELETE)), "SCHEMA", "$.indicators[0]"
    ),
    Case("unknown-top-level-key", edit(_set("$.colour", "red")), "SCHEMA", "$.colour"),
    Case(
        "growth-without-rate",
        edit(_set("$.indicators[0].target", {"kind": "growth"})),
        "SCHEMA",
        "$.indicators[0].target",
    ),
    Case(
        "negative-investment",
        edit(_set("$.projects[0].total_investment", -5)),
        "SCHEMA",
        "$.projects[0].total_investment",
    ),
    Case(
        "bad-date", edit(_set("$.projects[0].start", "2014-02-30")), "SCHEMA", "$.projects[0].start"
    ),
    Case("base-year-not-year-before", edit(_set("$.base_year", 2012)), "BASE_YEAR", "$.base_year"),
    Case(
        "unknown-form",
        edit(_set("$.reporting.forms", lambda r: ["no_such_form", *r["forms"]])),
        "UNKNOWN_FORM",
        "$.reporting.forms[0]",
    ),
    Case(
        "tab-indent",
        _after_line("base_year:", "\tbroken: true"),
        "FILE_UNREADABLE",
        "$",
        line_with("\tbroken"),
    ),
    Case(
        "bad-indent",
        _after_line("base_year:", "  broken: true"),
        "FILE_UNREADABLE",
        "$",
        line_with("  broken"),
    ),
    Case(
        "duplicate-yaml-key",
        lambda t: t + "\nyear: 2014  # again\n",
        "FILE_UNREADABLE",
        "$",
        line_with("# again"),
    ),
    Case("plan-is-a-list", lambda t: "- year: 2014\n- base_year: 2013\n", "SCHEMA", "$", 1),
    Case("empty-file", lambda t: "", "FILE_UNREADABLE", "$", None),
    Case("only-a-comment", lambda t: "# nothing yet\n", "FILE_UNREADABLE", "$", None),
    Case("binary-file", lambda t: b"PK\x03\x04\x00\x00\x08\x00", "FILE_UNREADABLE", "$", None),
    Case("not-utf8", lambda t: t.encode("gb18030"), "FILE_UNREADABLE", "$", None),
    Case("missing-plan-file", lambda t: None, "FILE_UNREADABLE", "$", None),
    # regressions: these crashed check with a traceback (PyYAML raises bare ValueError...)
    # or, for .nan, passed it (NaN satisfies every JSON Schema bound)
    Case(
        "unquoted-impossible-date",
        _sub(r"start: '?\d{4}-\d{2}-\d{2}'?", "start: 2014-02-30  # bad"),
        "FILE_UNREADABLE",
        "$",
        line_with("# bad"),
    ),
    Case(
        "tagged-int-not-a-number",
        _sub(r"plan_version: .*", "plan_version: !!int one"),
        "FILE_UNREADABLE",
        "$",
        line_with("!!int one"),
    ),
    Case(
        "nan-investment",
        _sub(r"total_investment: .*", "total_investment: .nan"),
        "FILE_UNREADABLE",
        "$",
        line_with(".nan"),
    ),
    Case("list-as-key", lambda t: t + "? [a, b]\n: 1\n", "FILE_UNREADABLE", "$", line_with("? [a")),
    Case(  # refused as an alias, at its line (the last one)
        "recursive-alias",
        lambda t: t + "loop: &x [*x]\n",
        "FILE_UNREADABLE",
        "$",
        lambda text: text.count("\n"),
    ),
]


def break_plan(ws: Path, case: Case) -> str | bytes | None:
    plan = ws / "plan.yaml"
    broken = case.broken(plan.read_text(encoding="utf-8"))
    if broken is None:
        plan.unlink()
    elif isinstance(broken, bytes):
        plan.write_bytes(broken)
    else:
        plan.write_text(broken, encoding="utf-8")
    return broken


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_plan__one_located_problem(case: Case, sample_ws: Path, runner) -> None:
    broken = break_plan(sample_ws, case)

    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    problems = problem_lines(result.stdout)
    assert {p["code"] for p in problems} == {case.code}, result.output
    assert all(p["file"] == "plan.yaml" for p in problems), result.output
    first = problems[0]
    assert first["path"] == case.path, result.output
    if case.line is None:
        expected_line = None
    elif case.line == AT_PATH:
        expected_line = line_of_path(broken, parse_json_path(case.path))
    elif callable(case.line):
        expected_line = case.line(broken)
    else:
        expected_line = case.line
    assert first["line"] == expected_line, result.output


JSON_CASES = ["unknown-department", "wrong-unit", "unknown-form", "tab-indent", "missing-plan-file"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in JSON_CASES], ids=JSON_CASES)
def test_broken_plan__json_is_the_library_result(case: Case, sample_ws: Path, runner) -> None:
    break_plan(sample_ws, case)

    as_json = tianbao(runner, "check", "-w", sample_ws, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)  # stdout holds the JSON and nothing else
    assert report["valid"] is False
    assert report["problems"] == [p.as_dict() for p in check_workspace(sample_ws)]
    assert [p["code"] for p in report["problems"]] == [case.code]


# ---------------------------------------------------------------- form edits


def _add_column(form: dict[str, Any]) -> None:
    form["columns"].insert(
        2, {"field": "land_area", "label": {"zh": "用地面积", "en": "Land area"}, "entry": True}
    )


def _rule(expr: str) -> Callable[[dict[str, Any]], None]:
    def mutate(form: dict[str, Any]) -> None:
        form["rules"][0]["expr"] = expr

    return mutate


def _prefill(form: dict[str, Any]) -> None:
    form["columns"][1]["prefill"] = "name_en"


def _form_id(form: dict[str, Any]) -> None:
    form["id"] = "projects_progress_v2"


def _set(column: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(form: dict[str, Any]) -> None:
        form["columns"][column][key] = value

    return mutate


def _dup_rule_id(form: dict[str, Any]) -> None:
    form["rules"][1]["id"] = form["rules"][0]["id"]


FORM_CASES = [
    # (id, edit of forms/projects_progress.yaml, expected code, expected JSON path)
    ("column-not-in-schema", _add_column, "FORM_FIELD_MISSING", "$.columns[2].field"),
    ("rule-import", _rule("__import__('os')"), "FORM_RULE_INVALID", "$.rules[0].expr"),
    (
        "rule-dunder-attribute",
        _rule("ytd_investment.__class__"),
        "FORM_RULE_INVALID",
        "$.rules[0].expr",
    ),
    ("rule-syntax-error", _rule("ytd_investment >="), "FORM_RULE_INVALID", "$.rules[0].expr"),
    (
        "rule-unknown-field",
        _rule("ytd_investment >= month_invest"),
        "FORM_FIELD_MISSING",
        "$.rules[0].expr",
    ),
    (
        "rule-unknown-plan-attribute",
        _rule("ytd_investment <= plan.budget"),
        "FORM_FIELD_MISSING",
        "$.rules[0].expr",
    ),
    ("prefill-unknown", _prefill, "FORM_PREFILL_UNKNOWN", "$.columns[1].prefill"),
    ("id-differs-from-file-name", _form_id, "FORM_ID_MISMATCH", "$.id"),
    (
        "prefill-previous-unknown",
        _set(7, "prefill", "previous.tally"),
        "FORM_PREFILL_UNKNOWN",
        "$.columns[7].prefill",
    ),
    (
        "formula-unknown-field",
        _set(11, "formula", "{tally}*100"),
        "FORM_FIELD_MISSING",
        "$.columns[11].formula",
    ),
    (
        "default-sum-unknown-field",
        _set(9, "default_sum", ["prev_ytd_investment", "tally"]),
        "FORM_FIELD_MISSING",
        "$.columns[9].default_sum",
    ),
    ("duplicate-rule-id", _dup_rule_id, "DUPLICATE_ID", "$.rules[1].id"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mutate", "code", "path"),
    [c[1:] for c in FORM_CASES],
    ids=[c[0] for c in FORM_CASES],
)
def test_broken_form__located_in_the_form_file(
    mutate, code: str, path: str, sample_ws: Path, runner
) -> None:
    form_file = sample_ws / "forms" / "projects_progress.yaml"
    form = read_yaml(form_file)
    mutate(form)
    write_yaml(form_file, form)

    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1, result.output
    problems = problem_lines(result.stdout)
    assert {p["code"] for p in problems} == {code}, result.output
    assert [p["file"] for p in problems] == ["forms/projects_progress.yaml"], result.output
    assert problems[0]["path"] == path
    text = form_file.read_text(encoding="utf-8")
    assert problems[0]["line"] == line_of_path(text, parse_json_path(path))


def test_schema_property_without_column__names_the_schema_file(sample_ws: Path, runner) -> None:
    schema_file = sample_ws / "forms" / "projects_progress.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["land_area"] = {"type": "number"}
    schema_file.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")

    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1, result.output
    problems = problem_lines(result.stdout)
    assert [(p["file"], p["code"], p["path"]) for p in problems] == [
        ("forms/projects_progress.schema.json", "FORM_FIELD_MISSING", "$.properties.land_area")
    ]


# ---------------------------------------------------------------- what passes, exit codes


def test_sample__ok(sample_ws: Path, runner) -> None:
    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    as_json = tianbao(runner, "check", "-w", sample_ws, "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert (data["command"], data["valid"], data["problems"]) == ("check", True, [])


def test_skeleton__ok(skeleton_ws: Path, runner) -> None:
    result = tianbao(runner, "check", "-w", skeleton_ws)
    assert result.exit_code == 0, result.output


def test_check_defaults_to_current_folder(sample_ws: Path, runner, monkeypatch) -> None:
    monkeypatch.chdir(sample_ws)
    assert tianbao(runner, "check").exit_code == 0


def test_init_copies_forms_and_a_private_key(sample_ws: Path) -> None:
    assert (sample_ws / "plan.yaml").is_file()
    assert (sample_ws / "outputs").is_dir()
    for form_id in read_yaml(sample_ws / "plan.yaml")["reporting"]["forms"]:
        assert (sample_ws / "forms" / f"{form_id}.yaml").is_file()
        assert (sample_ws / "forms" / f"{form_id}.schema.json").is_file()
    key = sample_ws / ".tianbao" / "secret.key"
    assert len(key.read_text().strip()) >= 32
    assert key.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("where", [".", "empty", "new/nested"])
def test_init_into_empty_or_new_folder__ok(where: str, tmp_path: Path, runner, monkeypatch) -> None:
    # regression: `tianbao init .` crashed (Path('.').with_name: empty name)
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty" if where == "." else tmp_path)

    result = tianbao(runner, "init", where, "--sample", "jiefang-2014")
    assert result.exit_code == 0, result.output
    ws = Path(where).resolve()
    names = sorted(p.name for p in ws.iterdir())
    assert names == [".tianbao", "forms", "outputs", "plan.yaml", "计划.xlsx"]  # plan, workbook
    assert tianbao(runner, "check", "-w", where).exit_code == 0
    assert sorted(p.name for p in ws.parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["check", "-w", "{tmp}/nowhere"], id="check-missing-workspace"),
        pytest.param(["check", "-w", "{tmp}/a-file"], id="check-workspace-is-a-file"),
        pytest.param(["check", "-w", "{tmp}/nowhere", "--json"], id="check-json-missing"),
        pytest.param(["init", "{tmp}/full"], id="init-into-non-empty-folder"),
        pytest.param(["init", "{tmp}/new", "--sample", "nosuch"], id="init-unknown-sample"),
    ],
)
def test_setup_error__exit_2_without_traceback(args: list[str], tmp_path: Path, runner) -> None:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")

    result = tianbao(runner, *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip()
    assert (tmp_path / "full" / "keep.txt").read_text() == "x"
    assert not (tmp_path / "new").exists()


def test_version(runner) -> None:
    for flag in ("--version", "-V"):
        result = tianbao(runner, flag)
        assert result.exit_code == 0
        assert __version__ in result.output


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["check", "-h"], ["init", "-h"]])
def test_help(args: list[str], runner) -> None:
    result = tianbao(runner, *args)  # in Chinese by default
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "选项" in result.output
    english = tianbao(runner, "--lang", "en", *args)
    assert english.exit_code == 0 and "Usage:" in english.output


def test_no_command__usage(runner) -> None:
    result = tianbao(runner, "no-such-command")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_form_changed_after_issue__check_asks_for_a_new_version(tmp_path: Path) -> None:
    """Templates already issued keep the layout they were made with: a changed layout
    under the same version is refused by check until the version is raised; a change of
    the audit rules alone is not a layout change."""
    from click.testing import CliRunner

    runner = CliRunner()
    ws = tmp_path / "ws"
    assert tianbao(runner, "init", ws, "--sample", "jiefang-2014").exit_code == 0
    res = tianbao(
        runner, "generate", "-w", ws, "-p", "2014-06", "--dept", "RSJ", "--allow-missing-previous"
    )
    assert res.exit_code == 0, res.output
    layout = ws / "forms" / "projects_progress.yaml"
    data = read_yaml(layout)
    data["rules"][0]["message"]["zh"] += "。"  # rules only: still the same sheet
    write_yaml(layout, data)
    assert tianbao(runner, "check", "-w", ws).exit_code == 0
    data["columns"].insert(
        4,
        {
            "field": "keyword",
            "label": {"zh": "关键词", "en": "Keyword"},
            "prefill": "keyword",
            "width": 10,
        },
    )
    write_yaml(layout, data)
    res = tianbao(runner, "check", "-w", ws, "--json")
    assert res.exit_code == 1
    (p,) = json.loads(res.stdout)["problems"]
    assert p["code"] == "FORM_VERSION_NOT_RAISED" and "projects_progress" in p["file"]
    issued = data["version"]
    assert f"请将 version 提到 {issued + 1}" in p["message"] and p["expected"] == issued + 1
    data["version"] = issued + 1
    write_yaml(layout, data)
    assert tianbao(runner, "check", "-w", ws).exit_code == 0
