"""What a form layout must hold together, beyond its JSON Schema: the key and each
column against the record schema and the plan's attributes, the audit rules'
expressions and cells, the quality checks' fields. Each problem is named with the
layout's file, line and path (``at``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tianbao.forms.expr import ExprError, parse
from tianbao.forms.model import Column, QualityCheck, Rule
from tianbao.problems import CheckCode, Problem
from tianbao.support.yamlio import LoadedYaml

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
                CheckCode.FORM_FIELD_MISSING,
                ("key",),
                "主键应为一个预填列 the key must be a pre-filled column",
                key,
                sorted(names),
            )
        )
    seen: set[str] = set()
    for i, c in enumerate(columns):
        if c.field in seen:
            problems.append(
                at(
                    CheckCode.DUPLICATE_ID,
                    ("columns", i, "field"),
                    CheckCode.DUPLICATE_ID.value,
                    c.field,
                    "unique",
                )
            )
        seen.add(c.field)
        if c.entry and c.field not in props:
            problems.append(
                at(
                    CheckCode.FORM_FIELD_MISSING,
                    ("columns", i, "field"),
                    f"填报列在记录 schema 中未定义 entry column not in {sname}",
                    c.field,
                    sorted(props),
                )
            )
        if c.previous_field is not None:
            if c.previous_field not in entry:
                problems.append(
                    at(
                        CheckCode.FORM_PREFILL_UNKNOWN,
                        ("columns", i, "prefill"),
                        "上期预填须引用本表的填报列 previous.<field> must name an entry "
                        "column of this form",
                        c.prefill,
                        sorted(f"previous.{e}" for e in entry),
                    )
                )
        elif c.prefill and c.prefill not in known_attrs:
            problems.append(
                at(
                    CheckCode.FORM_PREFILL_UNKNOWN,
                    ("columns", i, "prefill"),
                    CheckCode.FORM_PREFILL_UNKNOWN.value,
                    c.prefill,
                    sorted(known_attrs),
                )
            )
        for ref in _PLACEHOLDER.findall(c.formula or ""):
            if ref not in names:
                problems.append(
                    at(
                        CheckCode.FORM_FIELD_MISSING,
                        ("columns", i, "formula"),
                        "公式引用了未定义的列 formula refers to an unknown column",
                        ref,
                        sorted(names),
                    )
                )
        for ref in c.default_sum or ():
            if ref not in names or not c.entry:
                problems.append(
                    at(
                        CheckCode.FORM_FIELD_MISSING,
                        ("columns", i, "default_sum"),
                        "default_sum 只用于填报列，且须引用本表的列 default_sum belongs to an "
                        "entry column and names columns of this form",
                        ref,
                        sorted(names),
                    )
                )
        for attr in c.only_if or {}:
            if attr not in known_attrs:
                problems.append(
                    at(
                        CheckCode.FORM_PREFILL_UNKNOWN,
                        ("columns", i, "only_if"),
                        CheckCode.FORM_PREFILL_UNKNOWN.value,
                        attr,
                        sorted(known_attrs),
                    )
                )
    for prop in sorted(props - entry - {key}):
        problems.append(
            at(
                CheckCode.FORM_FIELD_MISSING,
                ("properties", prop),
                f"schema 字段没有对应的填报列 schema property has no entry column in {lname}",
                prop,
                sorted(entry),
                file=sname,
                src=schema_doc,
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
                        CheckCode.FORM_FIELD_MISSING,
                        ("quality", i, key),
                        f"{CheckCode.FORM_FIELD_MISSING.value} ({name})",
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
                        CheckCode.FORM_RULE_INVALID,
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
                        CheckCode.FORM_FIELD_MISSING,
                        ("rules", i, part),
                        f"{r['id']}: 审核公式引用了未定义的字段 rule refers to an unknown field",
                        name,
                        "a column, plan.x, prev.x or period.x",
                    )
                )
        if r.get("cell") and r["cell"] not in names:
            problems.append(
                at(
                    CheckCode.FORM_FIELD_MISSING,
                    ("rules", i, "cell"),
                    CheckCode.FORM_FIELD_MISSING.value,
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
