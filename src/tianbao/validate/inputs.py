"""Which files a command validates: the paths given, folders walked for workbooks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".htm", ".html"}


def input_files(paths: list[Path], verb: tuple[str, str]) -> list[Path]:
    """The files a command works on, sorted: a missing path or nothing to work on is
    a usage mistake (exit 2) before any file is read. ``verb``: ("审核", "validate")."""
    from tianbao.errors import UsageError

    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise UsageError("文件不存在 no such file or folder: " + ", ".join(missing))
    files = sorted(set(expand_paths(paths)))
    if not files:
        raise UsageError(
            f"没有找到要{verb[0]}的文件：{', '.join(str(p) for p in paths)} | "
            f"no files to {verb[1]} in: {', '.join(str(p) for p in paths)}"
        )
    return files


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files as given; folders give their spreadsheet-like files, sorted, recursively.

    Linked folders are not entered (a department's zip may carry links to anywhere);
    a linked file is listed, and the reader refuses it (READ_SYMLINK)."""
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            found = []
            for folder, _dirs, names in os.walk(p, followlinks=False):
                for name in names:
                    f = Path(folder) / name
                    if f.suffix.lower() in XLSX_SUFFIXES and not name.startswith(("~$", ".")):
                        found.append(f)
            yield from sorted(found)
        else:
            yield p
