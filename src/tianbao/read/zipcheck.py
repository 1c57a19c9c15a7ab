"""Stage 1 of the guard, the zip container, and reading its members with caps."""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib

from tianbao.findings import Code
from tianbao.read import xmlsafe
from tianbao.read.facts import (
    _READ_CHUNK,
    Package,
    Rel,
    _directory_size,
    _mib,
    _resolve,
    _Stop,
    _unsafe_name,
)
from tianbao.read.issues import issue, show
from tianbao.read.limits import Limits

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.READ_ENCRYPTED,
    Code.READ_ZIP_BOMB,
    Code.READ_TOO_MANY_ENTRIES,
    Code.READ_BAD_ZIP_NAME,
    Code.READ_CORRUPT_ZIP,
    Code.READ_XML_ENTITIES,
    Code.READ_XML_ERROR,
    Code.READ_MISSING_PART,
)


class ZipChecker:
    """The state the stages share; stage 1 (the zip container) and member reads."""

    def __init__(self, data: bytes, limits: Limits, pkg: Package) -> None:
        self.data, self.limits, self.pkg = data, limits, pkg
        self.zf: zipfile.ZipFile | None = None
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        self.by_lower: dict[str, zipfile.ZipInfo] = {}
        self.read_done: set[str] = set()
        self.inflated = 0
        self.sst_max = 0
        self.sst_part: str | None = None
        self.sst_count = 0  # string items in the table the reader uses
        self.case_reported: set[str] = set()
        self.rels_cache: dict[str, list[Rel]] = {}
        self.main = ""  # the workbook part
        self.related: list[Rel] = []  # the workbook's relationships inside the package
        self.types_default: dict[str, str] = {}
        self.types_override: dict[str, str] = {}

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()

    def add(self, code: Code, detail: str = "", part: str = "") -> None:
        self.pkg.issues.append(issue(code, detail, part))

    def stop_if_blocked(self) -> None:
        if self.pkg.blocked:
            raise _Stop

    def open_zip(self) -> None:
        entries, cd_size = _directory_size(self.data)
        if entries is None:
            self.add(Code.READ_CORRUPT_ZIP, "zip central directory not found (file truncated?)")
            raise _Stop
        if entries > self.limits.max_entries or cd_size > self.limits.max_entries * 1024:
            self.add(
                Code.READ_TOO_MANY_ENTRIES, f"{entries} entries (limit {self.limits.max_entries})"
            )
            raise _Stop
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(self.data))
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            struct.error,
            NotImplementedError,
            OverflowError,
            UnicodeDecodeError,
        ) as exc:
            self.add(Code.READ_CORRUPT_ZIP, f"zip directory unreadable: {exc}")
            raise _Stop from None

    def check_entries(self) -> None:
        assert self.zf is not None
        infos = self.zf.infolist()
        lim = self.limits
        if len(infos) > lim.max_entries:
            self.add(Code.READ_TOO_MANY_ENTRIES, f"{len(infos)} entries (limit {lim.max_entries})")
            raise _Stop
        unsafe, dup, enc, method, bombs = [], [], [], [], []
        total = 0
        for zi in infos:
            raw = zi.orig_filename
            if _unsafe_name(raw):
                unsafe.append(show(raw))
            if zi.filename in self.by_name or zi.filename.lower() in self.by_lower:
                dup.append(show(zi.filename))
            self.by_name[zi.filename] = zi
            self.by_lower[zi.filename.lower()] = zi
            if zi.flag_bits & 0x1:
                enc.append(show(zi.filename))
            if zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                method.append(f"{show(zi.filename)} (method {zi.compress_type})")
            total += zi.file_size
            bomb = _bomb(zi, lim)
            if bomb:
                bombs.append(bomb)
        if total > lim.max_total_uncompressed:
            bombs.append(
                f"all entries would expand to {_mib(total)} "
                f"(limit {_mib(lim.max_total_uncompressed)})"
            )
        for code, found, what in (
            (Code.READ_BAD_ZIP_NAME, unsafe, "unsafe member names"),
            (Code.READ_BAD_ZIP_NAME, dup, "duplicate member names"),
            (Code.READ_ENCRYPTED, enc, "encrypted zip members"),
            (Code.READ_CORRUPT_ZIP, method, "unsupported compression (Excel uses deflate)"),
            (Code.READ_ZIP_BOMB, bombs, "refusing suspected zip bomb"),
        ):
            if found:
                self.add(
                    code,
                    f"{what}: {', '.join(found[:5])}"
                    + (f" and {len(found) - 5} more" if len(found) > 5 else ""),
                )

    # -- reading members ------------------------------------------------------------------
    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The member named so. OPC compares part names case-insensitively, but
        LibreOffice does not: a name found only in another case blocks the file."""
        zi = self.by_name.get(name)
        if zi is not None:
            return zi
        zi = self.by_lower.get(name.lower())
        if zi is not None and name not in self.case_reported:
            self.case_reported.add(name)
            self.add(
                Code.READ_MISSING_PART,
                f"{show(name)} is in the file only as {show(zi.filename)} "
                "(letter case differs; LibreOffice cannot open it)",
            )
        return zi

    def read(self, zi: zipfile.ZipInfo, keep: bool = True) -> bytes:
        """Inflate one member with a cap; a bad CRC or a short stream stops the checks."""
        assert self.zf is not None
        cap = min(
            self.limits.max_entry_uncompressed, self.limits.max_total_uncompressed - self.inflated
        )
        whole = _inflate_whole(self.data, zi, cap)
        if whole is not None:  # what the loop below returns for this member, at C speed
            self.inflated += len(whole)
            self.read_done.add(zi.filename)
            return whole if keep else b""
        chunks: list[bytes] = []
        got = 0
        try:
            with self.zf.open(zi) as fh:
                while True:
                    chunk = fh.read(_READ_CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > cap:
                        self.add(Code.READ_ZIP_BOMB, f"inflates beyond {_mib(cap)}", zi.filename)
                        raise _Stop
                    if keep:
                        chunks.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            RuntimeError,
            struct.error,
        ) as exc:
            self.add(Code.READ_CORRUPT_ZIP, f"cannot inflate: {exc}", zi.filename)
            raise _Stop from None
        self.inflated += got
        self.read_done.add(zi.filename)
        return b"".join(chunks)

    def read_xml(self, zi: zipfile.ZipInfo, **handlers: object) -> bool:
        """Inflate and parse a small structural part; problems are recorded."""
        return self.parse_xml(self.read(zi), zi, **handlers)

    def parse_xml(self, data: bytes, zi: zipfile.ZipInfo, **handlers: object) -> bool:
        """Parse a part already inflated (read_xml's second half)."""
        try:
            xmlsafe.parse(data, **handlers)  # type: ignore[arg-type]
        except xmlsafe.XmlEntities as exc:
            self.add(Code.READ_XML_ENTITIES, str(exc), zi.filename)
            return False
        except xmlsafe.XmlBad as exc:
            self.add(Code.READ_XML_ERROR, str(exc), zi.filename)
            return False
        return True

    def rels(self, source: str) -> list[Rel]:
        """Relationships of a part ('' = the package), with targets resolved."""
        if source in self.rels_cache:
            return self.rels_cache[source]
        folder, base = posixpath.split(source)
        zi = self.find(posixpath.join(folder, "_rels", base + ".rels"))
        if zi is None:
            return []
        found: list[Rel] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            if xmlsafe.local(name) != "Relationship":
                return
            target = attrs.get("Target", "")
            external = attrs.get("TargetMode", "").lower() == "external"
            typ = attrs.get("Type", "").rstrip("/").rpartition("/")[2].lower()
            part = None if external else _resolve(folder, target)
            found.append(Rel(attrs.get("Id", ""), typ, target, external, part))

        self.read_xml(zi, start=start)
        self.rels_cache[source] = found
        return found

    def content_type(self, part: str) -> str:
        ct = self.types_override.get("/" + part.lower())
        if ct is None:
            ct = self.types_default.get(posixpath.splitext(part)[1].lstrip(".").lower(), "")
        return ct.lower()


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _inflate_whole(data: bytes, zi: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's content inflated in one call from the bytes in memory, or None
    when anything is unusual (then zipfile's reader decides, and says what is wrong).

    Only a member that zipfile would read without complaint passes: a local header
    that names it, no encryption or patch flags, stored or deflated, inflating to
    exactly its declared size within ``cap``, to the end of the stream, with its CRC.
    zipfile spends more time in Python per member than zlib spends inflating it."""
    span = _member_span(data, zi)
    if span is None or zi.file_size > cap:
        return None
    raw = data[span[0] : span[1]]
    if zi.compress_type == zipfile.ZIP_STORED:
        out = raw if zi.compress_size == zi.file_size else None
    else:
        out = _inflate(raw, zi.file_size)
    return out if out is not None and zlib.crc32(out) == zi.CRC else None


def _member_span(data: bytes, zi: zipfile.ZipInfo) -> tuple[int, int] | None:
    """(start, end) of a stored or deflated member's bytes, as zipfile finds them."""
    if zi.flag_bits & 0x61 or zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None  # encrypted, patched or strongly encrypted; another method
    off = zi.header_offset
    if off < 0 or off + _LOCAL_HEADER.size > len(data):
        return None
    head = _LOCAL_HEADER.unpack_from(data, off)
    if head[0] != b"PK\x03\x04":
        return None
    flags, name_len, extra_len = head[3], head[10], head[11]
    start = off + _LOCAL_HEADER.size
    try:
        name = data[start : start + name_len].decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    start += name_len + extra_len
    end = start + zi.compress_size
    limit = getattr(zi, "_end_offset", None)  # newer Pythons refuse overlapping members
    if name != zi.orig_filename or end > len(data) or (limit is not None and end > limit):
        return None
    return start, end


def _inflate(raw: bytes, size: int) -> bytes | None:
    """A raw deflate stream that ends and gives exactly ``size`` bytes, or None."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, size + 1)
    except zlib.error:
        return None
    return out if inflater.eof and len(out) == size else None


def _bomb(zi: zipfile.ZipInfo, lim: Limits) -> str:
    """What makes a member a suspected zip bomb: its size, or its compression ratio."""
    if zi.file_size > lim.max_entry_uncompressed:
        return f"{show(zi.filename)} would expand to {_mib(zi.file_size)}"
    if zi.file_size > lim.ratio_min_bytes and zi.file_size > lim.max_ratio * max(
        zi.compress_size, 1
    ):
        ratio = zi.file_size / max(zi.compress_size, 1)
        return f"{show(zi.filename)} expands {ratio:.0f}:1 to {_mib(zi.file_size)}"
    return ""
