"""A number typed 100 times off in a percent column: a warning that asks the right
question, at its cell; the figure is still recorded (the clerk may be right)."""

from __future__ import annotations

import json

import pytest

from helpers import tianbao
from returns import Returns


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("plausible"), "RSJ")


# (case, form, field, typed, number format or None, question asked or None, recorded)
CASES = [
    ("growth_100x", "indicators_monthly", "yoy_pct", 1200, None, "是否应为 12？", 1200),
    ("growth_usual", "indicators_monthly", "yoy_pct", 12, None, None, 12),
    ("growth_small", "indicators_monthly", "yoy_pct", 0.5, None, None, 0.5),
    ("growth_far_off", "indicators_monthly", "yoy_pct", 40000, None, "请核实", 40000),
    (
        "progress_fraction",
        "livelihood_progress",
        "progress_pct",
        0.45,
        None,
        "是否应为 45%？",
        0.45,
    ),
    ("progress_typed_45%", "livelihood_progress", "progress_pct", 0.45, "0%", None, 45),
    ("progress_usual", "livelihood_progress", "progress_pct", 45, None, None, 45),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "form", "field", "typed", "fmt", "asks", "recorded"), CASES)
def test_plausibility__the_question_a_clerk_can_answer(
    rs: Returns, case, form, field, typed, fmt, asks, recorded
) -> None:
    key = rs.keys(form)[0]
    cell = rs.cell(form, key, field)

    def mutate(wb, r: Returns) -> None:
        c = wb[r.sheet(form)][cell]
        c.value = typed
        if fmt:
            c.number_format = fmt

    res = tianbao(
        rs.runner,
        "validate",
        "-w",
        rs.ws,
        rs.june(case, mutate),
        "--json",
        "--previous",
        rs.previous,
    )
    report = json.loads(res.stdout)["files"][0]
    found = [f for f in report["findings"] if f["code"] == "VALUE_IMPLAUSIBLE"]
    if asks is None:
        assert found == [], found
    else:
        (f,) = found
        assert f["cell"] == cell and f["severity"] == "warning", f
        assert asks in f["message"] and f"{typed:g}" in f["message"], f["message"]
    if fmt:  # typed "45%": read as 45 percent points, said in a note
        (note,) = [f for f in report["findings"] if f["cell"] == cell]
        assert note["code"] == "VALUE_NORMALISED" and note["expected"] == recorded, note
