"""Test-only pause points: a test stops a command at a chosen step, for sure.

``TIANBAO_PAUSE_AT=POINT:K:MARKER`` makes the process that reaches ``POINT``
for the K-th time write its pid to the file ``MARKER`` and wait there until it
is killed, or resumed by SIGUSR1. A test waits for the marker, then kills (or
lets another process act and then resumes): the step lands exactly there however
fast or slow the machine is, with no sleeps and no races. Unset (always, outside
tests) a pause point costs one environment lookup.

The points: ``validate`` (a worker validating a file), ``read`` (the guarded
reader's subprocess), ``archive`` (an archive temp file written, not yet
published), ``transaction`` (a submission inserted, not yet committed),
``between`` (a submission committed and reported, the next not begun; of a group
recorded together, the later ones are committed too), ``checked`` (review or
sign-off: the checks done inside the write transaction, nothing written yet),
``decided`` (a review written and its notice drafted, not yet committed),
``busy`` (a write transaction found the ledger locked by another process and is
about to wait for it),
``write`` (an output file written to its temporary name, not yet renamed: support.atomic).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "TIANBAO_PAUSE_AT"
POINTS = (
    "validate", "read", "archive", "transaction", "between", "checked", "decided", "busy", "write"
)
_hits: Counter[str] = Counter()  # per process: a forked child starts from its parent's


def armed(name: str) -> bool:
    """Whether the environment names this point (a step may then take a path that can
    reach it, as a write that meets a lock does for ``busy``)."""
    spec = os.environ.get(ENV) or ""
    return spec.partition(":")[0] == name


def pause_point(name: str) -> None:
    """Pause here when the environment names this point and hit: until killed, or
    resumed by SIGUSR1."""
    spec = os.environ.get(ENV) or ""
    point, _, rest = spec.partition(":")
    if point != name:
        return
    count, _, marker = rest.partition(":")
    _hits[name] += 1
    if not marker or _hits[name] != int(count):
        return
    resumable = hasattr(signal, "pthread_sigmask") and hasattr(signal, "SIGUSR1")
    if resumable:  # blocked before the marker appears: a resume sent at once is not lost
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    tmp = f"{marker}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(str(os.getpid()))
    os.replace(tmp, marker)  # the marker appears whole
    if resumable:
        signal.sigwait({signal.SIGUSR1})
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
        return
    while True:  # pragma: no cover - Windows: until the test kills us
        time.sleep(3600)
