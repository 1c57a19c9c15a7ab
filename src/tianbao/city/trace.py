"""``tianbao trace``: one figure followed down to the departments' cells, for an auditor.

On a city workspace: the city's figure (Σ of the districts', as the summary adds
them) → each district's figure with the package it came from (sha256, the
district's sign-off) → the package's long rows behind it (department, form,
sheet!cell, sha256 of the return) → and, given the district's workspace, the value
in that cell of the archived return itself. On a district workspace the same
from the district's own ledger. Every link is checked: the city's archived
package against its sha256, the district's figure against the sum of its rows,
each archived return against its sha256 (an altered file is never read) and its
cell, read by the guarded reader, against the value that was counted."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tianbao.city.package import LONG, TOTALS_FORM, long_rows, number
from tianbao.city.verify import Refusal
from tianbao.findings import Code

# the codes this module finds (the one catalog: tianbao.findings)
EMITS = (
    Code.PKG_TRACE_MISSING,
    Code.PKG_TRACE_ALTERED,
    Code.PKG_TRACE_UNREADABLE,
    Code.PKG_TRACE_DIFFERS,
)
FIELDS = ("ytd", "ytd_last_year", "month_value")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


@dataclass
class Row:
    """One long row behind a figure: a department's cell in its return."""

    department: str
    form: str
    sheet: str
    cell: str
    sha256: str  # of the return's file
    submission_id: str
    value: str  # as counted (the long CSV's text)
    unit: str = ""  # of the figure (the long CSV's): how validate read a percent cell
    archived: Any = None  # the value read from the archived return's cell
    matches: bool | None = None  # None: not checked (no archive given)
    findings: list[Refusal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department, "form": self.form, "sheet": self.sheet,
            "cell": self.cell, "sha256": self.sha256, "submission_id": self.submission_id,
            "value": self.value, "archived": self.archived, "matches": self.matches,
            "findings": [f.as_dict() for f in self.findings],
        }  # fmt: skip


@dataclass
class Part:
    """A district's figure (on a district workspace: the district's own)."""

    code: str
    name: str
    figure: float | None  # what the level above counts
    package: str | None = None  # the package's sha256 (a city's)
    signoff: dict[str, Any] | None = None
    correction: bool = False
    rows: list[Row] = field(default_factory=list)
    archive: str | None = None  # the workspace whose archive was read
    findings: list[Refusal] = field(default_factory=list)

    @property
    def rows_sum(self) -> float | None:
        got = [n for n in (number(r.value) for r in self.rows) if n is not None]
        return float(sum(got, Decimal(0))) if got else None

    @property
    def ok(self) -> bool:
        return not self.findings and all(not r.findings for r in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "district": self.code, "name": self.name, "figure": self.figure,
            "package_sha256": self.package, "signoff": self.signoff,
            "correction": self.correction, "rows_sum": self.rows_sum,
            "archive": self.archive, "rows": [r.as_dict() for r in self.rows],
            "findings": [f.as_dict() for f in self.findings],
        }  # fmt: skip


@dataclass
class Trace:
    level: str  # city | district
    name: str
    period: str
    indicator: str
    field: str
    figure: float | None
    signoff: dict[str, Any] | None  # this level's own sign-off of the period
    parts: list[Part]

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level, "name": self.name, "period": self.period,
            "indicator": self.indicator, "field": self.field, "figure": self.figure,
            "signoff": self.signoff, "ok": self.ok, "parts": [p.as_dict() for p in self.parts],
        }  # fmt: skip


def trace(
    root: Path,
    period: str,
    indicator: str,
    field_name: str = "ytd",
    district: str | None = None,
    archives: tuple[Path, ...] = (),
) -> Trace:
    """The chain of ``indicator``'s ``field_name`` for ``period`` in the workspace at
    ``root`` (a city's or a district's); ``archives``: district workspaces to read
    the returns from."""
    from tianbao.city.plan import is_city
    from tianbao.errors import UsageError

    if field_name not in FIELDS:
        one = ", ".join(FIELDS)
        raise UsageError(f"--field {field_name}：应为 {one} | --field {field_name}: one of {one}")
    if not is_city(Path(root)):
        return _district(Path(root), period, indicator, field_name)
    got = _city(Path(root), period, indicator, field_name, district)
    by_code = dict(_archive_of(Path(a)) for a in archives)
    for part in got.parts:
        if part.code in by_code:
            check_cells(by_code.pop(part.code), part)
    if by_code:
        names = ", ".join(sorted(by_code))
        raise UsageError(
            f"--archive：区县 {names} 不在此次追溯中 | --archive: {names} not in this trace"
        )
    return got


def _city(root: Path, period: str, indicator: str, name: str, only: str | None) -> Trace:
    from tianbao.city.summary import gather
    from tianbao.errors import UsageError
    from tianbao.ledger.db import Ledger

    data = gather(root, period)
    ind = next((i for i in data.city.indicators if i.code == indicator), None)
    if ind is None:
        codes = ", ".join(i.code for i in data.city.indicators)
        raise UsageError(
            f"--indicator {indicator}：不在市级计划中（{codes}） | --indicator {indicator}: "
            f"not in the city plan ({codes})"
        )
    if only is not None and data.city.district(only) is None:
        raise UsageError(
            f"--district {only}：不在市级计划中 | --district {only}: not in the city plan"
        )
    parts = [
        _part(root, data, d, indicator, name)
        for d in data.city.districts
        if only is None or d.code == only
    ]
    with Ledger(root, readonly=True) as ledger:
        signed = ledger.signed_off(data.period)
    # the city's figure is the summary's total, over every district (--district or not)
    figures = [
        Decimal(str(got[name].value))
        for d in data.city.districts
        if (got := data.figures.get(d.code, {}).get(indicator, {})).get(name) is not None
    ]
    total = float(sum(figures)) if ind.additive and figures else None
    return Trace("city", data.city.name, data.period, indicator, name, total, signed, parts)


def _part(root: Path, data: Any, d: Any, indicator: str, name: str) -> Part:
    """A district's figure as the city counts it, and the package's rows behind it."""
    src = data.figures.get(d.code, {}).get(indicator, {}).get(name)
    part = Part(d.code, d.name, float(src.value) if src is not None else None)
    sub = data.packages.get(d.code)
    if sub is not None:
        part.package, part.correction = sub.sha256, sub.correction
        part.signoff = sub.report.get("manifest", {}).get("signoff")
        part.rows = _package_rows(root / sub.archive_path, sub.sha256, indicator, name, part)
        if not part.findings:  # an altered package has no rows to sum: said once
            _check_sum(part)
    return part


def _package_rows(path: Path, sha256: str, indicator: str, name: str, part: Part) -> list[Row]:
    """The long rows of the city's archived package (its bytes checked first)."""
    place = f"{part.code} {path.name}"
    data = _archived(path, sha256, place, part.findings)
    if data is None:
        return []
    with zipfile.ZipFile(path) as z:
        rows = long_rows(z.read(LONG))
    return [
        Row(
            r["department"],
            r["form"],
            r["sheet"],
            r["cell"],
            r["sha256"],
            r["submission_id"],
            r["value"],
            r.get("unit") or "",
        )
        for r in rows
        if r["form"] == TOTALS_FORM and r["row_key"] == indicator and r["field"] == name
    ]


def _district(root: Path, period: str, indicator: str, name: str) -> Trace:
    """On a district workspace: the figure its summary sums, from its own ledger."""
    from tianbao import api
    from tianbao.consolidate.longcsv import csv_value
    from tianbao.errors import UsageError
    from tianbao.ledger.db import Ledger

    ws = api.workspace(root)
    plan = ws.plan
    assert plan is not None
    p = str(plan.period(period))
    part = Part(plan.district_code, plan.district_name, None, archive=str(ws.root))
    with Ledger(ws.root, readonly=True) as ledger:
        part.signoff = ledger.signed_off(p)
        for sub in ledger.latest_accepted(p):
            part.rows += [
                Row(
                    sub.department,
                    v.form,
                    v.sheet,
                    v.cell,
                    sub.sha256,
                    str(sub.id),
                    csv_value(v.value),
                )
                for v in ledger.values(sub.id)
                if v.form == TOTALS_FORM and v.row_key == indicator and v.field == name
            ]
    if not part.rows and indicator not in {i.key for i in plan.items.get("indicators", [])}:
        raise UsageError(
            f"--indicator {indicator}：不在本区计划中 | --indicator {indicator}: not in the plan"
        )
    part.figure = part.rows_sum
    check_cells(ws.root, part)
    return Trace("district", plan.district_name, p, indicator, name, part.figure,
                 part.signoff, [part])  # fmt: skip


def _check_sum(part: Part) -> None:
    total = part.rows_sum
    if part.figure is None and total is None:
        return
    if part.figure is None or total is None or Decimal(str(part.figure)) != Decimal(str(total)):
        part.findings.append(
            Refusal(
                Code.PKG_TRACE_DIFFERS,
                f"{part.code} long.csv",
                {"figure": part.figure, "rows": total, "variant": "sum"},
            )
        )


def check_cells(ws_root: Path, part: Part) -> None:
    """Each row's cell read from the archived return (``ws_root/archive``), the file's
    sha256 checked first: an altered file is reported, never read."""
    from tianbao.read.cellbase import col_number

    part.archive = str(ws_root)
    books: dict[str, Any] = {}
    for row in part.rows:
        place = f"{row.department} {row.sheet}!{row.cell}"
        if row.sha256 not in books:
            books[row.sha256] = _open_return(ws_root, row.sha256, place, row.findings)
        else:
            found = books[row.sha256]
            if isinstance(found, list):  # the same file's problem, at each of its rows
                row.findings += found
        book = books[row.sha256]
        if book is None or isinstance(book, list):
            continue
        sheet = book.sheet(row.sheet)
        ref = _REF.match(row.cell.replace("$", ""))
        if sheet is None or ref is None:
            why = f"{row.sheet}!{row.cell} 不在文件中 | not in the file"
            row.findings.append(Refusal(Code.PKG_TRACE_UNREADABLE, place, {"why": why}))
            continue
        at = (int(ref.group(2)) - 1, col_number(ref.group(1)) - 1)
        row.archived = sheet.value(*at)
        row.matches = same(row.value, row.archived, row.unit, at in sheet.percent_cells)
        if not row.matches:
            row.findings.append(
                Refusal(Code.PKG_TRACE_DIFFERS, place,
                        {"read": row.archived, "value": row.value, "variant": "cell"})
            )  # fmt: skip


def _open_return(ws_root: Path, sha256: str, place: str, findings: list[Refusal]) -> Any:
    """The archived return as read by the guarded reader, or None (findings say why)."""
    from tianbao.read import read_workbook_guarded

    folder = Path(ws_root, "archive", sha256[:2]) if _SHA.match(sha256) else None
    files = sorted(p for p in folder.glob(f"{sha256}*") if p.stem == sha256) if folder else []
    if not files:
        where = {"archive": str(Path(ws_root, "archive")), "sha256": sha256}
        findings.append(Refusal(Code.PKG_TRACE_MISSING, place, where))
        return None
    at = f"{place} {files[0].relative_to(ws_root).as_posix()}"
    if _archived(files[0], sha256, at, findings) is None:
        return None
    got = read_workbook_guarded(files[0])
    if got.book is None or got.sha256 != sha256:
        why = got.blocking[0].one_line() if got.blocking else "sha256"
        findings.append(Refusal(Code.PKG_TRACE_UNREADABLE, at, {"why": why}))
        return None
    return got.book


def _archived(path: Path, sha256: str, place: str, findings: list[Refusal]) -> bytes | None:
    """The bytes of an archived file when they are what was recorded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        findings.append(Refusal(Code.PKG_TRACE_UNREADABLE, place, {"why": exc.strerror}))
        return None
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        findings.append(
            Refusal(Code.PKG_TRACE_ALTERED, place, {"actual": actual, "sha256": sha256})
        )
        return None
    return data


def same(recorded: str, read: Any, unit: str = "", percent_cell: bool = False) -> bool:
    """The counted value (long-CSV text) and the cell's: equal as exact numbers, or the
    cell as validate reads it (a typed '12%' stored as 0.12, text digits) is the value."""
    from tianbao.validate.normalize import normalise

    n = number(recorded)
    if n is None:
        return recorded == ("" if read is None else str(read))
    exact = isinstance(read, (int, float)) and not isinstance(read, bool)
    if exact and n == Decimal(str(read)):
        return True
    got = normalise(read, {"type": "number"}, unit or None, percent_cell=percent_cell).value
    return isinstance(got, (int, float)) and not isinstance(got, bool) and n == Decimal(str(got))


def _archive_of(given: Path) -> tuple[str, Path]:
    """(district, folder holding archive/) of an --archive: a district's workspace, or
    CODE=FOLDER for a copy of a district's archive the city was given."""
    code, eq, folder = str(given).partition("=")
    if eq and code and folder and not given.exists():
        return code, Path(folder)
    return _district_code(given), given


def _district_code(ws: Path) -> str:
    """The district a workspace given with --archive belongs to (its plan's code)."""
    from tianbao.errors import TianbaoError, UsageError
    from tianbao.workspace import open_workspace

    try:
        plan = open_workspace(Path(ws)).plan
    except TianbaoError as exc:  # not a workspace at all: the user's mistake
        raise UsageError(
            f"--archive {ws}：不是区县工作区 | --archive {ws}: not a workspace"
        ) from exc
    if plan is None:
        raise UsageError(f"--archive {ws}：计划无法读取 | --archive {ws}: no readable plan")
    return plan.district_code
