"""Safe reading of returned workbooks: sniff, check, then read (see workbook.py)."""

from tianbao.read.issues import ReadIssue
from tianbao.read.limits import Limits
from tianbao.read.workbook import (
    RawSheet,
    RawWorkbook,
    ReadResult,
    limit_process,
    read_workbook,
    read_workbook_guarded,
    worker_read,
)

__all__ = [
    "Limits",
    "RawSheet",
    "RawWorkbook",
    "ReadIssue",
    "ReadResult",
    "limit_process",
    "read_workbook",
    "read_workbook_guarded",
    "worker_read",
]
