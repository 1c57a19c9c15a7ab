"""Every file of the shared hostile corpus through the guarded reader.

Each file must give a workbook or at least one blocking issue with a clear
code: never an exception, a hang or a killed process. READER_CRASHED must not
happen either: the checks before calamine have to refuse every file known to
crash it (the guard only catches what nobody has thought of yet). The reads run
in a subprocess capped at Limits().memory_bytes and Limits().time_seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from lo import need
from tianbao.findings import Code
from tianbao.read import ReadResult, read_workbook_guarded

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_files() -> list[str]:
    """'crafted/name' and 'public/name' for every file listed in the two manifests."""
    names = []
    for folder in ("crafted", "public"):
        manifest = CORPUS / folder / "MANIFEST.tsv"
        if manifest.is_file():
            with manifest.open(encoding="utf-8", newline="") as fh:
                rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
                names += [f"{folder}/{row['file']}" for row in rows]
    return names


FILES = corpus_files()

# crafted files whose outcome is plain from the manifest: any of these codes, no book
CRAFTED_REFUSED: dict[str, set[Code]] = {
    "zip_bomb_1GiB_sheet.xlsx": {Code.READ_ZIP_BOMB},
    "rels_amplification_200_sheets_one_part.xlsx": {Code.READ_ZIP_BOMB, Code.READ_BAD_RELATIONSHIP},
    "billion_laughs_sharedStrings.xlsx": {Code.READ_XML_ENTITIES},
    "xxe_etc_passwd_sharedStrings.xlsx": {Code.READ_XML_ENTITIES},
    "xxe_etc_passwd_sheet_name.xlsx": {Code.READ_XML_ENTITIES},
    "xxe_parameter_entity_oob.xlsx": {Code.READ_XML_ENTITIES},
    "really_csv.xlsx": {Code.READ_CSV_OR_TEXT},
    "really_html_table.xlsx": {Code.READ_HTML},
    "really_html_table_gb2312.xls": {Code.READ_HTML},
    "really_spreadsheetml2003.xls": {Code.READ_SPREADSHEETML_2003},
    "really_xls_biff8.xlsx": {Code.READ_LEGACY_XLS},
    "really_ods.xlsx": {Code.READ_ODS},
    "wrong_main_content_type.xlsx": {Code.READ_NOT_XLSX},
    "encrypted_package_fake.xlsx": {Code.READ_ENCRYPTED},
    "empty_0_bytes.xlsx": {Code.READ_EMPTY_FILE},
    "empty_zip.xlsx": {Code.READ_NOT_XLSX},
    "sheet_part_missing.xlsx": {Code.READ_MISSING_PART},
    "dimension_A1_XFD1048576_few_cells.xlsx": {Code.READ_SHEET_TOO_LARGE},
    "far_cell_XFD1048576.xlsx": {Code.READ_SHEET_TOO_LARGE},
    "sheets_1000.xlsx": {Code.READ_TOO_MANY_SHEETS},
    "duplicate_sheet_names_case.xlsx": {Code.READ_DUPLICATE_SHEET_NAME},
    "duplicate_sheet_names_exact.xlsx": {Code.READ_DUPLICATE_SHEET_NAME},
    "macro_vbaProject_saved_as.xlsx": {Code.READ_MACRO_ENABLED},
    "xlm_macrosheet_auto_open.xlsx": {Code.READ_MACRO_ENABLED},
    "sharedStrings_missing.xlsx": {Code.READ_MISSING_PART},
    "sharedStrings_index_out_of_range.xlsx": {Code.READ_XML_ERROR},
    "illegal_xml_control_chars.xlsx": {Code.READ_XML_ERROR},
    "sheet_xml_truncated.xlsx": {Code.READ_XML_ERROR, Code.READ_CORRUPT_ZIP},
    "deeply_nested_xml_500k.xlsx": {Code.READ_ZIP_BOMB},
    "huge_cell_string_64MiB.xlsx": {Code.READ_ZIP_BOMB, Code.READ_CELL_TOO_LONG},
    "bad_cell_references.xlsx": {Code.READ_SHEET_TOO_LARGE, Code.READ_XML_ERROR},
    "merge_cells_entire_sheet.xlsx": {Code.READ_SHEET_TOO_LARGE},
    "styles_500k_cellXfs.xlsx": {Code.READ_ZIP_BOMB, Code.READ_STYLES_TOO_LARGE},
    "truncated_half.xlsx": {Code.READ_CORRUPT_ZIP},
    "bad_crc_tampered.xlsx": {Code.READ_CORRUPT_ZIP},
    "zip_slip_member_names.xlsx": {Code.READ_BAD_ZIP_NAME},
    "zip_entry_encrypted_flag.xlsx": {Code.READ_ENCRYPTED},
    "zip_lzma_compression.xlsx": {Code.READ_CORRUPT_ZIP},
    "rels_target_path_traversal.xlsx": {Code.READ_BAD_RELATIONSHIP},
    "rels_sheet_is_workbook.xlsx": {Code.READ_BAD_RELATIONSHIP},
}
# well-formed workbooks with odd content: read, the content is the validator's business
CRAFTED_READ = {
    "really_xlsx.xls",
    "zero_sheets.xlsx",
    "one_empty_sheet.xlsx",
    "rows_200000.xlsx",
    "formula_injection_strings.xlsx",
    "sheet_names_illegal_chars_and_long.xlsx",
    "external_links.xlsx",
    "numbers_as_text_fullwidth.xlsx",
    "numbers_as_text_thousands_separators.xlsx",
    "percent_strings.xlsx",
    "chinese_units_amounts.xlsx",
    "nan_inf_values.xlsx",
    "excel_error_values.xlsx",
    "dates_as_text_chinese.xlsx",
    "dates_out_of_range.xlsx",
    "date1904_system.xlsx",
    "very_hidden_sheet.xlsx",
}
# public files: refused with these codes (everything else of type .xlsx/.xltx is read)
PUBLIC_REFUSED: dict[str, set[Code] | frozenset[Code]] = {
    "calamine_too_small.xls": {Code.READ_CSV_OR_TEXT},
    "sheetjs_CRLFR9.WK1": {Code.READ_NOT_A_ZIP},
    "sheetjs_crlf.htm": {Code.READ_HTML},
    "sheetjs_crlf.xml": {Code.READ_SPREADSHEETML_2003},
    "sheetjs_LO7322.fods": {Code.READ_ODS},
    "poi_poc-xmlbomb.xlsx": {Code.READ_XML_ENTITIES},
    "poi_poc-xmlbomb-empty.xlsx": {Code.READ_XML_ENTITIES},
    "poi_poc-shared-strings.xlsx": {Code.READ_SHEET_TOO_LARGE, Code.READ_CELL_TOO_LONG},
    "poi_xlsx-corrupted.xlsx": {Code.READ_XML_ERROR},
    "poi_invalid.xlsx": {Code.READ_NOT_XLSX},
    "openpyxl_null_archive.xlsx": {Code.READ_NOT_XLSX},
    "openpyxl_null_file.xlsx": {Code.READ_EMPTY_FILE},
    "poi_duplicate-filename.xlsx": {Code.READ_BAD_ZIP_NAME},
    "poi_duplicate-filename-case-insensitive.xlsx": {Code.READ_BAD_ZIP_NAME},
    "poi_stress002.xlsx": {Code.READ_MACRO_ENABLED},
    "poi_crash-9bf3cd4bd6f50a8a9339d363c2c7af14b536865c.xlsx": {Code.READ_ENCRYPTED},
    "poi_protected_passtika.xlsb": {Code.READ_ENCRYPTED},
    **dict.fromkeys(
        (
            "poi_protect.xlsx",
            "poi_protected_sha512.xlsx",
            "poi_extenxls_pwd123.xlsx",
            "poi_60320-protected.xlsx",
            "calamine_pass_protected.xlsx",
            "pycalamine_password.xlsx",
        ),
        frozenset({Code.READ_ENCRYPTED}),
    ),
}
BY_SUFFIX: dict[str, set[Code]] = {
    ".csv": {Code.READ_CSV_OR_TEXT, Code.READ_EMPTY_FILE},
    ".xls": {Code.READ_LEGACY_XLS},
    ".et": {Code.READ_LEGACY_XLS},
    ".xlsb": {Code.READ_XLSB, Code.READ_EMPTY_FILE},
    ".ods": {Code.READ_ODS, Code.READ_EMPTY_FILE},
    ".xlsm": {Code.READ_MACRO_ENABLED},
    ".xltm": {Code.READ_MACRO_ENABLED},
}


def expected(name: str) -> set[Code] | frozenset[Code] | None:
    """Codes the file must be refused with; None if it must be read."""
    folder, _, file = name.partition("/")
    if folder == "crafted":
        if file in CRAFTED_REFUSED:
            return CRAFTED_REFUSED[file]
        return None if file in CRAFTED_READ else set()  # set(): any blocking code
    if file in PUBLIC_REFUSED:
        return PUBLIC_REFUSED[file]
    if "clusterfuzz" in file or file.startswith("poi_crash-"):
        return {Code.READ_CORRUPT_ZIP, Code.READ_LEGACY_XLS, Code.READ_ENCRYPTED}
    return BY_SUFFIX.get(Path(file).suffix.lower())


def all_text(result: ReadResult) -> str:
    """Everything a user could be shown: messages, details, sheet names, cell text."""
    parts = [i.one_line() for i in result.issues]
    if result.book is not None:
        for sheet in result.book.sheets:
            parts.append(sheet.name)
            parts += [str(v) for row in sheet.rows[:50] for v in row if isinstance(v, str)]
        parts += list(result.book.custom_properties.values())
    return "\n".join(parts)


@pytest.mark.slow
def test_corpus_present() -> None:
    need(CORPUS.is_dir() and len(FILES) >= 200, f"hostile corpus not found at {CORPUS}")


@pytest.fixture(scope="module")
def results() -> dict[str, ReadResult]:
    return {}


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_corpus_file(name: str, results: dict[str, ReadResult]) -> None:
    path = CORPUS / name
    need(path.is_file(), f"{path} missing")
    result = read_workbook_guarded(path)
    results[name] = result
    lines = [i.one_line() for i in result.issues]
    assert result.book is not None or result.blocking, f"neither a book nor a refusal: {lines}"
    assert result.book is None or not result.blocking, lines
    assert Code.READ_READER_CRASHED not in {i.code for i in result.issues}, (
        f"the checks before calamine let through a file that crashes it: {lines}"
    )
    assert not any("internal error" in i.detail for i in result.issues), lines
    for i in result.issues:
        assert i.message.strip() and isinstance(i.code, Code)
    assert "root:x:0" not in all_text(result), "a file's contents leaked (XXE)"
    want = expected(name)
    found = {i.code for i in result.issues if i.blocking}
    if want is None:
        assert result.book is not None, f"should have been read: {lines}"
    elif want:
        assert result.book is None and found & want, f"expected one of {want}: {lines}"


@pytest.mark.slow
def test_corpus_contents_read_right() -> None:
    """What the readable crafted files hold, as the manifest describes it."""
    need(CORPUS.is_dir(), f"hostile corpus not found at {CORPUS}")

    def book(file: str):
        result = read_workbook_guarded(CORPUS / "crafted" / file)
        assert result.book is not None, result.issues
        return result

    r = book("date1904_system.xlsx")
    assert r.book.date1904 and r.book.sheets[0].rows[1][0] == dt.date(2014, 7, 1)
    states = {s.name: s.state for s in book("very_hidden_sheet.xlsx").book.sheets}
    assert states == {"Summary": "visible", "Hidden": "hidden", "Secret": "veryHidden"}
    errors = book("excel_error_values.xlsx").book.sheets[0].error_cells
    assert {errors[(1, 0)], errors[(9, 0)], errors[(11, 0)]} == {"#DIV/0!", "#SPILL!", "#BOGUS!"}
    assert errors[(12, 0)] == "#DIV/0!"  # a formula's cached error
    assert (14, 0) not in errors  # '#DIV/0!' typed as text is text
    assert (7, 0) in book("percent_strings.xlsx").book.sheets[0].percent_cells
    linked = book("external_links.xlsx")
    assert {i.code for i in linked.issues} == {Code.READ_EXTERNAL_LINKS}
    assert linked.book.sheets[0].rows[0] == ["Linked value", 42.0]
    assert len(book("rows_200000.xlsx").book.sheets[0].rows) == 200_001
    assert book("zero_sheets.xlsx").book.sheets == []
    assert book("one_empty_sheet.xlsx").book.sheets[0].rows == []
