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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import UsageError
from tianbao.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from tianbao.collect.pipeline import CollectResult
    from tianbao.consolidate import ConsolidateResult
    from tianbao.ledger.records import Submission
    from tianbao.ledger.status import StatusReport
    from tianbao.problems import Problem
    from tianbao.template.generate import Generated
    from tianbao.validate.engine import FileReport, Validator

Where = Path | str | Workspace


def workspace(where: Where) -> Workspace:
    """An open workspace, checked usable (its plan and forms load)."""
    ws = where if isinstance(where, Workspace) else open_workspace(Path(where))
    return ws.require_ok()


def day(text: str | dt.date | None, option: str = "--as-of") -> dt.date | None:
    """A date option (YYYY-MM-DD), or a usage error naming the option."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"无法识别的日期 {text!r} cannot read {option}; expected YYYY-MM-DD"
        ) from None


# -- init, check, generate ----------------------------------------------------------------
PLAN_WORKBOOK = "计划.xlsx"


def init(directory: Path | str, sample: str | None = None) -> Path:
    """A new workspace: an empty skeleton, or a copy of a sample (jiefang-2014) with
    its plan also as the plan workbook (计划.xlsx, what ``plan export`` writes)."""
    from tianbao.workspace import init_workspace

    root = init_workspace(Path(directory), sample)
    if sample is not None:  # the sample's plan, as it is (no workspace load, no cache)
        from tianbao.support.yamlio import load_yaml

        _plan_workbook(root / PLAN_WORKBOOK, load_yaml(root / "plan.yaml").data)
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
) -> list[Generated]:
    """Each department's standard workbook for ``period`` (last period's figures from
    the ledger; see ``template.generate.generate``); ``on_progress(done, total)``."""
    from tianbao.template.generate import generate as run

    return run(
        _opened(where),
        period,
        departments,
        out_dir,
        password,
        jobs=jobs,
        allow_missing_previous=allow_missing_previous,
        on_progress=on_progress,
    )


# -- validate ---------------------------------------------------------------------------
@dataclass
class Validation:
    """The reports of one ``validate`` run, in file order, and the validator that made
    them (the auditors' workbook reads its plan and forms)."""

    reports: list[FileReport]
    validator: Validator

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.reports)

    def as_dict(self) -> dict[str, Any]:
        """What ``validate --json`` prints."""
        from tianbao.report.validation_json import report_dict

        return report_dict(self.reports)

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
    from tianbao.collect.previous import ledger_lookup, validate_files_with_history
    from tianbao.ledger.db import Ledger
    from tianbao.validate.batch import validate_many
    from tianbao.validate.engine import Validator, input_files

    ws = workspace(where)
    assert ws.plan is not None
    period = str(ws.plan.period(period)) if period is not None else None
    dept = ws.plan.department_code(dept) if dept is not None else None
    files = input_files([Path(p) for p in paths], ("审核", "validate"))
    validator = Validator(ws)
    if previous is not None and Path(previous).is_dir():
        by_dept = _previous_returns(validator, Path(previous))
        reports = validate_files_with_history(
            validator, files, jobs, lambda d, _p: by_dept.get(d), period, dept, on_progress
        )
    elif previous is not None:
        one = _previous_returns(validator, Path(previous))
        prev = next(iter(one.values()))
        reports = _ticking(
            validate_many(validator, files, jobs, period, dept, prev), len(files), on_progress
        )
    elif history:
        with Ledger(ws, readonly=True) as ledger:
            lookup = ledger_lookup(ledger, ws.forms.values())
            reports = validate_files_with_history(
                validator, files, jobs, lookup, period, dept, on_progress
            )
    else:
        reports = _ticking(
            validate_many(validator, files, jobs, period, dept), len(files), on_progress
        )
    return Validation(reports, validator)


def _ticking(
    reports: Iterable[Any], total: int, on_progress: Callable[[int, int], None] | None
) -> list[Any]:
    """The reports as a list, calling ``on_progress(done, total)`` as each comes."""
    out: list[Any] = []
    for report in reports:
        out.append(report)
        if on_progress is not None:
            on_progress(len(out), total)
    return out


def _previous_returns(validator: Validator, where: Path) -> dict[str, dict[str, Any]]:
    """{department: records} of the returns in a file or folder given as the previous
    period's; one that cannot be read is a usage mistake, named."""
    from tianbao.validate.engine import expand_paths, records_by_key

    found: dict[str, dict[str, Any]] = {}
    for path in expand_paths([where]):
        report = validator.validate(path)
        if not report.records:
            raise UsageError(
                f"{path}: 上期报表无法读取 cannot use as previous period "
                f"({', '.join(f.code.value for f in report.findings[:3])})"
            )
        found[report.department] = records_by_key(report)
    if not found:
        raise UsageError(f"{where}: 没有上期报表 no previous-period returns there")
    return found


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
    jobs: int = 1,
    on_result: Callable[[CollectResult], None] | None = None,
    keep_reports: bool = True,
) -> list[CollectResult]:
    """Validate, archive and record returned files (see ``tianbao.collect.pipeline``).

    Receipt times: ``received_at`` for all, a ``manifest`` CSV per file, or
    ``received_from="mtime"``; ``period``: the round collected; ``corrections``:
    a past period's return may replace that period's accepted one."""
    from tianbao.collect.pipeline import collect as run
    from tianbao.collect.receipt import from_options
    from tianbao.collect.rounds import Round

    ws = workspace(where)
    assert ws.plan is not None
    receipt = from_options(received_at, manifest, received_from)
    round_ = Round(ws.plan.period(period) if period else None, corrections)
    return run(
        ws,
        [Path(p) for p in paths],
        None,
        on_result,
        jobs=jobs,
        keep_reports=keep_reports,
        receipt=receipt,
        round_=round_,
    )


def history(
    where: Where, period: str | None = None, department: str | None = None
) -> list[Submission]:
    """Every submission the ledger holds (any status), oldest receipt first: what came,
    when, what it replaced and what replaced it."""
    return history_log(where, period, department).submissions


@dataclass
class HistoryLog:
    """What an auditor asks for: every submission with the office's decisions on it,
    and every sign-off and withdrawal of the periods shown."""

    submissions: list[Submission]
    reviews: dict[int, list[dict[str, Any]]]  # submission id -> decisions, oldest first
    signoffs: list[dict[str, Any]]
    after_signoff: set[int]  # ids recorded after their period was signed off

    def as_dict(self) -> dict[str, Any]:
        return {
            "submissions": [
                {
                    **s.as_dict(),
                    "after_signoff": s.id in self.after_signoff,
                    "reviews": self.reviews.get(s.id, []),
                }
                for s in self.submissions
            ],
            "signoffs": self.signoffs,
        }


def history_log(
    where: Where, period: str | None = None, department: str | None = None
) -> HistoryLog:
    """``history`` with the transitions: reviews (who, when, why) and sign-offs."""
    from tianbao.ledger.db import Ledger

    ws = _opened(where)
    if period is not None and ws.plan is not None:
        period = str(ws.plan.period(period))
    if department is not None and ws.plan is not None:
        department = ws.plan.department_code(department)
    with Ledger(ws.root, readonly=True) as ledger:
        subs = ledger.history(department, period)
        reviews = {s.id: r for s in subs if (r := ledger.reviews(s.id))}
        periods = sorted({s.period for s in subs if s.period} | ({period} if period else set()))
        signoffs = [x for p in periods for x in ledger.signoffs(p)]
        upto = {p: ledger.signed_upto(p) for p in periods}
    after = {s.id for s in subs if (u := upto.get(s.period)) and s.id > u}
    return HistoryLog(subs, reviews, signoffs, after)


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
    data = None
    if where is not None:
        data = load_yaml(workspace(where).plan_path).data
    return _plan_workbook(out, data)


def _plan_workbook(out: Path, data: dict[str, Any] | None) -> Path:
    from tianbao.planbook.write import write_plan_workbook
    from tianbao.support.atomic import write_atomic

    write_atomic(out, lambda tmp: write_plan_workbook(tmp, data))
    return out


@dataclass
class PlanImport:
    """What ``plan import`` found and did. Nothing is written when ``problems`` is not
    empty or on a dry run."""

    workbook: Path
    problems: list[Problem]
    notes: list[Any]  # planbook.read.Note: cells read differently from how they were typed
    changes: list[Any]  # planbook.diff.Change against the previous plan
    written: Path | None = None
    backup: Path | None = None
    version_kept: bool = False  # rows changed but plan_version was not raised

    def as_dict(self) -> dict[str, Any]:
        return {
            "workbook": str(self.workbook),
            "ok": not self.problems,
            "problems": [p.as_dict() for p in self.problems],
            "notes": [vars(n) for n in self.notes],
            "changes": [c.as_dict() for c in self.changes],
            "written": str(self.written) if self.written else None,
            "backup": str(self.backup) if self.backup else None,
            "version_kept": self.version_kept,
        }


def plan_import(workbook: Path | str, where: Path | str, *, dry_run: bool = False) -> PlanImport:
    """Read the plan workbook, check it, and (when clean) make it the workspace's plan.yaml.

    The workspace must exist (``init`` first); its old plan need not be valid.
    """
    from tianbao.forms.load import locate
    from tianbao.plan.codes import PLAIN
    from tianbao.planbook.diff import plan_changes
    from tianbao.planbook.install import install_plan, plan_yaml
    from tianbao.planbook.read import import_plan_workbook
    from tianbao.problems import CheckCode
    from tianbao.problems import Problem as P
    from tianbao.support.yamlio import YamlProblem, load_yaml

    workbook = Path(workbook)
    root = Path(where)
    if not root.is_dir():
        raise UsageError(
            f"{root}: 工作区不存在：请先运行 tianbao init {root} | {root}: no workspace "
            f"there: run tianbao init {root} first"
        )
    if not workbook.is_file():
        raise UsageError(f"{workbook}: 文件不存在 file not found")
    ws = Workspace(root)
    got = import_plan_workbook(workbook)
    result = PlanImport(workbook, list(got.problems), list(got.notes), [])
    reporting = (got.read or {}).get("reporting")
    forms = reporting.get("forms") if isinstance(reporting, dict) else None
    cell = got.cells.get(("reporting", "forms"), "基本信息")
    for form_id in forms if isinstance(forms, list) else []:  # in the same pass as the rest
        if any(p.path == cell for p in result.problems) or not PLAIN.fullmatch(str(form_id)):
            continue  # that cell is reported already
        if locate(form_id, ws.forms_dir) is None:
            why = (f"报表“{form_id}”不存在：工作区 forms/ 中没有，也不是标准报表 | form "
                   f"“{form_id}” does not exist: not in forms/, not a standard one")  # fmt: skip
            result.problems.append(P(CheckCode.UNKNOWN_FORM, workbook.name, why, cell))
    if got.data is None or result.problems:
        return result
    try:
        old = load_yaml(ws.plan_path).data if ws.plan_path.exists() else None
    except YamlProblem:
        old = None  # a broken old plan: everything reads as added
    result.changes = plan_changes(old, got.data)
    if isinstance(old, dict) and result.changes:
        result.version_kept = old.get("plan_version") == got.data.get("plan_version")
    raw = plan_yaml(got.data, workbook.name)  # on a dry run too: it must read back
    if dry_run or old == got.data:  # the same plan: plan.yaml (and its comments) stay
        return result
    now = dt.datetime.now().astimezone()
    result.backup = install_plan(ws.plan_path, raw, now)
    result.written = ws.plan_path
    return result


# -- the office's review --------------------------------------------------------------
REVIEW_WORDS = {
    "return": "returned",
    "force": "forced",
    "approve": "approved",
    "reopen": "reopened",
}


@dataclass
class Reviewed:
    review_id: int
    action: str
    submission: Submission  # as it stands after the decision
    reason: str
    by: str
    at: str
    notice: Path | None = None  # 退回通知 written for a return sent back
    period_reopened: bool = False  # reopen of a signed-off period: its sign-off withdrawn

    def as_dict(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "period_reopened": self.period_reopened,
            "action": self.action,
            "reason": self.reason,
            "by": self.by,
            "at": self.at,
            "submission": self.submission.as_dict(),
            "notice": str(self.notice) if self.notice is not None else None,
        }


def review(
    where: Where,
    action: str,
    period: str,
    department: str,
    *,
    reason: str = "",
    by: str | None = None,
    submission: int | None = None,
    due: str | None = None,
    notice_dir: Path | None = None,
) -> Reviewed:
    """Record the office's decision on a return (append-only, with who, when, why):
    ``return`` (退回: it stops counting; reasons required), ``force`` (强制受理 of a
    rejected return: it counts; reasons required), ``approve`` (审核通过), ``reopen``
    (takes the last decision back; on a signed-off period, with reasons, withdraws the
    sign-off so that the department's correction can come in: it is then shown as
    更正·签发后). The target is the department's return that
    counts for the period (for force: its latest rejected one; for reopen: the one
    last decided on) unless ``submission`` names another.

    A return writes the 退回通知 for the department (``report.return_notice``) into
    ``notice_dir``, the corrected return due on ``due`` (ISO date)."""
    import getpass

    from tianbao.ledger.db import Ledger
    from tianbao.plan.clock import shown_zh

    what = REVIEW_WORDS.get(action)
    if what is None:
        raise UsageError(
            f"未知的审核操作 {action!r}（可用：{'、'.join(REVIEW_WORDS)}） | "
            f"unknown review action {action!r}: {', '.join(REVIEW_WORDS)}"
        )
    ws = workspace(where)
    assert ws.plan is not None
    p = str(ws.plan.period(period))
    dept = ws.plan.department_code(department)
    if what in ("returned", "forced") and not reason.strip():
        raise UsageError(
            f"{action} 须写明原因（--reason） | --reason is required to {action} a return"
        )
    who = by or getpass.getuser()
    now = dt.datetime.now(ws.plan.tz)
    at = now.isoformat(timespec="seconds")
    due_day = day(due, "--due") if what == "returned" else None
    with Ledger(ws.root) as ledger:
        signed = ledger.signed_off(p)
        if signed is not None:
            if what != "reopened":
                raise UsageError(
                    f"{p} 已于 {shown_zh(str(signed['at']), ws.plan.tz)} 由 {signed['by']} "
                    f"签发，不能再审核；如须更正，请先重新打开：tianbao review reopen -p {p} "
                    f'--dept {dept} --reason "…" | {p} was signed off by {signed["by"]}: '
                    f'reopen it first (tianbao review reopen -p {p} --dept {dept} --reason "…")'
                )
            return _reopen_signed(ledger, p, dept, reason.strip(), who, at)
        subs = ledger.history(dept, p)
        target = _review_target(ledger, subs, what, submission, dept, p)
        rid = ledger.add_review(target.id, what, reason.strip(), who, at)
        after = ledger.submission(target.id)
    assert after is not None
    written = None
    if what == "returned":
        from tianbao.report.notice import Returned
        from tianbao.report.return_notice import due_date, write_return_notice

        due_on = due_day or due_date(ws, p, now.date())
        returned = Returned(reason.strip(), who, now.date(), due_on)
        written = write_return_notice(ws, after, returned, notice_dir)
    return Reviewed(rid, what, after, reason.strip(), who, at, written)


def _reopen_signed(ledger: Any, period: str, dept: str, reason: str, who: str, at: str) -> Reviewed:
    """Withdraw a period's sign-off for one department's correction (reason required)."""
    if not reason:
        raise UsageError(
            "重新打开已签发的报告期须写明原因 --reason is required to reopen a signed-off period"
        )
    subs = ledger.history(dept, period)
    target = ledger.latest_accepted_of(dept, period) or (subs[-1] if subs else None)
    if target is None:
        raise UsageError(f"{dept} {period}: 没有报表 no return of theirs to reopen")
    ledger.add_signoff(period, "withdrawn", who, at, f"{dept}：{reason}")
    return Reviewed(0, "reopened", target, reason, who, at, period_reopened=True)


def signoff(
    where: Where, period: str, *, by: str | None = None, note: str = "", withdraw: bool = False
) -> dict[str, Any]:
    """Sign ``period`` off (签发): its figures stay put — collect refuses returns of it
    and the office's review of it is closed — until the sign-off is withdrawn (with a
    note saying why)."""
    import getpass

    from tianbao.ledger.db import Ledger

    ws = workspace(where)
    assert ws.plan is not None
    p = str(ws.plan.period(period))
    who = by or getpass.getuser()
    at = dt.datetime.now(ws.plan.tz).isoformat(timespec="seconds")
    with Ledger(ws.root) as ledger:
        current = ledger.signed_off(p)
        if withdraw:
            if current is None:
                raise UsageError(f"{p} 尚未签发 is not signed off")
            if not note.strip():
                raise UsageError("撤销签发须写明原因 --note is required to withdraw a sign-off")
            ledger.add_signoff(p, "withdrawn", who, at, note.strip())
        else:
            if current is not None:
                raise UsageError(
                    f"{p} 已于 {current['at']} 由 {current['by']} 签发 already signed off"
                )
            ledger.add_signoff(p, "signed", who, at, note.strip())
    return {"period": p, "signed": not withdraw, "by": who, "at": at, "note": note.strip()}


def _review_target(
    ledger: Any, subs: list[Submission], what: str, wanted: int | None, dept: str, period: str
) -> Submission:
    if wanted is not None:
        found = next((s for s in subs if s.id == wanted), None)
        if found is None:
            raise UsageError(f"#{wanted} 不是 {dept} {period} 的报表 is not a return of theirs")
    elif what == "forced":
        found = next((s for s in reversed(subs) if s.status == "rejected" and not s.counts), None)
    elif what == "reopened":  # the submission decided on last
        last = {s.id: r[-1]["id"] for s in subs if (r := ledger.reviews(s.id))}
        found = max((s for s in subs if s.id in last), key=lambda s: last[s.id], default=None)
    else:
        found = ledger.latest_accepted_of(dept, period)
    if found is None:
        raise UsageError(f"{dept} {period}: 没有可{_VERB[what]}的报表 no return to act on")
    if what == "forced" and found.status != "rejected":
        raise UsageError(f"#{found.id} 不是未通过的报表 only a rejected return can be forced")
    if what in ("returned", "approved") and not found.counts:
        raise UsageError(f"#{found.id} 不是计入的报表 only the counting return can be {what}")
    if what == "reopened" and not found.review:
        raise UsageError(f"#{found.id} 没有可撤销的审核决定 no decision to take back")
    return found


_VERB = {"returned": "退回", "forced": "强制受理", "approved": "审核通过", "reopened": "撤销决定"}


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
