"""What can be wrong in a form layout's columns, audit rules and quality checks, each
problem placed by the loader's ``at`` (file, line, path): the loader's second half."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tianbao.findings import Code
from tianbao.forms.expr import ExprError, parse
from tianbao.forms.model import Column, QualityCheck, Rule
from tianbao.problems import Problem, said
from tianbao.support.yamlio import LoadedYaml

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.DUPLICATE_ID,
    Code.FORM_FIELD_MISSING,
    Code.FORM_PREFILL_UNKNOWN,
    Code.FORM_RULE_INVALID,
)

# the names a rule may use besides the form's fields
PERIOD_NAMES = {
    "period.month",
    "period.index",
    "period.year",
    "period.start",
    "period.end",
    "period.year_start",
}
_PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


def column_problems(
    data: dict[str, Any],
    columns: list[Column],
    props: set[str],
    known_attrs: set[str],
    at: Callable[..., Problem],
    sname: str,
    lname: str,
    schema_doc: LoadedYaml,
) -> list[Problem]:
    """The key, each column (unique, in the schema, known prefill, formula and only_if
    references) and each schema property without an entry column."""
    problems: list[Problem] = []
    names = {c.field for c in columns}
    entry = {c.field for c in columns if c.entry}
    key = data["key"]

    if key not in names or not (
        columns[[c.field for c in columns].index(key)].prefill if key in names else False
    ):
        problems.append(
            at(
                Code.FORM_FIELD_MISSING,
                ("key",),
                said(Code.FORM_FIELD_MISSING, "key"),
                key,
                sorted(names),
            )
        )
    seen: set[str] = set()
    for i, c in enumerate(columns):
        if c.field in seen:
            problems.append(
                at(
                    Code.DUPLICATE_ID,
                    ("columns", i, "field"),
                    said(Code.DUPLICATE_ID),
                    c.field,
                    "unique",
                )
            )
        seen.add(c.field)
        if c.entry and c.field not in props:
            problems.append(
                at(
                    Code.FORM_FIELD_MISSING,
                    ("columns", i, "field"),
                    said(Code.FORM_FIELD_MISSING, "not_in_schema", schema=sname),
                    c.field,
                    sorted(props),
                )
            )
        problems += _prefill_problems(i, c, entry, known_attrs, at)
        problems += _reference_problems(i, c, names, known_attrs, at)
    for prop in sorted(props - entry - {key}):
        problems.append(
            at(
                Code.FORM_FIELD_MISSING,
                ("properties", prop),
                said(Code.FORM_FIELD_MISSING, "no_column", layout=lname),
                prop,
                sorted(entry),
                file=sname,
                src=schema_doc,
            )
        )

    return problems


def _prefill_problems(
    i: int, c: Column, entry: set[str], known_attrs: set[str], at: Callable[..., Problem]
) -> list[Problem]:
    """A prefill of column i naming no entry column of the previous period, or no known
    attribute."""
    if c.previous_field is not None:
        if c.previous_field in entry:
            return []
        return [
            at(
                Code.FORM_PREFILL_UNKNOWN,
                ("columns", i, "prefill"),
                said(Code.FORM_PREFILL_UNKNOWN, "previous"),
                c.prefill,
                sorted(f"previous.{e}" for e in entry),
            )
        ]
    if c.prefill and c.prefill not in known_attrs:
        return [
            at(
                Code.FORM_PREFILL_UNKNOWN,
                ("columns", i, "prefill"),
                said(Code.FORM_PREFILL_UNKNOWN),
                c.prefill,
                sorted(known_attrs),
            )
        ]
    return []


def _reference_problems(
    i: int, c: Column, names: set[str], known_attrs: set[str], at: Callable[..., Problem]
) -> list[Problem]:
    """The fields column i's formula and default_sum name, and the attributes its only_if
    names, that do not exist."""
    problems: list[Problem] = []
    for ref in _PLACEHOLDER.findall(c.formula or ""):
        if ref not in names:
            problems.append(
                at(
                    Code.FORM_FIELD_MISSING,
                    ("columns", i, "formula"),
                    said(Code.FORM_FIELD_MISSING, "formula"),
                    ref,
                    sorted(names),
                )
            )
    for ref in c.default_sum or ():
        if ref not in names or not c.entry:
            problems.append(
                at(
                    Code.FORM_FIELD_MISSING,
                    ("columns", i, "default_sum"),
                    said(Code.FORM_FIELD_MISSING, "default_sum"),
                    ref,
                    sorted(names),
                )
            )
    for attr in c.only_if or {}:
        if attr not in known_attrs:
            problems.append(
                at(
                    Code.FORM_PREFILL_UNKNOWN,
                    ("columns", i, "only_if"),
                    said(Code.FORM_PREFILL_UNKNOWN),
                    attr,
                    sorted(known_attrs),
                )
            )
    return problems


def quality_checks(
    data: dict[str, Any], names: set[str], at: Any, problems: list[Any]
) -> list[QualityCheck]:
    """The layout's ``quality`` checks; a field they name must be one of the form's."""
    out = []
    for i, raw in enumerate(data.get("quality") or []):
        for key in ("field", "of"):
            name = raw.get(key)
            if name and name not in names:
                problems.append(
                    at(
                        Code.FORM_FIELD_MISSING,
                        ("quality", i, key),
                        said(Code.FORM_FIELD_MISSING, "ref", ref=name),
                        name,
                        "a field of the form",
                    )
                )
        plain = {k: v for k, v in raw.items() if k not in ("only_if", "if_entered")}
        out.append(
            QualityCheck(
                **plain,
                only_if=tuple(sorted((raw.get("only_if") or {}).items())),
                if_entered=tuple(sorted((raw.get("if_entered") or {}).items())),
            )
        )
    return out


def audit_rules(
    data: dict[str, Any],
    names: set[str],
    entry: set[str],
    known_attrs: set[str],
    at: Callable[..., Problem],
) -> tuple[list[Rule], list[Problem]]:
    """The form's audit rules, and what is wrong with their expressions and cells."""
    problems: list[Problem] = []
    rules: list[Rule] = []
    allowed = (
        names
        | {f"plan.{a}" for a in known_attrs}
        | {f"prev.{f}" for f in entry}
        | PERIOD_NAMES
        | {f"total.{f}" for f in entry}
    )
    for i, r in enumerate(data.get("rules") or []):
        for part in ("expr", "when"):
            if not r.get(part):
                continue
            try:
                expr = parse(r[part])
            except ExprError as exc:
                problems.append(
                    at(
                        Code.FORM_RULE_INVALID,
                        ("rules", i, part),
                        f"{r['id']}: {exc}",
                        r[part],
                    )
                )
                continue
            # form_total('other_form', 'field') names another form: checked when run
            for name in sorted(n for n in expr.names - allowed if n.count(".") < 2):
                problems.append(
                    at(
                        Code.FORM_FIELD_MISSING,
                        ("rules", i, part),
                        said(Code.FORM_FIELD_MISSING, "rule", rule=r["id"]),
                        name,
                        "a column, plan.x, prev.x or period.x",
                    )
                )
        if r.get("cell") and r["cell"] not in names:
            problems.append(
                at(
                    Code.FORM_FIELD_MISSING,
                    ("rules", i, "cell"),
                    said(Code.FORM_FIELD_MISSING),
                    r["cell"],
                    sorted(names),
                )
            )
        rules.append(
            Rule(
                r["id"],
                r["severity"],
                r["expr"],
                r["message"]["zh"],
                r["message"]["en"],
                r.get("when"),
                r.get("missing", "skip"),
                r.get("cell"),
            )
        )
    return rules, problems
