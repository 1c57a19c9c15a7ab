"""The checks that run before any spreadsheet parser sees a returned file.

Stage by stage, stopping at the first stage that finds a blocking problem:

1. the zip container: entry count from the end-of-central-directory record,
   then per entry (unsafe names, encryption flag, compression method, declared
   sizes, compression ratio);
2. the package: ODS/XLSB/Word packages, content types, the workbook part and
   its content type, macros;
3. the workbook structure: sheets, their relationships and part names;
4. the parts the reader will parse (styles, shared strings, every sheet), each
   inflated into memory with a cap (declared sizes are not trusted: zipfile
   stops at them and the CRC check catches a lie) and scanned without building
   a tree (`cells`); then every other entry inflated once to check its CRC.
   Peak memory is about the largest part, at most max_entry_uncompressed.

The result says which sheets exist, their state and part, and what the scans
found; `workbook.read_workbook` runs calamine only when nothing blocks.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from tianbao.read import cells, xmlsafe
from tianbao.read.issues import ReadCode, ReadIssue, issue, show
from tianbao.read.limits import Limits

MAIN_XLSX = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
MAIN_MACRO = {
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
    "application/vnd.ms-excel.addin.macroenabled.main+xml",
}
MAIN_XLSB = "application/vnd.ms-excel.sheet.binary.macroenabled.main"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
SHEET_KINDS = {
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlmacrosheet": "macrosheet",
    "xlintlmacrosheet": "macrosheet",
}
AUTO_NAMES = {"auto_open", "auto_close", "auto_activate", "auto_deactivate"}
PERCENT_BUILTIN = frozenset({9, 10})
_READ_CHUNK = 1 << 20


class _Stop(Exception):
    """A blocking problem: stop the checks here."""


@dataclass
class Rel:
    id: str
    type: str  # last path segment of the relationship type, lower case
    target: str
    external: bool
    part: str | None  # resolved part name; None if external or outside the package


@dataclass
class SheetEntry:
    name: str
    state: str  # visible | hidden | veryHidden
    kind: str  # worksheet | chartsheet | dialogsheet | macrosheet
    part: str  # the zip entry holding it ("" if missing)


@dataclass
class SheetFacts:
    """What the byte-level scan of one sheet part found."""

    root: str = "worksheet"
    cells: cells.CellScan = field(default_factory=cells.CellScan)


@dataclass
class Package:
    issues: list[ReadIssue] = field(default_factory=list)
    sheets: list[SheetEntry] = field(default_factory=list)
    date1904: bool = False
    custom_properties: dict[str, str] = field(default_factory=dict)
    facts: dict[str, SheetFacts] = field(default_factory=dict)  # by part name
    # parts whose error values calamine cannot parse: rewritten before it reads them
    patch_parts: set[str] = field(default_factory=set)

    @property
    def blocked(self) -> bool:
        return any(i.blocking for i in self.issues)


def inspect(data: bytes, limits: Limits) -> Package:
    """Everything we can learn about a zip-based file without a spreadsheet parser."""
    pkg = Package()
    checker = _Checker(data, limits, pkg)
    try:
        checker.run()
    except _Stop:
        pass
    finally:
        checker.close()
    return pkg


class _Checker:
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

    def add(self, code: ReadCode, detail: str = "", part: str = "") -> None:
        self.pkg.issues.append(issue(code, detail, part))

    def stop_if_blocked(self) -> None:
        if self.pkg.blocked:
            raise _Stop

    # -- stage 1: the zip container -------------------------------------------------
    def run(self) -> None:
        self.open_zip()
        self.check_entries()
        self.stop_if_blocked()
        self.package()
        self.stop_if_blocked()
        self.workbook()
        self.stop_if_blocked()
        self.scan_parts()
        self.verify_rest()

    def open_zip(self) -> None:
        entries, cd_size = _directory_size(self.data)
        if entries is None:
            self.add(ReadCode.CORRUPT_ZIP, "zip central directory not found (file truncated?)")
            raise _Stop
        if entries > self.limits.max_entries or cd_size > self.limits.max_entries * 1024:
            self.add(
                ReadCode.TOO_MANY_ENTRIES, f"{entries} entries (limit {self.limits.max_entries})"
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
            self.add(ReadCode.CORRUPT_ZIP, f"zip directory unreadable: {exc}")
            raise _Stop from None

    def check_entries(self) -> None:
        assert self.zf is not None
        infos = self.zf.infolist()
        lim = self.limits
        if len(infos) > lim.max_entries:
            self.add(ReadCode.TOO_MANY_ENTRIES, f"{len(infos)} entries (limit {lim.max_entries})")
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
            if zi.file_size > lim.max_entry_uncompressed:
                bombs.append(f"{show(zi.filename)} would expand to {_mib(zi.file_size)}")
            elif zi.file_size > lim.ratio_min_bytes and zi.file_size > lim.max_ratio * max(
                zi.compress_size, 1
            ):
                ratio = zi.file_size / max(zi.compress_size, 1)
                bombs.append(f"{show(zi.filename)} expands {ratio:.0f}:1 to {_mib(zi.file_size)}")
        if total > lim.max_total_uncompressed:
            bombs.append(
                f"all entries would expand to {_mib(total)} "
                f"(limit {_mib(lim.max_total_uncompressed)})"
            )
        for code, found, what in (
            (ReadCode.BAD_ZIP_NAME, unsafe, "unsafe member names"),
            (ReadCode.BAD_ZIP_NAME, dup, "duplicate member names"),
            (ReadCode.ENCRYPTED, enc, "encrypted zip members"),
            (ReadCode.CORRUPT_ZIP, method, "unsupported compression (Excel uses deflate)"),
            (ReadCode.ZIP_BOMB, bombs, "refusing suspected zip bomb"),
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
                ReadCode.MISSING_PART,
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
                        self.add(ReadCode.ZIP_BOMB, f"inflates beyond {_mib(cap)}", zi.filename)
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
            self.add(ReadCode.CORRUPT_ZIP, f"cannot inflate: {exc}", zi.filename)
            raise _Stop from None
        self.inflated += got
        self.read_done.add(zi.filename)
        return b"".join(chunks)

    def read_xml(self, zi: zipfile.ZipInfo, **handlers: object) -> bool:
        """Inflate and parse a small structural part; problems are recorded."""
        data = self.read(zi)
        try:
            xmlsafe.parse(data, **handlers)  # type: ignore[arg-type]
        except xmlsafe.XmlEntities as exc:
            self.add(ReadCode.XML_ENTITIES, str(exc), zi.filename)
            return False
        except xmlsafe.XmlBad as exc:
            self.add(ReadCode.XML_ERROR, str(exc), zi.filename)
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

    # -- stage 2: the package -------------------------------------------------------------
    def package(self) -> None:
        mimetype = self.find("mimetype")
        if (
            mimetype is not None
            and mimetype.file_size < 200
            and self.read(mimetype).strip().startswith(ODS_MIME)
        ):
            self.add(ReadCode.ODS, "zip with an OpenDocument spreadsheet mimetype")
            raise _Stop
        ct_part = self.find("[Content_Types].xml")
        if ct_part is None:
            if self.find("xl/workbook.bin"):
                self.add(ReadCode.XLSB, "xl/workbook.bin without content types")
            else:
                self.add(ReadCode.NOT_XLSX, _what_zip(self.by_name))
            raise _Stop

        def types(name: str, attrs: dict[str, str]) -> None:
            what = xmlsafe.local(name)
            if what == "Default" and "Extension" in attrs:
                self.types_default[attrs["Extension"].lower()] = attrs.get("ContentType", "")
            elif what == "Override" and "PartName" in attrs:
                name_ = unquote(attrs["PartName"]).lower()
                self.types_override[name_] = attrs.get("ContentType", "")

        if not self.read_xml(ct_part, start=types):
            raise _Stop
        office = [r for r in self.rels("") if r.type == "officedocument" and not r.external]
        self.stop_if_blocked()
        if not office or office[0].part is None:
            self.add(
                ReadCode.NOT_XLSX,
                "no workbook relationship in _rels/.rels "
                + (f"({_what_zip(self.by_name)})" if not office else "(target outside)"),
            )
            raise _Stop
        main = office[0].part
        zi = self.find(main)
        if zi is None:
            self.add(ReadCode.MISSING_PART, f"workbook part {show(main)} is not in the file")
            raise _Stop
        self.main = zi.filename
        ct = self.content_type(self.main)
        if ct == MAIN_XLSB or self.main.lower().endswith(".bin"):
            self.add(ReadCode.XLSB)
            raise _Stop
        if ct in MAIN_MACRO:
            self.add(ReadCode.MACRO_ENABLED, f"macro-enabled workbook content type {ct}")
        elif ct not in MAIN_XLSX:
            self.add(
                ReadCode.NOT_XLSX,
                f"workbook part content type is {ct or 'missing'}"
                + (f" ({_what_zip(self.by_name)})" if "word" in ct or "present" in ct else ""),
            )
            raise _Stop
        macro_parts = [
            name
            for name in self.by_name
            if name.lower().endswith("vbaproject.bin")
            or "vbaproject" in self.content_type(name)
            or "macrosheet" in self.content_type(name)
        ]
        if macro_parts:
            self.add(
                ReadCode.MACRO_ENABLED, f"macro parts: {', '.join(map(show, macro_parts[:3]))}"
            )

    # -- stage 3: the workbook structure ---------------------------------------------------
    def workbook(self) -> None:
        rels = self.rels(self.main)
        self.stop_if_blocked()
        by_id = {r.id: r for r in rels}
        sheets: list[tuple[str, str, str]] = []  # name, state, rid
        names: list[str] = []
        external_refs = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal external_refs
            what = xmlsafe.local(name)
            if what == "sheet":
                sheets.append(
                    (
                        attrs.get("name", ""),
                        attrs.get("state", "visible"),
                        xmlsafe.attr_local(attrs, "id") or "",
                    )
                )
            elif what == "workbookPr":
                self.pkg.date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true")
            elif what == "definedName":
                names.append(attrs.get("name", ""))
            elif what == "externalReference":
                external_refs = True

        if not self.read_xml(self.find(self.main), start=start):  # type: ignore[arg-type]
            raise _Stop
        if any(n.lower().removeprefix("_xlnm.") in AUTO_NAMES for n in names):
            self.add(ReadCode.MACRO_ENABLED, "defined name Auto_Open/Auto_Close (macro trigger)")
        if any(r.type in ("vbaproject", "xlmacrosheet", "xlintlmacrosheet") for r in rels):
            self.add(
                ReadCode.MACRO_ENABLED, "workbook relationship to a VBA project or macro sheet"
            )
        links = [r for r in rels if r.type in ("externallink", "connections")]
        if external_refs or links:
            self.add(
                ReadCode.EXTERNAL_LINKS, f"{len(links)} external link or data connection part(s)"
            )
        if len(sheets) > self.limits.max_sheets:
            self.add(
                ReadCode.TOO_MANY_SHEETS, f"{len(sheets)} sheets (limit {self.limits.max_sheets})"
            )
            raise _Stop
        seen: dict[str, str] = {}
        dups: list[str] = []
        for name, _, _ in sheets:
            key = name.casefold()
            if key in seen:
                dups.append(f"{show(seen[key])} / {show(name)}")
            seen.setdefault(key, name)
        if dups:
            self.add(ReadCode.DUPLICATE_SHEET_NAME, "; ".join(dups[:5]), self.main)
        targets: dict[str, str] = {}
        for name, st, rid in sheets:
            rel = by_id.get(rid)
            where = f"sheet {show(name)}"
            if rel is None:
                self.add(
                    ReadCode.BAD_RELATIONSHIP, f"{where}: no relationship {show(rid)}", self.main
                )
                continue
            kind = SHEET_KINDS.get(rel.type)
            if kind is None:
                self.add(
                    ReadCode.BAD_RELATIONSHIP,
                    f"{where}: relationship type {show(rel.type)} is not a sheet",
                    self.main,
                )
                continue
            if rel.external or rel.part is None:
                self.add(
                    ReadCode.BAD_RELATIONSHIP,
                    f"{where} points outside the package: {show(rel.target)}",
                    self.main,
                )
                continue
            zi = self.find(rel.part)
            if zi is None:
                self.add(
                    ReadCode.MISSING_PART,
                    f"{where}: {show(rel.part)} is not in the file",
                    self.main,
                )
                continue
            if zi.filename == self.main or zi.filename in targets:
                other = (
                    "the workbook itself"
                    if zi.filename == self.main
                    else (f"sheet {show(targets[zi.filename])}")
                )
                self.add(
                    ReadCode.BAD_RELATIONSHIP,
                    f"{where} points at the same part as {other}: {show(zi.filename)}",
                    self.main,
                )
                continue
            targets[zi.filename] = name
            if kind == "macrosheet":
                self.add(ReadCode.MACRO_ENABLED, f"{where} is an Excel 4.0 macro sheet")
            self.pkg.sheets.append(SheetEntry(name, st, kind, zi.filename))
        self.related = [r for r in rels if not r.external and r.part]

    # -- stage 4: the parts the reader parses ------------------------------------------------
    def scan_parts(self) -> None:
        lim = self.limits
        pct = self.styles()
        sst_max, sst_part = self.shared_strings()
        self.sst_max, self.sst_part = sst_max, sst_part
        total_cells = 0
        text = 0
        for entry in self.pkg.sheets:
            parts = [entry.part, *self.alternates(entry.part)]
            for part in parts:
                if part in self.pkg.facts:
                    continue
                facts = self.sheet(part, entry.name, pct)
                if facts is None:
                    continue
                self.pkg.facts[part] = facts
                if facts.root == "macrosheet":
                    self.add(
                        ReadCode.MACRO_ENABLED,
                        f"sheet {show(entry.name)} is an Excel 4.0 macro sheet",
                        part,
                    )
                elif facts.root != entry.kind and part == entry.part:
                    self.add(
                        ReadCode.BAD_RELATIONSHIP,
                        f"sheet {show(entry.name)} is a <{facts.root}>, not a {entry.kind}",
                        part,
                    )
                c = facts.cells
                grid = (c.max_row + 1) * (c.max_col + 1) if c.max_row >= 0 else 0
                total_cells += grid
                text += c.s_cells * sst_max
        if total_cells > lim.max_total_cells and not any(
            i.code == ReadCode.SHEET_TOO_LARGE for i in self.pkg.issues
        ):
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"all sheets together span {total_cells:,} cells (limit {lim.max_total_cells:,})",
            )
        if text > lim.max_text_bytes:
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"shared text would expand to {_mib(text)} (limit {_mib(lim.max_text_bytes)})",
                sst_part or "",
            )
        self.custom_properties()

    def alternates(self, part: str) -> list[str]:
        """Where a reader that assumes an xl/ folder might look for the same target."""
        out = []
        rel = part.split("/", 1)[1] if "/" in part else part
        for alt in (f"xl/{rel}", f"xl/worksheets/{posixpath.basename(part)}"):
            zi = self.by_name.get(alt) or self.by_lower.get(alt.lower())  # a probe, no finding
            if zi is not None and zi.filename != part and alt != part:
                out.append(zi.filename)
        return out

    def styles(self) -> frozenset[int]:
        rel = next((r for r in self.related if r.type == "styles" and r.part), None)
        zi = self.find(rel.part) if rel and rel.part else self.find("xl/styles.xml")
        if zi is None:
            return frozenset()
        formats: dict[int, str] = {}
        xfs: list[int] = []
        depth = {"cellXfs": 0}
        limit = self.limits.max_cell_xfs

        class TooMany(Exception):
            pass

        def start(name: str, attrs: dict[str, str]) -> None:
            what = xmlsafe.local(name)
            if what == "numFmt":
                fid = attrs.get("numFmtId", "")
                if fid.isdigit():
                    formats[int(fid)] = attrs.get("formatCode", "")
            elif what == "cellXfs":
                depth["cellXfs"] += 1
            elif what == "xf" and depth["cellXfs"]:
                fid = attrs.get("numFmtId", "0")
                xfs.append(int(fid) if fid.isdigit() else 0)
                if len(xfs) > limit:
                    raise TooMany

        def end(name: str) -> None:
            if xmlsafe.local(name) == "cellXfs":
                depth["cellXfs"] -= 1

        try:
            self.read_xml(zi, start=start, end=end)
        except TooMany:
            self.add(
                ReadCode.STYLES_TOO_LARGE,
                f"more than {limit:,} cell formats (cellXfs)",
                zi.filename,
            )
            return frozenset()
        percent = {fid for fid, code in formats.items() if is_percent_format(code)}
        percent |= PERCENT_BUILTIN - formats.keys()
        return frozenset(i for i, fid in enumerate(xfs) if fid in percent)

    def shared_strings(self) -> tuple[int, str | None]:
        """(bytes of the longest string item, part) of the shared string table."""
        parts = [r.part for r in self.related if r.type == "sharedstrings" and r.part]
        parts.append("xl/sharedStrings.xml")
        found = [zi for zi in (self.find(p) for p in parts if p) if zi is not None]
        longest, first = 0, None
        for zi in {z.filename: z for z in found}.values():
            buf = self.read(zi)
            longest = max(longest, self.scan_sst(buf, zi.filename))
            if first is None:
                first = zi.filename
                self.sst_count = _count_items(buf)
        return longest, first

    def scan_sst(self, buf: bytes, part: str) -> int:
        lim = self.limits
        root = self.check_big_xml(buf, part, "sst")
        if root is None:
            return 0
        # calamine reserves room for uniqueCount strings up front: 2e9 aborts the process
        attrs = xmlsafe.root_tag(buf)[1]
        m = re.search(rb"(?:^|\s)(?:[^\s=:]+:)?uniqueCount\s*=\s*[\"']\s*(\d+)", attrs)
        declared = (int(m.group(1)) if len(m.group(1)) < 19 else cells.HUGE) if m else 0
        n_si = _count_items(buf)
        if max(declared, n_si) > lim.max_shared_strings:
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"shared string table declares {max(declared, n_si):,} strings "
                f"(limit {lim.max_shared_strings:,})",
                part,
            )
            return 0
        if n_si == buf.count(b"<si>"):
            longest = max(map(len, buf.split(b"<si>")[1:]), default=0)
        else:
            longest = max(map(len, re.split(rb"<(?:[^\s<>/=:]+:)?si[\s>/]", buf)[1:]), default=0)
        self.long_text(buf, 0, len(buf), part, "a shared string")
        return longest

    def check_big_xml(self, buf: bytes, part: str, expect: str | None) -> str | None:
        """Root, DTD, truncation and illegal characters of a part scanned as bytes."""
        try:
            root = xmlsafe.root_element(buf)
            if expect and root != expect:
                self.add(ReadCode.XML_ERROR, f"root element is <{root}>, expected <{expect}>", part)
                return None
            xmlsafe.check_closed(buf, root)
        except xmlsafe.XmlEntities as exc:
            self.add(ReadCode.XML_ENTITIES, str(exc), part)
            return None
        except xmlsafe.XmlBad as exc:
            self.add(ReadCode.XML_ERROR, str(exc), part)
            return None
        bad = xmlsafe.illegal_char_at(buf)
        if bad >= 0:
            self.add(
                ReadCode.XML_ERROR,
                f"control character 0x{buf[bad]:02x} not allowed in XML" + _near_cell(buf, bad),
                part,
            )
            return None
        # calamine reads a part by local names and forgives what is not XML (two
        # attributes of one name, tags that do not match); LibreOffice and Excel
        # drop such rows or refuse the file. Only well-formed parts are read.
        try:
            declared = xmlsafe.well_formed(buf)
        except xmlsafe.XmlEntities as exc:
            self.add(ReadCode.XML_ENTITIES, str(exc), part)
            return None
        except xmlsafe.XmlBad as exc:
            self.add(ReadCode.XML_ERROR, f"not well-formed XML: {exc}", part)
            return None
        foreign = _foreign_namespace(buf, declared)
        if foreign:
            self.add(ReadCode.XML_ERROR, foreign, part)
            return None
        return root

    def long_text(self, buf: bytes, start: int, end: int, part: str, what: str) -> None:
        """CELL_TOO_LONG for a text node above Excel's limit on one cell.

        A run of more than `limit` bytes without '<' covers a whole aligned window
        of half that size, so one memchr-speed find per window finds candidates.
        """
        limit = self.limits.max_cell_chars
        window = (limit + 1) // 2
        p = start
        while p < end:
            if buf.find(b"<", p, min(p + window, end)) >= 0:
                p += window
                continue
            lt, gt = buf.rfind(b"<", start, p), buf.rfind(b">", start, p)
            stop = buf.find(b"<", p, end)
            stop = end if stop < 0 else stop
            if gt > lt and stop - gt - 1 > limit:  # a text node, not a tag's attributes
                text = buf[gt + 1 : stop].decode("utf-8", "replace")
                chars = len(text) - sum(len(r) - 1 for r in re.findall(r"&#?\w{1,8};", text))
                if chars > limit and text.strip():
                    self.add(
                        ReadCode.CELL_TOO_LONG,
                        f"{what} has {chars:,} characters (limit {limit:,})" + _near_cell(buf, gt),
                        part,
                    )
                    return
            p = stop + 1

    def sheet(self, part: str, name: str, pct: frozenset[int]) -> SheetFacts | None:
        zi = self.find(part)
        if zi is None:
            return None
        buf = self.read(zi)
        root = self.check_big_xml(buf, part, None)
        if root is None:
            return None
        facts = SheetFacts(root=root)
        if root != "worksheet":
            return facts
        lim = self.limits
        start, end = cells.sheet_data_span(buf)
        where = f"sheet {show(name)}"
        dim = cells.dimension_of(buf, start)
        span = cells.parse_range(dim) if dim else None
        if span and (
            span[0] > lim.max_rows or span[1] > lim.max_cols or span[0] * span[1] > lim.max_cells
        ):
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"{where} declares its used range as {show(dim)} ({span[0] * span[1]:,} cells)",
                part,
            )
        for ref in cells.merges_of(buf, end):
            merged = cells.parse_range(ref)
            if merged and merged[0] * merged[1] > lim.max_cells:
                self.add(
                    ReadCode.SHEET_TOO_LARGE,
                    f"{where} merges {show(ref)} ({merged[0] * merged[1]:,} cells)",
                    part,
                )
                break
        hint = cells.range_end(dim) if dim and span and span[0] * span[1] <= lim.max_cells else None
        scan = cells.scan_cells(
            buf,
            start,
            end,
            pct,
            (lim.max_rows, lim.max_cols, lim.max_cells),
            hint,
            cells.percent_columns(buf, start, pct),
        )
        facts.cells = scan
        if not scan.s_exact and (
            self.sst_part is None or scan.s_cells * self.sst_max > lim.max_text_bytes // 8
        ):
            scan.s_cells = buf.count(b't="s"', start, end) + buf.count(b"t='s'", start, end)
            scan.s_exact = True
        if scan.s_cells and self.sst_part is None:
            self.add(
                ReadCode.MISSING_PART,
                f"{where} uses shared strings but the file has no shared string table",
                part,
            )
        elif scan.s_cells:
            bad = cells.bad_shared_index(buf, start, end, self.sst_count)
            if bad is not None:
                self.add(
                    ReadCode.XML_ERROR,
                    f"{where}: shared string index {show(bad[0])} is not in the table "
                    f"of {self.sst_count:,} strings" + _near_cell(buf, bad[1] + 8),
                    part,
                )
        if scan.bad_ref or scan.malformed:
            self.add(
                ReadCode.XML_ERROR,
                f"{where}: invalid cell reference {scan.bad_ref}"
                if scan.bad_ref
                else f"{where}: {scan.malformed}",
                part,
            )
        if scan.max_row >= lim.max_rows or scan.max_col >= lim.max_cols:
            far = scan.row_ref if scan.max_row >= lim.max_rows else scan.col_ref
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"{where} has data at {far}, beyond Excel's "
                f"{lim.max_rows:,} rows x {lim.max_cols:,} columns",
                part,
            )
        elif scan.max_row >= 0 and (scan.max_row + 1) * (scan.max_col + 1) > lim.max_cells:
            far = (
                scan.row_ref
                if scan.row_ref == scan.col_ref
                else (f"{scan.row_ref} and {scan.col_ref}")
            )
            self.add(
                ReadCode.SHEET_TOO_LARGE,
                f"{where} spans {scan.max_row + 1:,} rows x {scan.max_col + 1:,} columns "
                f"(data up to {far}; limit {lim.max_cells:,} cells)",
                part,
            )
        self.long_text(buf, start, end, part, f"a cell of {where}")
        if scan.unsupported_errors:
            self.pkg.patch_parts.add(part)
        return facts

    def custom_properties(self) -> None:
        rels = [r for r in self.rels("") if r.type == "custom-properties" and r.part]
        zi = self.find(rels[0].part) if rels else self.find("docProps/custom.xml")  # type: ignore[arg-type]
        if zi is None:
            return
        props = self.pkg.custom_properties
        name_now: str | None = None  # the property being read
        parts: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal name_now, parts
            if xmlsafe.local(name) == "property":
                name_now, parts = attrs.get("name", ""), []

        def text(data: str) -> None:
            if name_now is not None:
                parts.append(data)

        def end(name: str) -> None:
            nonlocal name_now
            if xmlsafe.local(name) == "property" and name_now is not None:
                props[name_now] = "".join(parts)
                name_now = None

        self.read_xml(zi, start=start, end=end, text=text)

    def verify_rest(self) -> None:
        """Inflate every other member once: a bad CRC anywhere means a damaged file."""
        for name, zi in self.by_name.items():
            if name not in self.read_done and not name.endswith("/"):
                self.read(zi, keep=False)


def is_percent_format(code: str) -> bool:
    """A number format code that shows a percent sign (outside quotes and brackets)."""
    quoted = bracket = escaped = False
    for ch in code:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "[":
            bracket = True
        elif ch == "]":
            bracket = False
        elif ch == "%" and not bracket:
            return True
    return False


def _directory_size(data: bytes) -> tuple[int | None, int]:
    """(entries, central directory bytes) from the end records; None if absent."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) - at < 22:
        return None, 0
    entries, cd_size = struct.unpack_from("<HI", data, at + 10)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = data.rfind(b"PK\x06\x07", max(0, at - 20), at)
        if loc >= 0:
            offset = struct.unpack_from("<Q", data, loc + 8)[0]
            if offset + 56 <= len(data) and data[offset : offset + 4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack_from("<QQ", data, offset + 32)
    return entries, cd_size


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return True
    return any(seg == ".." for seg in name.split("/"))


def _resolve(folder: str, target: str) -> str | None:
    """A relationship target as a part name inside the package, or None if it leaves it."""
    target = unquote(target.split("#", 1)[0]).replace("\\", "/")
    if not target:
        return None
    base = [] if target.startswith("/") else [s for s in folder.split("/") if s]
    for seg in target.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not base:
                return None
            base.pop()
        else:
            base.append(seg)
    return "/".join(base) or None


def _what_zip(names: Mapping[str, object]) -> str:
    lower = {n.lower() for n in names}
    if "word/document.xml" in lower:
        return "a Word document (.docx)"
    if "ppt/presentation.xml" in lower:
        return "a PowerPoint presentation (.pptx)"
    if "content.xml" in lower:
        return "an OpenDocument file"
    if not names:
        return "an empty zip archive"
    return "a zip archive without a workbook"


_SI_START = re.compile(rb"<(?:[^\s<>/=:\"']+:)?si[\s/>]")


def _count_items(buf: bytes) -> int:
    """<si> items of a shared string table (any prefix)."""
    return len(_SI_START.findall(buf))


MAIN_NS = frozenset(
    {
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "http://purl.oclc.org/ooxml/spreadsheetml/main",
    }
)
# tags calamine reads by local name, whatever their namespace
_KEY_TAGS = re.compile(
    rb"<(?:([^\s<>/=:!?]+):)?(?:worksheet|sheetData|row|c|v|f|is|t|r|sst|si)[\s>/]"
)


def _foreign_namespace(buf: bytes, declared: dict[str | None, set[str]]) -> str:
    """Why the cells of a part are not SpreadsheetML to Excel and LibreOffice, or "".

    A default namespace of xmlns="" (or any other URI), or a prefix bound to
    another namespace on a cell tag, makes every program but calamine skip the
    cells: what we would record is not what the clerk sees.
    """
    for uri in declared.get(None, ()):
        if uri not in MAIN_NS:
            shown = show(uri) if uri else 'none (xmlns="")'
            return f"default namespace changed to {shown}"
    prefixes = {m.group(1) for m in _KEY_TAGS.finditer(buf)}
    if None in prefixes and None not in declared:
        return "cells are in no namespace (no xmlns on the root)"
    for prefix in prefixes - {None}:
        name = prefix.decode("utf-8", "replace")
        bad = sorted(u for u in declared.get(name, ()) if u not in MAIN_NS)
        if bad:
            return f"prefix {show(name)} of cell tags is bound to {show(bad[0])}"
    return ""


def _near_cell(buf: bytes, pos: int) -> str:
    cell = buf.rfind(b'r="', max(0, pos - 65_536), pos)
    if cell < 0:
        return ""
    ref = re.match(rb'r="([A-Za-z]{1,3}[0-9]{1,7})"', buf[cell : cell + 16])
    return f" (near cell {ref.group(1).decode()})" if ref else ""


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MiB" if n < 1 << 30 else f"{n / (1 << 30):,.2f} GiB"
