"""What every page shares: rendering a template, running the library off the event loop,
a library message in the request's language (``said``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tianbao import api
from tianbao.serve import auth
from tianbao.serve.words import said as said
from tianbao.workspace import FORMS_DIR, PLAN_FILE, STATE_DIR, Workspace

T = TypeVar("T")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page: the template with who is logged in and the form token."""
    account = getattr(request.state, "account", None) or auth.current(request)
    page = request.app.state.env.get_template(template).render(
        account=account, csrf=auth.csrf_token(request), **context
    )
    return HTMLResponse(page, status_code=status_code)


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a worker thread: reading a ledger or a workbook never stalls the
    other clients (the workbook itself is read in a guarded subprocess)."""
    return await anyio.to_thread.run_sync(lambda: fn(*args))


def root(request: Request) -> Any:
    return request.app.state.root


_OPENED: dict[Path, tuple[tuple[Any, ...], Workspace]] = {}
_OPENING = threading.Lock()


def _stamp(root: Path) -> tuple[Any, ...]:
    """What the opened workspace was read from: plan.yaml, the workspace's forms, the
    form versions' lock and the plans kept from before a revision, each by name, size
    and modification time."""
    paths = [root / PLAN_FILE, root / STATE_DIR / "forms.lock.json"]
    for folder in (root / FORMS_DIR, root / STATE_DIR / "plans"):
        paths += sorted(folder.iterdir()) if folder.is_dir() else []
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def opened(where: Path | str | Workspace) -> Workspace:
    """The workspace, opened once per change of its plan or forms: opening it (the plan
    and every form checked against its schema) costs more than a verdict; the office may
    edit the plan while the server runs, and the next page reads the new one."""
    if isinstance(where, Workspace):
        return where
    root = Path(where)
    stamp = _stamp(root)
    kept = _OPENED.get(root)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    with _OPENING:  # one opening at a time: parallel requests wait for it, not redo it
        kept = _OPENED.get(root)
        if kept is None or kept[0] != stamp:
            kept = _OPENED[root] = (stamp, api.workspace(root))
    return kept[1]
