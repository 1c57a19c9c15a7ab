"""A finding: a code from the catalog, where it was found, and its message filled from
the code's template. Findings are data, collected, never raised."""

from __future__ import annotations

from dataclasses import asdict, astuple, dataclass, fields
from dataclasses import field as dc_field
from typing import Any

from tianbao.findings.catalog import CATALOG
from tianbao.findings.codes import Code, Severity


@dataclass(frozen=True)
class Where:
    """Where a finding points: the file, and in it the sheet, cell, row key and column."""

    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: str = ""
    column: str = ""


@dataclass
class Finding:
    code: Code
    severity: Severity
    message: str
    file: str = ""
    sha256: str = ""
    department: str = ""
    period: str = ""
    form: str = ""
    sheet: str = ""
    cell: str = ""
    row_key: str = ""
    field: str = ""
    rule: str = ""
    value: Any = None
    expected: Any = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """Errors block; a warning blocks only while its row's 说明 does not explain it."""
        return self.severity is Severity.ERROR or self.code is Code.RULE_WARNING

    @property
    def where(self) -> Where:
        return Where(self.file, self.sheet, self.cell, self.row_key, self.field)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["code"] = self.code.value
        d["severity"] = self.severity.value
        d["value"] = _jsonable(self.value)
        d["expected"] = _jsonable(self.expected)
        extra = d.pop("extra")
        for key in _KEPT_EXTRA:  # English text; a blank cell's column and row; explained
            if extra.get(key):
                d[key] = extra[key]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """A finding as ``as_dict`` gave it (from the ledger's recorded report)."""
        where = {k: v for k, v in d.items() if k in _WHERE or k == "message"}
        extra = {k: d[k] for k in _KEPT_EXTRA if d.get(k)}
        return cls(Code(d["code"]), Severity(d["severity"]), extra=extra, **where)


_KEPT_EXTRA = ("message_en", "label", "row_name", "explained")
_WHERE = frozenset(f.name for f in fields(Finding)) - {"code", "severity", "message", "extra"}
# the finding's own fields a template may name, shown shortened (a pasted page is cut)
_SHOWN = ("sheet", "cell", "row_key", "value", "expected")


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def make(code: Code, variant: str = "", at: Where | None = None, **given: Any) -> Finding:
    """The finding of ``code`` with its message from the catalog's template ``variant``:
    ``given`` holds the finding's fields (file, sheet, cell, value, …, extra) and the
    template's other named fields, which only fill the message; ``at`` places it."""
    if at is not None:
        placed = zip(("file", "sheet", "cell", "row_key", "field"), astuple(at), strict=True)
        given = {**{k: v for k, v in placed if v}, **given}
    zh, en = CATALOG[code].text(variant)
    named = {**given, **{k: _shown(given.get(k)) for k in _SHOWN}}
    where = {k: v for k, v in given.items() if k in _WHERE}
    extra = dict(given.get("extra") or {})
    message_en = en.format(**named)
    if message_en:
        extra["message_en"] = message_en
    return Finding(code, CATALOG[code].severity, zh.format(**named), extra=extra, **where)
