"""Which milestones of a key project are overdue at a period's end, judged from the
project's state in the counting return (see tianbao.consolidate.milestones)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tianbao.consolidate.milestones import due_milestones, kind_of

END = dt.date(2014, 6, 30)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("开工建设", "start"),
        ("年内开工", "start"),
        ("竣工", "finish"),
        ("大修工程完工", "finish"),
        ("三条道路建成通车", "finish"),
        ("完成规划设计方案", ""),
        ("第一台机器人下线", ""),
    ],
)
def test_kind_of_a_milestone(text: str, kind: str) -> None:
    assert kind_of(text) == kind


# (milestone due, text, the return's figures or None when unreported) -> overdue, listed
CASES: list[tuple[str, str, dict[str, Any] | None, bool | None]] = [
    ("2014-05-31", "开工建设", {"status": "未开工"}, True),
    ("2014-05-31", "开工建设", {"status": "前期"}, True),
    ("2014-05-31", "开工建设", {"status": "在建"}, False),
    ("2014-05-31", "开工建设", {"status": "前期", "actual_start": "2014-05-20"}, False),
    ("2014-05-31", "开工建设", {}, True),  # 项目状态未填: nothing says it started
    ("2014-06-30", "竣工", {"status": "在建"}, True),  # due on the period's last day
    ("2014-06-30", "竣工", {"status": "竣工"}, False),
    ("2014-07-01", "竣工", {"status": "在建"}, None),  # not yet due: not listed
    ("2014-05-31", "开工建设", None, None),  # unreported: 未报 says it, not this
    ("2014-03-31", "完成规划设计方案", {"status": "前期"}, False),  # due, not judged
]


@pytest.mark.parametrize(("due", "text", "values", "overdue"), CASES)
def test_due_milestones(
    due: str, text: str, values: dict[str, Any] | None, overdue: bool | None
) -> None:
    got = due_milestones("P1", "某项目", "住建局", [{"due": due, "text": text}], values, END)
    if overdue is None:
        assert got == []
    else:
        (m,) = got
        assert m.overdue is overdue
        assert m.line().startswith(f"P1 某项目：{int(due[5:7])}月{int(due[8:])}日前{text}，")
        assert m.line().endswith("（住建局）")
