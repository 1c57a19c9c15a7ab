"""Test-only pause points: a test stops a command at a chosen step, for sure.

``TIANBAO_PAUSE_AT=POINT:K:MARKER`` makes the process that reaches ``POINT``
for the K-th time write its pid to the file ``MARKER`` and wait there until it
is killed. A test waits for the marker, then kills: the kill lands at that
step however fast or slow the machine is, with no sleeps and no races.
Unset (always, outside tests) a pause point costs one environment lookup.

The points: ``validate`` (a worker validating a file), ``read`` (the guarded
reader's subprocess), ``archive`` (an archive temp file written, not yet
published), ``transaction`` (a submission inserted, not yet committed),
``between`` (a submission committed, the next not begun), ``write`` (an output file
written to its temporary name, not yet renamed: support.atomic).
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "TIANBAO_PAUSE_AT"
POINTS = ("validate", "read", "archive", "transaction", "between", "write")
_hits: Counter[str] = Counter()  # per process: a forked child starts from its parent's


def pause_point(name: str) -> None:
    """Pause here for good when the environment names this point and hit."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    point, _, rest = spec.partition(":")
    if point != name:
        return
    count, _, marker = rest.partition(":")
    _hits[name] += 1
    if not marker or _hits[name] != int(count):
        return
    tmp = f"{marker}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(str(os.getpid()))
    os.replace(tmp, marker)  # the marker appears whole
    while True:  # until the test kills us
        if hasattr(signal, "pause"):
            signal.pause()
        else:  # pragma: no cover - Windows
            time.sleep(3600)
