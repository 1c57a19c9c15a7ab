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

import multiprocessing
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from tianbao.read.limits import Limits
from tianbao.read.workbook import limit_process
from tianbao.validate.engine import FileReport, Validator

Previous = Mapping[str, Mapping[str, Mapping[str, Any]]] | None
_WORKER: Validator | None = None  # set in the parent before forking


def default_jobs() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def _run(path: str, period: str | None, dept: str | None, previous: Previous) -> FileReport:
    assert _WORKER is not None
    try:
        report = _WORKER.validate(Path(path), period, dept, previous)
        # records hold plan and form objects: costly to send back, and the
        # command-line validation needs only the findings
        report.records = {}
        return report
    except MemoryError:  # let the parent re-run it behind the per-file guard
        raise RuntimeError("memory limit reached") from None


def validate_many(
    validator: Validator,
    files: list[Path],
    jobs: int,
    period: str | None = None,
    dept: str | None = None,
    previous: Previous = None,
) -> Iterator[FileReport]:
    """Yield one report per file, in input order."""
    # one file: a one-off guarded subprocess; more: reuse workers, even with --jobs 1
    if len(files) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for f in files:
            yield validator.validate(f, period, dept, previous)
        return
    global _WORKER
    _WORKER = Validator(validator.ws, inline_read=True)
    limits = Limits()
    ctx = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=ctx, initializer=limit_process, initargs=(limits,)
    )
    try:
        futures: list[Future[FileReport]] = [
            pool.submit(_run, str(f), period, dept, previous) for f in files
        ]
        for f, fut in zip(files, futures, strict=True):
            try:
                report = fut.result(timeout=limits.time_seconds * 2)
            except (BrokenProcessPool, TimeoutError, RuntimeError, CancelledError):
                report = validator.validate(f, period, dept, previous)  # per-file guard
            yield report
    finally:
        for proc in list(getattr(pool, "_processes", {}).values()):
            if proc.is_alive():
                proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        _WORKER = None
