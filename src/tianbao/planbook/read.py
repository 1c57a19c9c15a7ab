"""Read the plan workbook (``tianbao.planbook.sheets``) back into plan data.

The workbook is read like a return: the guarded reader (limits, a subprocess) and the
normaliser of what people type (``4,000``, ``20亿元`` in a 万元 column, ``2014年7月``,
full-width digits). Every problem is placed at its sheet and cell
(「重点项目!F12：年度计划投资超过总投资」), once: a cell already reported is not
reported again by a later check. The plan data is then checked with the plan's
schema and its consistency checks, located the same way.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.findings import Code, Said
from tianbao.plan.load import PLAN_SCHEMA, consistency
from tianbao.plan.periods import Period
from tianbao.planbook.layout import LayoutChecks, blank, cell_name, clean_header, width, zh
from tianbao.planbook.sheets import (
    BASICS,
    BASICS_SHEET,
    CHOICE,
    CODE,
    DATE,
    INTEGER,
    LIST,
    NUMBER,
    PERIOD,
    ROW_UNIT,
    SHEETS,
    YESNO,
    Col,
    Sheet,
)
from tianbao.problems import Problem
from tianbao.read import RawSheet, RawWorkbook, read_workbook_guarded
from tianbao.schema_errors import iter_located, passes_fast, validator_for
from tianbao.support.bilingual import split_bilingual
from tianbao.validate.normalize import normalise, shown

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.SCHEMA,
    Code.UNKNOWN_PROJECT,
    Code.WORKBOOK_UNREADABLE,
    Code.CELL_VALUE,
    Code.REQUIRED_EMPTY,
)

Path_ = tuple[str | int, ...]
_KIND_SCHEMA: dict[str, dict[str, Any]] = {
    NUMBER: {"type": "number"},
    INTEGER: {"type": "integer"},
    DATE: {"type": "string", "format": "date"},
}
_TEXT = {"type": "string"}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "不是"}
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass
class Note:
    """A cell the import read differently from how it was typed (20亿元 → 200000)."""

    cell: str
    typed: str
    value: Any
    why: str


@dataclass
class Imported:
    data: dict[str, Any] | None  # None when a problem stopped the reading
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    cells: dict[Path_, str] = field(default_factory=dict)  # plan path -> the cell it came from


def import_plan_workbook(path: Path, display: str | None = None) -> Imported:
    """The plan data of the workbook at ``path``, or the problems that prevent it."""
    name = display or Path(path).name
    result = read_workbook_guarded(Path(path))
    if result.book is None:
        why = "；".join(i.message for i in result.blocking) or "无法读取"
        return Imported(None, [Problem(Code.WORKBOOK_UNREADABLE, name, why)])
    return _Reader(result.book, name).run()


class _Reader(LayoutChecks):
    def __init__(self, book: RawWorkbook, name: str) -> None:
        self.book = book
        self.name = name
        self.problems: list[Problem] = []
        self.notes: list[Note] = []
        self.reported: set[str] = set()
        self.where: dict[Path_, str] = {}  # plan path -> cell (or row, sheet) it came from
        self.headers: dict[Path_, str] = {}  # plan path -> the column header

    # -- problems ----------------------------------------------------------------------
    def add(self, code: Code, cell: str, message: str, found: Any = None) -> None:
        if cell in self.reported:
            return
        self.reported.add(cell)
        self.problems.append(Problem(code, self.name, message, cell, None, found))

    def run(self) -> Imported:
        sheets = self._sheets()
        if sheets is None:
            return Imported(None, self.problems, self.notes)
        data = self._basics(sheets[BASICS_SHEET])
        for spec in SHEETS:
            rows = self._rows(spec, sheets[spec.name])
            if spec.collection == "projects.milestones":
                self._milestones(data, rows)
            else:
                data[spec.collection] = rows
        self._department_codes(data)
        if not self.problems:
            self._schema(data)
        if not self.problems:
            self._consistency(data)
        return Imported(None if self.problems else data, self.problems, self.notes, self.where)

    # -- values ------------------------------------------------------------------------
    def _basics(self, sheet: RawSheet) -> dict[str, Any]:
        rows = {clean_header(sheet.value(r, 0)): r for r in range(1, len(sheet.rows))}
        data: dict[str, Any] = {}
        for col in BASICS:
            r = rows.get(clean_header(col.header))
            if r is None:
                if col.required:
                    said = zh(Code.REQUIRED_EMPTY, "row", header=col.header)
                    self.add(Code.REQUIRED_EMPTY, f"{BASICS_SHEET}!A{len(sheet.rows) + 1}", said)
                continue
            path = tuple(col.path.split("."))
            self.where[path] = cell_name(BASICS_SHEET, r, 1)
            self.headers[path] = col.header
            value = self._value(sheet, r, 1, col, None)
            if value is not None:
                _put(data, path, value)
        return data

    def _rows(self, spec: Sheet, sheet: RawSheet) -> list[dict[str, Any]]:
        order = {clean_header(sheet.value(0, c)): c for c in range(width(sheet))}
        collection = spec.collection
        out: list[dict[str, Any]] = []
        self.where[(collection,)] = cell_name(spec.name, 0, 0)
        for r in range(1, len(sheet.rows)):
            if all(blank(v) for v in sheet.rows[r]):
                continue
            i = len(out)
            entry: dict[str, Any] = {}
            self.where[(collection, i)] = cell_name(spec.name, r, 0)
            unit = self._row_unit(spec, sheet, r, order)
            for col in spec.cols:
                c = order[clean_header(col.header)]
                path: Path_ = (collection, i, *col.path.split("."))
                self.where[path] = cell_name(spec.name, r, c)
                self.headers[path] = col.header
                value = self._value(sheet, r, c, col, unit)
                if value is not None:
                    _put(entry, tuple(col.path.split(".")), value)
            out.append(entry)
        return out

    def _row_unit(self, spec: Sheet, sheet: RawSheet, r: int, order: dict[str, int]) -> str | None:
        for col in spec.cols:
            if col.path == "unit":
                raw = sheet.value(r, order[clean_header(col.header)])
                return unicodedata.normalize("NFKC", str(raw)).strip() if raw else None
        return None

    def _value(self, sheet: RawSheet, r: int, c: int, col: Col, unit: str | None) -> Any:
        raw = sheet.value(r, c)
        cell = cell_name(sheet.name, r, c)
        if cell in self.reported:
            return None
        if (r, c) in sheet.error_cells:
            said = zh(Code.CELL_VALUE, "excel_error", header=col.header,
                      error=sheet.error_cells[(r, c)])  # fmt: skip
            self.add(Code.CELL_VALUE, cell, said)
            return None
        if blank(raw):
            if col.required:
                self.add(Code.REQUIRED_EMPTY, cell, zh(Code.REQUIRED_EMPTY, header=col.header))
            return None
        value, error, why = self._convert(raw, col, unit, (r, c) in sheet.percent_cells)
        if error is not None:
            said = zh(Code.CELL_VALUE, error.variant, header=col.header, **dict(error.fields))
            self.add(Code.CELL_VALUE, cell, said, shown(raw))
            return None
        if why:
            self.notes.append(Note(cell, shown(raw), value, why))
        return value

    def _convert(
        self, raw: Any, col: Col, unit: str | None, percent: bool
    ) -> tuple[Any, Said | None, str]:
        """(value, why it cannot be used (a CELL_VALUE variant), note) of one typed cell."""
        if col.kind == CHOICE:
            return _choice(raw, col)
        if col.kind == YESNO:
            return _yes_no(raw)
        if col.kind == PERIOD:
            return _period(raw)
        if col.kind == LIST:
            items = [
                t for t in _LIST_SEPARATORS.split(unicodedata.normalize("NFKC", str(raw))) if t
            ]
            return items, None, ""
        if col.kind in _KIND_SCHEMA:
            number_unit = unit if col.unit == ROW_UNIT else col.unit
            n = normalise(raw, _KIND_SCHEMA[col.kind], number_unit, percent_cell=percent)
            if n.error:
                return None, Said("value", (("reason", n.error),)), ""
            value = n.value
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                value = int(value)  # 1800.0 from the reader is the plan's 1800
            why = "；".join(t.text()[0] for t in n.notes)
            return value, None, why
        n = normalise(raw, _TEXT, None)
        text = n.value
        if col.kind == CODE and isinstance(text, str):
            text = unicodedata.normalize("NFKC", text).strip()
        return text, None, ""

    def _milestones(self, data: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        index = {p.get("id"): i for i, p in enumerate(data.get("projects") or [])}
        counts: dict[int, int] = {}
        for k, row in enumerate(rows):
            pid = row.pop("project", None)
            here: Path_ = ("projects.milestones", k)
            if pid is None:
                continue  # reported: a required cell
            if pid not in index:
                at: Path_ = (*here, "project")
                said = zh(Code.UNKNOWN_PROJECT, project=pid)
                self.add(Code.UNKNOWN_PROJECT, self.where[at], said, pid)
                continue
            i = index[pid]
            j = counts.get(i, 0)
            counts[i] = j + 1
            data["projects"][i].setdefault("milestones", []).append(row)
            for key in ("due", "text"):
                src: Path_ = (*here, key)
                self.where[("projects", i, "milestones", j, key)] = self.where[src]
                self.headers[("projects", i, "milestones", j, key)] = self.headers[src]
            self.where[("projects", i, "milestones", j)] = self.where[here]

    def _department_codes(self, data: dict[str, Any]) -> None:
        """A department typed in another letter case is the department (fgw → FGW)."""
        known = {str(d.get("code", "")).upper(): d.get("code") for d in data.get("departments", [])}
        for collection in ("indicators", "projects", "tasks", "livelihood"):
            for i, entry in enumerate(data.get(collection) or []):
                code = entry.get("department")
                canon = known.get(str(code).upper()) if code is not None else None
                if canon is not None and canon != code:
                    entry["department"] = canon
                    cell = self.where[(collection, i, "department")]
                    self.notes.append(Note(cell, str(code), canon, "单位代码大小写已统一"))

    # -- the plan's own checks ---------------------------------------------------------
    def _place(self, path: Path_) -> str:
        """The cell a plan path came from; else its row, else its sheet."""
        for n in range(len(path), 0, -1):
            cell = self.where.get(path[:n])
            if cell is not None:
                return cell
        return f"{BASICS_SHEET}!A1"

    def _schema(self, data: dict[str, Any]) -> None:
        if passes_fast(PLAN_SCHEMA, copy.deepcopy(data)):  # it fills in schema defaults
            return
        for path, msg, found, expected in iter_located(validator_for(PLAN_SCHEMA), data):
            what = split_bilingual(msg)[0].split(":")[0].strip()  # the translator's words
            if "必填" in what:  # path is the object; expected names the missing key
                path = (*path, *str(expected).split("."))
                header = self.headers.get(path, str(expected))
                said = zh(Code.REQUIRED_EMPTY, _why(path), header=header)
                self.add(Code.REQUIRED_EMPTY, self._place(path), said)
                continue
            header = self.headers.get(path, "")
            variant = "_".join(filter(None, ("cell", "found" if found is not None else "",
                                             _hint(path))))  # fmt: skip
            said = zh(Code.SCHEMA, variant, header=header, what=what, found=shown(found))
            self.add(Code.SCHEMA, self._place(path), said, found)

    def _consistency(self, data: dict[str, Any]) -> None:
        def at(code: Code, path: tuple, msg: str, found: Any = None, expected: Any = None):
            # the plan check's Chinese half (its template's), placed at the column read
            text = split_bilingual(msg)[0]
            if found is not None and expected is not None and expected != "unique":
                text += f"（现为 {shown(found)}，应 {str(expected).replace('<=', '≤')}）"
            header = self.headers.get(path, "")
            return Problem(code, self.name, f"{header}：{text}" if header else text,
                           self._place(path), None, found, expected)  # fmt: skip

        for p in consistency(data, at):
            self.add(p.code, p.path, p.message, p.found)


def _why(path: Path_) -> str:
    """Why a blank is required: the REQUIRED_EMPTY variant that says so."""
    if path and path[-1] in ("rate_pct", "level"):
        return "target"
    if path and path[-1] == "phone":
        return "phone"
    if path and path[-1] == "name" and "contact" in path:
        return "contact"
    return ""


def _hint(path: Path_) -> str:
    """Which hint a schema problem at ``path`` ends with (a SCHEMA "cell" variant)."""
    last = path[-1] if path else ""
    if last in ("code", "id", "department") or path[-2:] == ("district", "code"):
        return "code"
    if last == "phone":
        return "phone"
    return ""


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _choice(raw: Any, col: Col) -> tuple[Any, Said | None, str]:
    typed = unicodedata.normalize("NFKC", str(raw)).strip()
    plain = re.sub(r"\s+", "", typed).casefold()
    for label, stored in col.choices:
        if plain in (label.casefold(), stored.casefold()):
            return stored, None, ""
    options = "、".join(label for label, _ in col.choices)
    return None, Said("choice", (("typed", shown(raw)), ("options", options))), ""


_MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?")


def _period(raw: Any) -> tuple[Any, Said | None, str]:
    """A reporting period as the office types it: 2014-07, 2014年7月, 2014.7, or the
    date a spreadsheet made of 2014-07 (its first day)."""
    if isinstance(raw, dt.date):
        return f"{raw.year:04d}-{raw.month:02d}", None, "日期读作报告期"
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    m = _MONTH.fullmatch(text)
    if m and 1 <= int(m.group(2)) <= 12:
        value = f"{m.group(1)}-{int(m.group(2)):02d}"
        return value, None, "" if value == text else f"“{text}”读作 {value}"
    try:
        return str(Period.parse(text)), None, ""
    except ValueError:
        return None, Said("period"), ""


def _yes_no(raw: Any) -> tuple[Any, Said | None, str]:
    if isinstance(raw, bool):
        return raw, None, ""
    typed = unicodedata.normalize("NFKC", str(raw)).strip().casefold()
    if isinstance(raw, (int, float)) and raw in (0, 1):
        typed = str(int(raw))
    if typed in _YES:
        return True, None, ""
    if typed in _NO:
        return False, None, ""
    return None, Said("yes_no", (("typed", shown(raw)),)), ""
