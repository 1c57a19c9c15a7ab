"""What a schema finding says was expected, by the kind of failure, in the clerk's words."""

from __future__ import annotations

from typing import Any

import pytest

from tianbao.validate.schema_check import _expected


@pytest.mark.parametrize(
    ("kind", "value", "schema", "said"),
    [
        ("minimum", 0, {"minimum": 0, "maximum": 100}, "0 至 100"),
        ("exclusiveMaximum", 100, {"exclusiveMinimum": 0, "exclusiveMaximum": 100}, "0 至 100"),
        ("minimum", 0, {"minimum": 0}, "不小于 0"),
        ("maximum", 100, {"maximum": 100}, "不大于 100"),
        ("maximum", 100, {}, ""),
        ("enum", ["在建", "完工"], {}, "在建、完工"),
        ("type", "number", {}, "数字"),
        ("type", "object", {}, "object"),
        ("format", "date", {}, "2014-03-01"),
        ("format", "email", {}, "email"),
        ("maxLength", 40, {}, "最多 40 个字"),
        ("minLength", 1, {}, "至少 1 个字"),
        ("required", ["name"], {}, "必填"),
        ("anyOf", ("a", "b"), {}, "a、b"),
        ("pattern", "^P", {}, "^P"),
    ],
)
def test_expected(kind: str, value: Any, schema: dict[str, Any], said: str) -> None:
    assert _expected(kind, value, schema) == said
