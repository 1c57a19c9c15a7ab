"""How a rate is bounded by what it measures (its name): a part of a whole cannot pass
100 % (1000 ‰), a completion of a target can, a change or an index is not bounded. The
plan's check (a target or base past its whole) and validation (a figure past it,
validate.bounds) both ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
