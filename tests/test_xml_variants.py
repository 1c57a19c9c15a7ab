"""A return is read as the spreadsheet shows it, whatever the writer's XML style.

Gnumeric indents docProps/custom.xml; other writers use other namespace prefixes
(x:sheet), a default namespace where we use a prefix, attributes in another order
or quoting, CRLF and tabs. None of that is data: the identity, the sheets and
their states and cells read the same, and the return is accepted as before. Each
variant is made in the test from a correctly filled return (tests/restyle.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import tianbao
from restyle import Style, restyle, rewrite_parts
from returns import Returns
from tianbao.read import read_workbook
from tianbao.support.visible import contrast, visible

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"

CUSTOM_XML, WORKBOOK_XML = "docProps/custom.xml", "xl/workbook.xml"
EVERY_PART = ".xml"  # a name ending: every XML part, sheets and relationships too


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("xml_variants"), "RSJ")


@pytest.fixture(scope="module")
def june(rs: Returns) -> Path:
    return rs.june("as_filled")


def variant(
    rs: Returns, src: Path, name: str, change: Callable[[str, bytes], bytes | None]
) -> Path:
    return rewrite_parts(src, rs.base / "variants" / name / src.name, change)


def restyled(parts: tuple[str, ...], style: Style) -> Callable[[str, bytes], bytes | None]:
    def change(name: str, data: bytes) -> bytes | None:
        hit = any(
            name == p or (p == EVERY_PART and name.endswith((".xml", ".rels"))) for p in parts
        )
        return restyle(data, style) if hit else None

    return change


def validate(rs: Returns, path: Path) -> tuple[int, list[dict[str, Any]]]:
    code, report = rs.validate(path)
    return code, report["findings"]


SHEET_FACTS = ("name", "state", "kind", "rows", "merges", "hidden_rows", "error_cells")
SHEET_FACTS += ("formula_no_value", "percent_cells", "formula_cells")


def read_as_shown(path: Path) -> dict[str, Any]:
    """What a reader of the spreadsheet sees: properties, sheets with state, cells."""
    book = read_workbook(path).book
    assert book is not None, read_workbook(path).issues
    return {
        "properties": book.custom_properties,
        "sheets": [{k: getattr(s, k) for k in SHEET_FACTS} for s in book.sheets],
        "date1904": book.date1904,
    }


# (case, parts restyled, how)
STYLES = [
    (
        "custom.xml indented, as Gnumeric writes it",
        (CUSTOM_XML,),
        Style(((CUSTOM, ""), (VT, "vt")), indent="  "),
    ),
    (
        "custom.xml with tabs and CRLF, attributes reversed, single quotes",
        (CUSTOM_XML,),
        Style(((CUSTOM, ""), (VT, "vt")), "\t", "\r\n", reverse_attributes=True, quote="'"),
    ),
    (
        "custom.xml prefixed, the value types in the default namespace",
        (CUSTOM_XML,),
        Style(((CUSTOM, "op"), (VT, "")), indent=" "),
    ),
    (
        "workbook.xml with x: prefixes, indented",
        (WORKBOOK_XML,),
        Style(((MAIN, "x"), (REL, "r")), "  "),
    ),
    (
        "workbook.xml, relationships prefix renamed, attributes reversed, single quotes, CRLF",
        (WORKBOOK_XML,),
        Style(((MAIN, ""), (REL, "rel")), "\t", "\r\n", reverse_attributes=True, quote="'"),
    ),
    (
        "every part prefixed and indented, no XML declaration",
        (EVERY_PART,),
        Style(
            ((MAIN, "x"), (REL, "r"), (CUSTOM, "op"), (VT, "vt"), (PKG_REL, "pr"), (TYPES, "ct")),
            indent="  ",
            declaration=False,
        ),
    ),
    (
        "every part: each attribute on a line of its own, spaces around =",
        (EVERY_PART,),
        Style(((MAIN, ""), (VT, "vt")), "  ", between_attributes="\n      ", equals=" = "),
    ),
    (
        "every part on one line, attributes reversed",
        (EVERY_PART,),
        Style(((MAIN, "s"), (VT, "v")), reverse_attributes=True),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "parts", "style"), STYLES, ids=[c for c, _, _ in STYLES])
def test_xml_style__read_as_shown_and_accepted(
    rs: Returns, june: Path, case: str, parts: tuple[str, ...], style: Style
) -> None:
    path = variant(rs, june, re.sub(r"\W+", "_", case), restyled(parts, style))
    assert read_workbook(path).sha256 != read_workbook(june).sha256  # restyled
    assert read_as_shown(path) == read_as_shown(june)
    code, found = validate(rs, path)
    assert code == 0 and [f["code"] for f in found] == [f["code"] for f in validate(rs, june)[1]]


def _epilog(name: str, data: bytes) -> bytes | None:
    """A comment and a processing instruction after the root element, as XML allows."""
    if not name.endswith((".xml", ".rels")):
        return None
    return data.rstrip() + b"\n<!-- saved by another program -->\n<?writer done?>\n"


def test_comment_after_the_root__read_as_shown_and_accepted(rs: Returns, june: Path) -> None:
    path = variant(rs, june, "epilog", _epilog)
    assert read_as_shown(path) == read_as_shown(june)
    code, found = validate(rs, path)
    assert code == 0 and [f["code"] for f in found] == [f["code"] for f in validate(rs, june)[1]]


def _pad_values(name: str, data: bytes) -> bytes | None:
    """Each property value wrapped in line breaks and spaces inside its element."""
    if name != CUSTOM_XML:
        return None
    return re.sub(rb"(<vt:lpwstr>)([^<]*)(</vt:lpwstr>)", rb"\1\n    \2\n  \3", data)


def test_whitespace_around_a_value__not_a_difference(rs: Returns, june: Path) -> None:
    path = variant(rs, june, "padded_values", _pad_values)
    assert "\n    RSJ\n  " in read_as_shown(path)["properties"].values()  # the file has it
    code, found = validate(rs, path)
    assert code == 0 and not [f for f in found if f["code"].startswith("ID_")], found


def _sheet_state(state: str | None) -> Callable[[str, bytes], bytes | None]:
    def change(name: str, data: bytes) -> bytes | None:
        if name != WORKBOOK_XML:
            return None
        new = b"" if state is None else b' state="%s"' % state.encode()
        pattern = rb'(<sheet name="_tianbao"[^>]*?) state="veryHidden"'
        data, n = re.subn(pattern, rb"\1" + new, data)
        assert n == 1
        return data

    return change


@pytest.mark.parametrize(
    ("case", "state", "noted"),
    [
        ("state dropped, as Gnumeric saves it", None, True),
        ("made visible", "visible", True),
        ("hidden, not very hidden", "hidden", False),
        ("very hidden, as issued", "veryHidden", False),
    ],
)
def test_identity_sheet_shown__a_note_not_a_fault(
    rs: Returns, june: Path, case: str, state: str | None, noted: bool
) -> None:
    path = variant(rs, june, f"state_{state}", _sheet_state(state))
    code, found = validate(rs, path)
    shown = [f for f in found if f["code"] == "ID_SHEET_SHOWN"]
    assert code == 0 and len(shown) == noted, found
    if noted:
        (f,) = shown
        assert f["severity"] == "note" and f["cell"] == "_tianbao!A1"
        assert "其他程序" in f["message"] and "不影响受理" in f["message"]
        assert "re-saved by another program" in f["message_en"] and "fine" in f["message_en"]


def _edit_property(prop: str, edit: Callable[[str], str]) -> Callable[[str, bytes], bytes | None]:
    """One property's value edited, the file indented as Gnumeric does."""

    def change(name: str, data: bytes) -> bytes | None:
        if name != CUSTOM_XML:
            return None
        pattern = rb'(name="tianbao_%s"[^>]*><vt:lpwstr>)([^<]*)' % prop.encode()
        data, n = re.subn(pattern, lambda m: m[1] + edit(m[2].decode()).encode(), data)
        assert n == 1
        return restyle(data, Style(((CUSTOM, ""), (VT, "vt")), indent="  "))

    return change


def quoted(message: str, field_zh: str) -> tuple[str, str]:
    """The two values a copy-differs message shows for one field."""
    m = re.search(field_zh + r"：[^“]*“([^”]*)”，[^“]*“([^”]*)”", message)
    assert m is not None, message
    return m[1], m[2]


def test_edited_fingerprint__shown_where_it_differs(rs: Returns, june: Path) -> None:
    fingerprint = rs.plan.fingerprint
    path = variant(
        rs, june, "fingerprint_tail", _edit_property("plan_fingerprint", lambda v: v[:-4] + "0000")
    )
    code, found = validate(rs, path)
    (f,) = [x for x in found if x["code"] == "ID_COPY_FORGED"]
    ours, theirs = quoted(f["message"], "计划指纹")
    assert ours != theirs and "0000" in ours and fingerprint[-4:] in theirs
    assert f["value"] != f["expected"]  # the values themselves, whole
    assert code == 1


def test_edited_department__its_whitespace_visible(rs: Returns, june: Path) -> None:
    path = variant(rs, june, "department_space", _edit_property("department", lambda v: "R SJ"))
    code, found = validate(rs, path)
    (f,) = [x for x in found if x["code"] == "ID_COPY_FORGED"]
    assert quoted(f["message"], "单位") == ("R␠SJ", "RSJ")
    assert code == 1


@pytest.mark.parametrize(
    ("a", "b", "shown"),
    [
        ("RSJ", "RSJ", ("RSJ", "RSJ")),
        ("\n    RSJ\n  ", "RSJ", ("⏎␠␠␠␠RSJ⏎␠␠", "RSJ")),
        ("a\tb\u200b", "a b", ("a⇥b\\u200b", "a␠b")),
        # a long value is cut where the two differ, never so that equal values look different
        ("9" * 36 + "d9ed4304", "9" * 36 + "d9ed4305", ("…9d9ed4304", "…9d9ed4305")),
        ("0123456789" * 5, "0123456789" * 5, ("0123456789" * 4 + "…",) * 2),
        ("x" * 50, "x" * 50 + "y", ("…" + "x" * 8, "…" + "x" * 8 + "y")),
    ],
)
def test_contrast__values_side_by_side(a: str, b: str, shown: tuple[str, str]) -> None:
    assert contrast(a, b) == shown


def test_visible__nothing_hidden() -> None:
    assert visible("甲 乙\r\n") == "甲␠乙␍⏎" and visible("\u3000\xa0") == "\\u3000\\u00a0"


def test_cli_json__identity_copies_agree_after_indenting(rs: Returns, june: Path) -> None:
    """The case of the report: an accepted return, its custom.xml indented."""
    path = variant(rs, june, "gnumeric_custom", restyled((CUSTOM_XML,), STYLES[0][2]))
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--json", "--previous", rs.previous)
    report = json.loads(res.stdout)["files"][0]
    assert res.exit_code == 0 and report["findings"] == [], report["findings"]


def _error_value(wb: openpyxl.Workbook, r: Returns) -> None:
    """The first indicator's 本年累计 holds #DIV/0! (a formula the clerk typed broke);
    its 本月 is shown as a percentage."""
    form = "indicators_monthly"
    cell = wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "ytd")]
    cell.value, cell.data_type = "#DIV/0!", "e"
    wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "month_value")].number_format = "0.0%"


def _respell(pattern: bytes, spelled: bytes) -> Callable[[str, bytes], bytes | None]:
    def change(name: str, data: bytes) -> bytes | None:
        return re.sub(pattern, spelled, data) if name.startswith("xl/worksheets/") else None

    return change


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "pattern", "spelled"),
    [
        ("tab before t", rb' t="', b'\tt="'),
        ("line break before t", rb' t="', b'\n        t="'),
        ("spaces around =", rb' t="e"', b" t = 'e'"),
        ("line break before s", rb' s="', b'\ns="'),
        ("single quotes", rb' t="([a-z]+)"', rb" t='\1'"),
        ("every attribute on a line of its own", rb'" (?=[a-zA-Z]+=)', b'"\n      '),
    ],
)
def test_attribute_spelling__an_error_value_still_found(
    rs: Returns, case: str, pattern: bytes, spelled: bytes
) -> None:
    src = rs.june("error_value", _error_value)
    code, found = validate(rs, src)
    errors = [(f["code"], f["sheet"], f["cell"]) for f in found if f["code"] == "VALUE_EXCEL_ERROR"]
    assert len(errors) == 1 and code == 1
    assert sum(len(s["percent_cells"]) for s in read_as_shown(src)["sheets"]) == 1
    path = variant(rs, src, re.sub(r"\W+", "_", case), _respell(pattern, spelled))
    assert read_workbook(path).sha256 != read_workbook(src).sha256  # respelled
    assert read_as_shown(path) == read_as_shown(src)
    code, found = validate(rs, path)
    assert [
        (f["code"], f["sheet"], f["cell"]) for f in found if f["code"] == "VALUE_EXCEL_ERROR"
    ] == errors


@pytest.mark.parametrize("part", ["xl/worksheets/sheet2.xml", "xl/styles.xml", "xl/workbook.xml"])
def test_declared_multibyte_encoding__a_finding_at_the_part_not_a_fault(
    rs: Returns, june: Path, part: str
) -> None:
    """expat does not take GBK and the like: the part is refused as unreadable XML,
    never as an internal error of the reader."""

    def gbk(name: str, data: bytes) -> bytes | None:
        if name != part:
            return None
        head = re.sub(rb"<\?xml[^>]*\?>", b"", data, count=1)
        return b'<?xml version="1.0" encoding="GBK" standalone="yes"?>' + head

    path = variant(rs, june, "gbk_" + part.replace("/", "_"), gbk)
    code, found = validate(rs, path)
    codes = {f["code"] for f in found}
    assert code == 1 and "READ_READER_ERROR" not in codes, found
    assert any(part in json.dumps(f, ensure_ascii=False) for f in found), found
