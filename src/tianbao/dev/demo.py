"""``tianbao demo``: the whole reporting cycle on the 2014 sample of 解放区.

init → for January to June 2014: generate each department's template,
simulate the departments filling it (plausible values on the seed's targets,
plus a few realistic mistakes), collect the returns into the ledger → status
and consolidate for June. Everything it writes lands under one folder.

The mistakes, so the cycle shows what the office sees:
  2014-03 RSJ types "35%" into a 万元 cell (wrong unit): rejected, corrected next day
  2014-04 SYQ reports a 本年累计 below March's: rejected, corrected next day
  2014-05 CZJ edits a pre-filled target: rejected, corrected next day
  2014-06 ZJJ over budget without a 说明: rejected; resent with the 说明: accepted
  2014-06 TJJ edits a target and never corrects it: rejected (to chase)
  2014-06 GYY sends three days after the deadline: late
  2014-06 WLQ sends nothing: missing
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.errors import UsageError
from tianbao.ledger.previous import previous_returns
from tianbao.plan.periods import Period
from tianbao.template.content import HEADER_ROWS, TemplateContent, build_content
from tianbao.template.generate import generate
from tianbao.workspace import Workspace, init_workspace, open_workspace

SAMPLE = "jiefang-2014"
MONTHS = [f"2014-{m:02d}" for m in range(1, 7)]
FINAL = MONTHS[-1]
LATE, MISSING = "GYY", "WLQ"

Fills = dict[str, dict[str, Any]]


@dataclass
class DemoResult:
    root: Path
    workspace: Path
    problems: int = 0
    templates: int = 0
    collected: dict[str, int] = field(default_factory=dict)
    summary: Path | None = None
    status_xlsx: Path | None = None
    report_xlsx: Path | None = None
    chase: list[str] = field(default_factory=list)


def _cell(content: TemplateContent, form_id: str, row: int, name: str) -> tuple[str, str]:
    fr = next(f for f in content.forms if f.form.id == form_id)
    col = [c.field for c in fr.form.columns].index(name)
    return fr.form.sheet, xl_rowcol_to_cell(HEADER_ROWS + row, col)


def _set(
    fills: Fills, content: TemplateContent, form_id: str, row: int, name: str, value: Any
) -> None:
    sheet, ref = _cell(content, form_id, row, name)
    fills.setdefault(sheet, {})[ref] = value


def _get(fills: Fills, content: TemplateContent, form_id: str, row: int, name: str) -> Any:
    sheet, ref = _cell(content, form_id, row, name)
    return fills.get(sheet, {}).get(ref)


def _first_started(content: TemplateContent, fills: Fills) -> int:
    fr = next(f for f in content.forms if f.form.id == "projects_progress")
    for i in range(len(fr.items)):
        if _get(fills, content, "projects_progress", i, "status") == "在建":
            return i
    raise UsageError("sample has no project under construction")


Mistake = Callable[[Fills, TemplateContent], None]


def _wrong_unit(f: Fills, c: TemplateContent) -> None:
    _set(f, c, "livelihood_progress", 0, "ytd_investment", "35%")


def _decreasing(f: Fills, c: TemplateContent) -> None:
    i = _first_started(c, f)
    ytd = _get(f, c, "projects_progress", i, "ytd_investment")
    _set(f, c, "projects_progress", i, "ytd_investment", round(ytd * 0.5, 2))


def _edited_target(f: Fills, c: TemplateContent) -> None:
    _set(f, c, "indicators_monthly", 0, "target_level", 1.0)


def _over_budget(f: Fills, c: TemplateContent) -> None:
    fr = next(x for x in c.forms if x.form.id == "livelihood_progress")
    _set(
        f,
        c,
        "livelihood_progress",
        0,
        "ytd_investment",
        round(float(fr.items[0].values["budget"]) * 1.15, 2),
    )


def _explained(f: Fills, c: TemplateContent) -> None:
    _over_budget(f, c)
    _set(f, c, "livelihood_progress", 0, "note", "追加建设内容，区政府常务会议已批准追加预算")


def _nothing(f: Fills, c: TemplateContent) -> None:
    return None


# (period, department) -> (the mistake, what the resent return changes, resent?)
MISTAKES: dict[tuple[str, str], tuple[Mistake, Mistake, bool]] = {
    ("2014-03", "RSJ"): (_wrong_unit, _nothing, True),
    ("2014-04", "SYQ"): (_decreasing, _nothing, True),
    ("2014-05", "CZJ"): (_edited_target, _nothing, True),
    ("2014-06", "ZJJ"): (_over_budget, _explained, True),
    ("2014-06", "TJJ"): (_edited_target, _nothing, False),
}


def run_demo(
    directory: Path,
    say: Callable[[str], None] = print,
    progress: Callable[[str, int], Any] | None = None,
) -> DemoResult:
    """Run the cycle into ``directory`` (must not exist or be empty)."""
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(
            f"{root} 已存在且不是空目录：请换一个目录或先清空 exists and is not an empty "
            "folder: choose another or empty it (nothing is overwritten)"
        )
    ws_dir = root / "workspace"
    result = DemoResult(root, ws_dir)
    say(f"1. 创建样例工作区 {SAMPLE} → {ws_dir} | 1. init {SAMPLE} → {ws_dir}")
    init_workspace(ws_dir, SAMPLE)
    ws = open_workspace(ws_dir)
    result.problems = len(ws.problems)
    say(f"2. 检查计划与报表：{result.problems} 个问题 | 2. check: {result.problems} problem(s)")
    if ws.problems:
        for p in ws.problems:
            say("   " + p.one_line())
        return result
    step = progress or (lambda label, total: _NoBar())
    say(
        f"3. 逐月生成模板、模拟填报、收集入账 {MONTHS[0]} … {FINAL} | "
        f"3. generate, fill and collect {MONTHS[0]} … {FINAL}"
    )
    for month in MONTHS:
        _demo_month(ws, root, month, result, step, say)
    _finish(ws, root, result, say)
    return result


def _demo_month(
    ws: Workspace,
    root: Path,
    month: str,
    result: DemoResult,
    step: Callable[[str, int], Any],
    say: Callable[[str], None],
) -> None:
    """One month: generate the templates, fill the returns (late, missing and mistaken
    ones included) and collect them in batches by the time they come in."""
    plan = ws.plan
    assert plan is not None
    forms = [ws.forms[f] for f in plan.form_ids]
    secret = ws.secret()
    period = Period.parse(month)
    deadline = period.deadline(plan.deadline_days)
    # a department whose last return was rejected gets blank 上期 cells, as an office
    # that must issue the forms on time would choose
    made = generate(
        ws,
        month,
        out_dir=root / "templates" / month,
        allow_missing_previous=True,
        previous_returns=lambda p, codes: previous_returns(ws.root, p, codes),
    )
    gen = [g for g in made if g.path]
    result.templates += len(gen)
    batches: dict[dt.datetime, list[Path]] = {}
    with step(f"   {month} 填报", len(gen)) as bar:
        for g in gen:
            assert g.path is not None
            bar.advance()
            if month == FINAL and g.department == MISSING:
                continue
            content = build_content(plan, forms, g.department, period, secret)
            returns = root / "returns" / month
            _file_return(returns, g.path, (month, g.department), content, deadline, batches)
    counts = _collect(ws, batches)
    result.collected[month] = sum(counts.values())
    from tianbao.collect.console import COLLECT_LABELS

    # the states as collect names them, each half in its language
    labels = {k: COLLECT_LABELS.get(k, f"{k} | {k}").split(" | ") for k in counts}
    zh = "，".join(f"{labels[k][0]} {v}" for k, v in sorted(counts.items()))
    en = ", ".join(f"{labels[k][1]} {v}" for k, v in sorted(counts.items()))
    say(
        f"   {month}：{len(gen)} 个模板，收集 {sum(counts.values())} 份：{zh} | "
        f"   {month}: {len(gen)} template(s), {sum(counts.values())} collected: {en}"
    )


def _file_return(
    returns: Path,
    template: Path,
    who: tuple[str, str],
    content: TemplateContent,
    deadline: dt.date,
    batches: dict[dt.datetime, list[Path]],
) -> None:
    """A department's filled return of a month (`who`), added to the batch of the time it comes
    in: two days before the deadline, or late; a mistaken one first, then its fix."""
    month, department = who
    fills = plausible_fill(content)  # entered cells only: 上期 is the template's
    when = dt.datetime.combine(deadline - dt.timedelta(days=2), dt.time(10))
    if month == FINAL and department == LATE:
        when = dt.datetime.combine(deadline + dt.timedelta(days=3), dt.time(9))
    mistake = MISTAKES.get((month, department))
    if mistake is not None:
        wrong, fix, resend = mistake
        first = {s: dict(c) for s, c in fills.items()}
        wrong(first, content)
        out = returns / "first" / template.name
        batches.setdefault(when, []).append(fill_workbook(template, out, first))
        if not resend:
            return
        fix(fills, content)
        when = when + dt.timedelta(days=1)
    out = returns / template.name
    batches.setdefault(when, []).append(fill_workbook(template, out, fills))


def _collect(ws: Workspace, batches: dict[dt.datetime, list[Path]]) -> dict[str, int]:
    from tianbao.collect.pipeline import collect

    counts: dict[str, int] = {}
    for when in sorted(batches):
        for r in collect(ws, batches[when], received_at=when):
            counts[r.status] = counts.get(r.status, 0) + 1
    return counts


_CHASE_REASONS = {"missing": "未报送", "rejected": "审核未通过", "returned": "已被统计局退回"}


def _finish(ws: Workspace, root: Path, result: DemoResult, say: Callable[[str], None]) -> None:
    from tianbao import api
    from tianbao.report.status_xlsx import write_status_xlsx

    out = root / "outputs"
    out.mkdir(parents=True, exist_ok=True)
    deadline = Period.parse(FINAL).deadline(ws.plan.deadline_days if ws.plan else 5)
    report = api.status(ws, FINAL, as_of=deadline + dt.timedelta(days=7))
    result.status_xlsx = out / f"status-{FINAL}.xlsx"
    write_status_xlsx(report, result.status_xlsx)
    result.chase = [
        f"{c.department} {c.name}：{c.reason}，联系人 {c.contact_name} {c.contact_phone}"
        for c in report.chase
    ]
    say(f"4. 报送情况 {FINAL} → {result.status_xlsx} | 4. status {FINAL} → {result.status_xlsx}")
    for c in report.chase:
        why = _CHASE_REASONS.get(c.reason, c.reason)
        say(f"   催报：{c.department} {c.name}：{why}，联系人 {c.contact_name} {c.contact_phone} | "
            f"   chase: {c.department} {c.name}: {c.reason}, contact {c.contact_name} "
            f"{c.contact_phone}")  # fmt: skip
    june = sorted((root / "returns" / FINAL).rglob("*.xlsx"))
    result.report_xlsx = out / f"validation-{FINAL}.xlsx"
    api.validate_files(ws, june).write_report(result.report_xlsx)
    say(
        f"5. {FINAL} 审核报告 → {result.report_xlsx} | "
        f"5. {FINAL} validation report → {result.report_xlsx}"
    )
    result.summary = out / f"summary-{FINAL}.xlsx"
    api.consolidate(ws, FINAL, result.summary, csv=out / f"long-{FINAL}.csv")
    say(f"6. 汇总 {FINAL} → {result.summary} | 6. consolidate {FINAL} → {result.summary}")


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self) -> None:
        return None
