"""Simulated departments: plausible, rule-abiding values for a period, and a
filler that types them into a generated template.

Used by ``tianbao demo`` and by the tests (the 'filled by code' returns).
Values follow a smooth cumulative curve per row, so a January…June series is
consistent from one period to the next (本年累计 = 上期累计 + 本月).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from tianbao.forms.model import RATIO_UNITS, FormDef
from tianbao.plan.model import PlanItem
from tianbao.plan.periods import Period
from tianbao.template.content import HEADER_ROWS, TemplateContent
from tianbao.validate.typed import COUNTED


def _wobble(key: str, spread: float) -> float:
    """A stable factor in [1 - spread, 1 + spread] per row key."""
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return 1 - spread + 2 * spread * h


def _curve(total: float, key: str, month: int) -> float:
    return round(total * month / 12 * _wobble(key, 0.08), 2) if month > 0 else 0.0


def indicator_values(item: PlanItem, month: int) -> dict[str, Any]:
    v = item.values
    # a rate with no figure in the plan (节能减排 完成市定目标) is a few percent, never 110 %
    guess = 3.0 if v.get("unit") in RATIO_UNITS else 100
    level = v.get("target_level") or (v.get("base.value") or guess) * 1.1
    base = v.get("base.value") or level / 1.1
    if v.get("accumulation") == "point":
        value = round(level * (0.92 if v.get("target_direction") == "max" else 1.0), 2)
        last = round(value * 1.02, 2)
        return {
            "month_value": value,
            "ytd_last_year": last,
            "yoy_pct": round((value / last - 1) * 100, 1),
        }
    ytd = _curve(level, item.key, month)
    prev = _curve(level, item.key, month - 1)
    last = round(base * month / 12, 2)
    if v.get("unit") in COUNTED:  # persons and things: whole ones
        ytd, prev, last = float(round(ytd)), float(round(prev)), float(round(last))
    return {
        "month_value": round(ytd - prev, 2),
        "ytd": ytd,
        "ytd_last_year": last,
        "yoy_pct": round((ytd / last - 1) * 100, 1),
    }


def project_values(item: PlanItem, month: int, year: int) -> dict[str, Any]:
    v = item.values
    annual = float(v.get("annual_plan") or 0)
    start = str(v.get("start") or f"{year}-01-01")
    start_month = int(start[5:7]) if start.startswith(str(year)) else 1
    started = start < f"{year}" or start_month <= month
    if v.get("category") in ("运作", "储备") or annual == 0:
        return {
            "month_investment": 0,
            "ytd_investment": 0,
            "status": "前期",
            "progress": "办理前期手续",
        }
    if not started:
        return {
            "month_investment": 0,
            "ytd_investment": 0,
            "cumulative_investment": 0,
            "status": "未开工",
            "progress": "开工准备",
        }
    m0 = start_month - 1 if start.startswith(str(year)) else 0

    def ytd_at(m: int) -> float:
        return _curve(annual * 12 / max(12 - m0, 1), item.key, max(m - m0, 0)) if m > m0 else 0.0

    ytd = ytd_at(month)
    earlier = 0.0 if v.get("category") == "新建" else round(float(v["total_investment"]) * 0.3, 2)
    return {
        "month_investment": round(ytd - ytd_at(month - 1), 2),
        "ytd_investment": ytd,
        "cumulative_investment": round(ytd + earlier, 2),
        "status": "在建",
        "actual_start": start,
        "progress": "主体施工",
    }


def livelihood_values(item: PlanItem, month: int) -> dict[str, Any]:
    budget = float(item.values["budget"])
    ytd = min(_curve(budget, item.key, month), budget)
    done = month == 12
    return {
        "ytd_investment": budget if done else ytd,
        "progress_pct": 100 if done else round(100 * month / 12),
        "status": "已完成" if done else "实施中",
        "progress": "按计划实施",
    }


def task_values(item: PlanItem, month: int) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "推进中", "progress": "按计划推进"}
    target = item.values.get("target")
    if target is not None:
        out["ytd_done"] = float(int(float(target) * month / 12))
    return out


def row_values(form: FormDef, item: PlanItem, period: Period) -> dict[str, Any]:
    month = period.last_month
    if form.rows == "indicators":
        return indicator_values(item, month)
    if form.rows == "projects":
        return project_values(item, month, period.year)
    if form.rows == "livelihood":
        return livelihood_values(item, month)
    return task_values(item, month)


def plausible_fill(content: TemplateContent) -> dict[str, dict[str, Any]]:
    """{sheet: {A1: value}} for every entered cell of a template that applies."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    fills: dict[str, dict[str, Any]] = {}
    for fr in content.forms:
        sheet = fills.setdefault(fr.form.sheet, {})
        cols = {c.field: i for i, c in enumerate(fr.form.columns)}
        for r, item in enumerate(fr.items):
            values = row_values(fr.form, item, content.period)
            for col in fr.form.entry_columns:
                if col.field in values and col.applies_to(item.values):
                    value = values[col.field]
                    if fr.form.field_schema(col.field).get("format") == "date":
                        value = dt.date.fromisoformat(value)  # a real date cell
                    sheet[xl_rowcol_to_cell(HEADER_ROWS + r, cols[col.field])] = value
    return fills


def fill_workbook(src: Path, dst: Path, fills: dict[str, dict[str, Any]]) -> Path:
    """Type values into a copy of a template, as a clerk's spreadsheet would save it."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    for sheet, cells in fills.items():
        ws = wb[sheet]
        for ref, value in cells.items():
            cell = ws[ref]
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed text is text, even if it starts with '='
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst
