"""Exceptions for "could not run". Bad data in plans or returns is reported as
findings/problems, never raised.

Exit codes: 0 accepted, 1 rejected (or problems found), 2 a usage mistake,
3 an environment fault (disk full, read-only, no permission, a lost key)."""

from __future__ import annotations


class TianbaoError(Exception):
    """Base class: the CLI turns these into a one-line message and exit code 2."""

    exit_code = 2


class WorkspaceError(TianbaoError):
    """The workspace is missing or unusable (no plan file, unreadable forms...)."""


class UsageError(TianbaoError):
    """The command was asked for something that does not exist (unknown period...)."""


class EnvironmentFault(TianbaoError):
    """The machine, not the input: disk full, read-only, no permission, a lost key."""

    exit_code = 3


def fault_from(exc: BaseException) -> EnvironmentFault | None:
    """An OSError or SQLite error that is the machine's fault, said in one line."""
    import errno
    import sqlite3

    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc)
        for needle, zh in (
            ("disk is full", "磁盘已满"),
            ("readonly", "工作区只读"),
            ("read-only", "工作区只读"),
            ("unable to open", "无法打开台账"),
            ("disk I/O error", "磁盘读写错误"),
        ):
            if needle in text:
                return EnvironmentFault(f"{zh}：{text} (ledger: {text})")
        return None
    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    what = {
        errno.ENOSPC: "磁盘已满",
        errno.EDQUOT: "磁盘配额已满",
        errno.EROFS: "只读的磁盘或目录",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EIO: "磁盘读写错误",
    }.get(exc.errno)
    if what is None:
        return None
    where = f" {exc.filename}" if exc.filename else ""
    return EnvironmentFault(f"{what}{where}：{exc.strerror or exc} | {exc.strerror or exc}{where}")


def usage_from(exc: BaseException) -> UsageError | None:
    """A path mistake of the caller's (a folder under a file, a file where a folder
    belongs): one line and exit 2, not a traceback."""
    import errno

    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    zh = {
        errno.ENOTDIR: "路径中有一段是文件而不是目录",
        errno.EEXIST: "已有同名的文件",
        errno.EISDIR: "这是一个目录，不是文件",
        # a folder where no file can be made (/proc/self), a name the system refuses
        errno.ENOENT: "路径不存在，或不能在那里建文件",
        errno.ENAMETOOLONG: "文件名太长",
        errno.EINVAL: "系统不接受这个路径",
    }.get(exc.errno)
    if zh is None:
        return None
    where = f" {exc.filename}" if exc.filename else ""
    return UsageError(f"{zh}{where} | {exc.strerror or exc}{where}")
