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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.plan.load import PLAN_SCHEMA, consistency
from tianbao.plan.periods import Period
from tianbao.planbook.sheets import (
    BASICS,
    BASICS_SHEET,
    CHOICE,
    CODE,
    DATE,
    GUIDE_SHEET,
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
from tianbao.problems import CheckCode, Problem
from tianbao.read import RawSheet, RawWorkbook, ReadCode, ReadIssue, read_workbook_guarded
from tianbao.read.cells import col_number, ref_name
from tianbao.read.limits import PLAN_LIMITS
from tianbao.schema_errors import iter_located, passes_fast, validator_for
from tianbao.support.bilingual import split_bilingual
from tianbao.support.lang import halves
from tianbao.validate.normalize import normalise, shown

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
    if issue.code in (ReadCode.TOO_LARGE, ReadCode.SHEET_TOO_LARGE):
        zh, en = "计划工作簿超出限制", "the plan workbook is past a limit"
    if not issue.detail:
        return issue.message
    return f"{zh}：{issue.detail} | {en or zh}: {issue.detail}"


def cell_name(sheet: str, row: int, col: int) -> str:
    """「重点项目!F12」 of a 0-based cell."""
    return f"{sheet}!{ref_name(row, col)}"


class _Reader:
    def __init__(self, book: RawWorkbook, name: str) -> None:
        self.book = book
        self.name = name
        self.problems: list[Problem] = []
        self.notes: list[Note] = []
        self.reported: set[str] = set()
        self.rows_reported: set[str] = set()  # 「重点项目!12」: a row with a problem
        self.where: dict[Path_, str] = {}  # plan path -> cell (or row, sheet) it came from
        self.headers: dict[Path_, str] = {}  # plan path -> the column header

    # -- problems ----------------------------------------------------------------------
    def add(self, code: CheckCode, cell: str, message: str, found: Any = None) -> None:
        if cell in self.reported:
            return
        self.reported.add(cell)
        self.rows_reported.add(_row_of(cell))
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
        # every check on every row, in one pass: a cell already reported is not again
        self._schema(data)
        self._consistency(data)
        return Imported(None if self.problems else data, self.problems, self.notes, self.where)

    # -- structure ---------------------------------------------------------------------
    def _sheets(self) -> dict[str, RawSheet] | None:
        """The sheets by name, headers checked; None when one is missing or its header
        changed (nothing below can be placed then)."""
        wanted = [BASICS_SHEET, *(s.name for s in SHEETS)]
        found = {s.name: s for s in self.book.sheets if s.kind == "worksheet"}
        extra = [n for n in found if n not in wanted and n != GUIDE_SHEET]
        for name in wanted:
            if name not in found:
                self._missing_sheet(name, [found[n] for n in extra])
        if self.problems:
            return None
        for name in wanted:
            sheet = found[name]
            self._merges(sheet)
            for r in sorted(sheet.hidden_rows):
                if r >= len(sheet.rows) or all(_blank(v) for v in sheet.rows[r]):
                    continue  # an empty hidden row imports nothing
                self.add(
                    CheckCode.HIDDEN_ROW,
                    cell_name(name, r, 0),
                    f"{name} 第{r + 1}行被隐藏：隐藏的行也会导入，请取消隐藏、核对后再导入"
                    "（不要的行请删除）",
                )
        complete = [self._header(spec, found[spec.name]) for spec in SHEETS]
        return found if all(complete) else None

    def _missing_sheet(self, name: str, extra: list[RawSheet]) -> None:
        """SHEET_MISSING: at the sheet that looks renamed (its header row is this
        sheet's), else at where the sheet should be."""
        spec = next((s for s in SHEETS if s.name == name), None)
        wanted = {_clean_header(c.header) for c in spec.cols} if spec else {"项目", "值"}
        for sheet in extra:
            got = {_clean_header(sheet.value(0, c)) for c in range(_width(sheet))}
            if len(got & wanted) * 2 > len(wanted):
                self.add(
                    CheckCode.SHEET_MISSING,
                    f"{sheet.name}!A1",
                    f"工作表“{sheet.name}”应名为“{name}”：请改回计划模板中的名称",
                    sheet.name,
                )
                return
        self.add(
            CheckCode.SHEET_MISSING,
            f"{name}!A1",
            f"缺少工作表“{name}”：请使用计划模板，不要删除或改名工作表",
        )

    def _merges(self, sheet: RawSheet) -> None:
        for ref in sheet.merges:
            first = ref.split(":")[0]
            self.add(
                CheckCode.MERGED_CELLS,
                f"{sheet.name}!{first}",
                f"单元格 {ref} 被合并：请取消合并，每个单元格填一个值",
                ref,
            )
            span = _span(ref)
            if span is not None:  # the covered cells read blank: not reported again
                (r0, c0), (r1, c1) = span
                for r in range(r0, r1 + 1):
                    for c in range(c0, c1 + 1):
                        self.reported.add(cell_name(sheet.name, r, c))

    def _header(self, spec: Sheet, sheet: RawSheet) -> bool:
        """Every column of ``spec`` is in the header row (found by name, so inserted
        or moved columns are read); the changed ones are reported."""
        got = [_clean_header(sheet.value(0, c)) for c in range(_width(sheet))]
        known = {_clean_header(col.header) for col in spec.cols}
        unknown = {c: h for c, h in enumerate(got) if h and h not in known}
        for c, col in enumerate(spec.cols):
            if _clean_header(col.header) in got:
                continue
            cell = cell_name(spec.name, 0, c)
            if c in unknown:
                msg = f"表头应为“{col.header}”，现为“{unknown.pop(c)}”：请改回模板的表头"
            else:
                msg = f"缺少“{col.header}”列：请使用计划模板的表头，不要删除或合并列"
            self.add(CheckCode.HEADER_CHANGED, cell, msg)
        for c, h in unknown.items():
            self.add(
                CheckCode.HEADER_CHANGED,
                cell_name(spec.name, 0, c),
                f"不认识的列“{h}”：计划模板中没有这一列，请删除（备注请写在表外）",
            )
        return all(_clean_header(col.header) in got for col in spec.cols) and not unknown

    # -- values ------------------------------------------------------------------------
    def _basics(self, sheet: RawSheet) -> dict[str, Any]:
        rows = {_clean_header(sheet.value(r, 0)): r for r in range(1, len(sheet.rows))}
        data: dict[str, Any] = {}
        for col in BASICS:
            r = rows.get(_clean_header(col.header))
            if r is None:
                if col.required:
                    self.add(
                        CheckCode.REQUIRED_EMPTY,
                        f"{BASICS_SHEET}!A{len(sheet.rows) + 1}",
                        f"缺少“{col.header}”一行：请使用计划模板的基本信息表",
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
        order = {_clean_header(sheet.value(0, c)): c for c in range(_width(sheet))}
        collection = spec.collection
        out: list[dict[str, Any]] = []
        self.where[(collection,)] = cell_name(spec.name, 0, 0)
        for r in range(1, len(sheet.rows)):
            if all(_blank(v) for v in sheet.rows[r]):
                continue
            i = len(out)
            entry: dict[str, Any] = {}
            self.where[(collection, i)] = cell_name(spec.name, r, 0)
            unit = self._row_unit(spec, sheet, r, order)
            for col in spec.cols:
                c = order[_clean_header(col.header)]
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
                raw = sheet.value(r, order[_clean_header(col.header)])
                return unicodedata.normalize("NFKC", str(raw)).strip() if raw else None
        return None

    def _value(self, sheet: RawSheet, r: int, c: int, col: Col, unit: str | None) -> Any:
        raw = sheet.value(r, c)
        cell = cell_name(sheet.name, r, c)
        if cell in self.reported:
            return None
        if (r, c) in sheet.error_cells:
            self.add(
                CheckCode.CELL_VALUE, cell, f"{col.header}：错误值 {sheet.error_cells[(r, c)]}"
            )
            return None
        if _blank(raw):
            if col.required:
                self.add(CheckCode.REQUIRED_EMPTY, cell, f"{col.header}未填：这一栏必须填写")
            return None
        value, error, why = self._convert(raw, col, unit, (r, c) in sheet.percent_cells)
        if error:
            self.add(CheckCode.CELL_VALUE, cell, f"{col.header}：{error}", shown(raw))
            return None
        if why:
            self.notes.append(Note(cell, shown(raw), value, why))
        return value

    def _convert(self, raw: Any, col: Col, unit: str | None, percent: bool) -> tuple[Any, str, str]:
        """(value, error, note) of one typed cell for one column."""
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
            return items, "", ""
        if col.kind in _KIND_SCHEMA:
            number_unit = unit if col.unit == ROW_UNIT else col.unit
            n = normalise(raw, _KIND_SCHEMA[col.kind], number_unit, percent_cell=percent)
            if n.error:
                return None, n.error, ""
            value = n.value
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                value = int(value)  # 1800.0 from the reader is the plan's 1800
            why = "；".join(split_bilingual(t)[0] for t in n.notes)
            return value, "", why
        n = normalise(raw, _TEXT, None)
        text = n.value
        if col.kind == CODE and isinstance(text, str):
            text = unicodedata.normalize("NFKC", text).strip()
        return text, "", ""

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
                    f"项目编号“{pid}”不在重点项目表中",
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
            zh = split_bilingual(msg)[0].split(":")[0].strip()
            if "必填" in zh:  # path is the object; expected names the missing key
                path = (*path, *str(expected).split("."))
                if _row_of(self._place(path)) in self.rows_reported:
                    continue  # asked for by a value reported in its row (目标类型 blank)
                header = self.headers.get(path, str(expected))
                self.add(CheckCode.REQUIRED_EMPTY, self._place(path), f"{header}未填：{_why(path)}")
                continue
            header = self.headers.get(path, "")
            detail = f"（现为“{shown(found)}”）" if found is not None else ""
            self.add(
                CheckCode.SCHEMA, self._place(path), f"{header}{zh}{detail}{_hint(path)}", found
            )

    def _consistency(self, data: dict[str, Any]) -> None:
        def at(code: CheckCode, path: tuple, msg: str, found: Any = None, expected: Any = None):
            zh = split_bilingual(msg)[0]
            if found is not None and expected is not None and expected != "unique":
                zh += f"（现为 {shown(found)}，应 {str(expected).replace('<=', '≤')}）"
            header = self.headers.get(path, "")
            return Problem(code, self.name, f"{header}：{zh}" if header else zh, self._place(path),
                           None, found, expected)  # fmt: skip

        for p in consistency(data, at):
            self.add(p.code, p.path, p.message, p.found)


def _why(path: Path_) -> str:
    if path and path[-1] in ("rate_pct", "level"):
        return "这种目标类型须填写目标增速或目标值"
    if path and path[-1] == "phone":
        return "填了联系人就要填联系电话"
    if path and path[-1] == "name" and "contact" in path:
        return "填了联系电话就要填联系人"
    return "这一栏必须填写"


def _hint(path: Path_) -> str:
    last = path[-1] if path else ""
    if last in ("code", "id", "department") or path[-2:] == ("district", "code"):
        return "：代码以字母开头，只用字母、数字、-、_"
    if last == "phone":
        return "：电话只用数字、空格、-、+、括号"
    return ""


def _row_of(cell: str) -> str:
    """「重点项目!12」 of 「重点项目!F12」."""
    return re.sub(r"!\$?[A-Z]+\$?", "!", cell)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_header(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def _width(sheet: RawSheet) -> int:
    return max((len(r) for r in sheet.rows[:1]), default=0)


_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _span(ref: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """0-based ((row, col), (row, col)) of A1:B2."""
    ends = []
    for part in ref.split(":"):
        m = _A1.fullmatch(part.strip())
        if m is None:
            return None
        ends.append((int(m.group(2)) - 1, col_number(m.group(1)) - 1))
    (r0, c0), (r1, c1) = ends[0], ends[-1]
    return (min(r0, r1), min(c0, c1)), (max(r0, r1), max(c0, c1))


def _put(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _choice(raw: Any, col: Col) -> tuple[Any, str, str]:
    typed = unicodedata.normalize("NFKC", str(raw)).strip()
    plain = re.sub(r"\s+", "", typed).casefold()
    for label, stored in col.choices:
        if plain in (label.casefold(), stored.casefold()):
            return stored, "", ""
    options = "、".join(label for label, _ in col.choices)
    return None, f"“{shown(raw)}”不是可选项，请从下拉列表中选择（{options}）", ""


_MONTH = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?")


def _period(raw: Any) -> tuple[Any, str, str]:
    """A reporting period as the office types it: 2014-07, 2014年7月, 2014.7, or the
    date a spreadsheet made of 2014-07 (its first day)."""
    if isinstance(raw, dt.date):
        return f"{raw.year:04d}-{raw.month:02d}", "", "日期读作报告期"
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    m = _MONTH.fullmatch(text)
    if m and 1 <= int(m.group(2)) <= 12:
        value = f"{m.group(1)}-{int(m.group(2)):02d}"
        return value, "", "" if value == text else f"“{text}”读作 {value}"
    try:
        return str(Period.parse(text)), "", ""
    except ValueError:
        return None, "应写成报告期，如 2014-07", ""


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
    return None, f"“{shown(raw)}”应为“是”或“否”", ""
