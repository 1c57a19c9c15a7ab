"""Run one call on untrusted input in a forked child with a time and memory cap.

The child runs ``initializer`` (the readers' memory cap) and then the call, and
sends back its result; a crash, a kill or the time limit become a ``Refused``
with the reason instead of taking the caller down. POSIX with fork only; where
there is none the call runs inline.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tianbao.support.parallel import can_fork


@dataclass(frozen=True)
class Refused:
    reason: str  # English, for logs and details


def call_guarded(
    fn: Callable[..., Any],
    *args: Any,
    time_seconds: float,
    initializer: Callable[[], None] | None = None,
) -> Any:
    """fn(*args) in a child, or Refused(reason)."""
    if not can_fork():  # pragma: no cover - Windows
        return fn(*args)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, initializer, send), daemon=True)
    proc.start()
    send.close()
    result: Any = Refused("the worker process died")
    try:
        if receive.poll(time_seconds):
            with contextlib.suppress(EOFError, OSError):
                result = receive.recv()
        else:
            result = Refused(f"time limit of {time_seconds:g} s reached")
    finally:
        receive.close()
        proc.join(timeout=5 if not isinstance(result, Refused) else 0.5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    code = proc.exitcode
    if isinstance(result, Refused) and code is not None and code < 0:
        timed_out = result.reason.startswith("time limit")
        result = Refused(
            (f"{result.reason}; " if timed_out else "")
            + f"the process was killed by signal {-code}"
            + (" (abort: memory allocation failed?)" if -code == 6 else "")
        )
    return result


def _child(fn: Callable[..., Any], args: tuple[Any, ...], init: Any, conn: Any) -> None:
    try:
        if init is not None:
            init()
        try:
            out: Any = fn(*args)
        except MemoryError:
            out = Refused("memory limit reached")
        except Exception as exc:  # untrusted input: any failure is a refusal
            out = Refused(f"{type(exc).__name__}: {exc}"[:300])
        conn.send(out)
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers of the parent's in a forked child
