"""``tianbao generate``: one workbook per department for a period."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.errors import UsageError
from tianbao.forms.lock import record
from tianbao.forms.model import FormDef
from tianbao.plan.archive import remember
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support import parallel
from tianbao.support.atomic import write_atomic
from tianbao.support.plaintext import safe_name_part
from tianbao.template.content import build_content
from tianbao.template.writer import write_workbook
from tianbao.workspace import Workspace

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Generated:
    department: str
    path: Path | None  # None: the department answers for no row of any form
    forms: tuple[str, ...]
    rows: int
    # its previous.* columns are blank: last period has no counting return (yet)
    previous_missing: bool = False


def parse_period(ws: Workspace, text: str) -> Period:
    plan = ws.plan
    assert plan is not None
    return plan.period(text)


def file_name(period: Period, dept_code: str, dept_name: str) -> str:
    # plan text in a file name: no path separators, no control or bidi characters
    # (U+202E would show 「…_发改委.xlsx」 reversed), whatever the plan holds
    name = f"{period}_{safe_name_part(dept_code)}_{safe_name_part(dept_name)}.xlsx"
    return _UNSAFE.sub("_", name)


def generate(
    ws: Workspace,
    period_text: str,
    departments: list[str] | None = None,
    out_dir: Path | None = None,
    password: str | None = None,
    generated_at: str | None = None,
    jobs: int = 1,
    allow_missing_previous: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Generated]:
    """Write each department's template for the period. Forms with ``previous.<field>``
    columns show the department's counting return of the previous period (from the
    ledger); a department without one is refused (UsageError) unless
    ``allow_missing_previous``, which writes those cells blank and says so."""
    ws.require_ok()
    period = parse_period(ws, period_text)
    plan = ws.plan_for(period)  # a period before a dated revision keeps its plan
    codes = list(departments or plan.departments)
    unknown = [c for c in codes if c not in plan.departments]
    if unknown:
        raise UsageError(
            f"未知的部门代码 {', '.join(unknown)}（计划中有：{', '.join(plan.departments)}） | "
            f"unknown department code(s): {', '.join(unknown)}; "
            f"known: {', '.join(plan.departments)}"
        )
    forms = [ws.forms[f] for f in plan.form_ids]
    previous = _previous_returns(ws, forms, period, codes, allow_missing_previous)
    out = Path(out_dir) if out_dir else ws.root / "outputs" / "templates" / str(period)
    out.mkdir(parents=True, exist_ok=True)
    job = _Job(plan, forms, period, ws.secret(), out, password, generated_at, previous)
    done: list[Generated] = []
    if jobs <= 1 or len(codes) <= 1 or not parallel.can_fork():
        for code in codes:
            done.append(job.one(code))
            if on_progress is not None:
                on_progress(len(done), len(codes))
    else:
        # forked workers share the loaded plan; each department's bytes are the same
        # whichever process writes them, and results come back in department order
        for code, result in parallel.ordered(
            job.one, codes, lambda c: (c,), jobs, count=len(codes)
        ):
            done.append(job.one(code) if result is parallel.FAILED else result)
            if on_progress is not None:
                on_progress(len(done), len(codes))
    # what was issued: check refuses a later layout change under the same version
    used = {f for g in done for f in g.forms}
    record(ws.state_dir, [f for f in forms if f.id in used])
    # and from which plan: a later revision still knows what these templates showed
    remember(ws.state_dir, plan, str(period), codes)
    return done


@dataclass
class _Job:
    plan: Plan
    forms: list[FormDef]
    period: Period
    secret: bytes
    out: Path
    password: str | None = None
    generated_at: str | None = None
    # department -> its previous period's counting return; absent: none wanted or found
    previous: dict[str, Any] | None = None

    def one(self, code: str) -> Generated:
        prev = (self.previous or {}).get(code)
        content = build_content(
            self.plan, self.forms, code, self.period, self.secret, self.generated_at, prev
        )
        if not content.forms:
            return Generated(code, None, (), 0)
        target = self.out / file_name(self.period, code, content.department.name)
        write_atomic(target, lambda p: write_workbook(content, p, self.password))
        return Generated(
            code,
            target,
            tuple(fr.form.id for fr in content.forms),
            sum(len(fr.items) for fr in content.forms),
            self.previous is not None
            and prev is None
            and any(fr.form.shows_previous for fr in content.forms),
        )


def _previous_returns(
    ws: Workspace, forms: list[FormDef], period: Period, codes: list[str], allow: bool
) -> dict[str, Any] | None:
    """Each department's counting return of the previous period, for the forms'
    ``previous.*`` columns; None when no form has one or it is the year's first period."""
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.sqlite import ledger_path

    before = period.previous()
    showing = [f for f in forms if f.shows_previous]
    if before is None or not showing:
        return None
    plan = ws.plan_for(period)
    found: dict[str, Any] = {}
    if ledger_path(ws.root).exists():
        with Ledger(ws.root, readonly=True) as ledger:
            for code in codes:
                prev = ledger.previous_records(code, period)
                if prev is not None:
                    found[code] = prev
    wanted = [c for c in codes if any(plan.rows_for(f.rows, c) for f in showing)]
    missing = [c for c in wanted if c not in found]
    if missing and not allow:
        raise UsageError(
            f"上期（{before}）尚未收到 {'、'.join(missing)} 的已计入报表，"
            "模板中的“上期”数会是空白：请先 tianbao collect 上期报表，"
            "或加 --allow-missing-previous 生成（上期数留空）"
            f" no counting {before} return of {', '.join(missing)} yet: collect it first, or pass"
            " --allow-missing-previous to leave those cells blank"
        )
    return found
