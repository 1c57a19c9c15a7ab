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
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.plan.load import PLAN_SCHEMA, consistency
from tianbao.planbook.sheets import (
    BASICS,
    BASICS_SHEET,
    SHEETS,
    Col,
    Sheet,
)
from tianbao.planbook.structure import (
    SheetChecks,
    blank,
    cell_name,
    clean_header,
    row_of,
    width,
)
from tianbao.planbook.values import convert
from tianbao.problems import CheckCode, Problem
from tianbao.read import RawSheet, RawWorkbook, ReadCode, ReadIssue, read_workbook_guarded
from tianbao.read.limits import PLAN_LIMITS
from tianbao.schema_errors import iter_located, passes_fast, validator_for
from tianbao.support.bilingual import split_bilingual
from tianbao.support.lang import halves
from tianbao.validate.normalize import shown

Path_ = tuple[str | int, ...]


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
    read: dict[str, Any] | None = None  # what was read, problems or not (for later checks)


def import_plan_workbook(path: Path, display: str | None = None) -> Imported:
    """The plan data of the workbook at ``path``, or the problems that prevent it."""
    name = display or Path(path).name
    result = read_workbook_guarded(Path(path), PLAN_LIMITS)
    if result.book is None:
        first: dict[ReadCode, ReadIssue] = {}
        for i in result.blocking:  # the one that names the limit, of each kind
            if i.code not in first or ("limit" in i.detail and "limit" not in first[i.code].detail):
                first[i.code] = i
        why = "；".join(_read_issue(i) for i in first.values()) or "无法读取 cannot be read"
        return Imported(None, [Problem(CheckCode.WORKBOOK_UNREADABLE, name, why)])
    return _Reader(result.book, name).run()


def _read_issue(issue: ReadIssue) -> str:
    """One reading problem with its detail (the limit passed, where)."""
    zh, en = halves(issue.message)
    lim = PLAN_LIMITS
    if issue.code == ReadCode.SHEET_TOO_LARGE:
        zh = (f"计划工作簿超出限制：每张表最多 {lim.max_rows:,} 行、{lim.max_cols} 列，"
              "表格以外不要留内容")  # fmt: skip
        en = f"the plan workbook is past a limit of {lim.max_rows:,} rows x {lim.max_cols} columns"
        return f"{zh}（{issue.detail}） | {en}: {issue.detail}"
    if issue.code == ReadCode.TOO_LARGE:
        zh, en = "计划工作簿超出限制", "the plan workbook is past a limit"
    if not issue.detail:
        return issue.message
    return f"{zh}：{issue.detail} | {en or zh}: {issue.detail}"


class _Reader(SheetChecks):
    def __init__(self, book: RawWorkbook, name: str) -> None:
        super().__init__(book, name)
        self.notes: list[Note] = []
        self.where: dict[Path_, str] = {}  # plan path -> cell (or row, sheet) it came from
        self.headers: dict[Path_, str] = {}  # plan path -> the column header

    def run(self) -> Imported:
        sheets = self.sheets()
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
        # every check on every row, in one pass: a cell already reported is not again
        self._schema(data)
        self._consistency(data)
        ok = not self.problems
        return Imported(data if ok else None, self.problems, self.notes, self.where, data)

    # -- values ------------------------------------------------------------------------
    def _basics(self, sheet: RawSheet) -> dict[str, Any]:
        rows = {clean_header(sheet.value(r, 0)): r for r in range(1, len(sheet.rows))}
        data: dict[str, Any] = {}
        for col in BASICS:
            r = rows.get(clean_header(col.header))
            if r is None:
                if col.required:
                    self.add(
                        CheckCode.REQUIRED_EMPTY,
                        f"{BASICS_SHEET}!A{len(sheet.rows) + 1}",
                        f"缺少“{col.header}”一行：请使用计划模板的基本信息表 | the row "
                        f"“{col.header}” is missing: use the template's {BASICS_SHEET} sheet",
                    )
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
            self.add(
                CheckCode.CELL_VALUE,
                cell,
                _both(f"{col.header}：", f"错误值 {sheet.error_cells[(r, c)]} | error value"),
            )
            return None
        if blank(raw):
            if col.required:
                self.add(CheckCode.REQUIRED_EMPTY, cell, _both(col.header, _why(())))
            return None
        value, error, why = convert(raw, col, unit, (r, c) in sheet.percent_cells)
        if error:
            self.add(CheckCode.CELL_VALUE, cell, _both(f"{col.header}：", error), shown(raw))
            return None
        if why:
            self.notes.append(Note(cell, shown(raw), value, why))
        return value

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
                self.add(
                    CheckCode.UNKNOWN_PROJECT,
                    self.where[at],
                    f"项目编号“{pid}”不在重点项目表中 | project “{pid}” is not on the "
                    "重点项目 sheet",
                    pid,
                )
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
        """A department typed in another letter case is the department (fgw → FGW);
        not when two departments differ only in case (that is reported)."""
        codes = [d.get("code") for d in data.get("departments", [])]
        upper = Counter(str(c).upper() for c in codes)
        known = {str(c).upper(): c for c in codes if upper[str(c).upper()] == 1}
        for collection in ("indicators", "projects", "tasks", "livelihood"):
            for i, entry in enumerate(data.get(collection) or []):
                code = entry.get("department")
                canon = known.get(str(code).upper()) if code is not None else None
                if canon is not None and canon != code:
                    entry["department"] = canon
                    cell = self.where[(collection, i, "department")]
                    why = "单位代码大小写已统一 | the code as 填报单位 writes it"
                    self.notes.append(Note(cell, str(code), canon, why))

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
            zh, en = (h.split(":")[0].strip() for h in split_bilingual(msg))
            if "必填" in zh:  # path is the object; expected names the missing key
                path = (*path, *str(expected).split("."))
                if row_of(self._place(path)) in self.rows_reported:
                    continue  # asked for by a value reported in its row (目标类型 blank)
                header = self.headers.get(path, str(expected))
                self.add(CheckCode.REQUIRED_EMPTY, self._place(path), _both(header, _why(path)))
                continue
            header = self.headers.get(path, "")
            if found is not None:
                zh, en = f"{zh}（现为“{shown(found)}”）", f"{en} (found “{shown(found)}”)"
            hint_zh, hint_en = _hint(path)
            text = _both(header, f"{zh}{hint_zh} | {en or zh}{hint_en}")
            self.add(CheckCode.SCHEMA, self._place(path), text, found)

    def _consistency(self, data: dict[str, Any]) -> None:
        def at(code: CheckCode, path: tuple, msg: str, found: Any = None, expected: Any = None):
            zh, en = halves(msg)
            en = en or zh
            if found is not None and expected is not None and expected != "unique":
                zh += f"（现为 {shown(found)}，应 {str(expected).replace('<=', '≤')}）"
                en += f" (found {shown(found)}, expected {expected})"
            header = self.headers.get(path, "")
            text = _both(f"{header}：" if header else "", f"{zh} | {en}")
            return Problem(code, self.name, text, self._place(path), None, found, expected)

        for p in consistency(data, at):
            self.add(p.code, p.path, p.message, p.found)


def _both(head: str, text: str) -> str:
    """「{head}中文 | {head}English」 of a head (a column header, the workbook's own word)
    and a text written 「中文 | English」."""
    zh, en = halves(text)
    if not head:
        return f"{zh} | {en or zh}"
    en_head = f"{head[:-1]}: " if head.endswith("：") else f"{head} "
    return f"{head}{zh} | {en_head}{en or zh}"


def _why(path: Path_) -> str:
    if path and path[-1] in ("rate_pct", "level"):
        return (
            "未填：这种目标类型须填写目标增速或目标值 | is empty: this kind of target "
            "needs its growth rate or level"
        )
    if path and path[-1] == "phone":
        return "未填：填了联系人就要填联系电话 | is empty: a contact needs a phone number"
    if path and path[-1] == "name" and "contact" in path:
        return "未填：填了联系电话就要填联系人 | is empty: a phone number needs a contact"
    return "未填：这一栏必须填写 | is empty: it must be filled in"


def _hint(path: Path_) -> tuple[str, str]:
    last = path[-1] if path else ""
    if last in ("code", "id", "department") or path[-2:] == ("district", "code"):
        return (
            "：代码以字母开头，只用字母、数字、-、_",
            ": a code starts with a letter and holds letters, digits, - and _ only",
        )
    if last == "phone":
        return (
            "：电话只用数字、空格、-、+、括号",
            ": a phone number holds digits, spaces, -, + and ()",
        )
    return "", ""


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
