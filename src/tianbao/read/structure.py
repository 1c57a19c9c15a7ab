"""Stages 2 and 3 of the guard: the package (content types, the workbook part,
macros) and the workbook structure (sheets, their relationships and parts)."""

from __future__ import annotations

import zipfile
from urllib.parse import unquote

from tianbao.findings import Code
from tianbao.read import xmlsafe
from tianbao.read.facts import (
    AUTO_NAMES,
    MAIN_MACRO,
    MAIN_XLSB,
    MAIN_XLSX,
    ODS_MIME,
    SHEET_KINDS,
    Rel,
    SheetEntry,
    _Stop,
    _what_zip,
)
from tianbao.read.issues import show
from tianbao.read.zipcheck import ZipChecker

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.READ_XLSB,
    Code.READ_ODS,
    Code.READ_MACRO_ENABLED,
    Code.READ_NOT_XLSX,
    Code.READ_TOO_MANY_SHEETS,
    Code.READ_MISSING_PART,
    Code.READ_BAD_RELATIONSHIP,
    Code.READ_DUPLICATE_SHEET_NAME,
    Code.READ_EXTERNAL_LINKS,
)


class StructureChecks(ZipChecker):
    # -- stage 2: the package -------------------------------------------------------------
    def package(self) -> None:
        ct_part = self.content_types_part()
        self.content_types(ct_part)
        self.main = self.main_part()
        self.main_content_type()
        self.macro_parts()

    def content_types_part(self) -> zipfile.ZipInfo:
        """[Content_Types].xml; stops at an OpenDocument, an XLSB or another zip."""
        mimetype = self.find("mimetype")
        if (
            mimetype is not None
            and mimetype.file_size < 200
            and self.read(mimetype).strip().startswith(ODS_MIME)
        ):
            self.add(Code.READ_ODS, "zip with an OpenDocument spreadsheet mimetype")
            raise _Stop
        ct_part = self.find("[Content_Types].xml")
        if ct_part is None:
            if self.find("xl/workbook.bin"):
                self.add(Code.READ_XLSB, "xl/workbook.bin without content types")
            else:
                self.add(Code.READ_NOT_XLSX, _what_zip(self.by_name))
            raise _Stop
        return ct_part

    def content_types(self, ct_part: zipfile.ZipInfo) -> None:
        def types(name: str, attrs: dict[str, str]) -> None:
            what = xmlsafe.local(name)
            if what == "Default" and "Extension" in attrs:
                self.types_default[attrs["Extension"].lower()] = attrs.get("ContentType", "")
            elif what == "Override" and "PartName" in attrs:
                name_ = unquote(attrs["PartName"]).lower()
                self.types_override[name_] = attrs.get("ContentType", "")

        if not self.read_xml(ct_part, start=types):
            raise _Stop

    def main_part(self) -> str:
        """The workbook part the package relationships point at, as stored in the zip."""
        office = [r for r in self.rels("") if r.type == "officedocument" and not r.external]
        self.stop_if_blocked()
        if not office or office[0].part is None:
            self.add(
                Code.READ_NOT_XLSX,
                "no workbook relationship in _rels/.rels "
                + (f"({_what_zip(self.by_name)})" if not office else "(target outside)"),
            )
            raise _Stop
        main = office[0].part
        zi = self.find(main)
        if zi is None:
            self.add(Code.READ_MISSING_PART, f"workbook part {show(main)} is not in the file")
            raise _Stop
        return zi.filename

    def main_content_type(self) -> None:
        """A workbook, not an XLSB or another Office document; a macro-enabled one noted."""
        ct = self.content_type(self.main)
        if ct == MAIN_XLSB or self.main.lower().endswith(".bin"):
            self.add(Code.READ_XLSB)
            raise _Stop
        if ct in MAIN_MACRO:
            self.add(Code.READ_MACRO_ENABLED, f"macro-enabled workbook content type {ct}")
        elif ct not in MAIN_XLSX:
            self.add(
                Code.READ_NOT_XLSX,
                f"workbook part content type is {ct or 'missing'}"
                + (f" ({_what_zip(self.by_name)})" if "word" in ct or "present" in ct else ""),
            )
            raise _Stop

    def macro_parts(self) -> None:
        macro_parts = [
            name
            for name in self.by_name
            if name.lower().endswith("vbaproject.bin")
            or "vbaproject" in self.content_type(name)
            or "macrosheet" in self.content_type(name)
        ]
        if macro_parts:
            self.add(
                Code.READ_MACRO_ENABLED, f"macro parts: {', '.join(map(show, macro_parts[:3]))}"
            )

    # -- stage 3: the workbook structure ---------------------------------------------------
    def workbook(self) -> None:
        rels = self.rels(self.main)
        self.stop_if_blocked()
        by_id = {r.id: r for r in rels}
        sheets: list[tuple[str, str, str]] = []  # name, state, rid
        names: list[str] = []
        external_refs = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal external_refs
            what = xmlsafe.local(name)
            # by local name, whatever prefix or default namespace the writer chose
            if what == "sheet":
                sheets.append(
                    (
                        xmlsafe.attr_local(attrs, "name") or "",
                        (xmlsafe.attr_local(attrs, "state") or "visible").strip(),
                        xmlsafe.attr_local(attrs, "id") or "",
                    )
                )
            elif what == "workbookPr":
                d1904 = xmlsafe.attr_local(attrs, "date1904") or ""
                self.pkg.date1904 = d1904.strip().lower() in ("1", "true")
            elif what == "definedName":
                names.append(xmlsafe.attr_local(attrs, "name") or "")
            elif what == "externalReference":
                external_refs = True

        if not self.read_xml(self.find(self.main), start=start):  # type: ignore[arg-type]
            raise _Stop
        self.macros_and_links(names, rels, external_refs)
        if len(sheets) > self.limits.max_sheets:
            self.add(
                Code.READ_TOO_MANY_SHEETS, f"{len(sheets)} sheets (limit {self.limits.max_sheets})"
            )
            raise _Stop
        self.duplicate_names([name for name, _, _ in sheets])
        targets: dict[str, str] = {}
        for name, st, rid in sheets:
            entry = self.sheet_entry(name, st, by_id.get(rid), rid, targets)
            if entry is not None:
                targets[entry.part] = name
                self.pkg.sheets.append(entry)
        self.related = [r for r in rels if not r.external and r.part]

    def macros_and_links(self, names: list[str], rels: list[Rel], external_refs: bool) -> None:
        """A macro trigger among the defined names or the relationships; external links."""
        if any(n.lower().removeprefix("_xlnm.") in AUTO_NAMES for n in names):
            self.add(Code.READ_MACRO_ENABLED, "defined name Auto_Open/Auto_Close (macro trigger)")
        if any(r.type in ("vbaproject", "xlmacrosheet", "xlintlmacrosheet") for r in rels):
            self.add(
                Code.READ_MACRO_ENABLED, "workbook relationship to a VBA project or macro sheet"
            )
        links = [r for r in rels if r.type in ("externallink", "connections")]
        if external_refs or links:
            self.add(
                Code.READ_EXTERNAL_LINKS, f"{len(links)} external link or data connection part(s)"
            )

    def duplicate_names(self, names: list[str]) -> None:
        """Sheet names equal but for letter case: Excel refuses them, calamine does not."""
        seen: dict[str, str] = {}
        dups: list[str] = []
        for name in names:
            key = name.casefold()
            if key in seen:
                dups.append(f"{show(seen[key])} / {show(name)}")
            seen.setdefault(key, name)
        if dups:
            self.add(Code.READ_DUPLICATE_SHEET_NAME, "; ".join(dups[:5]), self.main)

    def sheet_entry(
        self, name: str, state: str, rel: Rel | None, rid: str, targets: dict[str, str]
    ) -> SheetEntry | None:
        """A <sheet> of the workbook as a part to read, or None (with a finding)."""
        where = f"sheet {show(name)}"
        if rel is None:
            self.add(Code.READ_BAD_RELATIONSHIP, f"{where}: no relationship {show(rid)}", self.main)
            return None
        kind = SHEET_KINDS.get(rel.type)
        if kind is None:
            self.add(
                Code.READ_BAD_RELATIONSHIP,
                f"{where}: relationship type {show(rel.type)} is not a sheet",
                self.main,
            )
            return None
        if rel.external or rel.part is None:
            self.add(
                Code.READ_BAD_RELATIONSHIP,
                f"{where} points outside the package: {show(rel.target)}",
                self.main,
            )
            return None
        zi = self.find(rel.part)
        if zi is None:
            self.add(
                Code.READ_MISSING_PART, f"{where}: {show(rel.part)} is not in the file", self.main
            )
            return None
        if zi.filename == self.main or zi.filename in targets:
            other = (
                "the workbook itself"
                if zi.filename == self.main
                else (f"sheet {show(targets[zi.filename])}")
            )
            self.add(
                Code.READ_BAD_RELATIONSHIP,
                f"{where} points at the same part as {other}: {show(zi.filename)}",
                self.main,
            )
            return None
        if kind == "macrosheet":
            self.add(Code.READ_MACRO_ENABLED, f"{where} is an Excel 4.0 macro sheet")
        return SheetEntry(name, state, kind, zi.filename)
