"""The catalog: every code's entry, in the order the docs and the auditors' 代码表 list
them (identity to quality, then reading, then the workspace's own problems)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tianbao.findings.check_texts import CHECK
from tianbao.findings.codes import Code, Entry
from tianbao.findings.package_texts import PACKAGE
from tianbao.findings.read_texts import READ
from tianbao.findings.return_texts import RETURN
from tianbao.findings.value_texts import VALUES

CATALOG: dict[Code, Entry] = {**RETURN, **VALUES, **READ, **PACKAGE, **CHECK}
# what a validation report can hold (the workspace's problems are check's, not a return's)
RETURN_CODES: tuple[Code, ...] = tuple(c for c in CATALOG if c.stage != "CHECK")


@dataclass(frozen=True)
class Said:
    """What a check says before it is a finding (a normalisation note, a reason a value
    cannot be used): a variant of a code's template and the fields it names."""

    variant: str
    fields: tuple[tuple[str, Any], ...] = ()

    def text(self, code: Code = Code.VALUE_NORMALISED) -> tuple[str, str]:
        return fill(code, self.variant, **dict(self.fields))

    def __str__(self) -> str:
        zh, en = self.text()
        return f"{zh} {en}"


def fill(code: Code, variant: str = "", **fields: object) -> tuple[str, str]:
    """The (zh, en) message of a code's template with its named fields."""
    zh, en = CATALOG[code].text(variant)
    return zh.format(**fields), en.format(**fields)
