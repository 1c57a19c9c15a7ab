"""The library face: what each ``tianbao`` command does, as a function that returns
its result (the command line only parses options and prints these).

    from tianbao import api
    run = api.validate_files("ws", ["returns/"], period="2014-06")
    run.valid, run.as_dict()

Usage mistakes raise ``UsageError`` (the command exits 2) before any file is
read; a fault of the machine raises ``EnvironmentFault`` (exit 3). Heavy
libraries are imported inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import UsageError
from tianbao.plan.clock import date_option
from tianbao.planbook.importing import PlanImport as PlanImport
from tianbao.planbook.importing import plan_import as plan_import

# the office's review room lives in tianbao.review; the face keeps its names
from tianbao.review.history import HistoryLog as HistoryLog
from tianbao.review.history import history_log as history_log
from tianbao.review.signoff import signoff as signoff
from tianbao.review.states import REVIEW_WORDS as REVIEW_WORDS
from tianbao.review.workflow import Reviewed as Reviewed
from tianbao.review.workflow import review as review
from tianbao.workspace import Workspace, open_workspace, usable

if TYPE_CHECKING:
    from tianbao.collect.batch import CollectRun
    from tianbao.collect.pipeline import CollectResult
    from tianbao.consolidate import ConsolidateResult
    from tianbao.ledger.records import CellValue, Submission
    from tianbao.ledger.status import StatusReport
    from tianbao.problems import Problem
    from tianbao.template.generate import Generated
    from tianbao.validate.engine import FileReport, Validator

Where = Path | str | Workspace


# the face's two helpers live in their rooms: a usable workspace, a date option
workspace = usable
day = date_option


def provenance(
    command: str, where: Where | None = None, period: str | None = None
) -> dict[str, Any]:
    """The head of every machine-readable output: which command (or page) made it,
    tianbao's version, when, and the plan and form versions in force for ``period``
    (``report.made.provenance``); ``--json`` starts with it, a web page can too."""
    from tianbao.report.made import provenance as head

    return head(command, where, period)


# -- init, check, generate ----------------------------------------------------------------
PLAN_WORKBOOK = "计划.xlsx"


def init(directory: Path | str, sample: str | None = None) -> Path:
    """A new workspace: an empty skeleton, or a copy of a sample (jiefang-2014) with
    its plan also as the plan workbook (计划.xlsx, what ``plan export`` writes)."""
    from tianbao.workspace import init_workspace

    root = init_workspace(Path(directory), sample)
    if sample is not None:  # the sample's plan, as it is (no workspace load, no cache)
        from tianbao.support.yamlio import load_yaml

        data = load_yaml(root / "plan.yaml").data
        _plan_workbook(root / PLAN_WORKBOOK, data, Workspace(root).forms_dir)
    return root


def check(root: Path | str) -> list[Problem]:
    """Every problem of the workspace's plan and forms, in file order."""
    from tianbao.check import check_workspace

    return check_workspace(Path(root))


def affected_templates(root: Path | str) -> list[Any]:
    """Periods whose issued templates came from an earlier plan revision, and which
    departments' pre-filled rows the current plan changed (check.Affected)."""
    from tianbao.check import affected_templates as affected

    return affected(Path(root))


def revision_notes(root: Path | str) -> list[str]:
    """What a dated plan revision means for the periods before it (check's notes)."""
    from tianbao.check import revision_notes as notes

    return notes(Path(root))


def generate(
    where: Where,
    period: str,
    departments: list[str] | None = None,
    out_dir: Path | None = None,
    password: str | None = None,
    jobs: int = 1,
    *,
    allow_missing_previous: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    missing_previous: str = "hold",  # hold | mark | blank
) -> list[Generated]:
    """Each department's standard workbook for ``period`` (last period's figures from
    the ledger, read here; see ``template.generate.generate``); ``on_progress(done, total)``."""
    from tianbao.ledger.previous import previous_returns
    from tianbao.template.generate import generate as run

    ws = _opened(where)
    return run(ws, period, departments, out_dir, password, jobs=jobs, on_progress=on_progress,
               allow_missing_previous=allow_missing_previous, missing_previous=missing_previous,
               previous_returns=lambda p, codes: previous_returns(ws.root, p, codes))  # fmt: skip


# -- validate ---------------------------------------------------------------------------
@dataclass
class Validation:
    """The reports of one ``validate`` run, in file order, and the validator that made
    them (the auditors' workbook reads its plan and forms)."""

    reports: list[FileReport]
    validator: Validator
    not_read: list[Any] = field(default_factory=list)  # collect.batch.Unread: not .xlsx

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.reports)

    def as_dict(self) -> dict[str, Any]:
        """What ``validate --json`` prints."""
        from tianbao.collect.batch import with_batch
        from tianbao.report.validation_json import report_dict

        return with_batch(report_dict(self.reports), self.not_read)

    def write_report(self, path: Path) -> None:
        """The auditors' workbook of these reports (``--report``)."""
        from tianbao.report.validation_xlsx import write_report

        write_report(self.reports, Path(path), self.validator)

    def annotate(self, folder: Path) -> list[Path]:
        """A copy of each return with its findings marked and a correction notice in
        front (``--annotate``); returns the files written."""
        from tianbao.report.annotate import annotate_all

        return annotate_all(self.reports, Path(folder), plan=self.validator.plan)


def validate_files(
    where: Where,
    paths: Iterable[Path | str],
    *,
    period: str | None = None,
    dept: str | None = None,
    previous: Path | None = None,
    history: bool = True,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> Validation:
    """Validate returned files or folders. ``period`` and ``dept`` are checked before
    any file is read (a mistyped one would otherwise reject every return).

    The across-period rules need each department's previous return: by default the
    one that counts in the ledger, as ``collect`` uses (so both give a file the same
    findings); ``previous``: a file (every file's) or a folder (each department's);
    ``history=False``: none (the rules are skipped, with a note). ``on_progress(done,
    total)`` after each file."""
    from tianbao.collect.batch import unread_files
    from tianbao.collect.previous import (
        ledger_lookup,
        previous_returns,
        ticking,
        validate_files_with_history,
    )
    from tianbao.ledger.db import Ledger
    from tianbao.validate.batch import validate_many
    from tianbao.validate.engine import Validator
    from tianbao.validate.history import History
    from tianbao.validate.inputs import input_files

    ws = workspace(where)
    assert ws.plan is not None
    period = str(ws.plan.period(period)) if period is not None else None
    dept = ws.plan.department_code(dept) if dept is not None else None
    files = input_files(given := [Path(p) for p in paths], ("审核", "validate"))
    validator = Validator(ws)
    if previous is not None and Path(previous).is_dir():
        by_dept = {d: History(r) for d, r in previous_returns(validator, Path(previous)).items()}
        reports = validate_files_with_history(
            validator, files, jobs, lambda d, _p: by_dept.get(d), period, dept, on_progress
        )
    elif previous is not None:
        one = previous_returns(validator, Path(previous))
        prev = History(next(iter(one.values())))
        reports = ticking(
            validate_many(validator, files, jobs, period, dept, prev), len(files), on_progress
        )
    elif history:
        with Ledger(ws, readonly=True) as ledger:
            lookup = ledger_lookup(ledger, ws.forms.values())
            reports = validate_files_with_history(
                validator, files, jobs, lookup, period, dept, on_progress
            )
    else:
        reports = ticking(
            validate_many(validator, files, jobs, period, dept), len(files), on_progress
        )
    return Validation(reports, validator, unread_files(given))


# -- collect, status, consolidate ---------------------------------------------------------
def collect(
    where: Where,
    paths: Iterable[Path | str],
    *,
    received_at: str | None = None,
    manifest: Path | None = None,
    received_from: str | None = None,
    period: str | None = None,
    corrections: bool = False,
    department: str | None = None,
    jobs: int = 1,
    on_result: Callable[[CollectResult], None] | None = None,
    keep_reports: bool = True,
) -> CollectRun:
    """Validate, archive and record returned files (see ``tianbao.collect.pipeline``).

    Receipt times: ``received_at`` for all, a ``manifest`` CSV per file, or
    ``received_from="mtime"``; ``period``: the round collected; ``corrections``:
    a past period's return may replace that period's accepted one; ``department``:
    a file whose identity names another department (or none) is refused."""
    from tianbao.collect.batch import CollectRun, unread_files
    from tianbao.collect.pipeline import collect as run
    from tianbao.collect.receipt import from_options
    from tianbao.collect.rounds import Round

    ws = workspace(where)
    assert ws.plan is not None
    receipt = from_options(received_at, manifest, received_from)
    round_ = Round(ws.plan.period(period) if period else None, corrections, department)
    results = run(ws, given := [Path(p) for p in paths], None, on_result, jobs=jobs,
                  keep_reports=keep_reports, receipt=receipt, round_=round_)  # fmt: skip
    return CollectRun(results, unread_files(given))  # with what the batch as a whole says


def history(
    where: Where, period: str | None = None, department: str | None = None
) -> list[Submission]:
    """Every submission the ledger holds (any status), oldest receipt first: what came,
    when, what it replaced and what replaced it."""
    return history_log(where, period, department).submissions


def values(where: Where, submission_id: int) -> list[CellValue]:
    """The values recorded from a return (sheet, cell, form, row key, field, value), in
    the order they were in the workbook; [] for no such return."""
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.records import LEDGER_FILE

    ws = _opened(where)
    if not (ws.root / ".tianbao" / LEDGER_FILE).exists():
        return []
    with Ledger(ws.root, readonly=True) as ledger:
        return ledger.values(submission_id)


# -- the plan as a workbook -------------------------------------------------------------
def plan_workbook(out: Path, where: Where | None = None) -> Path:
    """The plan workbook (one sheet per part of the plan): filled from the workspace's
    plan.yaml, or blank for a new office when ``where`` is None."""
    from tianbao.support.yamlio import load_yaml

    out = Path(out)
    if out.suffix.lower() != ".xlsx":  # plan.yaml given as OUT would be overwritten
        raise UsageError(
            f"{out}: 计划工作簿的文件名应以 .xlsx 结尾 | {out}: the plan workbook's name "
            "must end in .xlsx"
        )
    data, forms_dir = None, None
    if where is not None:
        ws = workspace(where)
        data, forms_dir = load_yaml(ws.plan_path).data, ws.forms_dir
    return _plan_workbook(out, data, forms_dir)


def _plan_workbook(out: Path, data: dict[str, Any] | None, forms_dir: Path | None) -> Path:
    from tianbao.planbook.forms import FormNames
    from tianbao.planbook.write import write_plan_workbook
    from tianbao.support.atomic import write_atomic

    forms = FormNames.of(forms_dir)
    write_atomic(out, lambda tmp: write_plan_workbook(tmp, data, forms))
    return out


def status(where: Where, period: str, as_of: str | dt.date | None = None) -> StatusReport:
    """Completeness and timeliness of ``period`` per department and form."""
    from tianbao.ledger.status import status as run

    when = day(as_of)
    return run(_opened(where), period, when)


def consolidate(
    where: Where,
    period: str,
    out: Path | None = None,
    csv: Path | None = None,
    as_of: str | dt.date | None = None,
) -> ConsolidateResult:
    """The district summary of ``period`` (and its long CSV when ``csv`` is given)."""
    from tianbao.consolidate import consolidate as run

    when = day(as_of)
    ws = _opened(where)
    out = Path(out) if out else ws.root / "outputs" / "summary" / f"{period}_汇总.xlsx"
    if csv is not None and _same_file(out, Path(csv)):
        raise UsageError(f"-o 与 --csv 是同一个文件 -o and --csv name the same file: {out}")
    return run(ws, period, out, csv, when)


def _opened(where: Where) -> Workspace:
    """The workspace as given; the function it is passed to checks it."""
    return where if isinstance(where, Workspace) else open_workspace(Path(where))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
