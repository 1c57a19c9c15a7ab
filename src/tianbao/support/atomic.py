"""Atomic output: a reader never sees half a file, and a failed write leaves the
previous file untouched."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

_UMASK_LOCK = threading.Lock()


def default_mode(target: Path | None = None) -> int:
    """The mode a plain ``open()`` would give a new file: 0666 less the umask.

    mkstemp creates its files 0600, which would leave the office's colleagues (and an
    auditor's group) unable to read a summary that an ordinary save lets them read. A file
    being replaced keeps the mode it had.
    """
    if target is not None:
        try:
            return os.stat(target).st_mode & 0o7777
        except OSError:
            pass
    with _UMASK_LOCK:  # umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then rename it over."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, default_mode(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
