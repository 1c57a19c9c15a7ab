"""What every machine-readable output says about itself: which tianbao made it, when,
and from which plan and form versions (an auditor comparing two outputs asks first).

Schemas: ``schemas/cli/made.schema.json`` (these fields) and one
``schemas/cli/<command>.schema.json`` per command, each including it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao import __version__

if TYPE_CHECKING:
    from tianbao.workspace import Workspace


def provenance(
    command: str, where: Workspace | Path | str | None = None, period: str | None = None
) -> dict[str, Any]:
    """The head of a machine-readable output (the command line's ``--json``, a web
    page's data): ``command`` (what made it, e.g. ``review approve``), then ``made``'s
    fields. ``where`` is the workspace or its folder; one that does not open is left
    out, and the output still says who made it and when."""
    from tianbao.workspace import Workspace, open_workspace

    ws = where if isinstance(where, Workspace) else None
    if isinstance(where, (Path, str)):
        try:
            ws = open_workspace(Path(where))
        except Exception:  # no workspace there: nothing to name but tianbao itself
            ws = None
    return {"command": command, **made(ws, period)}


def made(ws: Workspace | None, period: str | None = None) -> dict[str, Any]:
    """``tianbao_version``, ``made_at`` (the district's local time, with its offset) and,
    with a workspace whose plan loads, ``plan_version`` and ``form_versions`` of the plan
    in force for ``period`` (the current plan without one)."""
    plan = ws.plan if ws is not None else None
    tz = plan.tz if plan is not None else None
    out: dict[str, Any] = {
        "tianbao_version": __version__,
        "made_at": dt.datetime.now(tz).astimezone(tz).isoformat(timespec="seconds"),
    }
    if ws is None or plan is None:
        return out
    if period is not None:
        # a period the plan refuses: the command has said so already
        with contextlib.suppress(Exception):
            plan = ws.plan_for(plan.period(period))
    out["plan_version"] = plan.version
    out["form_versions"] = {f: ws.forms[f].version for f in plan.form_ids if f in ws.forms}
    return out
