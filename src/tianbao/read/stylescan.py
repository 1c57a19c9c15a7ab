"""The styles part read without a Python call per element, when its bytes are plain.

The guard needs two things from styles.xml: numFmt id -> formatCode, and the
numFmtId of every xf inside cellXfs. expat with handlers costs a call per
element (a palette alone has 64); a part that expat has found well-formed and
that is written plainly (no prefixed tags, comments, CDATA or processing
instructions, tags of interest spelled ' name="value"' with nothing to unescape
or normalize) gives the same answer from a few regex passes. Anything else
returns None and the caller parses with handlers.
"""

from __future__ import annotations

import re

from tianbao.read import xmlsafe

_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)")
_PLAIN_VALUE = rb'="[^"<&\t\n\r]*"'
_NUMFMT_ANY = re.compile(rb"<numFmt[\s/>]")
_NUMFMT = re.compile(rb"<numFmt((?: [A-Za-z]+" + _PLAIN_VALUE + rb")*) ?/?>")
_XF_ANY = re.compile(rb"<xf[\s/>]")
_XF = re.compile(rb"<xf((?: [A-Za-z]+" + _PLAIN_VALUE + rb")*) ?/?>")
_CELLXFS = re.compile(rb"<cellXfs[\s/>]")


def plain_styles(buf: bytes) -> tuple[dict[int, str], list[int]] | None:
    """(formats, xfs) as the handlers collect them; None when the part is not
    well-formed (without handlers expat runs at C speed) or not plain enough."""
    try:
        prefixes = xmlsafe.well_formed(buf)
    except (xmlsafe.XmlBad, xmlsafe.XmlEntities):
        return None
    if not _plain(buf, prefixes):
        return None
    formats: dict[int, str] = {}
    first = buf.find(b"<numFmt")
    last = buf.find(b">", buf.rfind(b"<numFmt")) + 1  # the numFmts, not the whole part
    tags = _NUMFMT.findall(buf, first, last) if first >= 0 else []
    if len(tags) != (len(_NUMFMT_ANY.findall(buf, first, last)) if first >= 0 else 0):
        return None
    for attrs in tags:
        fid = _attr(attrs, b"numFmtId", b"").decode()  # str.isdigit, as the handlers
        if fid.isdigit():
            formats[int(fid)] = _attr(attrs, b"formatCode", b"").decode()
    xfs: list[int] = []
    opened = _CELLXFS.findall(buf)
    if len(opened) > 1:
        return None  # nested or repeated: the handlers count depth
    start = buf.find(b"<cellXfs")
    if opened and buf[buf.find(b">", start) - 1 : buf.find(b">", start)] != b"/":
        end = buf.find(b"</cellXfs", start)
        if end < 0:
            return None
        tags = _XF.findall(buf, start, end)
        if len(tags) != len(_XF_ANY.findall(buf, start, end)):
            return None
        for attrs in tags:
            fid = _attr(attrs, b"numFmtId", b"0").decode()
            xfs.append(int(fid) if fid.isdigit() else 0)
    return formats, xfs


def _attr(attrs: bytes, name: bytes, default: bytes) -> bytes:
    """One attribute of ' a="x" b="y"' (a value holds no quote, so the needle can
    only start at an attribute)."""
    at = attrs.find(b' %s="' % name)
    if at < 0:
        return default
    at += len(name) + 3
    return attrs[at : attrs.find(b'"', at)]


def _plain(buf: bytes, prefixes: dict[str | None, set[str]]) -> bool:
    """No comment, CDATA, DOCTYPE or processing instruction but an XML declaration
    at the start (in UTF-8), and no prefixed tag (no prefix declared, none of the
    predeclared xml:): every '<numFmt' is a tag of that local name."""
    if b"<!" in buf or any(p is not None for p in prefixes) or b"<xml:" in buf:
        return False
    head = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    pis = buf.count(b"<?")
    if pis > 1 or (pis == 1 and not buf.startswith(b"<?xml ", head)):
        return False
    if pis:
        enc = _ENCODING.search(buf, head, buf.find(b"?>"))
        if enc is not None and enc.group(1).lower() != b"utf-8":
            return False
    return True
