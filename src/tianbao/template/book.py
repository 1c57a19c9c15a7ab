"""The template's workbook: xlsxwriter's, its shared strings written a string at a time.

xlsxwriter runs three regular expressions and builds an attribute list for every
string of the shared-string table (about 250 in a template). Most of them need
none of it: no XML-special or control character, no ``_xHHHH_`` to escape, no
leading or trailing space to preserve; those are written as they are, the rest
through xlsxwriter's own code, so the part is the same bytes (the golden template
test compares them).
"""

from __future__ import annotations

import re
from typing import Any

import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings

# what xlsxwriter would escape or mark in a shared string
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


class _Strings(SharedStrings):
    def _write_sst_strings(self) -> None:
        fh: Any = self.fh
        plain: list[str] = []
        for string in self.string_table.string_array:
            if _SPECIAL.search(string) or string[:1].isspace() or string[-1:].isspace():
                fh.write("".join(plain))
                plain.clear()
                self._write_si(string)
            else:
                plain.append(f"<si><t>{string}</t></si>")
        fh.write("".join(plain))


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        sst = _Strings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class TemplateWorkbook(xlsxwriter.Workbook):
    def _get_packager(self) -> Packager:
        return _Packager()
