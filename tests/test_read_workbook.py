"""tianbao.read: small workbooks written here, normal and hostile.

The hostile packages are a few hundred bytes of hand-written XML in a zip; none
of them may ever reach calamine (the `no_calamine` fixture makes sure).
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import struct
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tianbao.findings import Code
from tianbao.read import (
    Limits,
    limit_process,
    read_workbook,
    read_workbook_guarded,
    worker_read,
)
from tianbao.read import cells as cells_mod
from tianbao.read import workbook as workbook_mod
from tianbao.read.guard import is_percent_format
from tianbao.read.sniff import CFB_MAGIC, cfb_stream_names
from tianbao.support.pausepoint import ENV as PAUSE_ENV

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# -- building packages by hand ----------------------------------------------------------
def sheet_xml(cells: str, before: str = "", after: str = "") -> str:
    return (
        f'{DECL}<worksheet xmlns="{NS}" xmlns:r="{NS_R}">{before}<sheetData>{cells}'
        f"</sheetData>{after}</worksheet>"
    )


def package(
    sheets: dict[str, str] | None = None,
    *,
    sst: str | None = None,
    styles: str | None = None,
    workbook_extra: str = "",
    workbook_pr: str = "",
    states: dict[str, str] | None = None,
    main_ct: str = CT_MAIN,
    extra_parts: dict[str, bytes | str] | None = None,
    extra_rels: str = "",
    targets: dict[str, str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal xlsx: sheets {name: worksheet xml}; every part overridable."""
    sheets = (
        {"Sheet1": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')}
        if sheets is None
        else sheets
    )
    states, targets = states or {}, targets or {}
    rels, entries, overrides = [], [], []
    for i, name in enumerate(sheets, 1):
        target = targets.get(name, f"worksheets/sheet{i}.xml")
        rels.append(f'<Relationship Id="rId{i}" Type="{NS_R}/worksheet" Target="{target}"/>')
        state = f' state="{states[name]}"' if name in states else ""
        entries.append(f'<sheet name="{name}" sheetId="{i}"{state} r:id="rId{i}"/>')
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>'
        )
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_ct}"/>'
            + "".join(overrides)
            + "</Types>"
        ),
        "_rels/.rels": (
            f'{DECL}<Relationships xmlns="{NS_PKG}"><Relationship Id="rId1" '
            f'Type="{NS_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{DECL}<workbook xmlns="{NS}" xmlns:r="{NS_R}">{workbook_pr}'
            f"<sheets>{''.join(entries)}</sheets>{workbook_extra}</workbook>"
        ),
    }
    if sst is not None:
        rels.append(
            f'<Relationship Id="rId90" Type="{NS_R}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        parts["xl/sharedStrings.xml"] = sst
    if styles is not None:
        rels.append(f'<Relationship Id="rId91" Type="{NS_R}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = styles
    parts["xl/_rels/workbook.xml.rels"] = (
        f'{DECL}<Relationships xmlns="{NS_PKG}">' + "".join(rels) + extra_rels + "</Relationships>"
    )
    for i, (name, xml) in enumerate(sheets.items(), 1):
        if name not in targets:
            parts[f"xl/worksheets/sheet{i}.xml"] = xml
    parts.update(extra_parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def sst_xml(*strings: str, head: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        f'{DECL}{head}<sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    )


@pytest.fixture
def write(tmp_path: Path):
    def _write(data: bytes, name: str = "return.xlsx") -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def no_calamine(monkeypatch):
    """Fail the test if anything reaches the real reader."""
    calls: list[object] = []

    class Refuse:
        PasswordError = ZipError = XmlError = type("NeverRaised", (Exception,), {})

        class CalamineWorkbook:
            @staticmethod
            def from_filelike(*args, **_kw):
                calls.append(args)
                raise RuntimeError("reached calamine")

    monkeypatch.setattr(workbook_mod, "python_calamine", Refuse)
    yield
    assert not calls, "a hostile file reached calamine"


def codes(result) -> set[Code]:
    return {i.code for i in result.issues}


def refused(path: Path, *expected: Code, limits: Limits = Limits()):  # noqa: B008
    result = read_workbook(path, limits)
    assert result.book is None, result.issues
    assert result.blocking, "refused without a blocking issue"
    assert codes(result) & set(expected), [i.one_line() for i in result.issues]
    for i in result.issues:
        assert i.message and i.code.stage == "READ"
    return result


# -- a normal workbook written with xlsxwriter ------------------------------------------
@pytest.fixture
def normal_book(tmp_path: Path) -> Path:
    path = tmp_path / "normal.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True, "strings_to_numbers": False})
    wb.set_custom_property("tianbao_template_id", "2014-06-D0001", "text")
    wb.set_custom_property("tianbao_signature", "ab" * 32, "text")
    pct = wb.add_format({"num_format": "0.0%"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("项目")
    ws.write_row(0, 0, ["编号", "名称", "金额", "增长率", "日期", "合计", "错误"])
    ws.write_row(1, 0, ["P001", "道路工程", 1234.5])
    ws.write_number(1, 3, 0.12, pct)
    ws.write_datetime(1, 4, dt.datetime(2014, 7, 1), date)
    ws.write_formula(1, 5, "=C2*2", None, 2469)
    ws.write_formula(1, 6, "=1/0", None, "#DIV/0!")
    ws.write_string(3, 1, "第四行")  # row 3 (0-based) after an empty row
    hidden = wb.add_worksheet("_lists")
    hidden.write_column(0, 0, ["新建", "续建"])
    hidden.hide()
    meta = wb.add_worksheet("_tianbao")
    meta.write_row(0, 0, ["template_id", "2014-06-D0001"])
    meta.very_hidden()
    wb.close()
    return path


def test_normal_workbook__read_with_everything_we_need(normal_book: Path) -> None:
    result = read_workbook(normal_book)
    assert result.ok and result.issues == [], result.issues
    book = result.book
    assert book is not None
    assert [(s.name, s.state) for s in book.sheets] == [
        ("项目", "visible"),
        ("_lists", "hidden"),
        ("_tianbao", "veryHidden"),
    ]
    assert book.date1904 is True
    assert book.custom_properties == {
        "tianbao_template_id": "2014-06-D0001",
        "tianbao_signature": "ab" * 32,
    }
    s = book.sheet("项目")
    assert s is not None
    assert s.rows[0] == ["编号", "名称", "金额", "增长率", "日期", "合计", "错误"]
    # 1904 dates are honoured; the cached formula value is there; errors read as None
    assert s.rows[1] == ["P001", "道路工程", 1234.5, 0.12, dt.date(2014, 7, 1), 2469.0, None]
    assert s.rows[2] == [None] * 7  # empty cells are None, not ''
    assert s.rows[3][1] == "第四行"
    assert s.error_cells == {(1, 6): "#DIV/0!"}
    assert s.formula_no_value == set()
    assert s.percent_cells == {(1, 3)}
    assert book.sheet("_tianbao").rows == [["template_id", "2014-06-D0001"]]
    assert result.size == normal_book.stat().st_size and len(result.sha256) == 64


def test_openpyxl_formulas__have_no_cached_value(tmp_path: Path) -> None:
    path = tmp_path / "openpyxl.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = 1, "=A1*2", "text"
    wb.save(path)
    book = read_workbook(path).book
    assert book is not None
    assert book.sheets[0].formula_no_value == {(0, 1)}
    assert book.sheets[0].rows == [[1.0, None, "text"]]


def test_generated_template__identity_readable(tmp_path: Path, runner) -> None:
    from helpers import SAMPLE, tianbao

    ws = tmp_path / "ws"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    out = tmp_path / "out"
    res = tianbao(
        runner, "generate", "-w", ws, "--period", "2014-06", "-o", out, "--allow-missing-previous"
    )
    assert res.exit_code == 0, res.output
    template = sorted(out.glob("*.xlsx"))[0]
    result = read_workbook(template)
    assert result.ok and not result.blocking, result.issues
    book = result.book
    assert book is not None
    assert book.custom_properties["tianbao_format"] == "tianbao-template/1"
    assert len(book.custom_properties["tianbao_signature"]) == 64
    meta = book.sheet("_tianbao")
    assert meta is not None and meta.state == "veryHidden"
    assert any(row[:1] == ["signature"] for row in meta.rows)


def test_unsupported_error_values__read_and_reported(write) -> None:
    cells = (
        '<row r="1"><c r="A1" t="e"><v>#SPILL!</v></c><c r="B1" t="e"><f>X()</f>'
        '<v>#CALC!</v></c><c r="C1" t="e"><v>#N/A</v></c><c r="D1"><v>5</v></c></row>'
    )
    book = read_workbook(write(package({"S": sheet_xml(cells)}))).book
    assert book is not None  # calamine alone rejects #SPILL!: the reader patches a copy
    assert book.sheets[0].error_cells == {(0, 0): "#SPILL!", (0, 1): "#CALC!", (0, 2): "#N/A"}
    assert book.sheets[0].rows == [[None, None, None, 5.0]]


def test_error_values_patch__linear_in_the_number_of_error_cells(write) -> None:
    # a #SPILL! (which calamine rejects, so the reader patches a copy) and then 30,000
    # self-closing error cells: the patch scanned on past each of them (4,000: 22 s)
    import signal

    def expired(*_: object) -> None:
        raise AssertionError("the error-value patch took over 10 s")

    rows = "".join(f'<row r="{i}"><c r="A{i}" t="e"/></row>' for i in range(2, 30_002))
    xml = sheet_xml('<row r="1"><c r="A1" t="e"><v>#SPILL!</v></c></row>' + rows)
    path = write(package({"S": xml}))
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        book = read_workbook(path).book
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert book is not None and book.sheets[0].error_cells == {(0, 0): "#SPILL!"}


def test_cells_without_references__positions_as_calamine(write) -> None:
    cells = (
        '<row r="2"><c><v>1</v></c><c t="e"><v>#REF!</v></c></row>'
        '<row><c><f>A1</f></c><c s="1"><v>0.5</v></c></row>'
    )
    styles = (
        f'{DECL}<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="9"/></cellXfs></styleSheet>'
    )
    book = read_workbook(write(package({"S": sheet_xml(cells)}, styles=styles))).book
    assert book is not None
    s = book.sheets[0]
    assert s.rows == [[None, None], [1.0, None], [None, 0.5]]
    assert s.error_cells == {(1, 1): "#REF!"}
    assert s.formula_no_value == {(2, 0)}
    assert s.percent_cells == {(2, 1)}


def _styles(*num_fmts: str | int) -> str:
    """cellXfs 0 = General, then one xf per format: a custom code or a built-in id."""
    custom = [(164 + i, f) for i, f in enumerate(num_fmts) if isinstance(f, str)]
    ids = iter(i for i, _ in custom)
    xfs = "".join(f'<xf numFmtId="{next(ids) if isinstance(f, str) else f}"/>' for f in num_fmts)
    fmts = "".join(
        f'<numFmt numFmtId="{i}" formatCode="{c.replace(chr(34), "&quot;")}"/>' for i, c in custom
    )
    return (
        f'{DECL}<styleSheet xmlns="{NS}"><numFmts count="{len(custom)}">{fmts}</numFmts>'
        f'<cellXfs count="{len(num_fmts) + 1}"><xf numFmtId="0"/>{xfs}</cellXfs></styleSheet>'
    )


# (format as Calc, Excel or WPS write it, where it is set, whether the cell counts as percent)
PERCENT_STYLES = [
    ("0%", "cell", True),
    ("0.00%", "cell", True),
    ("0.0%", "cell", True),
    (9, "cell", True),  # built-in 0%
    (10, "cell", True),  # built-in 0.00%
    ("[$-804]0.0%", "cell", True),
    ("0.0", "cell", False),
    ('0.0"%"', "cell", False),  # a literal sign: the value is already in points
    ("0%", "column", True),  # no style of its own: the column's applies
    (10, "column", True),
    ("0.00%", "row", True),  # the row's style, with customFormat
    ("0.00%", "row without customFormat", False),
    ("0%", "column, cell s=0", False),  # the cell's own General wins
]


@pytest.mark.parametrize(("fmt", "where", "percent"), PERCENT_STYLES)
def test_percent_cells__from_cell_column_or_row_style(
    write, fmt: str | int, where: str, percent: bool
) -> None:
    cell = {
        "cell": '<c r="B2" s="1"><v>0.12</v></c>',
        "column, cell s=0": '<c r="B2" s="0"><v>0.12</v></c>',
    }
    c = cell.get(where, '<c r="B2"><v>0.12</v></c>')
    row_attrs = {"row": ' s="1" customFormat="1"', "row without customFormat": ' s="1"'}
    before = '<cols><col min="2" max="3" width="9" style="1"/></cols>' if "column" in where else ""
    xml = sheet_xml(
        f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"{row_attrs.get(where, "")}>{c}</row>',
        before=before,
    )
    book = read_workbook(write(package({"S": xml}, styles=_styles(fmt)))).book
    assert book is not None
    assert book.sheets[0].rows[1][1] == 0.12
    assert book.sheets[0].percent_cells == ({(1, 1)} if percent else set())


def test_percent_format_codes() -> None:
    assert is_percent_format("0.0%") and is_percent_format("#,##0.00%;[Red]-0%")
    assert not is_percent_format('0.0"%"') and not is_percent_format("0\\%")
    assert not is_percent_format("[$%-409]0") and not is_percent_format("yyyy-mm-dd")


# -- what the file really is ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", Code.READ_EMPTY_FILE),
        ("\ufeff地区,金额\r\n北京,1\r\n".encode(), Code.READ_CSV_OR_TEXT),
        ("地区,金额\n".encode("utf-16"), Code.READ_CSV_OR_TEXT),
        (
            '<html><meta charset="gb2312"><table><tr><td>北京</td></tr></table>'.encode("gbk"),
            Code.READ_HTML,
        ),
        (
            b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook '
            b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            Code.READ_SPREADSHEETML_2003,
        ),
        (b"\x09\x04\x06\x00\x00\x00\x10\x00" + bytes(40), Code.READ_LEGACY_XLS),
        (b"\x00\x00\x02\x00\x06\x04\x06\x00" + bytes(range(256)) * 2, Code.READ_NOT_A_ZIP),
    ],
    ids=["empty", "csv", "utf16-csv", "html-gbk", "spreadsheetml", "biff4", "binary"],
)
def test_sniff__not_a_workbook(write, no_calamine, content: bytes, code: Code) -> None:
    refused(write(content), code)


def cfb(*streams: str) -> bytes:
    """A compound file with one directory sector naming `streams` (enough to sniff)."""
    header = bytearray(512)
    header[:8] = CFB_MAGIC
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<II", header, 44, 1, 1)  # one FAT sector (#0), directory at #1
    struct.pack_into("<II", header, 68, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for i, name in enumerate(("Root Entry", *streams)):
        raw = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128 : i * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, i * 128 + 64, len(raw), 5 if i == 0 else 2)
    return bytes(header) + fat + bytes(directory)


def test_sniff__encrypted_ooxml_and_legacy_xls(write, no_calamine) -> None:
    assert cfb_stream_names(cfb("EncryptionInfo", "EncryptedPackage")) >= {"EncryptionInfo"}
    refused(write(cfb("EncryptionInfo", "EncryptedPackage")), Code.READ_ENCRYPTED)
    refused(write(cfb("Workbook"), "old.xlsx"), Code.READ_LEGACY_XLS)


def test_sniff__xlsx_named_xls_is_read(write, normal_book: Path) -> None:
    assert read_workbook(write(normal_book.read_bytes(), "really_xlsx.xls")).ok


def test_not_found(tmp_path: Path) -> None:
    result = read_workbook(tmp_path / "missing.xlsx")
    assert codes(result) == {Code.READ_NOT_FOUND} and result.book is None
    assert codes(read_workbook(tmp_path)) == {Code.READ_NOT_FOUND}  # a folder


def test_file_too_large(write, no_calamine) -> None:
    refused(write(package()), Code.READ_TOO_LARGE, limits=Limits(max_file_bytes=100))


# -- the zip container ------------------------------------------------------------------------
def test_zip_bomb__ratio(write, no_calamine) -> None:
    big = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (4 << 20))
    refused(write(package({"S": big})), Code.READ_ZIP_BOMB)


def test_zip_bomb__declared_sizes(write, no_calamine) -> None:
    data = package({"S": sheet_xml("x" * 5000)})
    refused(write(data), Code.READ_ZIP_BOMB, limits=Limits(max_entry_uncompressed=4000))
    refused(write(data), Code.READ_ZIP_BOMB, limits=Limits(max_total_uncompressed=5000))


def test_zip_bomb__lying_sizes_are_not_trusted(write, no_calamine) -> None:
    """A member that declares 100 bytes but inflates to 3 MiB: never inflated past 100."""
    data = bytearray(
        package({"S": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (3 << 20))})
    )
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        p = data.find(sig)
        while p >= 0:
            if data[p + name_at : p + name_at + len(name)] == name:
                struct.pack_into("<I", data, p + size_at, 100)
            p = data.find(sig, p + 4)
    refused(write(bytes(data)), Code.READ_CORRUPT_ZIP)


def test_zip__too_many_entries(write, no_calamine) -> None:
    extra = {f"xl/media/{i}.bin": b"x" for i in range(10)}
    refused(
        write(package(extra_parts=extra)), Code.READ_TOO_MANY_ENTRIES, limits=Limits(max_entries=8)
    )


@pytest.mark.parametrize(
    "name", ["../../evil.txt", "/etc/cron.d/x", "C:\\Windows\\x.txt", "xl/../../outside.txt"]
)
def test_zip__unsafe_member_names(write, no_calamine, name: str) -> None:
    data = io.BytesIO(package())
    with zipfile.ZipFile(data, "a") as zf:
        info = zipfile.ZipInfo(name)
        info.filename = name
        zf.writestr(info, b"marker")
    refused(write(data.getvalue()), Code.READ_BAD_ZIP_NAME)


def test_zip__duplicate_member_names(write, no_calamine) -> None:
    data = io.BytesIO(package())
    with zipfile.ZipFile(data, "a") as zf, pytest.warns(UserWarning):
        zf.writestr("xl/worksheets/Sheet1.xml", sheet_xml(""))
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml(""))
    refused(write(data.getvalue()), Code.READ_BAD_ZIP_NAME)


def test_zip__encrypted_member_truncated_and_bad_crc(write, no_calamine) -> None:
    good = package()
    flagged = bytearray(good)
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        p = flagged.find(sig)
        while p >= 0:
            flagged[p + flag_at] |= 1
            p = flagged.find(sig, p + 4)
    refused(write(bytes(flagged)), Code.READ_ENCRYPTED)
    refused(write(good[: len(good) // 2]), Code.READ_CORRUPT_ZIP)
    stored = bytearray(
        package(
            {"S": sheet_xml('<row r="1"><c r="A1"><v>1234.5</v></c></row>')},
            compression=zipfile.ZIP_STORED,
        )
    )
    at = stored.find(b"1234.5")
    stored[at] = ord("9")
    refused(write(bytes(stored)), Code.READ_CORRUPT_ZIP)


def test_zip__compression_excel_cannot_read(write, no_calamine) -> None:
    refused(write(package(compression=zipfile.ZIP_LZMA)), Code.READ_CORRUPT_ZIP)


# -- the package ---------------------------------------------------------------------------
def test_package__not_a_workbook(write, no_calamine) -> None:
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    refused(write(empty.getvalue()), Code.READ_NOT_XLSX)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    refused(write(docx.getvalue()), Code.READ_NOT_XLSX)
    word_ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    refused(write(package(main_ct=word_ct)), Code.READ_NOT_XLSX)
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    refused(write(ods.getvalue()), Code.READ_ODS)


def test_package__macros(write, no_calamine) -> None:
    macro_ct = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    refused(write(package(main_ct=macro_ct)), Code.READ_MACRO_ENABLED)
    refused(write(package(extra_parts={"xl/vbaProject.bin": cfb("VBA")})), Code.READ_MACRO_ENABLED)
    names = '<definedNames><definedName name="_xlnm.Auto_Open">S!$A$1</definedName></definedNames>'
    refused(write(package(workbook_extra=names)), Code.READ_MACRO_ENABLED)
    xlm = (
        f'{DECL}<xm:macrosheet xmlns="{NS}" xmlns:xm="http://schemas.microsoft.com/office/'
        'excel/2006/main"><sheetData><row r="1"><c r="A1"><f>EXEC("calc")</f></c></row>'
        "</sheetData></xm:macrosheet>"
    )
    refused(
        write(package({"S": sheet_xml(""), "M": xlm}, states={"M": "veryHidden"})),
        Code.READ_MACRO_ENABLED,
    )


def test_external_links__a_note_not_a_refusal(write) -> None:
    link = f'{DECL}<externalLink xmlns="{NS}"/>'
    rel = (
        f'<Relationship Id="rId80" Type="{NS_R}/externalLink" '
        'Target="externalLinks/externalLink1.xml"/>'
    )
    data = package(
        workbook_extra='<externalReferences><externalReference r:id="rId80"/></externalReferences>',
        extra_rels=rel,
        extra_parts={"xl/externalLinks/externalLink1.xml": link},
    )
    result = read_workbook(write(data))
    assert result.ok and codes(result) == {Code.READ_EXTERNAL_LINKS}
    assert not result.blocking


# -- XML ---------------------------------------------------------------------------------------
XXE = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


@pytest.mark.parametrize(
    "dtd", [XXE, LAUGHS, '<!DOCTYPE sst [<!ENTITY % r SYSTEM "http://127.0.0.1:9/x.dtd"> %r;]>']
)
def test_xml__dtd_refused(write, no_calamine, dtd: str) -> None:
    sst = sst_xml("&xxe;" if "xxe" in dtd else "x", head=dtd)
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    result = refused(write(package({"S": sheet_xml(cells)}, sst=sst)), Code.READ_XML_ENTITIES)
    assert all("root:" not in i.one_line() for i in result.issues)


def test_xml__dtd_in_workbook_and_sheet_refused(write, no_calamine) -> None:
    workbook = (
        f'{DECL}<!DOCTYPE workbook [<!ENTITY x "y">]><workbook xmlns="{NS}" '
        f'xmlns:r="{NS_R}"><sheets><sheet name="&x;" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )
    refused(write(package(extra_parts={"xl/workbook.xml": workbook})), Code.READ_XML_ENTITIES)
    sheet = sheet_xml("").replace("<worksheet", "<!-- hidden --><!DOCTYPE w><worksheet", 1)
    refused(write(package({"S": sheet})), Code.READ_XML_ENTITIES)


def test_xml__malformed(write, no_calamine) -> None:
    truncated = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')[:-40]
    refused(write(package({"S": truncated})), Code.READ_XML_ERROR)
    control = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>')
    refused(write(package({"S": control})), Code.READ_XML_ERROR)
    refused(write(package(workbook_pr="<workbookPr")), Code.READ_XML_ERROR)


# -- sheet sizes: a far cell makes calamine allocate rows x columns x 32 bytes ----------------
FAR = "XFD1048576"
FAR_CELLS = {
    "plain": f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="{FAR}"><v>1</v>'
    "</c></row>",
    "r_not_first": f'<row r="1"><c r="A1"><v>1</v></c><c s="0" r="{FAR}"><v>1</v></c></row>',
    "single_quotes": f"<row r='1'><c r='A1'><v>1</v></c><c r='{FAR}'><v>1</v></c></row>",
    "spaced": f'<row r="1"><c r="A1"><v>1</v></c><c r = "{FAR}"><v>1</v></c></row>',
    "tab": f'<row r="1"><c r="A1"><v>1</v></c><c\tr="{FAR}"><v>1</v></c></row>',
    "newline": f'<row r="1"><c r="A1"><v>1</v></c><c\nr="{FAR}"><v>1</v></c></row>',
    "prefixed": f'<row r="1"><c r="A1"><v>1</v></c></row><x:row xmlns:x="{NS}" r="1048576">'
    f'<x:c r="{FAR}"><x:v>1</x:v></x:c></x:row>',
    "cjk_prefix": f'<row r="1"><c r="A1"><v>1</v></c></row><前:row xmlns:前="{NS}" r="9">'
    f'<前:c r="{FAR}"><前:v>1</前:v></前:c></前:row>',
    "lower_case": f'<row r="1"><c r="A1"><v>1</v></c><c r="{FAR.lower()}"><v>1</v></c></row>',
    "leading_zero": '<row r="1"><c r="A1"><v>1</v></c><c r="XFD01048576"><v>1</v></c></row>',
    "no_cell_refs": '<row r="1"><c><v>1</v></c></row><row r="1048576">'
    + "<c><v>1</v></c>" * 20
    + "</row>",
    "row_beyond_excel": '<row r="1"><c><v>1</v></c></row><row r="100000000"><c><v>1</v></c></row>',
    "far_column_then_no_refs": '<row r="3000"><c r="XFC3000"><v>1</v></c><c><v>2</v></c></row>'
    '<row r="1"><c r="A1"><v>1</v></c></row>',
    "beyond_xfd": '<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZ1"><v>1</v></c></row>',
}


@pytest.mark.parametrize("cells", FAR_CELLS.values(), ids=FAR_CELLS.keys())
def test_far_cell__refused_in_every_spelling(write, no_calamine, cells: str) -> None:
    refused(write(package({"S": sheet_xml(cells)})), Code.READ_SHEET_TOO_LARGE)


# -- what calamine forgives and LibreOffice does not: one reading of a cell for everyone --------
NOT_XML = {
    "duplicate_r": f'<row r="1"><c r="A1"><v>1</v></c><c r="B1" r="{FAR}"><v>1</v></c></row>',
    "duplicate_t": '<row r="1"><c r="A1" t="n" t="s"><v>0</v></c></row>',
    "duplicate_row_r": '<row r="1" r="9"><c r="A1"><v>1</v></c></row>',
    "mismatched_tags": '<row r="1"><c r="A1"><v>1</c></v></row>',
    "unbound_prefix": '<row r="1"><y:c r="A1"><y:v>1</y:v></y:c></row>',
    "empty_default_namespace": '<row r="1" xmlns=""><c r="A1"><v>1</v></c></row>',
    "other_default_namespace": '<sheetData xmlns="urn:x"><row r="1"><c r="A1"><v>1</v></c>'
    "</row></sheetData>",
    "prefix_other_namespace": '<row r="1"><o:c xmlns:o="urn:other" r="A1"><o:v>1</o:v></o:c></row>',
}


@pytest.mark.parametrize("cells", NOT_XML.values(), ids=NOT_XML.keys())
def test_not_well_formed_or_foreign_namespace__refused(write, no_calamine, cells: str) -> None:
    refused(write(package({"S": sheet_xml(cells)})), Code.READ_XML_ERROR)


def test_no_namespace_on_the_sheet__refused(write, no_calamine) -> None:
    bare = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace(f' xmlns="{NS}"', "")
    refused(write(package({"S": bare})), Code.READ_XML_ERROR)
    emptied = bare.replace("<worksheet", '<worksheet xmlns=""')
    refused(write(package({"S": emptied})), Code.READ_XML_ERROR)


def test_prefixed_main_namespace__read(write) -> None:
    cells = f'<x:row xmlns:x="{NS}" r="1"><x:c r="A1"><x:v>7</x:v></x:c></x:row>'
    result = read_workbook(write(package({"S": sheet_xml(cells)})))
    assert result.book is not None, result.issues
    assert result.book.sheets[0].rows[0][0] == 7


def test_shared_strings__not_well_formed_refused(write, no_calamine) -> None:
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    sst = sst_xml("a").replace("<si>", '<si x="1" x="2">', 1)
    refused(write(package({"S": sheet}, sst=sst)), Code.READ_XML_ERROR)


@pytest.mark.parametrize(
    "index", ["1e308", "-1", "1", "99999999999999999999", "0x0", "", " 0 ", "0.0"]
)
def test_shared_string_index_out_of_the_table__refused(write, no_calamine, index: str) -> None:
    sheet = sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>{index}</v></c></row>')
    refused(write(package({"S": sheet}, sst=sst_xml("only"))), Code.READ_XML_ERROR)


@pytest.mark.parametrize(
    "cell",
    [
        "<c r=\"C1\" t = 's'><v>5</v></c>",  # spelled unusually: the walk decides
        '<c r="C1" t="s" s="0"><v>5</v></c>',  # the attribute not last
        '<c r="C1" t="s"><v>5</v></c>',  # the usual shape: the quick scan decides
    ],
)
def test_shared_string_index_out_of_the_table_beside_good_ones__refused(
    write, no_calamine, cell: str
) -> None:
    good = '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    sheet = sheet_xml(f'<row r="1">{good}{cell}</row>')
    refused(write(package({"S": sheet}, sst=sst_xml("a", "b"))), Code.READ_XML_ERROR)


def test_shared_string_index_in_the_table__read(write) -> None:
    cells = '<row r="1"><c r="A1" t="s"><v>01</v></c><c r="B1" t=\'s\'><v>0</v></c></row>'
    sheet = sheet_xml(cells)
    result = read_workbook(write(package({"S": sheet}, sst=sst_xml("a", "b"))))
    assert result.book is not None, result.issues
    assert result.book.sheets[0].rows[0][:2] == ["b", "a"]


def test_part_name_differing_in_case__refused(write, no_calamine) -> None:
    """OPC compares part names case-insensitively; LibreOffice does not and cannot open it."""
    data = package(
        targets={"Sheet1": "worksheets/Sheet1.xml"},
        extra_parts={
            "xl/worksheets/sheet1.xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
        },
    )
    refused(write(data), Code.READ_MISSING_PART)


def test_far_cell__empty_far_cells_do_not_count(write) -> None:
    cells = (
        f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576" s="3" customFormat="1">'
        f'<c r="{FAR}" s="3"/></row>'
    )
    result = read_workbook(write(package({"S": sheet_xml(cells)})))
    assert result.ok and result.book.sheets[0].rows == [[1.0]]


def test_declared_dimension_and_merges_over_the_sheet(write, no_calamine) -> None:
    cells = '<row r="1"><c r="A1"><v>1</v></c></row>'
    dim = sheet_xml(cells, before='<dimension ref="A1:XFD1048576"/>')
    refused(write(package({"S": dim})), Code.READ_SHEET_TOO_LARGE)
    merge = sheet_xml(
        cells, after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    )
    refused(write(package({"S": merge})), Code.READ_SHEET_TOO_LARGE)


GRID = '<row r="1"><c r="A1"><v>1</v></c></row><row r="300"><c r="Z300"><v>1</v></c></row>'


def test_grid_limit__refused_above(write, no_calamine) -> None:
    refused(
        write(package({"S": sheet_xml(GRID)})),
        Code.READ_SHEET_TOO_LARGE,
        limits=Limits(max_cells=26 * 299),
    )


def test_grid_limit__read_at(write) -> None:
    result = read_workbook(write(package({"S": sheet_xml(GRID)})), Limits(max_cells=26 * 300))
    assert result.ok and len(result.book.sheets[0].rows) == 300


def test_bounds_near_a_limit__decided_by_the_exact_walk(write) -> None:
    """The fast scan rounds its bound up (150 -> 199); that alone must not refuse."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="150"><c r="B150"><v>2</v></c></row>'
    result = read_workbook(write(package({"S": sheet_xml(cells)})), Limits(max_rows=190))
    assert result.ok and len(result.book.sheets[0].rows) == 150


@pytest.mark.parametrize("head", ["", '<!-- <sst uniqueCount="1"> -->'], ids=["plain", "comment"])
def test_shared_strings__declared_count_refused(write, no_calamine, head: str) -> None:
    """calamine reserves uniqueCount entries before reading: 2e9 aborts the process."""
    sst = f'{DECL}{head}<sst xmlns="{NS}" uniqueCount="2000000000"><si><t>x</t></si></sst>'
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    refused(write(package({"S": sheet_xml(cells)}, sst=sst)), Code.READ_SHEET_TOO_LARGE)


def test_shared_strings__amplification_refused(write, no_calamine) -> None:
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 200))
    sst = sst_xml("长" * 30_000)
    refused(
        write(package({"S": sheet_xml(cells)}, sst=sst)),
        Code.READ_SHEET_TOO_LARGE,
        limits=Limits(max_text_bytes=1 << 20),
    )


def test_shared_strings__missing(write, no_calamine) -> None:
    cells = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    refused(write(package({"S": sheet_xml(cells)})), Code.READ_MISSING_PART)


def test_cell_too_long(write, no_calamine) -> None:
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(40_000))
    cells = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    refused(write(package({"S": sheet_xml(cells)})), Code.READ_CELL_TOO_LONG)
    refused(
        write(
            package(
                {"S": sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')}, sst=sst_xml(text)
            )
        ),
        Code.READ_CELL_TOO_LONG,
    )


def test_long_attribute_is_not_a_long_cell(write) -> None:
    sqref = " ".join(f"A{i}" for i in range(1, 9000))
    after = f'<dataValidations count="1"><dataValidation sqref="{sqref}"/></dataValidations>'
    assert read_workbook(write(package({"S": sheet_xml("", after=after)}))).ok


def test_styles_and_sheets_limits(write, no_calamine) -> None:
    xfs = '<xf numFmtId="0"/>' * 20
    styles = f'{DECL}<styleSheet xmlns="{NS}"><cellXfs count="20">{xfs}</cellXfs></styleSheet>'
    refused(
        write(package(styles=styles)), Code.READ_STYLES_TOO_LARGE, limits=Limits(max_cell_xfs=10)
    )
    three = {n: sheet_xml("") for n in ("A", "B", "C")}
    refused(write(package(three)), Code.READ_TOO_MANY_SHEETS, limits=Limits(max_sheets=2))


def test_sheet_names__duplicates_case_insensitive(write, no_calamine) -> None:
    refused(
        write(package({"Data": sheet_xml(""), "DATA": sheet_xml("")})),
        Code.READ_DUPLICATE_SHEET_NAME,
    )


def test_relationships(write, no_calamine) -> None:
    refused(
        write(package({"S": sheet_xml("")}, targets={"S": "../../../../etc/passwd"})),
        Code.READ_BAD_RELATIONSHIP,
    )
    refused(
        write(package({"S": sheet_xml("")}, targets={"S": "/xl/workbook.xml"})),
        Code.READ_BAD_RELATIONSHIP,
    )
    refused(
        write(package({"S": sheet_xml("")}, targets={"S": "worksheets/gone.xml"})),
        Code.READ_MISSING_PART,
    )
    two = package({"A": sheet_xml(""), "B": sheet_xml("")}, targets={"B": "worksheets/sheet1.xml"})
    refused(write(two), Code.READ_BAD_RELATIONSHIP)


# -- the scanner's two paths agree ---------------------------------------------------------------
def test_fast_and_exact_scans_agree(normal_book: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r in range(300):
        for c in range(0, 60, 7):
            ws.write_number(r, c, r * c)
    ws.write_formula(301, 3, "=1/0", None, "#DIV/0!")
    ws.write_formula(302, 75, "=A1", None, "")
    wb.close()
    for book in (normal_book, path):
        with zipfile.ZipFile(book) as zf:
            for name in zf.namelist():
                if "worksheets/sheet" not in name:
                    continue
                buf = zf.read(name)
                start, end = cells_mod.sheet_data_span(buf)
                fast = cells_mod._fast(buf, start, end, frozenset(), None)
                exact = cells_mod._exact(buf, start, end, frozenset())
                assert fast is not None
                assert fast.max_row >= exact.max_row and fast.max_col >= exact.max_col
                assert fast.error_cells == exact.error_cells
                assert fast.formula_no_value == exact.formula_no_value


# -- the guarded reader ------------------------------------------------------------
def test_guarded__same_result_as_in_process(normal_book: Path) -> None:
    inside, guarded = read_workbook(normal_book), read_workbook_guarded(normal_book)
    assert guarded.ok and guarded.book == inside.book and guarded.sha256 == inside.sha256


def test_guarded__reader_over_its_time_becomes_reader_crashed(
    normal_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the reader process waits at its pause point for good: the limit is reached for sure
    marker = tmp_path / "reading"
    monkeypatch.setenv(PAUSE_ENV, f"read:1:{marker}")
    slow = read_workbook_guarded(normal_book, Limits(time_seconds=0.5))
    assert marker.exists()  # it was paused in the read, not failed before it
    assert codes(slow) == {Code.READ_READER_CRASHED} and slow.book is None
    assert "time limit" in slow.issues[0].detail
    assert slow.sha256  # the file is still identified


def test_guarded__reader_over_its_memory_becomes_reader_crashed(write) -> None:
    # two cells, but a 200,000 x 100 grid: calamine allocates 640 MB at once, against
    # 64 MiB (enough for the checks before it); the time limit is the default 30 s
    sparse = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="200000"><c r="CV200000"><v>2</v></c></row>'
    )
    starved = read_workbook_guarded(
        write(package({"S": sheet_xml(sparse)})), Limits(memory_bytes=64 << 20)
    )
    assert codes(starved) == {Code.READ_READER_CRASHED} and starved.book is None
    assert "time limit" not in starved.issues[0].detail


def test_worker__picklable_for_a_process_pool(normal_book: Path) -> None:
    assert pickle.loads(pickle.dumps(worker_read)) is worker_read
    with ProcessPoolExecutor(
        max_workers=1, initializer=limit_process, initargs=(Limits(),)
    ) as pool:
        result = pool.submit(worker_read, str(normal_book), Limits()).result(timeout=60)
    assert result.ok and result.book.sheets[0].name == "项目"
