"""``tianbao check``: is the workspace's plan and every form it uses sound?"""

from __future__ import annotations

from pathlib import Path

from tianbao.problems import Problem
from tianbao.workspace import open_workspace


def check_workspace(root: Path) -> list[Problem]:
    """All problems of the workspace, in file order. Raises only WorkspaceError."""
    return open_workspace(root, use_cache=False).problems
