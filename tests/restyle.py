"""Rewrite an xlsx part's XML as another writer might: other namespace prefixes (or
none: a default namespace), attributes in another order or quoting, indentation.

The same document in the XML sense, so a reader that reads XML (not one writer's
bytes) must read the same workbook. Used by the tests that pin this.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

XML_NS = "http://www.w3.org/XML/1998/namespace"


@dataclass(frozen=True)
class Style:
    """How to write: ``prefixes`` maps a namespace URI to the prefix to use for it
    ("" = the default namespace; URIs not named get ns0, ns1...)."""

    prefixes: tuple[tuple[str, str], ...] = ()
    indent: str = ""  # "" = all on one line
    newline: str = "\n"
    reverse_attributes: bool = False
    quote: str = '"'
    declaration: bool = True
    between_attributes: str = " "  # or a line break and indentation
    equals: str = "="  # or " = "


def restyle(data: bytes, style: Style) -> bytes:
    root = ET.fromstring(data)
    wanted = dict(style.prefixes)
    used: dict[str, str] = {}  # uri -> prefix, as declared on the root

    def prefix(uri: str, attribute: bool) -> str:
        if uri == XML_NS:
            return "xml"
        if uri not in used:
            p = wanted.get(uri, f"ns{len(used)}")
            used[uri] = p
        if attribute and not used[uri]:  # an attribute has no default namespace
            used.setdefault("attr " + uri, f"a{len(used)}")
            return used["attr " + uri]
        return used[uri]

    def qname(tag: str, attribute: bool = False) -> str:
        if not tag.startswith("{"):
            return tag
        uri, local = tag[1:].split("}", 1)
        p = prefix(uri, attribute)
        return f"{p}:{local}" if p else local

    q = style.quote

    def attr_text(value: str) -> str:
        text = escape(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
        return text.replace('"', "&quot;") if q == '"' else text.replace("'", "&apos;")

    def write(el: ET.Element, depth: int) -> str:
        items = list(el.attrib.items())
        if style.reverse_attributes:
            items.reverse()
        attrs = "".join(
            f"{style.between_attributes}{qname(k, True)}{style.equals}{q}{attr_text(v)}{q}"
            for k, v in items
        )
        name = qname(el.tag)
        pad = style.newline + style.indent * (depth + 1) if style.indent else ""
        children = list(el)
        inner = escape(el.text or "") if not children or (el.text or "").strip() else ""
        for child in children:
            tail = child.tail or ""
            inner += pad + write(child, depth + 1) + (escape(tail) if tail.strip() else "")
        if children and style.indent:
            inner += style.newline + style.indent * depth
        marker = f"\0{id(el)}\0"  # namespace declarations go on the root, once all are known
        opening = f"<{name}{marker if depth == 0 else ''}{attrs}"
        return f"{opening}/>" if not inner else f"{opening}>{inner}</{name}>"

    body = write(root, 0)
    decls = "".join(
        f" xmlns{':' + p if p else ''}={q}{uri.removeprefix('attr ')}{q}"
        for uri, p in used.items()
        if uri != XML_NS
    )
    body = body.replace(f"\0{id(root)}\0", decls, 1)
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + style.newline
    return ((head if style.declaration else "") + body + style.newline).encode()


def rewrite_parts(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of ``src`` whose parts ``change(name, data)`` rewrites (None: as is)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".tmp")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            new = change(info.filename, data)
            zout.writestr(info.filename, data if new is None else new)
    shutil.move(tmp, dst)
    return dst
