"""How much a returned workbook may hold before we refuse to read it.

The defaults are far above any real return (a department's return is a few
hundred rows) and far below what would hurt the office's machine.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    # the file on disk
    max_file_bytes: int = 50 * MiB
    # the zip package, from the central directory and while inflating
    max_entries: int = 2_000
    max_total_uncompressed: int = 500 * MiB
    max_entry_uncompressed: int = 200 * MiB
    max_ratio: float = 200.0  # uncompressed / compressed, for entries above ratio_min_bytes
    ratio_min_bytes: int = 1 * MiB
    # the workbook
    max_sheets: int = 255
    max_rows: int = 1_048_576  # Excel's own limits
    max_cols: int = 16_384
    max_cells: int = 20_000_000  # rows x columns of one sheet's grid, as the reader builds it
    max_total_cells: int = 40_000_000  # the same, summed over the sheets
    # a sheet whose <dimension> declares a range past the limits is refused unread; when
    # False only its cells with values count (the reader sizes its grid by those)
    refuse_declared_range: bool = True
    max_cell_xfs: int = 64_000  # Excel's limit on cell formats
    max_cell_chars: int = 32_767  # Excel's limit on one cell's text
    max_shared_strings: int = 5_000_000
    # text the reader materialises from shared strings (each cell gets its own copy)
    max_text_bytes: int = 256 * MiB
    # the guarded reader subprocess: wall-clock time, and address space it may add
    # to what it holds when it starts (RLIMIT_AS)
    time_seconds: float = 30.0
    memory_bytes: int = 2 * GiB


# A plan workbook: a district's plan is a few hundred rows a sheet (解放区: 129 projects).
# Past these it is refused before it is read, so its cost stays linear and small (a stray
# value at A1048576 would have the reader build a million rows).
PLAN_LIMITS = Limits(
    max_file_bytes=10 * MiB,
    max_sheets=32,
    max_rows=5_000,
    max_cols=64,
    max_cells=5_000 * 64,
    refuse_declared_range=False,  # borders down to row 8,000 are no plan rows
    max_total_cells=1_000_000,
    max_shared_strings=200_000,
    max_text_bytes=32 * MiB,
    memory_bytes=1 * GiB,
)
