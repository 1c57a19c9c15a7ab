"""Find and load form definitions; report every problem with file, line and path
(what is wrong inside a layout's columns, rules and quality checks: forms.checks).

A workspace's own ``forms/`` folder is searched first (``<id>.yaml`` next to
``<id>.schema.json``), then the standard forms shipped in ``templates/`` with
their schemas in ``schemas/forms/``. Adding a form is adding two files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from tianbao.findings import Code
from tianbao.forms.cache import ParseCache, mark_checked, mark_key, was_checked
from tianbao.forms.checks import audit_rules, column_problems, quality_checks
from tianbao.forms.model import Column, FormDef, Rule
from tianbao.plan.model import KNOWN_ATTRIBUTES
from tianbao.problems import Problem, json_path, said
from tianbao.schema_errors import iter_located, schema_file, validator_for
from tianbao.support.resources import schemas_dir, templates_dir
from tianbao.support.yamlio import LoadedYaml, YamlProblem, parse_yaml_bytes, read_yaml_bytes

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.FILE_UNREADABLE, Code.SCHEMA, Code.DUPLICATE_ID, Code.FORM_ID_MISMATCH)

LAYOUT_SCHEMA = "form-layout.schema.json"


@dataclass
class FormResult:
    form: FormDef | None
    problems: list[Problem] = field(default_factory=list)


def search_dirs(workspace_forms: Path | None) -> list[tuple[Path, Path]]:
    """(layout folder, schema folder) pairs, in search order."""
    dirs = [(workspace_forms, workspace_forms)] if workspace_forms else []
    dirs.append((templates_dir(), schemas_dir() / "forms"))
    return dirs


def locate(form_id: str, workspace_forms: Path | None) -> tuple[Path, Path] | None:
    for layouts, schemas in search_dirs(workspace_forms):
        layout = layouts / f"{form_id}.yaml"
        if layout.is_file():
            return layout, schemas
    return None


def load_form(
    layout_path: Path,
    schema_folder: Path,
    display_root: Path | None = None,
    cache_dir: Path | None = None,
) -> FormResult:
    """``cache_dir``: where marks of layouts and record schemas that passed their JSON
    Schema check, and the parses of files of forms that loaded, are kept
    (tianbao.forms.cache), so unchanged files skip the check and the parse."""
    if cache_dir is None:
        return _load(layout_path, schema_folder, display_root, None, _parse)
    parses = ParseCache(cache_dir)
    result: FormResult | None = None
    try:
        result = _load(layout_path, schema_folder, display_root, cache_dir, parses)
    except Exception:  # a damaged cache that still reads; a real bug recurs below
        if not parses.hits:
            raise
    if result is None or (result.problems and parses.hits):
        # a cached parse (no lines) in play: load again from the files, so a problem
        # names its line and a damaged parse is replaced
        parses = ParseCache(cache_dir, trust=False)
        result = _load(layout_path, schema_folder, display_root, cache_dir, parses)
    if result.form is not None:
        parses.store()
    return result


def _parse(raw: bytes, path: Path) -> LoadedYaml:
    return parse_yaml_bytes(raw)


def _load(
    layout_path: Path,
    schema_folder: Path,
    display_root: Path | None,
    cache_dir: Path | None,
    parse: Callable[[bytes, Path], LoadedYaml],
) -> FormResult:
    def shown(p: Path) -> str:
        if display_root is not None:
            try:
                return str(p.relative_to(display_root))
            except ValueError:
                pass
        return p.name

    lname = shown(layout_path)
    layout = _checked_layout(layout_path, lname, cache_dir, parse)
    if isinstance(layout, FormResult):
        return layout
    problems: list[Problem] = []
    data: dict[str, Any] = layout.data

    def at(
        code: Code,
        path: tuple,
        msg: str,
        found: Any = None,
        expected: Any = None,
        file: str = lname,
        src: LoadedYaml = layout,
    ) -> Problem:
        return Problem(code, file, msg, json_path(path), src.line_of(path), found, expected)

    if layout_path.stem != data["id"]:
        problems.append(
            at(
                Code.FORM_ID_MISMATCH,
                ("id",),
                said(Code.FORM_ID_MISMATCH),
                data["id"],
                layout_path.stem,
            )
        )

    schema_path = schema_folder / data["record_schema"]
    sname = shown(schema_path)
    loaded = _record_schema(schema_path, sname, at, problems, cache_dir, parse)
    if loaded is None:
        return FormResult(None, problems)
    schema_doc, record_schema = loaded

    columns = [_column(c) for c in data["columns"]]
    names = {c.field for c in columns}
    props = set((record_schema.get("properties") or {}).keys())
    entry = {c.field for c in columns if c.entry}
    known_attrs = KNOWN_ATTRIBUTES[data["rows"]]
    problems += column_problems(data, columns, props, known_attrs, at, sname, lname, schema_doc)
    rules, found = audit_rules(data, names, entry, known_attrs, at)
    problems += found
    problems += _duplicate_rule_ids(rules, at)
    quality = quality_checks(data, names, at, problems)
    if problems:
        return FormResult(None, problems)
    form = FormDef(
        id=data["id"],
        version=data["version"],
        title_zh=data["title"]["zh"],
        title_en=data["title"]["en"],
        sheet=data["sheet"],
        rows=data["rows"],
        key=data["key"],
        columns=columns,
        rules=rules,
        record_schema=record_schema,
        layout_path=layout_path,
        schema_path=schema_path,
        instructions=list(data.get("instructions") or []),
        table_no=str(data.get("table_no") or ""),
        quality=quality,
        raw=data,
    )
    return FormResult(form, [])


def _checked_layout(
    layout_path: Path,
    lname: str,
    cache_dir: Path | None,
    parse: Callable[[bytes, Path], LoadedYaml],
) -> LoadedYaml | FormResult:
    """The layout, read, parsed and checked against the layout schema (skipped when its
    mark says it passed); a FormResult with its problems when it cannot be used."""
    try:
        raw = read_yaml_bytes(layout_path)
        layout = parse(raw, layout_path)
    except YamlProblem as exc:
        return FormResult(None, [Problem(Code.FILE_UNREADABLE, lname, exc.message, line=exc.line)])
    key = _layout_key(raw) if cache_dir is not None else ""
    if not (key and was_checked(cache_dir, key)):
        wrong = [
            Problem(Code.SCHEMA, lname, msg, json_path(p), layout.line_of(p), found, expected)
            for p, msg, found, expected in iter_located(validator_for(LAYOUT_SCHEMA), layout.data)
        ]
        if wrong:
            return FormResult(None, wrong)
        if key:
            mark_checked(cache_dir, key)
    return layout


def _duplicate_rule_ids(rules: list[Rule], at: Callable[..., Problem]) -> list[Problem]:
    """A DUPLICATE_ID for each audit rule whose id an earlier rule has."""
    rule_ids = [r.id for r in rules]
    return [
        at(Code.DUPLICATE_ID, ("rules", i, "id"), said(Code.DUPLICATE_ID), rid, "unique")
        for i, rid in enumerate(rule_ids)
        if rid in rule_ids[:i]
    ]


def _layout_key(raw: bytes) -> str:
    """The mark of a layout: its bytes and the layout schema's ("" when unreadable)."""
    try:
        return mark_key(b"layout", raw, schema_file(LAYOUT_SCHEMA).read_bytes())
    except OSError:  # no layout schema: the check itself says so
        return ""


def _record_schema(
    schema_path: Path,
    sname: str,
    at: Callable[..., Problem],
    problems: list[Problem],
    cache_dir: Path | None = None,
    parse: Callable[[bytes, Path], LoadedYaml] = _parse,
) -> tuple[LoadedYaml, dict[str, Any]] | None:
    """The record schema file, read and checked as a JSON Schema of an object; None
    (with its problem added) when it cannot be used."""
    try:
        raw = read_yaml_bytes(schema_path)
        schema_doc = parse(raw, schema_path)  # JSON is YAML: this keeps line numbers
    except YamlProblem as exc:
        problems.append(Problem(Code.FILE_UNREADABLE, sname, exc.message, line=exc.line))
        return None
    record_schema = schema_doc.data
    key = mark_key(b"record schema", raw) if cache_dir is not None else ""
    try:
        if not (key and was_checked(cache_dir, key)):
            Draft202012Validator.check_schema(record_schema)
            if key:
                mark_checked(cache_dir, key)
    except SchemaError as exc:
        path = tuple(exc.absolute_path)
        problems.append(
            at(
                Code.SCHEMA,
                path,
                said(Code.SCHEMA, "invalid_schema", error=exc.message),
                file=sname,
                src=schema_doc,
            )
        )
        return None
    if not isinstance(record_schema, dict) or record_schema.get("type") != "object":
        problems.append(
            at(
                Code.SCHEMA,
                ("type",),
                said(Code.SCHEMA, "not_object"),
                record_schema.get("type") if isinstance(record_schema, dict) else None,
                "object",
                file=sname,
                src=schema_doc,
            )
        )
        return None
    return schema_doc, record_schema


def _column(c: dict[str, Any]) -> Column:
    return Column(
        field=c["field"],
        label_zh=c["label"]["zh"],
        label_en=c["label"]["en"],
        prefill=c.get("prefill"),
        entry=bool(c.get("entry")),
        formula=c.get("formula"),
        number_format=c.get("number_format"),
        unit=c.get("unit"),
        width=c.get("width"),
        role=c.get("role"),
        only_if=c.get("only_if"),
        plausible=(
            (
                float(c["plausible"]["min"]),
                float(c["plausible"]["max"]),
                bool(c["plausible"].get("fraction_hint")),
            )
            if c.get("plausible")
            else None
        ),
        default_sum=tuple(c["default_sum"]) if c.get("default_sum") else None,
        carry={True: "value", "fact": "fact"}.get(c.get("carry"), ""),
    )
