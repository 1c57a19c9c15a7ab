"""``plan import``: the plan workbook read, checked and (when clean) installed as the
workspace's plan.yaml, with what changed against the plan in place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.errors import UsageError
from tianbao.workspace import Workspace

if TYPE_CHECKING:
    from tianbao.problems import Problem


@dataclass
class PlanImport:
    """What ``plan import`` found and did. Nothing is written when ``problems`` is not
    empty or on a dry run."""

    workbook: Path
    problems: list[Problem]
    notes: list[Any]  # planbook.read.Note: cells read differently from how they were typed
    changes: list[Any]  # planbook.diff.Change against the previous plan
    written: Path | None = None
    backup: Path | None = None
    version_kept: bool = False  # rows changed, plan_version not raised, templates or returns out

    def as_dict(self) -> dict[str, Any]:
        return {
            "workbook": str(self.workbook),
            "ok": not self.problems,
            "problems": [p.as_dict() for p in self.problems],
            "notes": [vars(n) for n in self.notes],
            "changes": [c.as_dict() for c in self.changes],
            "written": str(self.written) if self.written else None,
            "backup": str(self.backup) if self.backup else None,
            "version_kept": self.version_kept,
        }


def plan_import(workbook: Path | str, where: Path | str, *, dry_run: bool = False) -> PlanImport:
    """Read the plan workbook, check it, and (when clean) make it the workspace's plan.yaml.

    The workspace must exist (``init`` first); its old plan need not be valid.
    """
    from tianbao.planbook.diff import plan_changes
    from tianbao.planbook.forms import FormNames
    from tianbao.planbook.install import install_plan, judged_by_plan_in_place, plan_yaml
    from tianbao.planbook.read import import_plan_workbook, unknown_forms
    from tianbao.support.yamlio import YamlProblem, load_yaml

    workbook = Path(workbook)
    root = Path(where)
    if not root.is_dir():
        raise UsageError(
            f"{root}: 工作区不存在：请先运行 tianbao init {root} | {root}: no workspace "
            f"there: run tianbao init {root} first"
        )
    if not workbook.is_file():
        raise UsageError(f"{workbook}: 文件不存在 | {workbook}: file not found")
    ws = Workspace(root)
    forms = FormNames.of(ws.forms_dir)
    got = import_plan_workbook(workbook, forms=forms)
    result = PlanImport(workbook, list(got.problems), list(got.notes), [])
    result.problems += unknown_forms(got, ws.forms_dir, workbook.name)  # in the same pass
    if got.data is None or result.problems:
        return result
    try:
        old = load_yaml(ws.plan_path).data if ws.plan_path.exists() else None
    except YamlProblem:
        old = None  # a broken old plan: everything reads as added
    result.changes = plan_changes(old, got.data, forms.label)
    if isinstance(old, dict) and result.changes:  # only what went out is judged by it
        same = old.get("plan_version") == got.data.get("plan_version")
        result.version_kept = same and judged_by_plan_in_place(ws)
    raw = plan_yaml(got.data, workbook.name)  # on a dry run too: it must read back
    if dry_run or old == got.data:  # the same plan: plan.yaml (and its comments) stay
        return result
    now = dt.datetime.now().astimezone()
    result.backup = install_plan(ws.plan_path, raw, now)
    result.written = ws.plan_path
    return result
