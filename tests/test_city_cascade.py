"""The plan cascade: a district's plan cites the targets the city issued it (an
indicator's ``city_target``), and ``tianbao check`` says where the district's own
target differs, naming the indicator, the city's figure and the district's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from helpers import tianbao


@pytest.fixture
def district(tmp_path: Path, sample_once: Path) -> Path:
    """A copy of ``init --sample jiefang-2014`` (made once, conftest)."""
    return Path(shutil.copytree(sample_once, tmp_path / "jiefang"))


def cite(ws: Path, issued: dict[str, dict[str, Any]]) -> None:
    """Write the city's targets into the district's plan, per indicator."""
    path = ws / "plan.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    for ind in plan["indicators"]:
        if ind["code"] in issued:
            ind["city_target"] = issued[ind["code"]]
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")


# (case, the city's targets, the findings: (indicator, field, city's, district's))
CASES = [
    ("the same as the city's", {"GDP": {"kind": "growth", "rate_pct": 11}}, []),
    (
        "a lower growth than the city's",
        {"GDP": {"kind": "growth", "rate_pct": 12}, "REVENUE": {"kind": "growth", "rate_pct": 12}},
        [("GDP", "rate_pct", 12, 11)],
    ),
    (
        "a lower level than the city's",
        {"FAI": {"kind": "level", "level": 130}},
        [("FAI", "level", 130, 90)],
    ),
    (
        "a level the district did not set",
        {"REVENUE": {"kind": "growth_and_level", "rate_pct": 12, "level": 7}},
        [("REVENUE", "level", 7, None)],
    ),
    ("a target the district leaves to the city", {"ENERGY": {"kind": "level", "level": 3.5}}, []),
]


@pytest.mark.parametrize(("case", "issued", "found"), CASES, ids=[c[0] for c in CASES])
def test_check__a_district_target_differing_from_the_citys(
    district: Path, case: str, issued: dict[str, dict[str, Any]], found: list[tuple[Any, ...]]
) -> None:
    cite(district, issued)
    runner = CliRunner()
    res = tianbao(runner, "--lang", "en", "check", "-w", district, "--json")
    assert res.exit_code == (1 if found else 0), res.output
    problems = json.loads(res.stdout)["problems"]
    got = [p for p in problems if p["code"] == "CITY_TARGET_DIFFERS"]
    assert got == [p for p in problems], problems  # nothing else is wrong with the plan
    plan = yaml.safe_load((district / "plan.yaml").read_text(encoding="utf-8"))
    at = {ind["code"]: i for i, ind in enumerate(plan["indicators"])}
    assert [(p["path"], p["expected"], p["found"]) for p in got] == [
        (f"$.indicators[{at[code]}].target.{name}", city, own) for code, name, city, own in found
    ]
    text = tianbao(runner, "--lang", "en", "check", "-w", district).output
    for code, name, city, own in found:
        what = "growth target" if name == "rate_pct" else "target level"
        line = next(x for x in text.splitlines() if f"{code}'s {what}" in x)
        said = "—" if own is None else own
        assert f"the city issued {city}" in line and f"plan says {said}" in line, line
