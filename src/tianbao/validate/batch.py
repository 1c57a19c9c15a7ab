"""Validate many files on several processes, with the same results as serially.

Workers are forked from the parent, so they share its Validator (plan, forms,
compiled schemas) for free; each caps its own memory (``limit_process``) and
reads inline, being itself the guard. A worker that dies (a reader crash the
pre-scan did not foresee) or a file that takes too long breaks the pool: the
files it was holding are then validated one by one behind the per-file
subprocess guard, which turns the crash into a finding. Reports come back in
the order of the input.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

from tianbao.read.limits import Limits
from tianbao.read.workbook import limit_process
from tianbao.support import parallel
from tianbao.validate.engine import FileReport, Validator
from tianbao.validate.history import History


def default_jobs() -> int:
    return parallel.cores()


def validate_one(
    validator: Validator,
    path: Path,
    period: str | None = None,
    dept: str | None = None,
    history: History | None = None,
) -> FileReport:
    """``validator.validate`` of one file with its history (None: no previous return)."""
    if history is None:
        return validator.validate(path, period, dept)
    return validator.validate(path, period, dept, history.previous, history.months)


def validate_many(
    validator: Validator,
    files: list[Path],
    jobs: int,
    period: str | None = None,
    dept: str | None = None,
    previous: History | None = None,
    previous_of: Callable[[Path], History | None] | None = None,
) -> Iterator[FileReport]:
    """Yield one report per file, in input order; ``previous_of`` gives each file its
    own history (else ``previous`` is every file's)."""

    def prev(f: Path) -> History | None:
        return previous_of(f) if previous_of is not None else previous

    # one file: a one-off guarded subprocess; more: reuse workers, even with --jobs 1
    if len(files) <= 1 or not parallel.can_fork():
        for f in files:
            yield validate_one(validator, f, period, dept, prev(f))
        return
    worker = Validator(validator.ws, inline_read=True)

    def run(path: str, before: History | None) -> FileReport:
        report = validate_one(worker, Path(path), period, dept, before)
        # records hold plan and form objects: costly to send back, and the
        # command-line validation needs only the findings
        report.records = {}
        return report

    limits = Limits()
    for f, report in parallel.ordered(
        run,
        files,
        lambda f: (str(f), prev(f)),
        jobs,
        count=len(files),
        timeout=limits.time_seconds * 2,
        initializer=functools.partial(limit_process, limits),
    ):
        if report is parallel.FAILED:
            report = validate_one(validator, f, period, dept, prev(f))  # per-file guard
        yield report
