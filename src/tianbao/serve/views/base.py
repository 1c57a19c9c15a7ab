"""What every page shares: rendering a template, running the library off the event loop,
the Chinese half of a library message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tianbao.serve import auth
from tianbao.support.lang import halves

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


def zh(message: object) -> str:
    """The Chinese half of a 「中文 | English」 library message, for the pages."""
    return halves(str(message))[0]


def root(request: Request) -> Any:
    return request.app.state.root
