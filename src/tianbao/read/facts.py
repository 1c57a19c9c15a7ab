"""What the checks of a returned package find, and the helpers every stage shares."""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from tianbao.read import cells
from tianbao.read.issues import ReadIssue, show

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
    merges: tuple[str, ...] = ()  # merged ranges as written (A1:B2)
    hidden_rows: frozenset[int] = frozenset()  # 0-based


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
_KEY = rb"(?:worksheet|sheetData|row|c|v|f|is|t|r|sst|si)[\s>/]"
_BARE_KEY = re.compile(rb"<" + _KEY)


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
    if None not in declared and _BARE_KEY.search(buf):
        return "cells are in no namespace (no xmlns on the root)"
    for name, uris in declared.items():
        bad = sorted(u for u in uris if u not in MAIN_NS)
        # a prefix bound to another namespace (r:, mc:, x14ac: ...) on a cell tag
        if name is not None and bad:
            tag = re.compile(rb"<" + re.escape(name.encode()) + rb":" + _KEY)
            if tag.search(buf):
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
