"""What a file really is, from its first bytes, before any parser sees it.

Clerks send whatever their system exported: old .xls files, HTML tables and
CSV text renamed to .xlsx, password-protected workbooks. The extension is never
trusted; the content decides, and only zip packages go on to the xlsx checks.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from tianbao.findings import Code
from tianbao.read.issues import ReadIssue, issue

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.READ_EMPTY_FILE,
    Code.READ_NOT_A_ZIP,
    Code.READ_ENCRYPTED,
    Code.READ_LEGACY_XLS,
    Code.READ_ODS,
    Code.READ_CSV_OR_TEXT,
    Code.READ_HTML,
    Code.READ_SPREADSHEETML_2003,
)

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"PK00PK\x03\x04")
# BIFF2-BIFF5 worksheets stored bare (no OLE container): BOF record ids
BIFF_BOFS = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")
HEAD_BYTES = 8192

_FREE = 0xFFFFFFFA  # sector ids at or above this are markers (end of chain, free...)
_MAX_DIR_SECTORS = 4096


@dataclass(frozen=True)
class Sniffed:
    """kind: 'zip' (go on with the package checks) or what was found instead."""

    kind: str
    issue: ReadIssue | None = None


def sniff(head: bytes, size: int, read_all: Callable[[], bytes]) -> Sniffed:
    """head: the first HEAD_BYTES of the file; read_all() returns all of it (CFB only)."""
    if size == 0:
        return Sniffed("empty", issue(Code.READ_EMPTY_FILE))
    if head.startswith(ZIP_MAGICS):
        return Sniffed("zip")
    if head.startswith(CFB_MAGIC):
        return _sniff_cfb(read_all())
    if head[:2] in BIFF_BOFS and 2 <= struct.unpack_from("<H", head, 2)[0] <= 32 and size > 4:
        return Sniffed("biff", issue(Code.READ_LEGACY_XLS, "BIFF2-5 worksheet (Excel 2.x-95)"))
    text = _as_text(head)
    if text is None:
        return Sniffed(
            "unknown",
            issue(Code.READ_NOT_A_ZIP, f"unrecognised binary, starts {head[:8].hex(' ')}"),
        )
    return _sniff_text(text)


def _as_text(head: bytes) -> str | None:
    """The head decoded, if the file looks like text in any common encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    sample = head[:4096]
    sample = sample[: len(sample) // 2 * 2]
    for zeros, chars, codec in (
        (sample[1::2], sample[0::2], "utf-16-le"),
        (sample[0::2], sample[1::2], "utf-16-be"),
    ):
        # UTF-16 without a byte order mark: every other byte is zero, the rest is text
        if chars and zeros.count(0) * 10 >= len(zeros) * 9 and _mostly_text(chars):
            return sample.decode(codec, "replace")
    if not _mostly_text(sample):
        return None
    try:
        return sample.decode("utf-8")
    except UnicodeDecodeError:
        return sample.decode("gb18030", "replace")


def _mostly_text(sample: bytes) -> bool:
    control = sum(1 for b in sample if b < 9 or (13 < b < 32 and b != 27))
    return control * 10 <= len(sample)


def _sniff_text(text: str) -> Sniffed:
    start = text.lstrip("\ufeff \t\r\n").lower()
    low = text.lower()
    if start.startswith("<"):
        if "<html" in low or start.startswith("<!doctype html") or start.startswith("<table"):
            return Sniffed("html", issue(Code.READ_HTML, _charset(low)))
        if 'progid="excel.sheet"' in low or "urn:schemas-microsoft-com:office:spreadsheet" in low:
            return Sniffed("spreadsheetml", issue(Code.READ_SPREADSHEETML_2003))
        if "urn:oasis:names:tc:opendocument" in low:
            return Sniffed("fods", issue(Code.READ_ODS, "flat XML OpenDocument (.fods)"))
        if "<table" in low or "<tr" in low:
            return Sniffed("html", issue(Code.READ_HTML, _charset(low)))
        return Sniffed("xml", issue(Code.READ_NOT_A_ZIP, "an XML or markup document"))
    if "<html" in low or "<table" in low:
        return Sniffed("html", issue(Code.READ_HTML, _charset(low)))
    return Sniffed("text", issue(Code.READ_CSV_OR_TEXT))


def _charset(low: str) -> str:
    at = low.find("charset=")
    if at < 0:
        return ""
    value = low[at + 8 : at + 40].strip("\"' ").split('"')[0].split("'")[0].split(">")[0]
    return f"charset {value.strip()}" if value.strip() else ""


def _sniff_cfb(data: bytes) -> Sniffed:
    """An OLE2 compound file: an encrypted OOXML package or a legacy binary document."""
    names = cfb_stream_names(data)
    if names is None:  # damaged directory: look for the stream names as UTF-16 text
        names = {n for n in _KNOWN_STREAMS if n.encode("utf-16-le") in data}
    lower = {n.lower() for n in names}
    if {"encryptioninfo", "encryptedpackage"} & lower:
        return Sniffed("cfb", issue(Code.READ_ENCRYPTED, "OLE2 container with EncryptionInfo"))
    if {"workbook", "book"} & lower:
        return Sniffed("cfb", issue(Code.READ_LEGACY_XLS, "OLE2 container with a Workbook stream"))
    if "worddocument" in lower:
        return Sniffed("cfb", issue(Code.READ_NOT_A_ZIP, "an old Word (.doc) document"))
    if "powerpoint document" in lower:
        return Sniffed("cfb", issue(Code.READ_NOT_A_ZIP, "an old PowerPoint (.ppt) document"))
    return Sniffed("cfb", issue(Code.READ_LEGACY_XLS, "OLE2 compound file without a known stream"))


_KNOWN_STREAMS = ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument")


def cfb_stream_names(data: bytes) -> set[str] | None:
    """Names in a compound file's directory, or None if the structure is damaged."""
    try:
        if len(data) < 512 or not data.startswith(CFB_MAGIC):
            return None
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            return None
        cfb = _Cfb(data, 1 << shift)
        return cfb.directory_names(cfb.fat()) or None
    except (struct.error, IndexError, ValueError):  # _Damaged is a ValueError
        return None


class _Damaged(ValueError):
    pass


class _Cfb:
    """The few structures of a compound file that name its streams."""

    def __init__(self, data: bytes, sector: int) -> None:
        self.data, self.sector = data, sector

    def block(self, s: int) -> bytes:
        off = (s + 1) * self.sector
        block = self.data[off : off + self.sector]
        if len(block) < self.sector:
            raise _Damaged(s)
        return block

    def ids(self, s: int) -> tuple[int, ...]:
        return struct.unpack(f"<{self.sector // 4}I", self.block(s))

    def fat(self) -> list[int]:
        n_fat = struct.unpack_from("<I", self.data, 44)[0]
        first_difat, n_difat = struct.unpack_from("<II", self.data, 68)
        fat_sectors = [s for s in struct.unpack_from("<109I", self.data, 76) if s < _FREE]
        s, hops = first_difat, 0
        while s < _FREE and hops < min(n_difat, 1024):
            ids = self.ids(s)
            fat_sectors += [x for x in ids[:-1] if x < _FREE]
            s, hops = ids[-1], hops + 1
        return [x for fs in fat_sectors[: max(n_fat, 1)] for x in self.ids(fs)]

    def directory_names(self, fat: list[int]) -> set[str]:
        names: set[str] = set()
        s, seen = struct.unpack_from("<I", self.data, 48)[0], set[int]()
        while s < _FREE and s not in seen and len(seen) < _MAX_DIR_SECTORS:
            seen.add(s)
            block = self.block(s)
            for e in range(0, self.sector, 128):
                name_len = struct.unpack_from("<H", block, e + 64)[0]
                if block[e + 66] in (1, 2, 5) and 2 <= name_len <= 64:
                    names.add(block[e : e + name_len - 2].decode("utf-16-le", "replace"))
            s = fat[s] if s < len(fat) else _FREE + 4
        return names
