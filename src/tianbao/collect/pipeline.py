"""``tianbao collect``: validate returned files and record them in the ledger.

Per file, in sorted order: read the bytes and hash them; the same bytes
recorded before → a duplicate, nothing written. Otherwise validate, with the
department's accepted return of the previous period from the ledger as
``previous`` (for the across-period rules), and put the bytes on the archive's
shelf. The returns made ready while the workers are ahead are recorded as a group
(``collect.grouped``): their archive files made durable first, then one
transaction that checks and inserts each submission with its values and
supersedes the older accepted return of the same department and period; each is
reported once that has committed. A run killed at any point leaves every committed
file complete and every reported one committed; running it again records the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.collect.grouped import MOST, PATIENCE, Group, Pending
from tianbao.collect.keycheck import until_verified
from tianbao.collect.previous import hint as _hint
from tianbao.collect.previous import ledger_lookup, validate_with_previous
from tianbao.collect.receipt import NOW, OPTION, Receipt
from tianbao.collect.result import ERROR as ERROR
from tianbao.collect.result import REFUSED as REFUSED
from tianbao.collect.result import CollectResult as CollectResult
from tianbao.collect.result import Refusal, duplicate, refused
from tianbao.collect.rounds import Round, as_json, issued_name, round_check
from tianbao.ledger.archive import sweep_temp
from tianbao.ledger.db import COUNTING, REJECTED, Ledger, NewSubmission
from tianbao.support.pausepoint import pause_point
from tianbao.workspace import Workspace

if TYPE_CHECKING:
    from tianbao.collect.previous import Lookup
    from tianbao.validate.engine import FileReport, Validator
    from tianbao.validate.history import History

COLLECT_VERSION = "1.0"


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files to collect, sorted: files as given, folders' spreadsheet-like files."""
    from tianbao.validate.inputs import input_files

    return input_files(list(paths), ("收取", "collect"))


def collect(
    ws: Workspace,
    paths: Iterable[Path],
    received_at: datetime | None = None,
    on_result: Callable[[CollectResult], None] | None = None,
    *,
    jobs: int = 1,
    keep_reports: bool = True,
    receipt: Receipt | None = None,
    round_: Round | None = None,
) -> list[CollectResult]:
    """Validate and record each file; ``on_result`` is called after each one.

    ``receipt`` says when each file came (``received_at``: one time for all, the
    older way to say it; neither: now). ``round_``: which period this is the
    round of, and whether past-period corrections are asked for.

    ``jobs`` > 1 validates ahead on forked worker processes, a few files at a
    time; the ledger is still written here, in sorted order (in groups of files
    of different departments, ``collect.grouped``), and a file whose previous-period
    return changed in the ledger since it was validated ahead (or whose identity is
    not what its name says) is validated again here, so the results are those of a
    serial run. ``on_result`` sees a file once its group has committed.
    ``keep_reports=False`` drops each result's FileReport once ``on_result``
    has seen it, so memory does not grow with the number of files.
    """
    round_ = round_ or Round()
    from tianbao.validate.engine import Validator

    files = collect_files(paths)
    validator = Validator(ws)
    if receipt is None:
        receipt = Receipt(OPTION if received_at else NOW, received_at or datetime.now(timezone.utc))
    sweep_temp(ws.root)
    results: list[CollectResult] = []

    def done(result: CollectResult) -> None:  # committed (or nothing to write): reported
        if on_result is not None:
            on_result(result)
        if not keep_reports:
            result.report = None
        results.append(result)
        if result.submission_id is not None and not result.duplicate:
            pause_point("between")

    with Ledger(ws.root) as ledger:
        lookup = ledger_lookup(ledger, ws.forms.values())
        group = Group(ledger, ws.root, done)

        def here(path: Path) -> _Ahead:
            hint = _hint(path.name)
            return _validate_ahead(validator, str(path), lookup(*hint) if hint else None)

        ahead_ = _validated_ahead(validator, ledger, files, jobs, idle=group.commit)
        for path, ahead in until_verified(ahead_, here, lambda a: a.report):
            step = _prepare(ws, ledger, lookup, validator, group, path, receipt, round_, ahead)
            group.add(step)
        group.commit()
    return results


@dataclass
class _Ahead:
    """A file validated on a worker: the previous records it was validated with,
    its report (without records) and what the ledger stores of them."""

    previous: History | None
    report: FileReport
    cells: tuple[tuple[str, str, str, str, str, str], ...]
    forms: tuple[str, ...]


def _validate_ahead(validator: Validator, path: str, previous: History | None) -> _Ahead:
    """On a worker: validate one file; its report without records, and its cells."""
    from tianbao.validate.batch import validate_one

    pause_point("validate")
    report = validate_one(validator, Path(path), history=previous)
    cells, forms = _cells(report), tuple(report.records)
    report.records = {}  # plan and form objects: costly to send back
    return _Ahead(previous, report, cells, forms)


def _validated_ahead(
    validator: Validator,
    ledger: Ledger,
    files: list[Path],
    jobs: int,
    idle: Callable[[], None] | None = None,
) -> Iterator[tuple[Path, _Ahead | None]]:
    """(file, its validation on a worker or None), in order, at most a group's worth
    of files ahead of the ledger writes; ``idle()`` before waiting for a worker."""
    import functools

    from tianbao.support import parallel

    # even one job validates on a forked worker: reading inline there (the worker is
    # the guard) costs far less than a guarded subprocess per file
    if len(files) <= 1 or not parallel.can_fork():
        for path in files:
            yield path, None
        return
    from tianbao.read.limits import Limits
    from tianbao.read.workbook import limit_process
    from tianbao.validate.engine import Validator

    worker = Validator(validator.ws, inline_read=True)
    lookup = ledger_lookup(ledger, validator.ws.forms.values())

    def run(path: str, previous: History | None) -> _Ahead:
        return _validate_ahead(worker, path, previous)

    def args(path: Path) -> tuple[str, History | None]:
        hint = _hint(path.name)  # the previous return as the ledger holds it now
        return str(path), lookup(*hint) if hint else None

    limits = Limits()
    for path, ahead in parallel.ordered(
        run,
        files,
        args,
        jobs,
        count=len(files),
        window=max(MOST, 4 * jobs),  # room for a group to form while the parent writes
        timeout=limits.time_seconds * 2,
        initializer=functools.partial(limit_process, limits),
        idle=idle,
        patience=PATIENCE,
    ):
        # a file its worker could not finish is validated here, behind the per-file guard
        yield path, None if ahead is parallel.FAILED else ahead


def _prepare(
    ws: Workspace,
    ledger: Ledger,
    lookup: Lookup,
    validator: Validator,
    group: Group,
    path: Path,
    receipt: Receipt,
    round_: Round,
    ahead: _Ahead | None = None,
) -> CollectResult | Pending:
    """One file up to its write: read, hashed, validated, checked and on the shelf (a
    ``Pending`` for the group to record), or a result that records nothing."""
    plan = ws.plan
    assert plan is not None
    read = _read(path, receipt, plan.tz)
    if isinstance(read, CollectResult):
        return read
    when, data, sha = read
    hinted = (_hint(path.name) or ("", ""))[0]
    group.settle(sha, hinted)  # what follows reads the ledger as a one-by-one run left it
    existing = ledger.by_sha256(sha)
    if existing is not None:
        if group.settle(existing.department):  # a held return of its department may
            existing = ledger.by_sha256(sha) or existing  # supersede it: said as it stands
        return duplicate(path, existing)
    report, ahead = validate_with_previous(lookup, validator, path, ahead)
    if report.department != hinted and group.settle(report.department):
        # its identity names a department of the group: validated again once that is recorded
        report, ahead = validate_with_previous(lookup, validator, path, ahead)
    if report.sha256 and report.sha256 != sha:
        return CollectResult(
            path,
            ERROR,
            sha256=sha,
            message=(
                "文件在收取过程中被修改，请重新收取 the file changed while it was being collected; "
                "collect it again"
            ),
        )
    cells = (ahead.cells, ahead.forms) if ahead is not None else None
    new = _new_submission(path, data, sha, "", when, report, cells, receipt.mode)
    refusal, _ = round_check(ledger, plan, new, round_)
    if refusal:  # refused before the file is archived
        return refused(path, new, refusal, report)
    if round_.department is not None:  # a web upload: the client's file name is none of ours
        new = replace(new, file_name=issued_name(plan, new.department, new.period) or path.name)
    archived = group.shelf.put(data, sha, path.suffix)

    def recheck(new: NewSubmission) -> NewSubmission:
        # again inside the write: a sign-off or another return may have come meanwhile
        refusal, correction = round_check(ledger, plan, new, round_)
        if refusal:
            raise Refusal(refusal)
        return replace(new, correction=correction)

    new = replace(new, archive_path=archived)
    return Pending(path, new, report, recheck, (sha, hinted, new.department))


def _read(path: Path, receipt: Receipt, tz: Any) -> tuple[str, bytes, str] | CollectResult:
    """(receipt time, bytes, sha256) of a file, or why it is not collected."""
    if path.is_symlink():  # never followed, never archived: it may point anywhere
        return CollectResult(
            path, ERROR, message="符号链接，不收取（请放入文件本身） a symbolic link: not collected"
        )
    when = receipt.for_file(path, tz)
    if when is None:
        return CollectResult(
            path,
            REFUSED,
            message="收到时间清单中没有这个文件，未收取 the manifest gives no receipt time for "
            "this file: not collected",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return CollectResult(path, ERROR, message=f"无法读取 cannot read: {exc.strerror or exc}")
    return when, data, hashlib.sha256(data).hexdigest()


def _cells(report: FileReport) -> tuple[tuple[str, str, str, str, str, str], ...]:
    """The values the ledger stores: (form, row key, field, JSON value, sheet, cell)."""
    return tuple(
        (form_id, row.key, name, _json(value), recs.sheet, row.cells.get(name, ""))
        for form_id, recs in report.records.items()
        for row in recs.rows
        for name, value in row.record.items()
    )


def _new_submission(
    path: Path,
    data: bytes,
    sha: str,
    archived: str,
    when: str,
    report: FileReport,
    cells_forms: tuple[tuple[Any, ...], tuple[str, ...]] | None = None,
    source: str = "",
) -> NewSubmission:
    """``cells_forms``: the cells and form ids of a report validated on a worker
    (whose records were not sent back); None: taken from ``report.records``."""
    from tianbao.findings import Severity
    from tianbao.report.validation_json import file_dict

    cells, forms = cells_forms or (_cells(report), tuple(report.records))
    status = report.status
    if status not in (*COUNTING, REJECTED):  # the engine's statuses; be strict about it
        raise ValueError(f"unexpected validation status {status!r}")
    return NewSubmission(
        sha256=sha,
        file_name=path.name,
        archive_path=archived,
        size=len(data),
        received_at=when,
        department=report.department,
        period=report.period,
        template_id=report.template_id,
        forms=forms,
        status=status,
        errors=report.count(Severity.ERROR),
        warnings=report.count(Severity.WARNING),
        notes=report.count(Severity.NOTE),
        report_json=json.dumps(file_dict(report), ensure_ascii=False, sort_keys=True),
        cells=tuple(cells),
        received_source=source,
    )


# json.dumps(value, ensure_ascii=False, default=str) without building an encoder
# for each of the hundreds of cells of every return
_json = as_json


def results_dict(
    results: list[CollectResult], files: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON of ``tianbao collect --json``; ``files``: the results' dicts, made
    beforehand (when the results' reports have since been dropped)."""
    from tianbao.collect.batch import CollectRun, with_batch

    new = [r for r in results if not r.duplicate and r.status not in (ERROR, REFUSED)]
    out = {
        "collect_version": COLLECT_VERSION,
        "ok": all(r.ok for r in results),
        "summary": {
            "files": len(results),
            "recorded": len(new),
            "duplicates": sum(r.duplicate for r in results),
            "errors": sum(r.status == ERROR for r in results),
            **{s: sum(r.status == s for r in new) for s in (*COUNTING, REJECTED)},
            "refused": sum(r.status == REFUSED for r in results),
        },
        "files": files if files is not None else [r.as_dict() for r in results],
    }
    run = results if isinstance(results, CollectRun) else None
    return with_batch(out, run.not_read, run.findings) if run is not None else out
