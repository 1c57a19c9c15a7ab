"""The archive of original bytes: ``WS/archive/<sha[:2]>/<sha256><suffix>``.

Content-addressed: a file's name is the sha256 of its bytes, so the same name
means the same bytes. Files are written once (temp file in the same folder,
fsync, hard-link to the final name, which never replaces an existing file,
fsync the folder) and never overwritten or deleted. ``collect`` stores a file
here before the ledger row that names it commits, so a committed row always
has its archive file; a run killed in between leaves at most an unreferenced
archive file (recorded on the next run) or a temp file (swept after a day).
``Shelf`` does the same for a group of files with two syncs for the group.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tianbao.ledger.db import LedgerError
from tianbao.support.atomic import default_mode
from tianbao.support.pausepoint import pause_point

ARCHIVE_DIR = "archive"
TEMP_PREFIX = ".incoming-"
TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 24 * 3600
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


def archive_name(sha256: str, suffix: str) -> str:
    """The archive path relative to the workspace, with '/' separators."""
    suffix = suffix.lower() if _SUFFIX.match(suffix) else ""
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}{suffix}"


def archive_file(ws_root: Path, relative: str) -> Path:
    return Path(ws_root).joinpath(*relative.split("/"))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store(ws_root: Path, data: bytes, sha256: str, suffix: str) -> str:
    """Archive ``data`` (whose sha256 the caller computed); return the relative path.

    Durable when it returns: the file and its folder entry are fsynced.
    """
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError("sha256 does not match the data")
    relative = archive_name(sha256, suffix)
    target = archive_file(ws_root, relative)
    if target.exists():
        _verify(target, sha256)
        return relative
    _make_dirs(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, default_mode())
        pause_point("archive")
        _publish(tmp, target, sha256)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return relative


class Shelf:
    """A group's archive files, made durable together before the ledger rows that name
    them commit: ``put`` writes each to a temp file; ``publish`` syncs the temp files,
    gives them their names (never replacing a file) and syncs the names. For two files
    or more, where Linux's syncfs is there, that is two syncs for the group instead of
    two fsyncs a file (one file, or no syncfs: an fsync for each file and folder, so a
    lone file does not wait for everything else written to the disk). A run killed
    before ``publish`` returns leaves temp files (swept) or archive files no row names
    yet (recorded on the next run), never a row without its file."""

    def __init__(self, ws_root: Path) -> None:
        self.root = Path(ws_root)
        self._temps: dict[Path, tuple[Path, str]] = {}  # final name -> (temp file, sha256)

    def put(self, data: bytes, sha256: str, suffix: str) -> str:
        """Write ``data`` to a temp file beside its archive name; return that name."""
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError("sha256 does not match the data")
        relative = archive_name(sha256, suffix)
        target = archive_file(self.root, relative)
        if target in self._temps:  # the same bytes twice in one group
            return relative
        if target.exists():
            _verify(target, sha256)
            return relative
        _make_dirs(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self._temps[target] = (Path(tmp_name), sha256)
        os.chmod(tmp_name, default_mode())
        pause_point("archive")
        return relative

    def publish(self) -> None:
        """Make every file put since the last publish durable under its archive name."""
        temps, self._temps = self._temps, {}
        if not temps:
            return
        together = len(temps) > 1 and _syncfs_call() is not None
        try:
            if together:  # the bytes, before any name points at them
                _syncfs(self.root)
            else:
                for tmp, _ in temps.values():
                    _fsync_file(tmp)
            for target, (tmp, sha256) in temps.items():
                _publish(tmp, target, sha256)
        finally:
            for tmp, _ in temps.values():
                tmp.unlink(missing_ok=True)
        if together:  # the names
            _syncfs(self.root)
        else:
            for folder in sorted({t.parent for t in temps}):
                _fsync_dir(folder)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # writable: Windows flushes only a file open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _syncfs_call() -> Callable[[int], int] | None:
    """libc's syncfs (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # pragma: no cover - a libc without it
        return None


def _syncfs(folder: Path) -> None:
    """Sync the file system that holds ``folder`` (all its files' data and names). A
    sync that fails raises: nothing may commit."""
    call = _syncfs_call()
    assert call is not None
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if call(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(folder))
    finally:
        os.close(fd)


def _publish(tmp: Path, target: Path, sha256: str) -> None:
    """Give ``tmp`` its final name without ever replacing an existing file."""
    try:
        os.link(tmp, target)  # fails if target exists: no overwrite, even in a race
    except FileExistsError:
        _verify(target, sha256)  # another run stored the same bytes first
    except OSError:  # no hard links here (some network or FAT file systems)
        if target.exists():
            _verify(target, sha256)
            return
        # same name = same bytes, so losing a race here replaces like with like
        os.replace(tmp, target)


def _verify(target: Path, sha256: str) -> None:
    if sha256_of(target) != sha256:
        raise LedgerError(
            f"{target}: 归档文件内容与其名称不符，不会覆盖，请检查 archive file does not match "
            "its name (sha256); it is never overwritten: check the archive"
        )


def _make_dirs(folder: Path) -> None:
    """Create the shard folder, fsyncing each parent whose entries changed."""
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir()
        _fsync_dir(d.parent)


def _fsync_dir(folder: Path) -> None:
    """fsync a folder so a new entry in it survives a crash (no-op where unsupported)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:  # Windows cannot open folders; its renames are journaled anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep_temp(ws_root: Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temp files a killed run left in the archive (older than ``older_than`` s).

    Only temp files: archived files are never deleted.
    """
    base = Path(ws_root) / ARCHIVE_DIR
    if not base.is_dir():
        return []
    now = time.time()
    removed = []
    for tmp in base.glob(f"*/{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def temp_files(ws_root: Path) -> list[Path]:
    """Temp files currently in the archive (a run in progress, or one killed)."""
    base = Path(ws_root) / ARCHIVE_DIR
    return sorted(base.glob(f"*/{TEMP_PREFIX}*{TEMP_SUFFIX}")) if base.is_dir() else []
