"""What ``plan import`` prints: the problems at their cells, or what changed."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

SHOWN_NOTES = 10  # cells read differently from how they were typed, listed before a count


def print_import(result: Any, echo: Callable[..., None]) -> None:
    """``result`` is an api.PlanImport."""
    name = result.workbook.name
    if result.problems:
        echo(f"{name}：发现 {len(result.problems)} 个问题，计划未导入（plan.yaml 未改动）：")
        for p in result.problems:
            echo(f"  {p.path}：{p.message}")
        return
    for n in result.notes[:SHOWN_NOTES]:
        echo(f"  提示 {n.cell}：“{n.typed}”按 {n.value} 读入（{n.why}）")
    if len(result.notes) > SHOWN_NOTES:
        echo(f"  另有 {len(result.notes) - SHOWN_NOTES} 处同类提示")
    if not result.changes:
        echo("与原计划相同，没有改动。")
    else:
        counts = {a: sum(c.action == a for c in result.changes) for a in ("新增", "修改", "删除")}
        summary = "，".join(f"{a} {n} 行" for a, n in counts.items() if n)
        echo(f"与原计划相比：{summary}")
        by_dept = sorted(result.changes, key=lambda c: c.department)
        for dept, changes in groupby(by_dept, key=lambda c: c.department):
            echo(f"  {dept or '全区'}：")
            for c in changes:
                echo(f"    {c.text()}")
    if result.version_kept:
        echo("提示：计划内容有改动，但“基本信息”中的计划版本没有提高；已下发的模板将按新计划审核。")
    if result.written is None:
        echo("（未写入 plan.yaml）" if result.changes else "plan.yaml 未改写。")
        return
    echo(
        f"已导入 {result.written}" + (f"（原计划备份为 {result.backup}）" if result.backup else "")
    )
    echo("下一步：tianbao check，然后 tianbao generate 重新生成模板。")
