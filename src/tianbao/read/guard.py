"""The checks that run before any spreadsheet parser sees a returned file.

Stage by stage, stopping at the first stage that finds a blocking problem:

1. the zip container: entry count from the end-of-central-directory record,
   then per entry (unsafe names, encryption flag, compression method, declared
   sizes, compression ratio);
2. the package: ODS/XLSB/Word packages, content types, the workbook part and
   its content type, macros;
3. the workbook structure: sheets, their relationships and part names;
4. the parts the reader will parse (styles, shared strings, every sheet), each
   inflated into memory with a cap (declared sizes are not trusted: zipfile
   stops at them and the CRC check catches a lie) and scanned without building
   a tree (`cells`); then every other entry inflated once to check its CRC.
   Peak memory is about the largest part, at most max_entry_uncompressed.

The result says which sheets exist, their state and part, and what the scans
found; `workbook.read_workbook` runs calamine only when nothing blocks.
"""

from __future__ import annotations

from tianbao.read.facts import (  # noqa: F401  (the guard's vocabulary, imported from here)
    MAIN_NS,
    Package,
    Rel,
    SheetEntry,
    SheetFacts,
    _Stop,
    is_percent_format,
)
from tianbao.read.limits import Limits
from tianbao.read.partscan import PartScan
from tianbao.read.structure import StructureChecks


def inspect(data: bytes, limits: Limits) -> Package:
    """Everything we can learn about a zip-based file without a spreadsheet parser."""
    pkg = Package()
    checker = _Checker(data, limits, pkg)
    try:
        checker.run()
    except _Stop:
        pass
    finally:
        checker.close()
    return pkg


class _Checker(StructureChecks, PartScan):
    """The four stages in order, stopping at the first that finds a blocking problem."""

    def run(self) -> None:
        self.open_zip()
        self.check_entries()
        self.stop_if_blocked()
        self.package()
        self.stop_if_blocked()
        self.workbook()
        self.stop_if_blocked()
        self.scan_parts()
        self.verify_rest()
