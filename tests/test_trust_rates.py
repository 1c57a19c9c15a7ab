"""A rate above 100 % (1000 ‰) where its quantity cannot be (issue 30, item 6): an error
for a part of a whole, a warning for the completion of a target (over-fulfilment is
real) or an unusual rate, nothing for a growth rate or an index. Decided by the rate's
name, since the plan gives every rate the unit % or ‰ and no more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import SAMPLE, read_yaml, tianbao, write_yaml
from returns import Returns
from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.workspace import open_workspace

DEPT = "GXJ"
# (code, the rate's name, unit, typed in 本月, the finding at that cell or None)
RATES = [
    ("R_FOREST", "森林覆盖率", "%", 105, "VALUE_ABOVE_WHOLE"),
    ("R_URBAN", "常住人口城镇化率", "%", 100.5, "VALUE_ABOVE_WHOLE"),
    ("R_TAX", "税收占一般预算收入比重", "%", 123.4, "VALUE_ABOVE_WHOLE"),
    ("R_BIRTH", "人口出生率", "‰", 1200, "VALUE_ABOVE_WHOLE"),
    ("R_SHARE_OK", "税收收入占比", "%", 92.3, None),
    ("R_ENERGY", "节能减排", "%", 110, "VALUE_ABOVE_WHOLE"),  # the city's name for it
    ("R_ENERGY_DONE", "节能减排目标完成率", "%", 110, "VALUE_IMPLAUSIBLE"),
    ("R_DONE", "工业投资年度计划完成率", "%", 112, "VALUE_IMPLAUSIBLE"),
    ("R_DONE_OK", "工业投资年度计划完成率（上半年）", "%", 99.5, None),
    ("R_OTHER", "工业产品产销率", "%", 104, "VALUE_IMPLAUSIBLE"),
    ("R_CPI", "居民消费价格指数", "%", 102.3, None),
    ("R_GROWTH", "规模以上工业增加值增速", "%", 150, None),
    ("R_POP", "户籍人口自然增长率", "‰", 1200, None),
]


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """A workspace whose GXJ answers for the rates above, and GXJ's June return with
    each rate's 本月 typed as the table says; {indicator code: its 本月 cell}."""
    base = tmp_path_factory.mktemp("rates")
    runner, ws = CliRunner(), base / "ws"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    plan = read_yaml(ws / "plan.yaml")
    for code, name, unit, _, _ in RATES:
        plan["indicators"].append(
            {"code": code, "name": {"zh": name, "en": code}, "unit": unit, "department": DEPT,
             "accumulation": "point", "target": {"kind": "given_later", "text": "另行下达"}}
        )  # fmt: skip
    for tid, text, _ in TASKS:
        plan["tasks"].append(
            {"id": tid, "keyword": "综合提升", "description": text, "unit": "%", "target": 60,
             "deadline": "2014-12-31", "department": DEPT}
        )  # fmt: skip
    write_yaml(ws / "plan.yaml", plan)
    out = base / "templates"
    res = tianbao(runner, "generate", "-w", ws, "--period", "2014-06", "--dept", DEPT,
                  "-o", out, "--allow-missing-previous")  # fmt: skip
    assert res.exit_code == 0, res.output
    (template,) = out.glob("*.xlsx")
    w = open_workspace(ws)
    assert w.plan is not None
    content = build_content(w.plan, [w.forms[f] for f in w.plan.form_ids], DEPT,
                            Period.parse("2014-06"), w.secret())  # fmt: skip
    fills = plausible_fill(content)
    (indicators,) = [fr for fr in content.forms if fr.form.id == "indicators_monthly"]
    column = [c.field for c in indicators.form.columns].index("month_value")
    keys = [it.key for it in indicators.items]
    cells = {code: f"{chr(ord('A') + column)}{4 + keys.index(code)}" for code, *_ in RATES}
    for code, _, _, typed, _ in RATES:
        fills[indicators.form.sheet][cells[code]] = typed
    (tasks,) = [fr for fr in content.forms if fr.form.id == "tasks_progress"]
    column = [c.field for c in tasks.form.columns].index("ytd_done")
    keys = [it.key for it in tasks.items]
    for tid, _, typed in TASKS:
        cells[tid] = f"{chr(ord('A') + column)}{4 + keys.index(tid)}"
        fills[tasks.form.sheet][cells[tid]] = typed
    return ws, fill_workbook(template, base / "returns" / template.name, fills), cells


# a task whose target is a rate (unit %): its 本年累计完成 is judged by the task's words
TASKS = [("TR1", "规模以上企业研发机构覆盖率达到60%", 130), ("TR2", "技改投资完成率达到60%", 130)]


@pytest.mark.parametrize(
    ("task", "expected"), [("TR1", "VALUE_ABOVE_WHOLE"), ("TR2", "VALUE_IMPLAUSIBLE")]
)
def test_a_task_in_percent__judged_by_its_words(
    rated: tuple[Path, Path, dict[str, str]], task: str, expected: str
) -> None:
    ws, path, cells = rated
    res = tianbao(CliRunner(), "validate", "-w", ws, path, "--json")
    found = [
        f
        for f in json.loads(res.stdout)["files"][0]["findings"]
        if (f["sheet"], f["cell"]) == ("重点任务", cells[task])
    ]
    assert [(f["code"], f["sheet"]) for f in found] == [(expected, "重点任务")], found
    assert f"重点任务!{cells[task]}：" in found[0]["message"] and "130%" in found[0]["message"]


@pytest.mark.parametrize(("code", "name", "unit", "typed", "expected"), RATES)
def test_a_rate_above_the_whole__judged_by_what_it_measures(
    rated: tuple[Path, Path, dict[str, str]],
    code: str,
    name: str,
    unit: str,
    typed: float,
    expected: str | None,
) -> None:
    ws, path, cells = rated
    res = tianbao(CliRunner(), "validate", "-w", ws, path, "--json")
    found = [
        f
        for f in json.loads(res.stdout)["files"][0]["findings"]
        if (f["sheet"], f["cell"]) == ("主要指标", cells[code])
    ]
    assert [f["code"] for f in found] == ([expected] if expected else []), found
    if expected:
        (f,) = found
        severity = "error" if expected == "VALUE_ABOVE_WHOLE" else "warning"
        assert f["severity"] == severity and f["sheet"] == "主要指标", f
        bound = "1000‰" if unit == "‰" else "100%"
        said = f"主要指标!{cells[code]}：" in f["message"] and f"{typed:g}{unit}" in f["message"]
        assert said and f"超过 {bound}" in f["message"] and name in f["message"], f["message"]


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Returns]:
    base = tmp_path_factory.mktemp("rates_sample")
    return {d: Returns(base / d, d) for d in ("GXJ", "JTJ")}


def _typed(form: str, key: str, field: str, value: Any):  # type: ignore[no-untyped-def]
    def mutate(wb: openpyxl.Workbook, r: Returns) -> None:
        wb[r.sheet(form)][r.cell(form, key, field)] = value

    return mutate


# (department, form, row, field, typed, code at the cell, status of the return)
SAMPLE_CASES = [
    ("GXJ", "indicators_monthly", "ENERGY", "month_value", 110, "VALUE_ABOVE_WHOLE", "rejected"),
    ("GXJ", "indicators_monthly", "ENERGY", "month_value", 3.3, None, "accepted"),
    ("GXJ", "indicators_monthly", "ENERGY", "yoy_pct", 150, None, "accepted"),
    ("JTJ", "livelihood_progress", "L01", "progress_pct", 120, "VALUE_ABOVE_WHOLE", "rejected"),
    ("JTJ", "livelihood_progress", "L01", "progress_pct", 100, None, "accepted"),
]


@pytest.mark.parametrize(("dept", "form", "key", "field", "typed", "code", "status"), SAMPLE_CASES)
def test_sample_rates__energy_saving_and_progress_bounded_growth_not(
    rs: dict[str, Returns],
    dept: str,
    form: str,
    key: str,
    field: str,
    typed: float,
    code: str | None,
    status: str,
) -> None:
    """节能减排 is a fall in energy use per GDP (the sample's reading): 110 % is impossible,
    and is one finding at its cell (no SCHEMA_RANGE, no rule on the same figure)."""
    r = rs[dept]
    case = f"{key}_{field}_{typed}"
    exit_code, report = r.validate(r.june(case, _typed(form, key, field, typed)))
    cell = r.cell(form, key, field)
    here = [f["code"] for f in report["findings"] if f["cell"] == cell]
    assert here == ([code] if code else []), report["findings"]
    assert report["status"].startswith(status), report["status"]
    assert exit_code == (1 if status == "rejected" else 0)
