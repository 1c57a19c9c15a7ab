"""``tianbao generate``: one workbook per department for a period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.forms.lock import record
from tianbao.forms.model import FormDef
from tianbao.plan.archive import remember
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support import parallel
from tianbao.support.atomic import write_atomic
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


def parse_period(ws: Workspace, text: str) -> Period:
    plan = ws.plan
    assert plan is not None
    return plan.period(text)


def file_name(period: Period, dept_code: str, dept_name: str) -> str:
    return _UNSAFE.sub("_", f"{period}_{dept_code}_{dept_name}.xlsx")


def generate(
    ws: Workspace,
    period_text: str,
    departments: list[str] | None = None,
    out_dir: Path | None = None,
    password: str | None = None,
    generated_at: str | None = None,
    jobs: int = 1,
) -> list[Generated]:
    ws.require_ok()
    plan = ws.plan
    assert plan is not None
    period = parse_period(ws, period_text)
    codes = list(departments or plan.departments)
    unknown = [c for c in codes if c not in plan.departments]
    if unknown:
        raise UsageError(
            f"未知的部门代码 unknown department code(s): {', '.join(unknown)}; "
            f"known: {', '.join(plan.departments)}"
        )
    out = Path(out_dir) if out_dir else ws.root / "outputs" / "templates" / str(period)
    out.mkdir(parents=True, exist_ok=True)
    forms = [ws.forms[f] for f in plan.form_ids]
    job = _Job(plan, forms, period, ws.secret(), out, password, generated_at)
    if jobs <= 1 or len(codes) <= 1 or not parallel.can_fork():
        done = [job.one(code) for code in codes]
    else:
        # forked workers share the loaded plan; each department's bytes are the same
        # whichever process writes them, and results come back in department order
        done = []
        for code, result in parallel.ordered(
            job.one, codes, lambda c: (c,), jobs, count=len(codes)
        ):
            done.append(job.one(code) if result is parallel.FAILED else result)
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

    def one(self, code: str) -> Generated:
        content = build_content(
            self.plan, self.forms, code, self.period, self.secret, self.generated_at
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
        )
