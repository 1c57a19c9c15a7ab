"""How a rate is bounded: a figure in % or ‰ past 100 % where its quantity cannot be
(validate.entries.check_bounds says so at the cell).

What bounds a rate is what it measures, and the plan and the forms say that only by its
name (the plan's units are % and ‰ for every rate; its target kinds are growth, level
and ceiling, also for a rate). So the name decides, in this order:

- a change or an index (增长率, 增速, 同比, 指数, 贡献率…) has no upper bound: never a finding;
- a completion of a target (完成率, 计划完成, 执行率, 到位率…) can exceed it — over-fulfilment
  is real (2013's key projects made 103 % of their plan): a warning to explain, never an error;
- a part of a whole (占比, 比重, 覆盖率, 失业率, 降低率, 工程进度…) cannot: an error, the figure
  is not used (no rule or sum reads it);
- any other rate past 100 % is unusual: a warning to check.

The bound is 100 % (1000 ‰). The row's name is the indicator's or the task's for a column
in the row's unit, else the column's label (工程进度(%), 同比增长(%)).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tianbao.validate.records import RowRecord

LIMITS = {"%": 100.0, "‰": 1000.0}
# the words that decide, by kind, looked for in this order (the first kind found wins)
UNBOUNDED = (
    *("增长", "增速", "增幅", "涨幅", "同比", "环比", "比上年", "比去年", "增减", "变动"),
    *("指数", "贡献率", "拉动", "弹性", "周转", "负债率", "回报率", "收益率", "倍"),
)
COMPLETION = ("完成", "执行率", "到位率", "达成率", "实现率")
PART_OF_WHOLE = (
    *("占", "比重", "比例", "比率", "覆盖", "普及", "失业率", "就业率", "入学率", "升学率"),
    *("巩固率", "合格率", "达标率", "优良", "及格率", "通过率", "完好率", "化率", "参保"),
    *("利用率", "处理率", "回收率", "绿化", "满意", "知晓", "接种", "使用率", "入住率"),
    *("空置率", "出勤率", "降低率", "下降率", "降低", "下降", "降幅", "减少率", "节约率"),
    *("节能", "减排", "减少", "进度", "出生率", "死亡率"),
)


@dataclass(frozen=True)
class Bound:
    kind: str  # "whole" (an error), "target" or "rate" (a warning)
    word: str  # the word of the name that decided it ("" for "rate")


@lru_cache(maxsize=4096)
def bound_of(name: str) -> Bound | None:
    """How a rate named ``name`` is bounded at 100 % (None: it is not)."""
    for kind, words in (("", UNBOUNDED), ("target", COMPLETION), ("whole", PART_OF_WHOLE)):
        word = next((w for w in words if w in name), None)
        if word is not None:
            return Bound(kind, word) if kind else None
    return Bound("rate", "")


def row_text(rec: RowRecord) -> str:
    """The name a row's rate goes by: the indicator's, the project's or the task's."""
    values = rec.item.values
    return str(values.get("name.zh") or values.get("name") or values.get("description") or "")
