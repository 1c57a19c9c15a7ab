"""The catalog: every code's entry, in the order the docs and the auditors' 代码表 list
them (identity to quality, then reading, then the workspace's own problems)."""

from __future__ import annotations

from tianbao.findings.check_texts import CHECK
from tianbao.findings.codes import Code, Entry
from tianbao.findings.read_texts import READ
from tianbao.findings.return_texts import RETURN
from tianbao.findings.value_texts import VALUES

CATALOG: dict[Code, Entry] = {**RETURN, **VALUES, **READ, **CHECK}
# what a validation report can hold (the workspace's problems are check's, not a return's)
RETURN_CODES: tuple[Code, ...] = tuple(c for c in CATALOG if c.stage != "CHECK")


def fill(code: Code, variant: str = "", **fields: object) -> tuple[str, str]:
    """The (zh, en) message of a code's template with its named fields."""
    zh, en = CATALOG[code].text(variant)
    return zh.format(**fields), en.format(**fields)
