"""One findings catalog: every code is emitted by exactly one stage module, the
reading codes are the reader's own reasons, and each has its texts once."""

from __future__ import annotations

import re

import pytest

from helpers import ROOT
from tianbao.read.issues import ReadCode
from tianbao.validate.findings import CATALOG, Code, read_code

SRC = ROOT / "src" / "tianbao"
# the catalog itself and what only lists or renders it
NOT_EMITTERS = {"validate/findings.py", "docs.py"}


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(SRC)): p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        if str(p.relative_to(SRC)) not in NOT_EMITTERS
    }


def _emitters(code: Code, sources: dict[str, str]) -> list[str]:
    """Modules that name the code other than to test a finding's code (``is Code.X``)."""
    use = re.compile(rf"(?<!is )(?<!is not )\bCode\.{code.name}\b")
    return sorted(m for m, text in sources.items() if use.search(text))


def test_reading_codes__exactly_the_readers_reasons_with_its_texts() -> None:
    read = {c for c in Code if c.name.startswith("READ_")}
    assert read == {read_code(rc) for rc in ReadCode}
    for rc in ReadCode:
        info = CATALOG[read_code(rc)]
        assert (info.zh, info.en) == rc.short
        assert info.severity.value == ("error" if rc.blocking else "note")


@pytest.mark.parametrize(
    "code", [c for c in Code if not c.name.startswith("READ_")], ids=lambda c: c.value
)
def test_every_code__emitted_by_exactly_one_stage_module(code: Code) -> None:
    found = _emitters(code, _sources())
    assert len(found) == 1, (code.value, found or "emitted nowhere: drop it from the catalog")
    stage = code.name.split("_", 1)[0]
    assert stage in {"ID", "STRUCT", "PLAN", "VALUE", "SCHEMA", "RULE", "QUALITY", "VALIDATION"}, (
        code
    )


def test_reading_codes__each_reason_raised_by_the_reader() -> None:
    read_src = "".join((SRC / "read" / n).read_text(encoding="utf-8") for n in _read_modules())
    for rc in ReadCode:
        assert re.search(rf"ReadCode\.{rc.name}\b", read_src), rc


def _read_modules() -> list[str]:
    return sorted(p.name for p in (SRC / "read").glob("*.py") if p.name != "issues.py")
