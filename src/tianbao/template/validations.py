"""Excel data validation mirroring the JSON Schema of an entered field.

The record schema stays the single source of truth: each constraint a field's
schema states (type, range, enum, date format, length) becomes an Excel
validation with a Chinese input prompt and error alert. ``constraints_of``
lists what a schema states so a test can prove nothing was dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tianbao.forms.prepared import prepared
from tianbao.support.plain_numbers import plain_number

INLINE_LIST_LIMIT = 255  # Excel refuses longer comma-joined inline lists
DATE_MIN = dt.date(1990, 1, 1)  # a sanity window: JSON Schema's date format has no range
DATE_MAX = dt.date(2099, 12, 31)
NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


@dataclass(frozen=True)
class ListSource:
    """An enum too long for an inline list: written to a hidden sheet range."""

    values: tuple[str, ...]


def constraints_of(field_schema: dict[str, Any]) -> set[str]:
    """The constraint keywords a field schema states that Excel can enforce."""
    found = {k for k in (*NUMBER_KEYS, "enum", "maxLength", "minLength") if k in field_schema}
    types = field_schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "integer" in types:
        found.add("integer")
    elif "number" in types:
        found.add("number")
    if field_schema.get("format") == "date":
        found.add("date")
    return found


def column_validation(form: Any, field: str, label: str, unit: str | None) -> dict[str, Any]:
    """``data_validation`` of a form's field, worked out once per form (the same in
    every template); a copy the caller may change (xlsxwriter copies it in turn)."""
    made: dict[tuple[str, str, str | None], dict[str, Any]] = prepared(
        form, "validations", lambda _: {}
    )
    if (field, label, unit) not in made:
        made[field, label, unit] = data_validation(form.field_schema(field), label, unit)
    return dict(made[field, label, unit])


def data_validation(field_schema: dict[str, Any], label: str, unit: str | None) -> dict[str, Any]:
    """xlsxwriter ``data_validation`` options for one entered field (may be {})."""
    title = label[:32]
    c = constraints_of(field_schema)
    if "enum" in c:
        return _list_validation(field_schema, title)
    if "date" in c:
        return _date_validation(title)
    if "number" in c or "integer" in c:
        unit_text = f"（{unit}）" if unit and unit != "row" else ""
        return _number_validation(field_schema, title, "integer" in c, unit_text)
    if "maxLength" in c or "minLength" in c:
        return _length_validation(field_schema, title)
    return {}


def _list_validation(field_schema: dict[str, Any], title: str) -> dict[str, Any]:
    values = tuple(str(v) for v in field_schema["enum"] if v is not None)
    source: Any = list(values)
    if len(",".join(values)) > INLINE_LIST_LIMIT:
        source = ListSource(values)
    return {
        "validate": "list",
        "source": source,
        "input_title": title,
        "input_message": "请从下拉列表中选择：" + "、".join(values)[:200],
        "error_title": "输入无效",
        "error_message": "只能选择下拉列表中的值：" + "、".join(values)[:200],
    }


def _date_validation(title: str) -> dict[str, Any]:
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": dt.datetime.combine(DATE_MIN, dt.time()),
        "maximum": dt.datetime.combine(DATE_MAX, dt.time()),
        "input_title": title,
        "input_message": "请输入日期，格式如 2014-03-01",
        "error_title": "日期无效",
        "error_message": "请输入有效日期，格式如 2014-03-01",
    }


def _number_validation(
    field_schema: dict[str, Any], title: str, integer: bool, unit_text: str
) -> dict[str, Any]:
    kind = "integer" if integer else "decimal"
    opts, text = _number_bounds(field_schema, kind)
    return {
        "validate": kind,
        **opts,
        "input_title": title,
        "input_message": f"请输入{text}{unit_text}。只填数字，不要带单位或逗号。",
        "error_title": "数值无效",
        "error_message": f"应为{text}{unit_text}。",
    }


def _number_bounds(field_schema: dict[str, Any], kind: str) -> tuple[dict[str, Any], str]:
    """The criteria of a number's bounds, and the words that describe them."""
    lo = field_schema.get("minimum", field_schema.get("exclusiveMinimum"))
    hi = field_schema.get("maximum", field_schema.get("exclusiveMaximum"))
    lo_ex = "exclusiveMinimum" in field_schema and "minimum" not in field_schema
    hi_ex = "exclusiveMaximum" in field_schema and "maximum" not in field_schema
    if lo is not None and hi is not None:
        # Excel's between is inclusive; an exclusive bound is re-checked by validate
        what = "整数" if kind == "integer" else "数字"
        text = f"{plain_number(lo)} 至 {plain_number(hi)} 之间的{what}"
        return {"criteria": "between", "minimum": lo, "maximum": hi}, text
    if lo is not None:
        text = f"{'大于' if lo_ex else '不小于'} {plain_number(lo)} 的数字"
        return {"criteria": ">" if lo_ex else ">=", "value": lo}, text
    if hi is not None:
        text = f"{'小于' if hi_ex else '不大于'} {plain_number(hi)} 的数字"
        return {"criteria": "<" if hi_ex else "<=", "value": hi}, text
    return {"criteria": "between", "minimum": -1e15, "maximum": 1e15}, "数字"


def _length_validation(field_schema: dict[str, Any], title: str) -> dict[str, Any]:
    lo = int(field_schema.get("minLength", 0))
    hi = int(field_schema.get("maxLength", 32767))
    return {
        "validate": "length",
        "criteria": "between",
        "minimum": lo,
        "maximum": hi,
        "input_title": title,
        "input_message": f"文字说明，不超过 {hi} 个字。",
        "error_title": "内容过长",
        "error_message": f"长度应在 {lo} 至 {hi} 个字之间。",
    }
