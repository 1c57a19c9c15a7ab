"""When each return was received: what lateness and "which version is newer" rest on.

The office says it one of four ways: ``--received-at`` for a whole batch (a time
without an offset is local), a manifest CSV ``file,received_at`` for mixed
arrivals (file: a name, or a path relative to the manifest), ``--received-from
mtime`` (each file's modification time, as the mail client saved it), or
nothing (now, once for the run). The ledger records the time, local with its
offset, and which of the four gave it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.plan.clock import receipt_iso

OPTION, MANIFEST, MTIME, NOW = "option", "manifest", "mtime", "now"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Receipt:
    mode: str = NOW
    at: dt.datetime | None = None  # OPTION, and NOW (fixed when the run starts)
    by_path: Mapping[str, dt.datetime] = field(default_factory=dict)  # MANIFEST
    by_name: Mapping[str, dt.datetime] = field(default_factory=dict)

    def for_file(self, path: Path, tz: dt.tzinfo) -> str | None:
        """The receipt time of ``path`` as the ledger stores it; None when the
        manifest does not name the file."""
        if self.mode == MTIME:
            try:
                stamp = path.lstat().st_mtime
            except OSError:
                return None
            return receipt_iso(dt.datetime.fromtimestamp(stamp, dt.timezone.utc), tz)
        if self.mode == MANIFEST:
            when = self.by_path.get(_key(path)) or self.by_name.get(path.name)
            return receipt_iso(when, tz) if when is not None else None
        assert self.at is not None
        return receipt_iso(self.at, tz)


def parse_time(text: str, what: str = "--received-at") -> dt.datetime:
    """ISO 8601 (2014-07-03T10:00, 2014-07-03 10:00:00+08:00, 2014-07-03)."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"无法识别的收到时间 {text!r}（{what}）：应为 2014-07-03T10:00 这样的时间 "
            f"cannot read {what}; expected ISO 8601 such as 2014-07-03T10:00"
        ) from None


def from_options(
    received_at: str | None, manifest: Path | None, received_from: str | None
) -> Receipt:
    given = [x for x in (received_at, manifest, received_from) if x is not None]
    if len(given) > 1:
        raise UsageError(
            "--received-at、--manifest、--received-from 只能选一个 "
            "give one of --received-at, --manifest, --received-from"
        )
    if received_at is not None:
        return Receipt(OPTION, parse_time(received_at))
    if manifest is not None:
        return read_manifest(manifest)
    if received_from is not None:
        if received_from != MTIME:
            raise UsageError(f"--received-from 只能是 mtime, not {received_from!r}")
        return Receipt(MTIME)
    return Receipt(NOW, dt.datetime.now(dt.timezone.utc))


def read_manifest(path: Path) -> Receipt:
    """The manifest's times; a bad line is a usage mistake naming its line."""
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise UsageError(f"{path}: 清单过大 manifest too large")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: 清单不存在 no such manifest") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: 清单须为 UTF-8 编码 the manifest must be UTF-8") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["file", "received_at"]:
        raise UsageError(
            f"{path}:1: 清单第一行应为 file,received_at | "
            f"{path}:1: the first line must be file,received_at"
        )
    by_path: dict[str, dt.datetime] = {}
    names: dict[str, list[dt.datetime]] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < 2 or not row[0].strip():
            raise UsageError(f"{path}:{n}: 应有两栏 file,received_at expected two columns")
        name, when = row[0].strip(), parse_time(row[1], f"{path.name} 第 {n} 行 line {n}")
        key = _key(path.parent / name)
        if key in by_path:
            raise UsageError(f"{path}:{n}: 文件 {name} 重复出现 listed twice")
        by_path[key] = when
        names.setdefault(Path(name).name, []).append(when)
    # a bare name finds a file anywhere in the batch, when only one entry has that name
    by_name = {k: v[0] for k, v in names.items() if len(v) == 1}
    return Receipt(MANIFEST, by_path=by_path, by_name=by_name)


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())
