"""The office's pages: the periods, and 报送情况 of one (department × form with the states
``tianbao status`` gives, the on-time / late / missing counts, the 催报 texts to copy)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tianbao import api
from tianbao.errors import TianbaoError
from tianbao.ledger.status import LABELS, STATES
from tianbao.serve import accounts, auth, words
from tianbao.serve.views.base import off_loop, opened, render, root, said
from tianbao.serve.views.dept import ended_periods

OFFICE_ROLES = (accounts.OFFICE, accounts.ADMIN)


def routes() -> list[Route]:
    return [
        Route("/office", periods),
        Route("/office/{period}", period_status),
    ]


def _periods(where: Path, today: dt.date) -> list[tuple[str, str]]:
    ws = opened(where)
    return [(str(p), words.period_label(p)) for p in ended_periods(ws, today)]


async def periods(request: Request) -> Response:
    auth.require(request, *OFFICE_ROLES)
    found = await off_loop(_periods, root(request), request.app.state.today())
    return render(request, "office_periods.html", title=said("报告期 | Periods"), periods=found)


def _status(where: Path, period: str, today: dt.date) -> dict[str, Any] | str:
    ws = opened(where)
    try:
        report = api.status(ws, period, today)
    except TianbaoError as exc:
        return said(exc)
    named = words.titles(ws)
    forms: list[tuple[str, str]] = []  # the forms' columns, in the plan's order
    for d in report.departments:
        for f in d.forms:
            if f.form not in (k for k, _ in forms):
                forms.append((f.form, named.get(f.form, f.title)))
    grid = [(d, {f.form: f for f in d.forms}) for d in report.departments]
    counts = report.counts()
    return {
        "report": report, "forms": forms, "grid": grid, "labels": LABELS,
        "counts": [(words.state_word(s, LABELS[s]), counts[s], s) for s in STATES],
    }  # fmt: skip


async def period_status(request: Request) -> Response:
    auth.require(request, *OFFICE_ROLES)
    period = request.path_params["period"]
    found = await off_loop(_status, root(request), period, request.app.state.today())
    if isinstance(found, str):
        return render(request, "error.html", 404, title=said("没有这个报告期 | No such period"),
                      message=found)  # fmt: skip
    report = found["report"]
    title = said(f"{report.period_label} 报送情况 | Status of {report.period}")
    return render(request, "office_status.html", title=title, **found)
