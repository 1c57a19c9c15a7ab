"""``tianbao check``: is the workspace's plan and every form it uses sound?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tianbao.errors import UsageError
from tianbao.findings import Code
from tianbao.forms.lock import changed_without_version
from tianbao.forms.model import FormDef
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.problems import Problem, said
from tianbao.workspace import FORMS_DIR, Workspace, open_workspace

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.FORM_VERSION_NOT_RAISED, Code.CITY_TARGET_DIFFERS)


def check_workspace(root: Path) -> list[Problem]:
    """All problems of the workspace, in file order. Raises only WorkspaceError."""
    ws = open_workspace(root, use_cache=False)
    problems = list(ws.problems)
    for form, version in changed_without_version(ws.state_dir, list(ws.forms.values())):
        problems.append(
            Problem(
                Code.FORM_VERSION_NOT_RAISED,
                f"{FORMS_DIR}/{form.id}.yaml",
                said(Code.FORM_VERSION_NOT_RAISED, version=form.version, raised=version),
                "$.version",
                None,
                form.version,
                version,
            )
        )
    if ws.plan is not None:
        problems += city_target_problems(ws.plan)
    return problems


def city_target_problems(plan: Plan) -> list[Problem]:
    """Where the district's own target differs from the one the city issued it (an
    indicator's ``city_target``: the cascade). A target given later (「完成市定目标」)
    is the city's: nothing to differ."""
    out = []
    for i, item in enumerate(plan.items.get("indicators", [])):
        city = item.raw.get("city_target")
        own = item.raw.get("target") or {}
        if not isinstance(city, dict) or own.get("kind") == "given_later":
            continue
        for name in ("rate_pct", "level"):
            want, got = city.get(name), own.get(name)
            if want is None or (got is not None and float(got) == float(want)):
                continue
            named = {"indicator": item.key, "city": want, "district": "—" if got is None else got}
            out.append(
                Problem(
                    Code.CITY_TARGET_DIFFERS,
                    "plan.yaml",
                    said(Code.CITY_TARGET_DIFFERS, name, **named),
                    f"$.indicators[{i}].target.{name}",
                    None,
                    got,
                    want,
                )
            )
    return out


@dataclass(frozen=True)
class Affected:
    """Templates issued from an earlier plan revision whose pre-filled rows differ now."""

    version: int  # of the plan they were issued from
    period: str
    changed: tuple[str, ...]  # departments whose pre-filled rows changed (or who left)
    unchanged: int  # departments of that period the revision does not touch
    current: int  # the version of the plan now in force

    def text(self) -> str:
        current = self.current
        if not self.changed:
            return (
                f"提示：第{self.version}版计划下发的 {self.period} 模板"
                f"不受计划调整（第{current}版）影响，仍可照常报送"
            )
        return (
            f"提示：计划已调整（第{self.version}版 → 第{current}版）："
            f"已下发的 {self.period} 模板中，{'、'.join(self.changed)} 的预填内容与现计划不同"
            "（审核时按模板当时的内容，调整处提示“计划已调整”，缺少新增行的须用新模板重报）；"
            f"其余 {self.unchanged} 个单位不受影响"
        )


def affected_templates(root: Path) -> list[Affected]:
    """For each period with templates issued from another plan than the one in force
    for that period (kept by generate), which departments' pre-filled rows differ. A
    period before a dated revision keeps its plan: its templates are not affected."""
    from tianbao.plan.archive import read_issued, recall

    ws = open_workspace(root)
    if ws.plan is None or ws.problems:
        return []
    out = []
    for fp, entry in read_issued(ws.state_dir).items():
        if fp == ws.plan.fingerprint or not isinstance(entry, dict):
            continue
        old = recall(ws.state_dir, fp)
        if old is not None:
            out += _affected_periods(ws, fp, old, entry.get("periods") or {})
    return out


def _affected_periods(
    ws: Workspace, fp: str, old: Plan, periods: dict[str, list[str]]
) -> list[Affected]:
    """The periods issued from the old plan `fp` (period -> department codes) that a
    later plan now governs, with the departments whose pre-filled rows it changes."""
    assert ws.plan is not None
    forms_old = [ws.forms[f] for f in old.form_ids if f in ws.forms]
    out = []
    for period_text, codes in sorted(periods.items()):
        try:
            period = ws.plan.period(period_text)
        except UsageError:
            continue
        now = ws.plan_for(period)
        if now.fingerprint == fp:
            continue  # issued from the plan still in force for that period
        forms_new = [ws.forms[f] for f in now.form_ids if f in ws.forms]
        changed = [
            code
            for code in codes
            if _prefill_differs(code, period, (old, forms_old), (now, forms_new))
        ]
        unchanged = len(codes) - len(changed)
        out.append(Affected(old.version, period_text, tuple(changed), unchanged, now.version))
    return out


def _prefill_differs(
    code: str,
    period: Period,
    old: tuple[Plan, list[FormDef]],
    now: tuple[Plan, list[FormDef]],
) -> bool:
    """A department's pre-filled rows for `period` under two (plan, forms), or one of
    the plans without the department."""
    from tianbao.template.content import build_content

    (plan_old, forms_old), (plan_now, forms_now) = old, now
    if code not in plan_now.departments or code not in plan_old.departments:
        return True
    secret = b"-"  # the pre-filled values do not depend on the key
    a = build_content(plan_old, forms_old, code, period, secret)
    b = build_content(plan_now, forms_now, code, period, secret)
    return [(r.form.id, r.prefill()) for r in a.forms] != [
        (r.form.id, r.prefill()) for r in b.forms
    ]


def revision_notes(root: Path) -> list[str]:
    """What a dated revision means for the year, said by check: which plan the periods
    before it keep, or that none was kept (they then use this plan too)."""
    from tianbao.plan.periods import Period

    ws = open_workspace(root)
    plan = ws.plan
    if plan is None or ws.problems or plan.effective is None:
        return []
    start = plan.effective
    first = Period.all_of_year(plan.year, plan.frequency)[0]
    if start == first:
        return []
    before = ws.plan_for(first)
    if before is plan:
        return [
            f"提示：第{plan.version}版计划自 {start} 起执行，但本工作区没有保留更早的计划"
            f"（未用旧计划生成过模板）：{start} 以前各期也按第{plan.version}版审核和汇总"
        ]
    return [
        f"提示：第{plan.version}版计划自 {start} 起执行；{start} 以前各期仍按第"
        f"{before.version}版审核和汇总"
    ]
