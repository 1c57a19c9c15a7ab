"""Form layouts checked once per change, not once per command.

Checking a layout and its record schema against their JSON Schemas took about a
fifth of a second of every command's start. A layout that passed leaves an empty
mark in the workspace's cache folder, named by a key over everything that
decides the check: the layout's bytes, its record schema's bytes, the layout
schema's bytes, tianbao's version and MARK_FORMAT (like the plan cache in
tianbao.plan.cache). Any edit misses and checks again. A mark holds no data, so
a forged one can only skip a check of files the office itself wrote; the form is
still built from the files. Every failure to read or write a mark is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from tianbao import __version__

MARK_FORMAT = 1
PREFIX = "form-checked-"


def mark_key(*parts: bytes) -> str:
    """sha256 over the length-prefixed parts, tianbao's version and MARK_FORMAT."""
    h = hashlib.sha256()
    for part in (*parts, __version__.encode(), str(MARK_FORMAT).encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _mark(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{PREFIX}{key}"


def was_checked(cache_dir: Path | None, key: str) -> bool:
    if cache_dir is None:
        return False
    try:
        return _mark(cache_dir, key).is_file()
    except OSError:
        return False


def mark_checked(cache_dir: Path | None, key: str) -> None:
    """Leave the mark; a read-only workspace or a full disk just checks next time."""
    if cache_dir is None:
        return
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        _mark(cache_dir, key).touch()
