"""Turn jsonschema errors into located, bilingual problems."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tianbao.support.resources import schemas_dir

_ZH = {
    "required": "缺少必填项 required property missing",
    "type": "类型错误 wrong type",
    "enum": "取值不在允许范围内 not one of the allowed values",
    "const": "取值错误 wrong value",
    "pattern": "格式不符 does not match the pattern",
    "format": "格式不符 wrong format",
    "minimum": "小于最小值 below the minimum",
    "maximum": "大于最大值 above the maximum",
    "exclusiveMinimum": "应大于下限 must be above the minimum",
    "exclusiveMaximum": "应小于上限 must be below the maximum",
    "minLength": "内容过短 too short",
    "maxLength": "内容过长 too long",
    "minItems": "条目过少 too few items",
    "uniqueItems": "条目重复 items not unique",
    "additionalProperties": "未知的键 unknown key",
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


@cache
def validator_for(name: str) -> Draft202012Validator:
    return make_validator(load_schema(name))


@cache
def fast_check_for(name: str):  # -> Callable[[Any], Any], raises JsonSchemaException
    """A compiled fastjsonschema check: 30× faster than jsonschema on a large plan
    (0.35 s vs 10.9 s for 20,000 projects here). Run it first; only data it
    rejects needs jsonschema's precise, complete errors."""
    import fastjsonschema

    return fastjsonschema.compile(load_schema(name), formats={"date": is_date})


def passes_fast(name: str, instance: Any) -> bool:
    import fastjsonschema

    try:
        fast_check_for(name)(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def make_validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_file(name: str) -> Path:
    return schemas_dir() / name


def iter_located(
    validator: Draft202012Validator, instance: Any
) -> Iterator[tuple[tuple[str | int, ...], str, Any, Any]]:
    """Yield (path, message, found, expected) for each schema error, most precise path."""
    for err in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path]):
        yield from _explain(err)


def _explain(err: ValidationError) -> Iterator[tuple[tuple[str | int, ...], str, Any, Any]]:
    path = tuple(err.absolute_path)
    kind = str(err.validator)
    zh = _ZH.get(kind)
    if kind == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set((err.schema.get("properties") or {}).keys())
        for extra in sorted(k for k in err.instance if k not in allowed):
            yield (*path, extra), str(zh), extra, sorted(allowed)
        return
    if kind == "required":
        # jsonschema reports one error per missing property
        m = re.match(r"'(.+)' is a required property", err.message)
        name = m.group(1) if m else str(err.validator_value)
        yield path, f"{zh}: {name}", None, name
        return
    found = err.instance if not isinstance(err.instance, (dict, list)) else None
    expected: Any = err.validator_value
    if kind == "type":
        expected = f"type {err.validator_value}"
    if kind in ("if", "then", "allOf", "anyOf", "oneOf"):
        expected = None
    yield path, zh or f"不符合要求 {err.message}", found, expected


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_date(text: str) -> bool:
    """JSON Schema's "date" format, for fastjsonschema: YYYY-MM-DD and a real day."""
    import datetime as dt

    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
