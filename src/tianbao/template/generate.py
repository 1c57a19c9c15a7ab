"""``tianbao generate``: one workbook per department for a period.

A department whose previous period has no counting return yet (「上期数待补」) never
holds the others back: by default its template is held back and it is listed
(``missing_previous="hold"``); ``"mark"`` issues it with the 上期 cells marked
(a note on each: the figure is to come), ``"blank"`` (``--allow-missing-previous``)
with them blank as before."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.errors import Refused, UsageError
from tianbao.forms.lock import record
from tianbao.forms.model import FormDef
from tianbao.plan.archive import remember
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support import parallel
from tianbao.support.atomic import has_leftovers, leftovers, write_atomic
from tianbao.support.plaintext import safe_name_part
from tianbao.template.content import build_content
from tianbao.template.writer import write_workbook
from tianbao.workspace import Workspace

# (period, department codes) -> {code: its counting return of the period before}
PreviousReturns = Callable[[Period, list[str]], dict[str, Any]]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
MISSING_PREVIOUS = ("hold", "mark", "blank")


@dataclass(frozen=True)
class Generated:
    department: str
    path: Path | None  # None: the department answers for no row of any form
    forms: tuple[str, ...]
    rows: int
    # its previous.* columns are blank: last period has no counting return (yet)
    previous_missing: bool = False
    held: bool = False  # not written: last period's return is still to come (上期数待补)


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
    previous_returns: PreviousReturns | None = None,
    missing_previous: str = "hold",
) -> list[Generated]:
    """Write each department's template for the period. Forms with ``previous.<field>``
    columns show the department's counting return of the previous period, which
    ``previous_returns(period, codes)`` gives (the caller reads the ledger: ``api``;
    None: no returns yet). A department without one is, by ``missing_previous``: held
    back (``hold``: listed with ``held``; ``Refused`` when every one asked is), issued
    with those cells marked (``mark``) or blank (``blank``, also
    ``allow_missing_previous``)."""
    ws.require_ok()
    assert ws.plan is not None
    period = ws.plan.period(period_text)
    plan = ws.plan_for(period)  # a period before a dated revision keeps its plan
    asked = _known(plan, list(departments or plan.departments))
    mode = "blank" if allow_missing_previous else missing_previous
    if mode not in MISSING_PREVIOUS:
        raise UsageError(f"missing_previous: {mode!r} 不是 not one of {MISSING_PREVIOUS}")
    forms = [ws.forms[f] for f in plan.form_ids]
    previous, missing = _previous_returns(ws, forms, period, asked, previous_returns)
    held = missing if mode == "hold" else []
    if held and len(held) == len(asked):
        raise _all_held(period, held)
    codes = [c for c in asked if c not in held]
    out = Path(out_dir) if out_dir else ws.root / "outputs" / "templates" / str(period)
    out.mkdir(parents=True, exist_ok=True)
    job = _Job(plan, forms, period, ws.secret(), out, password, generated_at, previous)
    job.pending = frozenset(missing) if mode == "mark" else frozenset()
    job.leftovers = leftovers(out)
    done = _write_all(job, codes, jobs, on_progress)
    # what was issued: check refuses a later layout change under the same version
    used = {f for g in done for f in g.forms}
    record(ws.state_dir, [f for f in forms if f.id in used])
    # and from which plan: a later revision still knows what these templates showed
    remember(ws.state_dir, plan, str(period), codes)
    made = {g.department: g for g in done}
    return [made.get(c) or Generated(c, None, (), 0, True, held=True) for c in asked]


def _known(plan: Plan, codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in plan.departments]
    if unknown:
        raise UsageError(
            f"未知的部门代码 {', '.join(unknown)}（计划中有：{', '.join(plan.departments)}） | "
            f"unknown department code(s): {', '.join(unknown)}; "
            f"known: {', '.join(plan.departments)}"
        )
    return codes


def _write_all(
    job: _Job, codes: list[str], jobs: int, on_progress: Callable[[int, int], None] | None
) -> list[Generated]:
    done: list[Generated] = []
    if jobs <= 1 or len(codes) <= 1 or not parallel.can_fork():
        for code in codes:
            done.append(job.one(code))
            if on_progress is not None:
                on_progress(len(done), len(codes))
        return done
    # forked workers share the loaded plan; each department's bytes are the same
    # whichever process writes them, and results come back in department order
    for code, result in parallel.ordered(job.one, codes, lambda c: (c,), jobs, count=len(codes)):
        done.append(job.one(code) if result is parallel.FAILED else result)
        if on_progress is not None:
            on_progress(len(done), len(codes))
    return done


def _all_held(period: Period, held: list[str]) -> Refused:
    before = period.previous()
    return Refused(
        f"上期数待补：上期（{before}）尚未收到 {'、'.join(held)} 的已计入报表，未生成模板；"
        "请先 tianbao collect 上期报表，或加 --missing-previous mark（上期数标为待补）"
        "或 --allow-missing-previous（上期数留空）生成"
        f" | no counting {before} return of {', '.join(held)} yet: no template written;"
        " collect it first, or pass --missing-previous mark (上期 cells marked) or"
        " --allow-missing-previous (left blank)"
    )


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
    pending: frozenset[str] = frozenset()  # issued with the 上期 cells marked 待补
    leftovers: frozenset[str] = frozenset()  # temporary files in ``out`` when the run began

    def one(self, code: str) -> Generated:
        prev = (self.previous or {}).get(code)
        content = build_content(
            self.plan, self.forms, code, self.period, self.secret, self.generated_at, prev
        )
        content.previous_pending = code in self.pending
        if not content.forms:
            return Generated(code, None, (), 0)
        target = self.out / file_name(self.period, code, content.department.name)
        sweep = has_leftovers(target, self.leftovers)
        write_atomic(target, lambda p: write_workbook(content, p, self.password), sweep)
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
    ws: Workspace,
    forms: list[FormDef],
    period: Period,
    codes: list[str],
    lookup: PreviousReturns | None,
) -> tuple[dict[str, Any] | None, list[str]]:
    """Each department's counting return of the previous period, for the forms'
    ``previous.*`` columns (None when no form has one or it is the year's first
    period), and the departments that show one but have none yet."""
    before = period.previous()
    showing = [f for f in forms if f.shows_previous]
    if before is None or not showing:
        return None, []
    plan = ws.plan_for(period)
    found = lookup(period, codes) if lookup is not None else {}
    wanted = [c for c in codes if any(plan.rows_for(f.rows, c) for f in showing)]
    return found, [c for c in wanted if c not in found]
