"""The template's default sum in an entry cell (本年累计 = 上期累计 + 本月): worked out
from its parts as read, its cached value trusted only when it agrees."""

from __future__ import annotations

from typing import Any

import pytest

from tianbao.forms.model import Column
from tianbao.plan.model import PlanItem
from tianbao.validate.entries import default_sum
from tianbao.validate.records import RowRecord

YTD = Column("ytd", "本年累计", "YTD", entry=True, default_sum=("prev", "month"))
COL_OF = {"prev": 0, "month": 1, "ytd": 2}


@pytest.mark.parametrize(
    ("line", "cached", "ok", "recorded"),
    [
        ([10, 5, None], 15, True, 15.0),  # the cache agrees
        ([10, 5, None], 15.004, True, 15.0),  # within rounding
        ([10, 5, None], 16, False, None),  # stale, or another formula
        ([10, 5, None], "15", False, None),  # text where the sum goes
        ([10, 5, None], True, False, None),
        ([10, 5, None], None, True, 15.0),  # not recalculated: worked out here
        ([10, None, None], None, True, None),  # the last part not filled: nothing yet
        ([10, None, None], 10, False, None),
        ([None, 5, None], 5, True, 5.0),  # an empty earlier part counts as 0
    ],
)
def test_default_sum(line: list[Any], cached: Any, ok: bool, recorded: float | None) -> None:
    rec = RowRecord("P1", PlanItem("projects", "P1", "RSJ", {}), 5, {}, {})
    assert default_sum(YTD, rec, line, COL_OF, cached) is ok
    assert rec.record.get("ytd") == recorded


def test_default_sum__a_blocked_part_blocks_the_sum() -> None:
    rec = RowRecord("P1", PlanItem("projects", "P1", "RSJ", {}), 5, {}, {}, blocked={"month"})
    assert default_sum(YTD, rec, [10, "x", None], COL_OF, 99) is True
    assert "ytd" in rec.blocked and "ytd" not in rec.record
