"""Stage 4 of the guard: the parts the reader parses (styles, shared strings,
every sheet), inflated with a cap and scanned as bytes; then every other member's CRC."""

from __future__ import annotations

import posixpath
import re

from tianbao.findings import Code
from tianbao.read import cells, sheetlimits, stylescan, xmlsafe
from tianbao.read.facts import (
    PERCENT_BUILTIN,
    SheetFacts,
    _count_items,
    _foreign_namespace,
    _mib,
    _near_cell,
    is_percent_format,
)
from tianbao.read.issues import show
from tianbao.read.zipcheck import ZipChecker

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.READ_MACRO_ENABLED,
    Code.READ_XML_ENTITIES,
    Code.READ_XML_ERROR,
    Code.READ_SHEET_TOO_LARGE,
    Code.READ_STYLES_TOO_LARGE,
    Code.READ_CELL_TOO_LONG,
    Code.READ_MISSING_PART,
    Code.READ_BAD_RELATIONSHIP,
)


class PartScan(ZipChecker):
    # -- stage 4: the parts the reader parses ------------------------------------------------
    def scan_parts(self) -> None:
        lim = self.limits
        pct = self.styles()
        sst_max, sst_part = self.shared_strings()
        self.sst_max, self.sst_part = sst_max, sst_part
        total_cells = 0
        text = 0
        for entry in self.pkg.sheets:
            parts = [entry.part, *self.alternates(entry.part)]
            for part in parts:
                if part in self.pkg.facts:
                    continue
                facts = self.sheet(part, entry.name, pct)
                if facts is None:
                    continue
                self.pkg.facts[part] = facts
                if facts.root == "macrosheet":
                    self.add(
                        Code.READ_MACRO_ENABLED,
                        f"sheet {show(entry.name)} is an Excel 4.0 macro sheet",
                        part,
                    )
                elif facts.root != entry.kind and part == entry.part:
                    self.add(
                        Code.READ_BAD_RELATIONSHIP,
                        f"sheet {show(entry.name)} is a <{facts.root}>, not a {entry.kind}",
                        part,
                    )
                c = facts.cells
                grid = (c.max_row + 1) * (c.max_col + 1) if c.max_row >= 0 else 0
                total_cells += grid
                text += c.s_cells * sst_max
        if total_cells > lim.max_total_cells and not any(
            i.code == Code.READ_SHEET_TOO_LARGE for i in self.pkg.issues
        ):
            self.add(
                Code.READ_SHEET_TOO_LARGE,
                f"all sheets together span {total_cells:,} cells (limit {lim.max_total_cells:,})",
            )
        if text > lim.max_text_bytes:
            self.add(
                Code.READ_SHEET_TOO_LARGE,
                f"shared text would expand to {_mib(text)} (limit {_mib(lim.max_text_bytes)})",
                sst_part or "",
            )
        self.custom_properties()

    def alternates(self, part: str) -> list[str]:
        """Where a reader that assumes an xl/ folder might look for the same target."""
        out = []
        rel = part.split("/", 1)[1] if "/" in part else part
        for alt in (f"xl/{rel}", f"xl/worksheets/{posixpath.basename(part)}"):
            zi = self.by_name.get(alt) or self.by_lower.get(alt.lower())  # a probe, no finding
            if zi is not None and zi.filename != part and alt != part:
                out.append(zi.filename)
        return out

    def styles(self) -> frozenset[int]:
        rel = next((r for r in self.related if r.type == "styles" and r.part), None)
        zi = self.find(rel.part) if rel and rel.part else self.find("xl/styles.xml")
        if zi is None:
            return frozenset()
        formats: dict[int, str] = {}
        xfs: list[int] = []
        depth = {"cellXfs": 0}
        limit = self.limits.max_cell_xfs

        class TooMany(Exception):
            pass

        def start(name: str, attrs: dict[str, str]) -> None:
            what = xmlsafe.local(name)
            if what == "numFmt":
                fid = attrs.get("numFmtId", "")
                if fid.isdigit():
                    formats[int(fid)] = attrs.get("formatCode", "")
            elif what == "cellXfs":
                depth["cellXfs"] += 1
            elif what == "xf" and depth["cellXfs"]:
                fid = attrs.get("numFmtId", "0")
                xfs.append(int(fid) if fid.isdigit() else 0)
                if len(xfs) > limit:
                    raise TooMany

        def end(name: str) -> None:
            if xmlsafe.local(name) == "cellXfs":
                depth["cellXfs"] -= 1

        buf = self.read(zi)
        plain = stylescan.plain_styles(buf)  # None: the handlers, which word any problem
        try:
            if plain is None:
                self.parse_xml(buf, zi, start=start, end=end)
            else:
                formats, xfs = plain
                if len(xfs) > limit:
                    raise TooMany
        except TooMany:
            self.add(
                Code.READ_STYLES_TOO_LARGE,
                f"more than {limit:,} cell formats (cellXfs)",
                zi.filename,
            )
            return frozenset()
        percent = {fid for fid, code in formats.items() if is_percent_format(code)}
        percent |= PERCENT_BUILTIN - formats.keys()
        return frozenset(i for i, fid in enumerate(xfs) if fid in percent)

    def shared_strings(self) -> tuple[int, str | None]:
        """(bytes of the longest string item, part) of the shared string table."""
        parts = [r.part for r in self.related if r.type == "sharedstrings" and r.part]
        parts.append("xl/sharedStrings.xml")
        found = [zi for zi in (self.find(p) for p in parts if p) if zi is not None]
        longest, first = 0, None
        for zi in {z.filename: z for z in found}.values():
            buf = self.read(zi)
            longest = max(longest, self.scan_sst(buf, zi.filename))
            if first is None:
                first = zi.filename
                self.sst_count = _count_items(buf)
        return longest, first

    def scan_sst(self, buf: bytes, part: str) -> int:
        lim = self.limits
        root = self.check_big_xml(buf, part, "sst")
        if root is None:
            return 0
        # calamine reserves room for uniqueCount strings up front: 2e9 aborts the process
        attrs = xmlsafe.root_tag(buf)[1]
        m = re.search(rb"(?:^|\s)(?:[^\s=:]+:)?uniqueCount\s*=\s*[\"']\s*(\d+)", attrs)
        declared = (int(m.group(1)) if len(m.group(1)) < 19 else cells.HUGE) if m else 0
        n_si = _count_items(buf)
        if max(declared, n_si) > lim.max_shared_strings:
            self.add(
                Code.READ_SHEET_TOO_LARGE,
                f"shared string table declares {max(declared, n_si):,} strings "
                f"(limit {lim.max_shared_strings:,})",
                part,
            )
            return 0
        if n_si == buf.count(b"<si>"):
            longest = max(map(len, buf.split(b"<si>")[1:]), default=0)
        else:
            longest = max(map(len, re.split(rb"<(?:[^\s<>/=:]+:)?si[\s>/]", buf)[1:]), default=0)
        self.long_text(buf, 0, len(buf), part, "a shared string")
        return longest

    def check_big_xml(self, buf: bytes, part: str, expect: str | None) -> str | None:
        """Root, DTD, truncation and illegal characters of a part scanned as bytes."""
        try:
            root = xmlsafe.root_element(buf)
            if expect and root != expect:
                self.add(
                    Code.READ_XML_ERROR, f"root element is <{root}>, expected <{expect}>", part
                )
                return None
            xmlsafe.check_closed(buf, root)
        except xmlsafe.XmlEntities as exc:
            self.add(Code.READ_XML_ENTITIES, str(exc), part)
            return None
        except xmlsafe.XmlBad as exc:
            self.add(Code.READ_XML_ERROR, str(exc), part)
            return None
        # calamine reads a part by local names and forgives what is not XML (two
        # attributes of one name, tags that do not match); LibreOffice and Excel
        # drop such rows or refuse the file. Only well-formed parts are read.
        try:
            declared = xmlsafe.well_formed(buf, root_checked=True)
        except (xmlsafe.XmlEntities, xmlsafe.XmlBad) as exc:
            self.not_well_formed(buf, part, exc)
            return None
        foreign = _foreign_namespace(buf, declared)
        if foreign:
            self.add(Code.READ_XML_ERROR, foreign, part)
            return None
        return root

    def not_well_formed(self, buf: bytes, part: str, exc: Exception) -> None:
        """The finding for a part expat refused: a control character XML forbids (expat
        refuses every one, wherever it is) named with its cell, else expat's words."""
        bad = xmlsafe.illegal_char_at(buf)
        if bad >= 0:
            self.add(
                Code.READ_XML_ERROR,
                f"control character 0x{buf[bad]:02x} not allowed in XML" + _near_cell(buf, bad),
                part,
            )
        elif isinstance(exc, xmlsafe.XmlEntities):
            self.add(Code.READ_XML_ENTITIES, str(exc), part)
        else:
            self.add(Code.READ_XML_ERROR, f"not well-formed XML: {exc}", part)

    def long_text(self, buf: bytes, start: int, end: int, part: str, what: str) -> None:
        """CELL_TOO_LONG for a text node above Excel's limit on one cell.

        A run of more than `limit` bytes without '<' covers a whole aligned window
        of half that size, so one memchr-speed find per window finds candidates.
        """
        limit = self.limits.max_cell_chars
        window = (limit + 1) // 2
        p = start
        while p < end:
            if buf.find(b"<", p, min(p + window, end)) >= 0:
                p += window
                continue
            lt, gt = buf.rfind(b"<", start, p), buf.rfind(b">", start, p)
            stop = buf.find(b"<", p, end)
            stop = end if stop < 0 else stop
            if gt > lt and stop - gt - 1 > limit:  # a text node, not a tag's attributes
                text = buf[gt + 1 : stop].decode("utf-8", "replace")
                chars = len(text) - sum(len(r) - 1 for r in re.findall(r"&#?\w{1,8};", text))
                if chars > limit and text.strip():
                    self.add(
                        Code.READ_CELL_TOO_LONG,
                        f"{what} has {chars:,} characters (limit {limit:,})" + _near_cell(buf, gt),
                        part,
                    )
                    return
            p = stop + 1

    def sheet(self, part: str, name: str, pct: frozenset[int]) -> SheetFacts | None:
        zi = self.find(part)
        if zi is None:
            return None
        buf = self.read(zi)
        root = self.check_big_xml(buf, part, None)
        if root is None:
            return None
        facts = SheetFacts(root=root)
        if root != "worksheet":
            return facts
        lim = self.limits
        start, end = cells.sheet_data_span(buf)
        where = f"sheet {show(name)}"
        dim = cells.dimension_of(buf, start)
        span = cells.parse_range(dim) if dim else None
        said = sheetlimits.declared_range(dim, span, lim, where)
        facts.merges = tuple(cells.merges_of(buf, end))
        facts.hidden_rows = cells.hidden_rows(buf, start, end)
        said += sheetlimits.merges(facts.merges, lim, where)
        for code, detail in said:
            self.add(code, detail, part)
        hint = cells.range_end(dim) if dim and span and span[0] * span[1] <= lim.max_cells else None
        scan = cells.scan_cells(
            buf,
            start,
            end,
            pct,
            (lim.max_rows, lim.max_cols, lim.max_cells),
            hint,
            cells.percent_columns(buf, start, pct),
        )
        facts.cells = scan
        self.shared_string_cells(scan, buf, (start, end), part, where)
        for code, detail in sheetlimits.scanned(scan, lim, where):
            self.add(code, detail, part)
        self.long_text(buf, start, end, part, f"a cell of {where}")
        if scan.unsupported_errors:
            self.pkg.patch_parts.add(part)
        return facts

    def shared_string_cells(
        self, scan: cells.CellScan, buf: bytes, span: tuple[int, int], part: str, where: str
    ) -> None:
        """Cells typed as shared strings (counted exactly when the budget needs it) need
        the table, and an index within it."""
        start, end = span
        if not scan.s_exact and (
            self.sst_part is None or scan.s_cells * self.sst_max > self.limits.max_text_bytes // 8
        ):
            scan.s_cells = buf.count(b't="s"', start, end) + buf.count(b"t='s'", start, end)
            scan.s_exact = True
        if scan.s_cells and self.sst_part is None:
            self.add(
                Code.READ_MISSING_PART,
                f"{where} uses shared strings but the file has no shared string table",
                part,
            )
        elif scan.s_cells:
            bad = cells.bad_shared_index(buf, start, end, self.sst_count)
            if bad is not None:
                self.add(
                    Code.READ_XML_ERROR,
                    f"{where}: shared string index {show(bad[0])} is not in the table "
                    f"of {self.sst_count:,} strings" + _near_cell(buf, bad[1] + 8),
                    part,
                )

    def custom_properties(self) -> None:
        """name -> value of each custom property: the text of its value element
        (<vt:lpwstr>...), never the indentation a pretty-printing writer (Gnumeric)
        puts around that element inside <property>."""
        rels = [r for r in self.rels("") if r.type == "custom-properties" and r.part]
        zi = self.find(rels[0].part) if rels else self.find("docProps/custom.xml")  # type: ignore[arg-type]
        if zi is None:
            return
        props = self.pkg.custom_properties
        name_now: str | None = None  # the property being read
        depth = 0  # 1 inside <property>, 2+ inside its value element
        inner: list[str] = []  # text inside the value element
        outer: list[str] = []  # text directly in <property>: formatting, or a bare value

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal name_now, depth, inner, outer
            if name_now is not None:
                depth += 1
            elif xmlsafe.local(name) == "property":
                name_now, depth, inner, outer = xmlsafe.attr_local(attrs, "name") or "", 1, [], []

        def text(data: str) -> None:
            if name_now is not None:
                (outer if depth == 1 else inner).append(data)

        def end(name: str) -> None:
            nonlocal name_now, depth
            if name_now is None:
                return
            depth -= 1
            if depth == 0:
                props[name_now] = "".join(inner) if inner else "".join(outer).strip()
                name_now = None

        self.read_xml(zi, start=start, end=end, text=text)

    def verify_rest(self) -> None:
        """Inflate every other member once: a bad CRC anywhere means a damaged file."""
        for name, zi in self.by_name.items():
            if name not in self.read_done and not name.endswith("/"):
                self.read(zi, keep=False)
