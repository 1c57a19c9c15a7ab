"""Atomic output: a reader never sees half a file, and a failed write leaves the
previous file untouched."""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tianbao.support.pausepoint import pause_point

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


def write_atomic(target: Path, write: Callable[[Path], object], sweep: bool = True) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then rename it over.

    The temporary file's name holds the writer's pid (``.summary.<pid>-xxxx.tmp``): a
    process killed while writing cannot remove it, the next write of ``target`` does
    (``sweep``; a batch of writes to one folder lists it once: ``leftovers``).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if sweep:
        sweep_stale(target)
    prefix = f".{target.stem}.{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, default_mode(target))
        pause_point("write")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_STALE = re.compile(r"\.(?P<pid>[0-9]+)-[^.]*\.tmp")
LEGACY_STALE_SECONDS = 24 * 3600  # a temporary file named before the pid was in it


def leftovers(folder: Path) -> frozenset[str]:
    """The temporary files in ``folder`` now, listed once for a batch of writes there:
    sweeping each target's (a listing of the folder each) made writing N files O(N²)."""
    try:
        return frozenset(n for n in os.listdir(folder) if n[:1] == "." and n[-4:] == ".tmp")
    except OSError:
        return frozenset()


def has_leftovers(target: Path, names: frozenset[str]) -> bool:
    """Whether any of ``names`` (``leftovers``) may be a temporary file of ``target``."""
    stem = f".{Path(target).stem}."
    return any(n.startswith(stem) for n in names)


def sweep_stale(target: Path) -> list[Path]:
    """Remove the temporary files of ``target`` left by writers that are gone (killed,
    the machine switched off); those of a live writer stay. The ones removed."""
    removed = []
    stem = f".{target.stem}."
    for tmp in target.parent.glob(f"{glob.escape(stem)}*.tmp"):
        m = _STALE.fullmatch(tmp.name[len(stem) - 1 :])
        try:
            if m is not None:
                if _alive(int(m.group("pid"))):
                    continue
            elif time.time() - tmp.stat().st_mtime < LEGACY_STALE_SECONDS:
                continue
            tmp.unlink()
            removed.append(tmp)
        except OSError:  # gone already, or not ours to remove: left alone
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process (or no such number): not ours to judge
    return True


def write_json_atomic(target: Path, doc: dict[str, object]) -> bool:
    """``doc`` as compact UTF-8 JSON at ``target``, whole or not at all; False when it is not
    JSON (a lone surrogate, NaN) or cannot be written (read-only workspace, full disk, a file
    where the folder should be). For the caches: a write that fails is only a later miss."""
    try:
        data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        raw = data.encode("utf-8")
    except (TypeError, ValueError):
        return False
    try:
        write_atomic(target, lambda tmp: tmp.write_bytes(raw))
    except OSError:
        return False
    return True
