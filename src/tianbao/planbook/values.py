"""One typed cell of the plan workbook as a plan value: what people type (``4,000``,
``20亿元`` in a 万元 column, ``2014年7月``, 是/否, a list of forms) read as meant, or
why it cannot be. Errors and notes are written 「中文 | English」."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from tianbao.plan.periods import Period
from tianbao.planbook.sheets import (
    CHOICE,
    CODE,
    DATE,
    INTEGER,
    LIST,
    NUMBER,
    PERIOD,
    ROW_UNIT,
    YESNO,
    Col,
)
from tianbao.support.bilingual import split_bilingual
from tianbao.validate.normalize import normalise, shown

_KIND_SCHEMA: dict[str, dict[str, Any]] = {
    NUMBER: {"type": "number"},
    INTEGER: {"type": "integer"},
    DATE: {"type": "string", "format": "date"},
}
_TEXT = {"type": "string"}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "不是"}
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?")


def convert(raw: Any, col: Col, unit: str | None, percent: bool) -> tuple[Any, str, str]:
    """(value, error, note) of one typed cell for one column; ``unit`` is the row's
    计量单位, ``percent`` whether the cell is formatted as a percentage."""
    if col.kind == CHOICE:
        return _choice(raw, col)
    if col.kind == YESNO:
        return _yes_no(raw)
    if col.kind == PERIOD:
        return _period(raw)
    if col.kind == LIST:
        items = [t for t in _LIST_SEPARATORS.split(unicodedata.normalize("NFKC", str(raw))) if t]
        return items, "", ""
    if col.kind in _KIND_SCHEMA:
        number_unit = unit if col.unit == ROW_UNIT else col.unit
        n = normalise(raw, _KIND_SCHEMA[col.kind], number_unit, percent_cell=percent)
        if n.error:
            return None, f"{n.error} | {n.error_en or n.error}", ""
        value = n.value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)  # 1800.0 from the reader is the plan's 1800
        halves = [split_bilingual(t) for t in n.notes]
        zh, en = "；".join(h[0] for h in halves), "; ".join(h[1] or h[0] for h in halves)
        return value, "", f"{zh} | {en}" if zh else ""
    text = normalise(raw, _TEXT, None).value
    if col.kind == CODE and isinstance(text, str):
        text = unicodedata.normalize("NFKC", text).strip()
    return text, "", ""


def _choice(raw: Any, col: Col) -> tuple[Any, str, str]:
    typed = unicodedata.normalize("NFKC", str(raw)).strip()
    plain = re.sub(r"\s+", "", typed).casefold()
    for label, stored in col.choices:
        if plain in (label.casefold(), stored.casefold()):
            return stored, "", ""
    options = "、".join(label for label, _ in col.choices)
    return (
        None,
        (
            f"“{shown(raw)}”不是可选项，请从下拉列表中选择（{options}） | "
            f"“{shown(raw)}” is not one of the choices: pick one from the list ({options})"
        ),
        "",
    )


def _period(raw: Any) -> tuple[Any, str, str]:
    """A reporting period as the office types it: 2014-07, 2014年7月, 2014.7, or the
    date a spreadsheet made of 2014-07 (its first day)."""
    if isinstance(raw, dt.date):
        return f"{raw.year:04d}-{raw.month:02d}", "", "日期读作报告期 | a date read as its month"
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    m = _MONTH.fullmatch(text)
    if m and 1 <= int(m.group(2)) <= 12:
        value = f"{m.group(1)}-{int(m.group(2)):02d}"
        return (
            value,
            "",
            "" if value == text else f"“{text}”读作 {value} | “{text}” read as {value}",
        )
    try:
        return str(Period.parse(text)), "", ""
    except ValueError:
        return None, "应写成报告期，如 2014-07 | should be a period, such as 2014-07", ""


def _yes_no(raw: Any) -> tuple[Any, str, str]:
    if isinstance(raw, bool):
        return raw, "", ""
    typed = unicodedata.normalize("NFKC", str(raw)).strip().casefold()
    if isinstance(raw, (int, float)) and raw in (0, 1):
        typed = str(int(raw))
    if typed in _YES:
        return True, "", ""
    if typed in _NO:
        return False, "", ""
    return None, f"“{shown(raw)}”应为“是”或“否” | “{shown(raw)}” should be 是 (yes) or 否 (no)", ""
