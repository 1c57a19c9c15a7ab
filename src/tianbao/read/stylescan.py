"""The styles part read without a Python call per element, when its bytes are plain.

The guard needs two things from styles.xml: numFmt id -> formatCode, and the
numFmtId of every xf inside cellXfs. expat with handlers costs a call per
element (a palette alone has 64); a part that expat has found well-formed and
that is written plainly (no comments, CDATA or processing instructions, the
tags of interest unprefixed and spelled ' name="value"' with nothing to
unescape or normalize) gives the same answer from a few regex passes. Anything else
returns None and the caller parses with handlers.
"""

from __future__ import annotations

import re

from tianbao.read import xmlsafe

_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)")
_PLAIN_VALUE = rb'="[^"<\t\n\r]*"'
_NUMFMT_ANY = re.compile(rb"<numFmt[\s/>]")
_NUMFMT = re.compile(rb"<numFmt((?: [A-Za-z]+" + _PLAIN_VALUE + rb")*) ?/?>")
_XF_ANY = re.compile(rb"<xf[\s/>]")
_XF = re.compile(rb"<xf((?: [A-Za-z]+" + _PLAIN_VALUE + rb")*) ?/?>")
_CELLXFS = re.compile(rb"<cellXfs[\s/>]")


def plain_styles(buf: bytes) -> tuple[dict[int, str], list[int]] | None:
    """(formats, xfs) as the handlers collect them; None when the part is not
    well-formed (without handlers expat runs at C speed) or not plain enough."""
    try:
        xmlsafe.well_formed(buf)
    except (xmlsafe.XmlBad, xmlsafe.XmlEntities, ValueError):  # ValueError: GBK and the like
        return None
    if not _plain(buf):
        return None
    formats: dict[int, str] = {}
    first = buf.find(b"<numFmt")
    last = buf.find(b">", buf.rfind(b"<numFmt")) + 1  # the numFmts, not the whole part
    tags = _NUMFMT.findall(buf, first, last) if first >= 0 else []
    if len(tags) != (len(_NUMFMT_ANY.findall(buf, first, last)) if first >= 0 else 0):
        return None
    for attrs in tags:
        fid = _attr(attrs, b"numFmtId", b"")  # a str, for str.isdigit as the handlers
        if fid.isdigit():
            formats[int(fid)] = _attr(attrs, b"formatCode", b"")
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
            fid = _attr(attrs, b"numFmtId", b"0")
            xfs.append(int(fid) if fid.isdigit() else 0)
    return formats, xfs


def _attr(attrs: bytes, name: bytes, default: bytes) -> str:
    """One attribute of ' a="x" b="y"' as expat gives it (a value holds no quote, so
    the needle can only start at an attribute)."""
    at = attrs.find(b' %s="' % name)
    if at < 0:
        return default.decode()
    at += len(name) + 3
    value = attrs[at : attrs.find(b'"', at)].decode()
    return _REFERENCE.sub(_dereference, value) if "&" in value else value


# in a well-formed part without a DTD a value holds no other reference
_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _dereference(m: re.Match[str]) -> str:
    hexa, dec, name = m.groups()
    return chr(int(hexa, 16)) if hexa else chr(int(dec)) if dec else _NAMED[name]


_LOCALS = (b"numFmt", b"xf", b"cellXfs")  # the tags the handlers look at


def _plain(buf: bytes) -> bool:
    """No comment, CDATA, DOCTYPE or processing instruction but an XML declaration
    at the start (in UTF-8), and no prefixed numFmt, xf or cellXfs (Excel declares
    prefixes for its extensions, never for these): every tag of those local
    names is written '<numFmt', '<xf', '<cellXfs'."""
    if b"<!" in buf or _after_colon(buf):
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


def _after_colon(buf: bytes) -> bool:
    """':numFmt', ':xf' or ':cellXfs' anywhere: a walk over the colons (a part has a
    few dozen: namespace URIs, extension tags), whole-part finds past 64."""
    pos = buf.find(b":")
    for _ in range(64):
        if pos < 0:
            return False
        if buf.startswith(_LOCALS, pos + 1):
            return True
        pos = buf.find(b":", pos + 1)
    return pos >= 0 and any(buf.find(b":" + name, pos) >= 0 for name in _LOCALS)
