"""XML without surprises: no DTDs, no entities, no network, no file access.

Package XML never needs a DTD, so any DOCTYPE or ENTITY declaration is refused
outright (billion laughs, XXE). The small structural parts (content types,
relationships, workbook, styles, custom properties) are parsed with expat
with every DTD hook raising; the big parts (sheets, shared strings) are only
checked here and scanned with byte-level searches in `cells`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn
from xml.parsers import expat


class XmlEntities(Exception):
    """A DOCTYPE or entity declaration: refused."""


class XmlBad(Exception):
    """Not well-formed, truncated, or in an encoding we do not read."""


# optional whitespace, then an XML declaration, processing instruction or comment
_PROLOG_ITEM = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_ROOT = re.compile(
    rb"\s*<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>"
)
_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEGAL_BYTES = bytes(b for b in range(256) if not (b < 9 or b in (11, 12) or 13 < b < 32))


def root_element(buf: bytes) -> str:
    """Local name of the root element; refuses a DTD and UTF-16/32 encodings."""
    return root_tag(buf)[0]


def root_tag(buf: bytes) -> tuple[str, bytes]:
    """(local name, raw attributes) of the root start tag; refuses DTDs and UTF-16/32."""
    if buf.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")) or (
        b"\x00" in buf[:64]
    ):
        raise XmlBad("part is not UTF-8 encoded (UTF-16/32)")
    pos = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_ITEM.match(buf, pos)
        if not m:
            break
        pos = m.end()
    rest = buf[pos : pos + 64].lstrip()
    if rest[:9].upper() == b"<!DOCTYPE" or rest[:8].upper() == b"<!ENTITY":
        raise XmlEntities("DOCTYPE declaration")
    m = _ROOT.match(buf, pos)
    if not m:
        raise XmlBad("no root element" if not buf.strip() else "no well-formed root start tag")
    return m.group(1).decode("ascii", "replace").rpartition(":")[2], m.group(2)


_EPILOG_ITEM = re.compile(rb"(?:<\?(?:(?!<\?).)*?\?>|<!--(?:(?!<!--).)*?-->)\s*$", re.S)


def check_closed(buf: bytes, root: str) -> None:
    """The part ends with the root's end tag (a cheap test for truncation), or with
    that tag and comments or processing instructions after it, as XML allows."""
    tail = buf[-256:].rstrip()
    while tail.endswith((b"-->", b"?>")):
        m = _EPILOG_ITEM.search(tail)
        if m is None:
            break
        tail = tail[: m.start()].rstrip()
    name = re.escape(root.encode())
    if re.search(rb"</(?:[\w.-]+:)?%s\s*>$" % name, tail):
        return
    if tail.endswith(b"/>") and buf.count(b"<") - buf.count(b"<?") - buf.count(b"<!--") == 1:
        return  # the whole document is an empty root element
    raise XmlBad(f"truncated: does not end with </{root}>")


def illegal_char_at(buf: bytes, start: int = 0, end: int | None = None) -> int:
    """Offset of the first control character XML 1.0 forbids, or -1."""
    end = len(buf) if end is None else end
    view = buf if start == 0 and end == len(buf) else buf[start:end]
    if not view.translate(None, _LEGAL_BYTES):  # C speed: deletes every allowed byte
        return -1
    m = _ILLEGAL.search(buf, start, end)
    return m.start() if m else -1


def _refuse(*_: Any) -> NoReturn:
    raise XmlEntities("DOCTYPE or entity declaration")


def parse(
    buf: bytes,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Parse with expat, namespaces reported as "uri local"; DTD hooks all raise.

    start(name, attrs) / end(name) / text(data). Raises XmlEntities or XmlBad.
    """
    root_element(buf)  # refuses DTDs and UTF-16 before expat sees the bytes
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.buffer_text = True
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(buf, True)
    except expat.ExpatError as exc:
        raise XmlBad(str(exc)) from None
    except ValueError as exc:  # a declared multi-byte encoding (GBK…): expat refuses it
        raise XmlBad(f"unsupported encoding: {exc}") from None


def well_formed(buf: bytes, root_checked: bool = False) -> dict[str | None, set[str]]:
    """Parse a big part with expat and no element handlers (C speed, about 200 MB/s).

    Catches what the byte scans do not: duplicate attributes, mismatched tags,
    unbound prefixes. Returns every namespace declaration, prefix -> URIs (None
    is the default namespace), for the caller's namespace check. root_checked:
    the caller has run root_element on these bytes already.
    """
    if not root_checked:
        root_element(buf)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    declared: dict[str | None, set[str]] = {}

    def namespace(prefix: str | None, uri: str | None) -> None:
        declared.setdefault(prefix, set()).add(uri or "")

    parser.StartNamespaceDeclHandler = namespace
    try:
        parser.Parse(buf, True)
    except expat.ExpatError as exc:
        raise XmlBad(str(exc)) from None
    except ValueError as exc:  # a declared multi-byte encoding (GBK…): expat refuses it
        raise XmlBad(f"unsupported encoding: {exc}") from None
    return declared


def local(name: str) -> str:
    """'uri local' (expat namespace form) -> 'local'."""
    return name.rpartition(" ")[2]


def attr_local(attrs: dict[str, str], name: str) -> str | None:
    """An attribute by local name, whatever its namespace."""
    if name in attrs:
        return attrs[name]
    for key, value in attrs.items():
        if key.rpartition(" ")[2] == name:
            return value
    return None
