"""Read the plan workbook (``tianbao.planbook.sheets``) back into plan data.

The workbook is read like a return: the guarded reader (limits, a subprocess) and the
normaliser of what people type (``4,000``, ``20亿元`` in a 万元 column, ``2014年7月``,
full-width digits). Every problem is placed at its sheet and cell
(「重点项目!F12：年度计划投资超过总投资」), once: a cell already reported is not
reported again by a later check. The plan data is then checked with the plan's
schema and its consistency checks, located the same way. Messages are the findings
catalog's templates (tianbao.findings), 「中文 | English」 for --lang to pick a half.
"""

from __future__ import annotations

import copy
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.findings import CATALOG, Code, fill
from tianbao.forms.load import locate
from tianbao.plan.codes import PLAIN
from tianbao.plan.load import PLAN_SCHEMA, consistency
from tianbao.planbook.forms import FormNames
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
    both,
    cell_name,
    clean_header,
    row_of,
    width,
)
from tianbao.planbook.values import convert
from tianbao.problems import Problem
from tianbao.read import RawSheet, RawWorkbook, ReadIssue, read_workbook_guarded
from tianbao.read.limits import PLAN_LIMITS
from tianbao.schema_errors import iter_located, passes_fast, validator_for
from tianbao.support.bilingual import split_bilingual
from tianbao.support.lang import halves
from tianbao.validate.normalize import shown

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.SCHEMA,
    Code.UNKNOWN_PROJECT,
    Code.WORKBOOK_UNREADABLE,
    Code.CELL_VALUE,
    Code.REQUIRED_EMPTY,
    Code.UNKNOWN_FORM,
    Code.DUPLICATE_ID,
)

Path_ = tuple[str | int, ...]
FORMS_PATH = "reporting.forms"


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


def import_plan_workbook(
    path: Path, display: str | None = None, forms: FormNames | None = None
) -> Imported:
    """The plan data of the workbook at ``path``, or the problems that prevent it;
    ``forms``: what the 报表 cell may name (a workspace's; else the standard forms)."""
    name = display or Path(path).name
    result = read_workbook_guarded(Path(path), PLAN_LIMITS)
    if result.book is None:
        first: dict[Code, ReadIssue] = {}
        for i in result.blocking:  # the one that names the limit, of each kind
            if i.code not in first or ("limit" in i.detail and "limit" not in first[i.code].detail):
                first[i.code] = i
        said = [_read_issue(i) for i in first.values()] or [fill(Code.WORKBOOK_UNREADABLE)]
        why = f"{'；'.join(zh for zh, _ in said)} | {'; '.join(en for _, en in said)}"
        return Imported(None, [Problem(Code.WORKBOOK_UNREADABLE, name, why)])
    return _Reader(result.book, name, forms or FormNames.of()).run()


def _read_issue(issue: ReadIssue) -> tuple[str, str]:
    """(zh, en) of one reading problem with its detail (the limit passed, where)."""
    lim, detail = PLAN_LIMITS, issue.detail
    if issue.code is Code.READ_SHEET_TOO_LARGE:
        rows, cols = f"{lim.max_rows:,}", lim.max_cols
        return fill(Code.WORKBOOK_UNREADABLE, "limit_grid", rows=rows, cols=cols, detail=detail)
    if issue.code is Code.READ_TOO_LARGE and detail:
        return fill(Code.WORKBOOK_UNREADABLE, "limit", detail=detail)
    reason, reason_en = CATALOG[issue.code].text()  # the reader's words for it
    return fill(
        Code.WORKBOOK_UNREADABLE,
        "reason_detail" if detail else "reason",
        reason=reason,
        reason_en=reason_en,
        detail=detail,
    )


def unknown_forms(got: Imported, forms_dir: Path, name: str) -> list[Problem]:
    """The forms the workbook's 报表 names that the workspace has not (forms/ or a standard
    one), in the same pass as the workbook's other problems: at the 报表 cell, unless
    that cell is reported already."""
    reporting = (got.read or {}).get("reporting")
    forms = reporting.get("forms") if isinstance(reporting, dict) else None
    cell = got.cells.get(("reporting", "forms"), BASICS_SHEET)
    if any(p.path == cell for p in got.problems):
        return []
    return [
        Problem(Code.UNKNOWN_FORM, name, both(Code.UNKNOWN_FORM, "import", form_id=f), cell)
        for f in (forms if isinstance(forms, list) else [])
        if PLAIN.fullmatch(str(f)) and locate(f, forms_dir) is None
    ]


class _Reader(SheetChecks):
    def __init__(self, book: RawWorkbook, name: str, forms: FormNames) -> None:
        super().__init__(book, name)
        self.forms = forms
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
                    said = both(Code.REQUIRED_EMPTY, "row", header=col.header)
                    self.add(Code.REQUIRED_EMPTY, f"{BASICS_SHEET}!A{len(sheet.rows) + 1}", said)
                continue
            path = tuple(col.path.split("."))
            self.where[path] = cell_name(BASICS_SHEET, r, 1)
            self.headers[path] = col.header
            if col.path == FORMS_PATH:
                value = self._forms(sheet, r, col)
            else:
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
                c = order.get(clean_header(col.header), -1)
                if c < 0:  # an optional column the workbook predates
                    continue
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
            said = both(Code.CELL_VALUE, "excel_error", header=col.header,
                        error=sheet.error_cells[(r, c)])  # fmt: skip
            self.add(Code.CELL_VALUE, cell, said)
            return None
        if blank(raw):
            if col.required:
                self.add(Code.REQUIRED_EMPTY, cell, both(Code.REQUIRED_EMPTY, header=col.header))
            return None
        value, error, why = convert(raw, col, unit, (r, c) in sheet.percent_cells)
        if error is not None:
            said = both(Code.CELL_VALUE, error.variant, header=col.header, **dict(error.fields))
            self.add(Code.CELL_VALUE, cell, said, shown(raw))
            return None
        if why:
            self.notes.append(Note(cell, shown(raw), value, why))
        return value

    def _forms(self, sheet: RawSheet, r: int, col: Col) -> Any:
        """The 报表 cell: forms by Chinese name, 表号 or id; blank: all of them."""
        raw, cell = sheet.value(r, 1), cell_name(sheet.name, r, 1)
        if cell in self.reported or (r, 1) in sheet.error_cells:
            return self._value(sheet, r, 1, col, None)  # the Excel error reported
        named = self.forms.read("" if blank(raw) else str(raw))
        ids = named.ids
        if named.unknown:
            typed, options = "、".join(named.unknown), self.forms.accepted()
            said = both(Code.UNKNOWN_FORM, "named", header=col.header, form_id=typed,
                        options=options)  # fmt: skip
            self.add(Code.UNKNOWN_FORM, cell, said, shown(raw))
            return ids  # the ones it names: no second finding for the same cell
        for typed, other in named.twice[:1]:  # issue 29: a repeat is refused, not merged
            said = both(Code.DUPLICATE_ID, "form", header=col.header, typed=typed, other=other)
            self.add(Code.DUPLICATE_ID, cell, said, typed)
        if not ids:  # blank (or only commas): every form
            ids = self.forms.ids
            labels = "、".join(self.forms.label(i) for i in ids)
            self.notes.append(Note(cell, "", labels, "空：全部报表 | blank: all forms"))
        return ids

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
                said = both(Code.UNKNOWN_PROJECT, project=pid)
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
            # the schema translator's words, each half up to its detail
            what, what_en = (h.split(":")[0].strip() for h in split_bilingual(msg))
            if "必填" in what:  # path is the object; expected names the missing key
                path = (*path, *str(expected).split("."))
                if row_of(self._place(path)) in self.rows_reported:
                    continue  # asked for by a value reported in its row (目标类型 blank)
                header = self.headers.get(path, str(expected))
                said = both(Code.REQUIRED_EMPTY, _why(path), header=header)
                self.add(Code.REQUIRED_EMPTY, self._place(path), said)
                continue
            header = self.headers.get(path, "")
            variant = "_".join(filter(None, ("cell", "found" if found is not None else "",
                                             _hint(path))))  # fmt: skip
            said = both(Code.SCHEMA, variant, header=header, what=what,
                        what_en=what_en or what, found=shown(found))  # fmt: skip
            self.add(Code.SCHEMA, self._place(path), said, found)

    def _consistency(self, data: dict[str, Any]) -> None:
        def at(code: Code, path: tuple, msg: str, found: Any = None, expected: Any = None):
            # the plan check's message (its template's, problems.said), at the column read
            zh, en = halves(msg)
            en = en or zh
            if found is not None and expected is not None and expected != "unique":
                zh += f"（现为 {shown(found)}，应 {str(expected).replace('<=', '≤')}）"
                en += f" (found {shown(found)}, expected {expected})"
            header = self.headers.get(path, "")
            if header:
                zh, en = f"{header}：{zh}", f"{header}: {en}"
            return Problem(code, self.name, f"{zh} | {en}", self._place(path), None, found,
                           expected)  # fmt: skip

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
