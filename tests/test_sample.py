"""The jiefang-2014 sample against the seed (../shared/seed, summarised in DOMAIN.md)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from helpers import SAMPLE_PLAN, SEED, require_or_skip
from tianbao.plan.load import load_plan
from tianbao.plan.model import Plan


def D(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="module")
def plan() -> Plan:
    result = load_plan(SAMPLE_PLAN)
    assert result.problems == []
    assert result.plan is not None
    return result.plan


def test_year(plan: Plan) -> None:
    assert (plan.year, plan.base_year, plan.district_name) == (2014, 2013, "解放区")
    assert plan.frequency == "month"


def test_fifteen_departments(plan: Plan) -> None:
    assert len(plan.raw["departments"]) == 15


BASES = [
    ("GDP", "88.15"),
    ("REVENUE", "5.4108"),
    ("FAI", "72.53"),
    ("RETAIL", "67.4"),
    ("DOMESTIC_CAPITAL", "73"),
    ("NEW_JOBS", "6365"),
]


def test_eleven_indicators(plan: Plan) -> None:
    assert len(plan.raw["indicators"]) == 11


@pytest.mark.parametrize(("code", "base"), BASES)
def test_indicator_base(plan: Plan, code: str, base: str) -> None:
    item = plan.item("indicators", code)
    assert item is not None
    assert D(item.values["base.value"]) == D(base)


DERIVED = [
    # (code, target_level_from_rate, target_level, direction)
    ("FAI", 89.21, 90, "min"),
    ("GDP", 97.85, 97.85, "min"),
    ("REVENUE", 6.0601, 6.0601, "min"),
    ("NEW_JOBS", None, 6000, "min"),
    ("UNEMPLOYMENT", None, 3.1, "max"),
    ("ENERGY", None, None, None),
]


@pytest.mark.parametrize(("code", "from_rate", "level", "direction"), DERIVED)
def test_indicator_derived_target(plan: Plan, code, from_rate, level, direction) -> None:
    item = plan.item("indicators", code)
    assert item is not None
    values = item.values
    assert values["target_level_from_rate"] == from_rate
    assert values["target_level"] == level
    assert values["target_direction"] == direction


def test_432211_projects(plan: Plan) -> None:
    projects = plan.raw["projects"]
    counts = Counter(p["category"] for p in projects)
    assert counts == {"新建": 42, "续建": 39, "运作": 25, "储备": 23}
    key = [p for p in projects if p["key"]]
    assert Counter(p["category"] for p in key) == {"新建": 42, "续建": 39}
    assert sum(D(p["total_investment"]) for p in key) == D(2_950_000)  # 295 亿元
    assert sum(D(p["annual_plan"]) for p in key) == D(900_000)  # 90 亿元 in 2014


def test_ten_livelihood_projects(plan: Plan) -> None:
    livelihood = plan.raw["livelihood"]
    assert len(livelihood) == 10
    assert sum(D(x["budget"]) for x in livelihood) == D(9920)


NAMED = [
    # (name in the seed, total investment in 万元, month of a milestone or None)
    ("星凯国际城市综合体", 200_000, None),
    ("锦江商业广场和五星级酒店", 100_000, None),
    ("爱乐优智能物联机器人", 45_000, 7),
    ("中国（焦作）动漫世界", 200_000, None),
]


@pytest.mark.parametrize(("name", "total", "month"), NAMED)
def test_named_project(plan: Plan, name: str, total: int, month: int | None) -> None:
    found = [p for p in plan.raw["projects"] if p["name"] == name]
    assert len(found) == 1
    project = found[0]
    assert project["key"] is True
    assert D(project["total_investment"]) == D(total)
    if month is not None:
        months = {int(m["due"][5:7]) for m in project.get("milestones") or []}
        assert month in months


# ---------------------------------------------------------------- illustrative entries

# the figures of each collection that would have to come from the seed
FIGURES = {
    "indicators": ("base.value", "base.growth_pct", "target.rate_pct", "target.level"),
    "projects": ("total_investment", "annual_plan"),
    "tasks": ("target",),
    "livelihood": ("budget",),
}


def _in_seed(seed: str, value: Any, collection: str) -> bool:
    forms = {D(value).normalize()}
    if collection == "projects":  # 万元 in the plan, often 亿元 in the seed
        forms.add((D(value) / 10000).normalize())
    return any(re.search(rf"(?<![\d.]){re.escape(format(f, 'f'))}(?![\d])", seed) for f in forms)


@pytest.fixture(scope="module")
def seed_text() -> str:
    require_or_skip(SEED.is_file(), f"{SEED} not found (../shared missing)")
    # the seed is text pulled from a PDF: numbers and words are broken across lines
    return re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("collection", list(FIGURES))
def test_entries_not_marked_illustrative_have_seed_figures(
    plan: Plan, seed_text: str, collection: str
) -> None:
    not_in_seed = []
    for item in plan.items[collection]:
        if item.raw.get("illustrative"):
            continue
        for name in FIGURES[collection]:
            value = item.values.get(name)
            if value is not None and not _in_seed(seed_text, value, collection):
                not_in_seed.append((item.key, name, value))
    assert not_in_seed == [], "figures not in the seed must be marked illustrative: true"


def test_entries_without_figures_are_illustrative(plan: Plan) -> None:
    """Departments and livelihood details are not in the seed: every one is made up."""
    assert all(d.get("illustrative") for d in plan.raw["departments"])
    assert all(x.get("illustrative") for x in plan.raw["livelihood"])


def test_projects_are_illustrative(plan: Plan) -> None:
    """No project's annual plan is in the seed, so every project is marked."""
    assert all(p.get("illustrative") for p in plan.raw["projects"])
