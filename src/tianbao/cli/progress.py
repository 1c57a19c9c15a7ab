"""Progress bars for the long commands: on a terminal only.

A bar goes to stderr and disappears when the step ends (rich, transient). None when
either stream is piped or with ``--json``: a log or a script reading the output gets
no control characters.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

_LIVE: list[Any] = []  # the console of the bar now on screen (at most one)


def live_console() -> Any:
    """The console a live bar draws on, or None: a line printed meanwhile goes through
    it, above the bar (``cli.options.echo``)."""
    return _LIVE[-1] if _LIVE else None


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

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        from tianbao.support.lang import pick

        task = progress.add_task(pick(label), total=None)

        def tick(done: int, of: int) -> None:
            progress.update(task, completed=done, total=of or None)

        _LIVE.append(console)
        try:
            yield tick
        finally:
            _LIVE.pop()
