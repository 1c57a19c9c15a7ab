"""Checks on a plan's codes and text that need no valid plan: codes plain and unique
without regard to letter case, text free of control and bidi characters.

They take any data (a plan the schema rejects included), so a plan workbook's problems
are all reported in one pass: a duplicate code beside a cell that cannot be read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tianbao.plan.model import COLLECTIONS
from tianbao.problems import CheckCode, Problem
from tianbao.support.plaintext import bad_chars, escaped

PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
Locate = Callable[..., Problem]


def _rows(data: dict[str, Any], collection: str) -> list[tuple[int, dict[str, Any]]]:
    entries = data.get(collection)
    if not isinstance(entries, list):
        return []
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict)]


def code_problems(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    """Codes that are not plain (a trailing line break slips past the schema's ``$``),
    and codes that repeat another in any letter case (``fgw`` beside ``FGW`` would take
    FGW's rows, templates and returns)."""
    district = data.get("district")
    if isinstance(district, dict):
        yield from _plain(at, ("district", "code"), district.get("code"))
    reporting = data.get("reporting")
    forms = reporting.get("forms") if isinstance(reporting, dict) else None
    if isinstance(forms, list):
        for k, form in enumerate(forms):
            yield from _plain(at, ("reporting", "forms", k), form)
        yield from _duplicates(at, [(("reporting", "forms", k), f) for k, f in enumerate(forms)])
    departments = _rows(data, "departments")
    for i, d in departments:
        yield from _plain(at, ("departments", i, "code"), d.get("code"))
    yield from _duplicates(
        at, [(("departments", i, "code"), d.get("code")) for i, d in departments]
    )
    for collection, key in COLLECTIONS.items():
        rows = _rows(data, collection)
        for i, e in rows:
            yield from _plain(at, (collection, i, key), e.get(key))
            yield from _plain(at, (collection, i, "department"), e.get("department"))
        yield from _duplicates(at, [((collection, i, key), e.get(key)) for i, e in rows])


def _plain(at: Locate, path: tuple, value: Any) -> Iterator[Problem]:
    if isinstance(value, str) and PLAIN.fullmatch(value) is None:
        yield at(
            CheckCode.CODE_NOT_PLAIN,
            path,
            "代码只能用字母、数字、-、_，以字母开头 a code is letters, digits, - and _, "
            "starting with a letter",
            escaped(value),
            "[A-Za-z][A-Za-z0-9_-]{0,31}",
        )


def _duplicates(at: Locate, entries: list[tuple[tuple, Any]]) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for path, value in entries:
        if not isinstance(value, str):
            continue
        key = value.casefold()
        if key not in first:
            first[key] = value
            continue
        other = first[key]
        if other == value:
            msg = CheckCode.DUPLICATE_ID.value
        else:
            msg = (f"编号与“{other}”只差大小写，视为重复 "
                   f"the id differs from {other} only in letter case")  # fmt: skip
        yield at(CheckCode.DUPLICATE_ID, path, msg, value, "unique")


def text_problems(data: Any, at: Locate, path: tuple = ()) -> Iterator[Problem]:
    """Every text of the plan with a control or bidi character, at its path."""
    if isinstance(data, str):
        chars = bad_chars(data)
        if chars:
            listed = "、".join(chars)
            yield at(
                CheckCode.CONTROL_CHARS,
                path,
                f"含看不见的控制字符 {listed}，请删去 holds invisible control characters "
                f"{', '.join(chars)}: delete them",
                escaped(data),
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from text_problems(value, at, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from text_problems(value, at, (*path, i))
