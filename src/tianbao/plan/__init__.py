"""The year's plan: departments, indicators, projects, tasks, livelihood projects."""

from tianbao.plan.model import Department, Plan, PlanItem
from tianbao.plan.periods import Period

__all__ = ["Department", "Period", "Plan", "PlanItem"]
