"""One pool of forked worker processes for per-file work (generate, validate, collect).

Workers are forked, so they share what the parent has loaded (plan, forms,
compiled schemas) without pickling it: each pool's task travels to its own workers
in the fork (as the workers' start-up argument, never through a global of the
parent), so two pools, one after the other or on two threads of a server, never
run each other's task. The pool never starts more workers than there
are tasks or cores; each worker runs the caller's ``initializer`` (the
readers' memory cap) and dies
with its parent (Linux: PR_SET_PDEATHSIG), so a killed command leaves no
process behind. Results come back in input order; a task whose worker died,
raised or ran out of time comes back as ``FAILED`` for the caller to redo
behind its own guard. Teardown is graceful when every task finished (workers
take their sentinel and exit) and kills the workers first otherwise; in both
cases it waits for the pool's threads, so none writes to a closed pipe.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
FAILED: Any = object()  # a task that must be redone by the caller
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class _Work:
    """What a pool's workers run, fixed when the pool is made."""

    task: Callable[..., Any]
    parent: int  # the parent's pid: a worker that outlives it exits
    initializer: Callable[[], None] | None = None


# in a worker process only: its pool's work, set once as the worker starts (a worker
# serves one pool for its whole life); the parent never sets it
_WORKER: _Work | None = None


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - macOS, Windows


def workers_for(jobs: int, tasks: int) -> int:
    """The workers worth starting: at most one per task and one per core."""
    return max(1, min(jobs, tasks, cores()))


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this worker when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: rely on the pipe
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _start_worker(work: _Work) -> None:
    """In a new worker (forked, so ``work`` came along without pickling)."""
    global _WORKER
    _WORKER = work
    die_with_parent(work.parent)
    if work.initializer is not None:
        work.initializer()


def _run(args: tuple[Any, ...]) -> Any:
    assert _WORKER is not None
    try:
        return _WORKER.task(*args)
    except MemoryError:  # the caller redoes it behind its per-file guard
        raise RuntimeError("memory limit reached") from None


def ordered(
    task: Callable[..., Any],
    items: Iterable[T],
    args: Callable[[T], tuple[Any, ...] | None],
    jobs: int,
    *,
    count: int,
    window: int | None = None,
    timeout: float | None = None,
    initializer: Callable[[], None] | None = None,
    idle: Callable[[], None] | None = None,
    patience: float = 0.0,
) -> Iterator[tuple[T, Any]]:
    """Yield (item, task(*args(item)) or FAILED) in input order.

    ``args(item)`` is called when the item is sent to a worker, at most
    ``window`` items ahead of what the caller has taken (so it may read state
    the caller changed meanwhile); None there means the item is not sent and
    comes back FAILED. ``count`` is the number of items (for the number of
    workers); ``timeout`` bounds the wait for one result. After a worker died,
    the items not yet sent come back FAILED without being sent. ``idle()`` is called
    when the next result has not come within ``patience`` seconds, before waiting on
    (the caller's held-back work: collect commits the returns it has grouped).
    """
    workers = workers_for(jobs, count)
    window = window or 4 * workers
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(_Work(task, os.getpid(), initializer),),
    )
    pending: deque[tuple[T, Future[Any] | None]] = deque()
    source = iter(items)
    broken = False
    finished = False
    try:
        while True:
            while len(pending) < window:
                item = next(source, _END)
                if item is _END:
                    break
                fut: Future[Any] | None = None
                call = None if broken else args(item)
                if call is not None:
                    try:
                        fut = pool.submit(_run, call)
                    except BrokenProcessPool:
                        broken = True
                pending.append((item, fut))
            if not pending:
                finished = True
                return
            item, fut = pending.popleft()
            if fut is not None and idle is not None and not _comes(fut, patience):
                idle()
            result, broke = _wait(pool, fut, timeout)
            broken = broken or broke
            yield item, result
    finally:
        _close(pool, graceful=finished and not broken)


_END: Any = object()


def _comes(fut: Future[Any], within: float) -> bool:
    """Whether ``fut`` is done within ``within`` seconds."""
    return bool(concurrent.futures.wait([fut], timeout=within).done)


def _wait(
    pool: ProcessPoolExecutor, fut: Future[Any] | None, timeout: float | None
) -> tuple[Any, bool]:
    """(a task's result or FAILED, whether the pool is broken)."""
    if fut is None:
        return FAILED, False
    try:
        return fut.result(timeout=timeout), False
    except BrokenProcessPool:
        return FAILED, True
    except TimeoutError:  # a stuck worker: stop them all, the rest is redone
        _kill_workers(pool)
        return FAILED, True
    except Exception:  # memory, a bug in the task, cancelled: redone
        return FAILED, False


def _close(pool: ProcessPoolExecutor, *, graceful: bool) -> None:
    """Shut the pool down and wait for its threads; kill busy workers first
    unless every task has finished."""
    if not graceful:
        _kill_workers(pool)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        with contextlib.suppress(Exception):
            proc.kill()
