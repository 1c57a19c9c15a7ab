"""A large part of the summary's zip deflated on two threads.

Zipping the summary is the last thing it does, on one core, when the sheet
workers (``forked``) are done: a tenth of the summary's time, most of it
deflating 数据来源 and 重点项目. zlib lets go of the GIL while it deflates, so a
part of ``PARALLEL_FROM`` bytes or more is cut into ``CHUNK``-sized pieces that
two threads deflate at once (as pigz does): each piece deflated on its own with
the 32 KiB before it as its dictionary and ended on a byte boundary (a sync
flush), so the pieces one after the other are one deflate stream, the last
closed by an empty final block. The part's bytes are what they were; the zip's
bytes differ from a one-thread deflate's, and are the same on every run (the
pieces do not depend on timing).
"""

from __future__ import annotations

import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from tianbao.support.parallel import cores

CHUNK = 4 << 20  # bytes of a piece deflated on its own
PARALLEL_FROM = 2 * CHUNK  # a smaller part: deflated as zipfile does
_WINDOW = 32 << 10  # deflate's window: what a piece may refer back to
_AHEAD = 3  # pieces read and deflating at once (memory: that many pieces)


def worth_it(size: int) -> bool:
    return size >= PARALLEL_FROM and cores() > 1


class _Deflater:
    """zipfile's compressor for one part (``compress`` then ``flush``), handing each
    piece to the pool and giving back the deflated pieces in order."""

    def __init__(self, pool: ThreadPoolExecutor, level: int) -> None:
        self.pool, self.level = pool, level
        self.pending: deque[Future[bytes]] = deque()
        self.tail = b""  # the last _WINDOW bytes of the piece before

    def compress(self, data: Any) -> bytes:
        data = bytes(data)
        self.pending.append(self.pool.submit(_piece, data, self.tail, self.level))
        self.tail = data[-_WINDOW:]
        done = []
        while len(self.pending) >= _AHEAD:
            done.append(self.pending.popleft().result())
        return b"".join(done)

    def flush(self) -> bytes:
        done = [f.result() for f in self.pending]
        self.pending.clear()
        return b"".join(done) + zlib.compressobj(self.level, ZIP_DEFLATED, -15).flush()


def _piece(data: bytes, before: bytes, level: int) -> bytes:
    """One piece as raw deflate that goes on from ``before``, ending on a byte boundary
    (not the stream's end)."""
    c = (
        zlib.compressobj(level, ZIP_DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, before)
        if before
        else zlib.compressobj(level, ZIP_DEFLATED, -15)
    )
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


def write_part(zf: ZipFile, filename: str, arcname: str | None, level: int) -> None:
    """``zf.write(filename, arcname)`` deflated at ``level`` on two threads: the same
    entry (name, time, attributes, CRC, sizes) as zipfile writes, in pieces."""
    strict = getattr(zf, "_strict_timestamps", True)
    zinfo = ZipInfo.from_file(filename, arcname, strict_timestamps=strict)
    zinfo.compress_type = ZIP_DEFLATED
    zinfo._compresslevel = level  # type: ignore[attr-defined]
    with (
        ThreadPoolExecutor(2, thread_name_prefix="deflate") as pool,
        open(filename, "rb") as src,
        zf.open(zinfo, "w") as dest,
    ):
        dest._compressor = _Deflater(pool, level)  # type: ignore[attr-defined]
        while chunk := src.read(CHUNK):
            dest.write(chunk)
