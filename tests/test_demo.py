"""tianbao demo: the whole cycle on the sample, checked through its ledger and outputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import tianbao
from tianbao.ledger.db import Ledger
from tianbao.ledger.status import status
from tianbao.workspace import open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("demo") / "run"
    res = tianbao(CliRunner(), "demo", root)
    assert res.exit_code == 0, res.output
    return root


def test_demo__outputs_written(demo: Path) -> None:
    out = demo / "outputs"
    assert (out / "status-2014-06.xlsx").is_file()
    assert (out / "validation-2014-06.xlsx").is_file()
    assert len(list((demo / "templates" / "2014-06").glob("*.xlsx"))) == 15


def test_demo__rejected_never_counted_and_resubmission_replaces(demo: Path) -> None:
    ws = demo / "workspace"
    with Ledger(ws) as ledger:
        for period in ("2014-03", "2014-04", "2014-05", "2014-06"):
            latest = ledger.latest_accepted(period)
            assert all(s.status in ("accepted", "accepted_with_warnings") for s in latest)
        june = {s.department: s for s in ledger.latest_accepted("2014-06")}
        assert "TJJ" not in june and "WLQ" not in june  # rejected, missing
        assert june["ZJJ"].status == "accepted_with_warnings"
        march = [s for s in ledger.history(department="RSJ", period="2014-03")]
        assert sorted(s.status for s in march) == ["accepted", "rejected"]


def test_demo__status_of_june(demo: Path) -> None:
    ws = open_workspace(demo / "workspace")
    report = status(ws, "2014-06", as_of=dt.date(2014, 7, 12))
    chase = {c.department: c.reason for c in report.chase}
    assert chase == {"TJJ": "rejected", "WLQ": "missing"}
    states = {d.code: {f.state for f in d.forms} for d in report.departments}
    assert states["GYY"] == {"late"}
    assert states["FGW"] == {"on_time"}
