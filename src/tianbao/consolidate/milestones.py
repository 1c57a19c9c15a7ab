"""Overdue milestones (逾期节点) of the key projects, for the leader's page.

A plan's milestone is a date and a text (「5月31日前：开工建设」); the return says
nothing about each milestone, only the project's state (前期, 未开工, 在建, 竣工,
停缓建). So a milestone is judged from that state, and only where its text says
which state it needs:

* a **start** milestone (its text mentions 开工) is met once the project is 在建
  or 竣工, or has an actual start date;
* a **finish** milestone (竣工, 完工, 建成, 通车, 投产, 交付) is met once it is 竣工.

A milestone due on or before the period's end and not met is overdue. Any other
milestone (「完成规划设计方案」) cannot be judged from the return: it is counted as
due, for the office to check, never called overdue. A project without a counting
return is not judged here (it shows as 未报).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

START_WORDS = ("开工",)
FINISH_WORDS = ("竣工", "完工", "建成", "通车", "投产", "交付")
STARTED = ("在建", "竣工")


@dataclass(frozen=True)
class Milestone:
    project: str  # the project's id
    name: str
    department: str  # the responsible department's short name
    due: str  # ISO date
    text: str
    state: str  # the project's state as returned ('' when blank)
    kind: str  # 'start', 'finish', or '' (the return cannot tell: check it)
    overdue: bool

    def line(self) -> str:
        """「P007 民主路金融商务中心：5月31日前开工建设，现为“未开工”（住建局）」"""
        when = f"{int(self.due[5:7])}月{int(self.due[8:10])}日前"
        state = f"现为“{self.state}”" if self.state else "项目状态未填"
        return f"{self.project} {self.name}：{when}{self.text}，{state}（{self.department}）"


def kind_of(text: str) -> str:
    """'start', 'finish', or '' when the text does not say which state it needs."""
    if any(w in text for w in START_WORDS):
        return "start"
    if any(w in text for w in FINISH_WORDS):
        return "finish"
    return ""


def due_milestones(
    project: str,
    name: str,
    department: str,
    milestones: Any,
    values: dict[str, Any] | None,
    period_end: dt.date,
) -> list[Milestone]:
    """The project's milestones due by ``period_end``, each judged overdue or not;
    ``values``: the counting return's figures for the project (None: unreported)."""
    if values is None or not isinstance(milestones, list):
        return []
    state = str(values.get("status") or "").strip()
    started = state in STARTED or values.get("actual_start") not in (None, "")
    out = []
    for m in milestones:
        if not isinstance(m, dict) or str(m.get("due") or "") > period_end.isoformat():
            continue
        text = str(m.get("text") or "")
        kind = kind_of(text)
        if kind == "start":
            late = not started
        elif kind == "finish":
            late = state != "竣工"
        else:
            late = False
        out.append(Milestone(project, name, department, str(m["due"]), text, state, kind, late))
    return out
