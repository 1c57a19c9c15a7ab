"""A merge made, then saved by LibreOffice (the real client): still one finding naming
the range, whatever LibreOffice keeps of the hidden cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from lo import require_lo, roundtrip
from returns import Returns
from test_trust_merges import DEPT, merged_return


@pytest.mark.slow  # LibreOffice: see pyproject's markers
def test_merge_saved_by_libreoffice__one_finding_naming_the_range(tmp_path: Path) -> None:
    require_lo()
    rs = Returns(tmp_path / "rs", DEPT)
    (saved,) = roundtrip([merged_return(rs, "merge_lo")], tmp_path / "lo")
    code, report = rs.validate(saved)
    keys = rs.keys("projects_progress")
    first, second = (rs.cell("projects_progress", k, "month_investment") for k in keys[:2])
    errors = [(f["code"], f["cell"], f["value"]) for f in report["findings"]
              if f["severity"] == "error"]  # fmt: skip
    assert errors == [("STRUCT_MERGED_CELLS", first, f"{first}:{second}")], report["findings"]
    assert code == 1
