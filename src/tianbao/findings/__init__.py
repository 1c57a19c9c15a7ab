"""The one findings catalog: every code tianbao's checks can report, its stage and
severity, its names and message templates (zh and en) with named fields.

Stage modules declare the codes they emit (a module-level ``EMITS``) and pass fields,
never sentences; ``docs/findings.md`` and the auditors' 代码表 are generated from here.
"""

from tianbao.findings.catalog import CATALOG, RETURN_CODES, Said, fill
from tianbao.findings.codes import Code, Entry, Severity
from tianbao.findings.model import Finding, Where, make

__all__ = [
    "CATALOG",
    "RETURN_CODES",
    "Code",
    "Entry",
    "Finding",
    "Said",
    "Severity",
    "Where",
    "fill",
    "make",
]
