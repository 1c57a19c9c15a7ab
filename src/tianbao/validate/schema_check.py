"""Validate normalised records against the form's JSON Schema.

A compiled fastjsonschema check runs on every row first (about 30× faster
than jsonschema here); only rows it rejects go through jsonschema's
``iter_errors`` for precise, complete errors mapped back to their cells.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import FormDef
from tianbao.schema_errors import is_date as _is_date
from tianbao.support.plain_numbers import plain_number
from tianbao.validate.normalize import shown
from tianbao.validate.records import FormRecords, row_name

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.SCHEMA_REQUIRED,
    Code.SCHEMA_TYPE,
    Code.SCHEMA_RANGE,
    Code.SCHEMA_ENUM,
    Code.SCHEMA_FORMAT,
    Code.SCHEMA_LENGTH,
    Code.SCHEMA_OTHER,
)

_CODES = {
    "required": Code.SCHEMA_REQUIRED,
    "type": Code.SCHEMA_TYPE,
    "minimum": Code.SCHEMA_RANGE,
    "maximum": Code.SCHEMA_RANGE,
    "exclusiveMinimum": Code.SCHEMA_RANGE,
    "exclusiveMaximum": Code.SCHEMA_RANGE,
    "enum": Code.SCHEMA_ENUM,
    "const": Code.SCHEMA_ENUM,
    "format": Code.SCHEMA_FORMAT,
    "pattern": Code.SCHEMA_FORMAT,
    "maxLength": Code.SCHEMA_LENGTH,
    "minLength": Code.SCHEMA_LENGTH,
}
_TYPES = {"number": "数字", "integer": "整数", "string": "文字"}


class SchemaChecker:
    def __init__(self, form: FormDef) -> None:
        self.form = form
        self._fast: Callable[[Any], Any] = fastjsonschema.compile(
            form.record_schema, formats={"date": _is_date}
        )
        self._precise = Draft202012Validator(
            form.record_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    def check(self, records: FormRecords, where: dict[str, Any]) -> list[Finding]:
        out: list[Finding] = []
        for row in records.rows:
            # a field whose input was unusable already has its finding: don't pile on
            blocked = row.blocked
            record = (
                {k: v for k, v in row.record.items() if k not in blocked}
                if blocked
                else dict(row.record)
            )
            try:
                self._fast(record)
                continue
            except fastjsonschema.JsonSchemaException:
                pass
            for err in self._precise.iter_errors(record):
                name = _field_of(err)
                # a field whose column is gone (its header changed) has its finding
                # at the header: not one "required" per row on top
                if name in row.blocked or (records.columns and name not in records.columns):
                    continue
                out.append(self._finding(err, name, row, records.sheet, where))
        return out

    def _finding(self, err: Any, name: str, row: Any, sheet: str, where: dict[str, Any]) -> Finding:
        code = _CODES.get(str(err.validator), Code.SCHEMA_OTHER)
        col = self.form.column(name)
        label = col.label_zh if col else name
        value = None if code is Code.SCHEMA_REQUIRED else err.instance
        expected = _expected(str(err.validator), err.validator_value, err.schema)
        placeholder = row.placeholders.get(name) if code is Code.SCHEMA_REQUIRED else None
        extra = {}
        if placeholder is None and code is Code.SCHEMA_REQUIRED:  # the notice groups by row
            extra = {"label": label, "row_name": row_name(row)}
        return make(
            code,
            "" if placeholder is None else "placeholder",  # a word for "nothing" typed in
            row=row_name(row),
            label=label,
            typed=shown(value) if placeholder is None else placeholder,
            wanted=expected,
            error=err.message,
            sheet=sheet,
            cell=row.cell(name),
            row_key=row.key,
            field=name,
            value=value,
            expected=expected,
            extra=extra,
            **{**where, "form": self.form.id},
        )


_COMPILED: dict[int, tuple[FormDef, SchemaChecker]] = {}
_KEEP = 64  # forms of the last few workspaces opened in this process
_KEEPING = threading.Lock()


def checker_for(form: FormDef) -> SchemaChecker:
    """The compiled checker of ``form`` (the same object): a process that opens its
    workspace once (``tianbao serve``) compiles each schema once, not once per return
    (~9 ms a form). Keyed by the object, which the entry keeps alive."""
    kept = _COMPILED.get(id(form))
    if kept is not None and kept[0] is form:
        return kept[1]
    checker = SchemaChecker(form)
    with _KEEPING:  # the pages validate on several threads
        if len(_COMPILED) >= _KEEP:
            _COMPILED.pop(next(iter(_COMPILED)), None)  # the oldest
        _COMPILED[id(form)] = (form, checker)
    return checker


def _field_of(err: Any) -> str:
    if err.validator == "required":
        m = re.match(r"'(.+)' is a required property", err.message)
        return m.group(1) if m else ""
    return str(err.absolute_path[0]) if err.absolute_path else ""


def _expected(kind: str, value: Any, schema: dict[str, Any]) -> Any:
    """What the schema wanted, as the clerk reads it (in Chinese)."""
    said = _EXPECTED.get(kind)
    if said is not None:
        return said(kind, value, schema)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def _range(kind: str, value: Any, schema: dict[str, Any]) -> str:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    if lo is not None and hi is not None:
        return f"{plain_number(lo)} 至 {plain_number(hi)}"
    if lo is not None:
        return f"不小于 {plain_number(lo)}"
    return f"不大于 {plain_number(hi)}" if hi is not None else ""


def _length(kind: str, value: Any, schema: dict[str, Any]) -> str:
    return f"{'最多' if kind == 'maxLength' else '至少'} {value} 个字"


# the kinds of failure said in words of their own (the rest: the schema's value)
_EXPECTED: dict[str, Callable[[str, Any, dict[str, Any]], Any]] = {
    "minimum": _range,
    "maximum": _range,
    "exclusiveMinimum": _range,
    "exclusiveMaximum": _range,
    "enum": lambda kind, value, schema: "、".join(str(v) for v in value),
    "type": lambda kind, value, schema: _TYPES.get(str(value), str(value)),
    "format": lambda kind, value, schema: "2014-03-01" if value == "date" else value,
    "maxLength": _length,
    "minLength": _length,
    "required": lambda kind, value, schema: "必填",
}
