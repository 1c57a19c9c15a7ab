"""``tianbao check``: is the workspace's plan and every form it uses sound?"""

from __future__ import annotations

from pathlib import Path

from tianbao.forms.lock import changed_without_version
from tianbao.problems import CheckCode, Problem
from tianbao.workspace import FORMS_DIR, open_workspace


def check_workspace(root: Path) -> list[Problem]:
    """All problems of the workspace, in file order. Raises only WorkspaceError."""
    ws = open_workspace(root, use_cache=False)
    problems = list(ws.problems)
    for form, version in changed_without_version(ws.state_dir, list(ws.forms.values())):
        problems.append(
            Problem(
                CheckCode.FORM_VERSION_NOT_RAISED,
                f"{FORMS_DIR}/{form.id}.yaml",
                f"表式已改动，但已按 version {form.version} 下发过模板：请将 version 提到 "
                f"{version}（已下发的模板仍按原表式审核） the layout changed after templates "
                f"were issued with version {form.version}: raise it to {version}",
                "$.version",
                None,
                form.version,
                version,
            )
        )
    return problems
