"""What the byte scan of one sheet says against the limits, as (code, detail) pairs for
the guard to add: a declared range or a merge too large, a bad reference or tag, data
beyond Excel's grid or over the cell budget."""

from __future__ import annotations

from tianbao.findings import Code
from tianbao.read import cells
from tianbao.read.cellbase import CellScan
from tianbao.read.issues import show
from tianbao.read.limits import Limits

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.READ_XML_ERROR, Code.READ_SHEET_TOO_LARGE)

Said = tuple[Code, str]


def declared_range(dim: str, span: tuple[int, int] | None, lim: Limits, where: str) -> list[Said]:
    """A used range (<dimension>) beyond Excel's grid or over the cell budget."""
    if span is None or not lim.refuse_declared_range:
        return []
    rows, cols = span
    if rows <= lim.max_rows and cols <= lim.max_cols and rows * cols <= lim.max_cells:
        return []
    detail = f"{where} declares its used range as {show(dim)} ({rows * cols:,} cells)"
    return [(Code.READ_SHEET_TOO_LARGE, detail)]


def merges(refs: tuple[str, ...], lim: Limits, where: str) -> list[Said]:
    """The first merged range over the cell budget."""
    for ref in refs:
        merged = cells.parse_range(ref)
        if merged and merged[0] * merged[1] > lim.max_cells:
            detail = f"{where} merges {show(ref)} ({merged[0] * merged[1]:,} cells)"
            return [(Code.READ_SHEET_TOO_LARGE, detail)]
    return []


def scanned(scan: CellScan, lim: Limits, where: str) -> list[Said]:
    """A reference or tag calamine cannot read; data beyond the grid or the budget."""
    out: list[Said] = []
    if scan.bad_ref:
        out.append((Code.READ_XML_ERROR, f"{where}: invalid cell reference {scan.bad_ref}"))
    elif scan.malformed:
        out.append((Code.READ_XML_ERROR, f"{where}: {scan.malformed}"))
    if scan.max_row >= lim.max_rows or scan.max_col >= lim.max_cols:
        far = scan.row_ref if scan.max_row >= lim.max_rows else scan.col_ref
        detail = (
            f"{where} has data at {far}, beyond the limit of "
            f"{lim.max_rows:,} rows x {lim.max_cols:,} columns"
        )
        out.append((Code.READ_SHEET_TOO_LARGE, detail))
    elif scan.max_row >= 0 and (scan.max_row + 1) * (scan.max_col + 1) > lim.max_cells:
        far = scan.row_ref if scan.row_ref == scan.col_ref else f"{scan.row_ref} and {scan.col_ref}"
        detail = (
            f"{where} spans {scan.max_row + 1:,} rows x {scan.max_col + 1:,} columns "
            f"(data up to {far}; limit {lim.max_cells:,} cells)"
        )
        out.append((Code.READ_SHEET_TOO_LARGE, detail))
    return out
