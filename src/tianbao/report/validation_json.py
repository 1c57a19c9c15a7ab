"""The versioned JSON report of ``tianbao validate --json``.

Its JSON Schema is ``schemas/validation-report.schema.json``; raise
REPORT_VERSION on any change that is not a pure addition.
"""

from __future__ import annotations

from typing import Any

from tianbao import __version__
from tianbao.findings import Severity
from tianbao.validate.engine import FileReport

REPORT_VERSION = "1.0"


def file_dict(r: FileReport) -> dict[str, Any]:
    return {
        "path": r.path,
        "sha256": r.sha256,
        "size": r.size,
        "department": r.department,
        "period": r.period,
        "template_id": r.template_id,
        "valid": r.valid,
        "status": r.status,
        "counts": {s.value: r.count(s) for s in Severity},
        "findings": [f.as_dict() for f in r.findings],
    }


def report_dict(reports: list[FileReport]) -> dict[str, Any]:
    return {
        "report_version": REPORT_VERSION,
        "tool": f"tianbao {__version__}",
        "valid": all(r.valid for r in reports),
        "summary": {
            "files": len(reports),
            "valid": sum(r.valid for r in reports),
            "invalid": sum(not r.valid for r in reports),
            **{s.value: sum(r.count(s) for r in reports) for s in Severity},
        },
        "files": [file_dict(r) for r in reports],
    }
