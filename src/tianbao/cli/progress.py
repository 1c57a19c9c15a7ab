"""Progress bars for the long commands: on a terminal only.

A bar goes to stderr and disappears when the step ends (rich, transient). None when
either stream is piped or with ``--json``: a log or a script reading the output gets
no control characters.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


def wanted(as_json: bool = False) -> bool:
    return not as_json and sys.stdout.isatty() and sys.stderr.isatty()


@contextlib.contextmanager
def bar(label: str, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """``with bar("审核 validating", wanted()) as tick: ... tick(done, total)``; a
    total of 0 or None draws a pulse until the step ends."""
    if not enabled:
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        from tianbao.support.lang import pick

        task = progress.add_task(pick(label), total=None)

        def tick(done: int, of: int) -> None:
            progress.update(task, completed=done, total=of or None)

        yield tick
