"""The styles part read by regex (stylescan) says what expat's handlers say, or
declines; a table of spellings, each checked against a handler parse."""

from __future__ import annotations

import pytest

from tianbao.read import stylescan, xmlsafe

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PLAIN = (
    f'<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0%" />'
    '<numFmt numFmtId="165" formatCode="#,##0" /></numFmts>'
    '<cellStyleXfs><xf numFmtId="3" /></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" /><xf numFmtId="164" fontId="1">'
    '<alignment horizontal="center" /></xf><xf fontId="2"/></cellXfs></styleSheet>'
)


def _handlers(buf: bytes) -> tuple[dict[int, str], list[int]]:
    formats: dict[int, str] = {}
    xfs: list[int] = []
    depth = [0]

    def start(name: str, attrs: dict[str, str]) -> None:
        what = xmlsafe.local(name)
        if what == "numFmt" and attrs.get("numFmtId", "").isdigit():
            formats[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif what == "cellXfs":
            depth[0] += 1
        elif what == "xf" and depth[0]:
            fid = attrs.get("numFmtId", "0")
            xfs.append(int(fid) if fid.isdigit() else 0)

    def end(name: str) -> None:
        depth[0] -= xmlsafe.local(name) == "cellXfs"

    xmlsafe.parse(buf, start=start, end=end)
    return formats, xfs


@pytest.mark.parametrize(
    ("old", "new", "plain"),
    [
        ("", "", True),
        ("<numFmts", '<?xml version="1.0"?><numFmts', False),  # a declaration inside
        ("0.0%", "&quot;$&quot;#,##0.0&amp;&lt;&gt;&apos;%", True),  # references to decode
        ("0.0%", "&#x41;&#66;0%", True),
        ('numFmtId="165"', 'numFmtId="&#49;&#x36;5"', True),
        ("0.0%", "0.0\t%", False),  # whitespace expat normalizes
        ('<numFmt numFmtId="165"', "<numFmt numFmtId='165'", False),
        ("<cellXfs", "<!-- x --><cellXfs", False),
        ("</cellXfs>", '<cellXfs><xf numFmtId="9"/></cellXfs></cellXfs>', False),
        ('numFmtId="164" fontId', 'numFmtId="x" fontId', True),
        ('<xf fontId="2"/>', '<xf fontId="2" numFmtId="10"/>', True),
        ("<styleSheet ", "<s:styleSheet xmlns:s='urn:s' ", True),  # a prefix, not on these
        ('<numFmt numFmtId="165"', '<n:numFmt xmlns:n="urn:n" numFmtId="165"', False),
        ('<xf fontId="2"/>', '<x:xf xmlns:x="urn:x" numFmtId="9"/>', False),
        ("</styleSheet>", '<extLst><e:ext xmlns:e="urn:e" a="1"/></extLst></styleSheet>', True),
        ('<xf numFmtId="0" />', '<xf numFmtId="0" x14ac:a="1" xmlns:x14ac="urn:a"/>', False),
    ],
)
def test_plain_styles_agree_with_handlers(old: str, new: str, plain: bool) -> None:
    text = PLAIN.replace(old, new, 1) if old else PLAIN
    if text.startswith("<s:"):
        text = text.replace("</styleSheet>", "</s:styleSheet>")
    buf = text.encode()
    got = stylescan.plain_styles(buf)
    assert (got is not None) == plain
    if got is not None:
        assert got == _handlers(buf)


def test_plain_styles_reads_formats_and_cell_xfs() -> None:
    assert stylescan.plain_styles(PLAIN.encode()) == ({164: "0.0%", 165: "#,##0"}, [0, 164, 0])
    declared = b'<?xml version="1.0" encoding="UTF-8"?>' + PLAIN.encode()
    assert stylescan.plain_styles(declared) == _handlers(declared)


def test_plain_styles_declines_what_is_not_well_formed() -> None:
    assert stylescan.plain_styles(PLAIN.replace("</cellXfs>", "</cellXf>").encode()) is None
