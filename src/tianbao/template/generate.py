"""``tianbao generate``: one workbook per department for a period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tianbao.atomic import write_atomic
from tianbao.errors import UsageError
from tianbao.plan.periods import Period
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
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if period.year != plan.year:
        raise UsageError(
            f"报告期 {period} 不在计划年度 {plan.year} 内 "
            f"(period outside the plan year {plan.year})"
        )
    if period.kind != plan.frequency:
        raise UsageError(
            f"报告期 {period} 与计划的报送频率 {plan.frequency} 不符 "
            f"(the plan reports by {plan.frequency})"
        )
    return period


def file_name(period: Period, dept_code: str, dept_name: str) -> str:
    return _UNSAFE.sub("_", f"{period}_{dept_code}_{dept_name}.xlsx")


def generate(
    ws: Workspace,
    period_text: str,
    departments: list[str] | None = None,
    out_dir: Path | None = None,
    password: str | None = None,
    generated_at: str | None = None,
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
    secret = ws.secret()
    results = []
    for code in codes:
        content = build_content(plan, forms, code, period, secret, generated_at)
        if not content.forms:
            results.append(Generated(code, None, (), 0))
            continue
        target = out / file_name(period, code, content.department.name)
        write_atomic(target, lambda p, c=content: write_workbook(c, p, password))
        results.append(
            Generated(
                code,
                target,
                tuple(fr.form.id for fr in content.forms),
                sum(len(fr.items) for fr in content.forms),
            )
        )
    return results
