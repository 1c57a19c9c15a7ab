"""日志: the audit log for the office, filtered by account, action and day."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tianbao.serve import audit, auth
from tianbao.serve.views.base import off_loop, render, root, said
from tianbao.serve.views.office import OFFICE_ROLES

LIMIT = 500


def routes() -> list[Route]:
    return [Route("/office/log", log_page)]


async def log_page(request: Request) -> Response:
    auth.require(request, *OFFICE_ROLES)
    q = request.query_params
    f = {k: q.get(k, "").strip()[:100] for k in ("account", "action", "day")}
    message = ""
    if f["day"]:
        try:
            dt.date.fromisoformat(f["day"])
        except ValueError:
            message = said(
                f"日期“{f['day']}”不是 YYYY-MM-DD 形式的日期，未按日期筛选。 | "
                f"“{f['day']}” is not a date as YYYY-MM-DD: not filtered by day."
            )
            f["day"] = ""
    if f["action"] and f["action"] not in audit.ACTIONS_ZH:
        f["action"] = ""
    found = await off_loop(
        audit.entries, root(request), f["account"] or None, LIMIT, f["action"] or None,
        f["day"] or None,
    )  # fmt: skip
    return render(request, "log.html", title=said("日志 | Log"), entries=found, f=f,
                  message=message, actions=audit.ACTIONS_ZH, limit=LIMIT)  # fmt: skip
