"""What ``plan import`` prints: the problems at their cells, or what changed; each line
written 「中文 | English」 for ``echo`` to pick one half (the workbook's own words, its
sheet names and headers, are data and stay as they are)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from tianbao.support.lang import halves

SHOWN_NOTES = 10  # cells read differently from how they were typed, listed before a count
_ACTIONS = {"新增": "added", "修改": "changed", "删除": "removed"}


def print_import(result: Any, echo: Callable[..., None]) -> None:
    """``result`` is an api.PlanImport; ``echo`` prints a line in the language asked for."""
    name = result.workbook.name
    if result.problems:
        n = len(result.problems)
        echo(
            f"{name}：发现 {n} 个问题，计划未导入（plan.yaml 未改动）： | "
            f"{name}: {n} problem(s), the plan was not imported (plan.yaml unchanged):"
        )
        for p in result.problems:
            zh, en = halves(p.message)
            if p.path == "$":  # the workbook as a whole (it cannot be read)
                echo(f"  {zh} | {en or zh}")
            else:
                echo(f"  {p.path}：{zh} | {p.path}: {en or zh}")
        return
    for note in result.notes[:SHOWN_NOTES]:
        zh, en = halves(note.why)
        echo(f"  提示 {note.cell}：“{note.typed}”按 {note.value} 读入（{zh}） | "
             f"note {note.cell}: “{note.typed}” read as {note.value} ({en or zh})")  # fmt: skip
    if len(result.notes) > SHOWN_NOTES:
        more = len(result.notes) - SHOWN_NOTES
        echo(f"  另有 {more} 处同类提示 | and {more} more such notes")
    if not result.changes:
        echo("与原计划相同，没有改动。 | the same as the plan in place: no changes.")
    else:
        counts = {a: sum(c.action == a for c in result.changes) for a in _ACTIONS}
        zh = "，".join(f"{a} {n} 行" for a, n in counts.items() if n)
        en = ", ".join(f"{n} {_ACTIONS[a]}" for a, n in counts.items() if n)
        echo(f"与原计划相比：{zh} | against the plan in place: {en}")
        by_dept = sorted(result.changes, key=lambda c: c.department)
        for dept, changes in groupby(by_dept, key=lambda c: c.department):
            echo(f"  {dept or '全区'}： | {dept or 'the district'}:")
            for c in changes:
                echo(f"    {c.text()}")
    if result.version_kept:
        echo("提示：计划内容有改动，但“基本信息”中的计划版本没有提高；"
             "已下发的模板将按新计划审核。 | note: the plan changed but its version "
             "(计划版本 on 基本信息) was not raised; "
             "templates already issued will be checked against the new plan.")  # fmt: skip
    if result.written is None:
        if result.changes:
            echo("（未写入 plan.yaml） | (plan.yaml not written)")
        else:
            echo("plan.yaml 未改写。 | plan.yaml left as it was.")
        return
    backup = f"（原计划备份为 {result.backup}）" if result.backup else ""
    backup_en = f" (the old one kept as {result.backup})" if result.backup else ""
    echo(f"已导入 {result.written}{backup} | imported into {result.written}{backup_en}")
    echo("下一步：tianbao check，然后 tianbao generate 重新生成模板。 | "
         "next: tianbao check, then tianbao generate for new templates.")  # fmt: skip
