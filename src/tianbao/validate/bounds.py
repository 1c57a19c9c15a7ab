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

from tianbao.plan.rates import LIMITS as LIMITS
from tianbao.plan.rates import Bound as Bound
from tianbao.plan.rates import bound_of as bound_of
from tianbao.validate.records import RowRecord


def row_text(rec: RowRecord) -> str:
    """The name a row's rate goes by: the indicator's, the project's or the task's."""
    values = rec.item.values
    return str(values.get("name.zh") or values.get("name") or values.get("description") or "")
