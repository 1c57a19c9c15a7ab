"""Returns filled and re-saved by LibreOffice, the real client, pass validation.

And a return whose clerk typed a few things LibreOffice's way (a text number,
a date typed as text) is normalised, not rejected. Skips without LibreOffice
or ../shared; fails instead under CI.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import tianbao
from lo import fill
from returns import Returns

pytestmark = pytest.mark.slow  # see pyproject's markers


@pytest.fixture(scope="module")
def rs(tmp_path_factory) -> Returns:
    return Returns(tmp_path_factory.mktemp("lo_validate"), "RSJ")


def lo_spec(fills: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """JSON fill spec for lo_client: dates are typed, as a clerk would."""
    out: dict[str, dict[str, Any]] = {}
    for sheet, cells in fills.items():
        out[sheet] = {
            ref: ({"typed": v.isoformat()} if isinstance(v, dt.date) else v)
            for ref, v in cells.items()
        }
    return out


def test_libreoffice_filled_returns__valid(rs: Returns, tmp_path: Path) -> None:
    may = tmp_path / rs.templates["2014-05"].name
    june = tmp_path / rs.templates["2014-06"].name
    spec = lo_spec(rs.fills["2014-06"])
    first_sheet = next(iter(spec))
    first_cell = next(c for c, v in spec[first_sheet].items() if isinstance(v, float))
    typed = dict(spec)
    typed[first_sheet] = {
        **spec[first_sheet],
        first_cell: {"string": f"{spec[first_sheet][first_cell]:,}"},
    }
    odd = tmp_path / "typed" / rs.templates["2014-06"].name
    odd.parent.mkdir()
    reports = fill(
        [
            (rs.templates["2014-05"], lo_spec(rs.fills["2014-05"]), may),
            (rs.templates["2014-06"], spec, june),
            (rs.templates["2014-06"], typed, odd),
        ]
    )
    assert all(r["ok"] for r in reports), reports
    res = tianbao(rs.runner, "validate", "-w", rs.ws, str(june), "--previous", str(may), "--json")
    data = json.loads(res.stdout)
    assert data["files"][0]["findings"] == [], data["files"][0]["findings"]
    assert res.exit_code == 0
    res = tianbao(rs.runner, "validate", "-w", rs.ws, str(odd), "--previous", str(may), "--json")
    findings = json.loads(res.stdout)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["VALUE_NORMALISED"], findings
    assert res.exit_code == 0
