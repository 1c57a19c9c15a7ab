"""Load and check a plan file: schema first, then consistency across entries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.plan.model import COLLECTIONS, Plan
from tianbao.problems import CheckCode, Problem, json_path
from tianbao.schema_errors import iter_located, passes_fast, validator_for
from tianbao.yamlio import LoadedYaml, YamlProblem, load_yaml

PLAN_SCHEMA = "plan.schema.json"


@dataclass
class PlanResult:
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    loaded: LoadedYaml | None = None  # for locating later problems in the same file


def load_plan(path: Path, display: str | None = None) -> PlanResult:
    """Read, schema-check and consistency-check the plan; never raises on bad data."""
    name = display or path.name
    try:
        loaded = load_yaml(path)
    except YamlProblem as exc:
        return PlanResult(
            None, [Problem(CheckCode.FILE_UNREADABLE, name, exc.message, line=exc.line)]
        )
    if not isinstance(loaded.data, dict):
        return PlanResult(
            None,
            [
                Problem(
                    CheckCode.SCHEMA,
                    name,
                    "计划文件顶层应为映射 the plan must be a mapping",
                    line=1,
                    found=type(loaded.data).__name__,
                    expected="mapping",
                )
            ],
        )
    problems = (
        []
        if passes_fast(PLAN_SCHEMA, loaded.data)
        else [
            Problem(CheckCode.SCHEMA, name, msg, json_path(p), loaded.line_of(p), found, expected)
            for p, msg, found, expected in iter_located(validator_for(PLAN_SCHEMA), loaded.data)
        ]
    )
    if problems:
        return PlanResult(None, problems, loaded)
    problems = list(_consistency(loaded, name))
    return PlanResult(Plan.from_raw(loaded.data), problems, loaded)


def _consistency(loaded: LoadedYaml, name: str):  # -> Iterator[Problem]
    data: dict[str, Any] = loaded.data

    def at(code: CheckCode, path: tuple, msg: str, found: Any = None, expected: Any = None):
        return Problem(code, name, msg, json_path(path), loaded.line_of(path), found, expected)

    if data["base_year"] != data["year"] - 1:
        yield at(
            CheckCode.BASE_YEAR,
            ("base_year",),
            CheckCode.BASE_YEAR.value,
            data["base_year"],
            data["year"] - 1,
        )

    dept_codes = [d["code"] for d in data["departments"]]
    yield from _duplicates(at, ("departments",), dept_codes, "code")
    known = set(dept_codes)
    for collection, key in COLLECTIONS.items():
        entries = data.get(collection) or []
        yield from _duplicates(at, (collection,), [e[key] for e in entries], key)
        for i, entry in enumerate(entries):
            if entry["department"] not in known:
                yield at(
                    CheckCode.UNKNOWN_DEPARTMENT,
                    (collection, i, "department"),
                    f"{CheckCode.UNKNOWN_DEPARTMENT.value} ({entry[key]})",
                    entry["department"],
                    "one of departments[].code",
                )

    year = data["year"]
    for i, p in enumerate(data.get("projects") or []):
        if p["annual_plan"] > p["total_investment"]:
            yield at(
                CheckCode.ANNUAL_PLAN_ABOVE_TOTAL,
                ("projects", i, "annual_plan"),
                f"{CheckCode.ANNUAL_PLAN_ABOVE_TOTAL.value} ({p['id']})",
                p["annual_plan"],
                f"<= {p['total_investment']}",
            )
        if p.get("start") and p.get("finish") and p["finish"] < p["start"]:
            yield at(
                CheckCode.DATE_ORDER,
                ("projects", i, "finish"),
                f"{CheckCode.DATE_ORDER.value} ({p['id']})",
                p["finish"],
                f">= {p['start']}",
            )
        for j, m in enumerate(p.get("milestones") or []):
            if not m["due"].startswith(str(year)):
                yield at(
                    CheckCode.MILESTONE_OUTSIDE,
                    ("projects", i, "milestones", j, "due"),
                    f"{CheckCode.MILESTONE_OUTSIDE.value} ({p['id']})",
                    m["due"],
                    f"{year}-..",
                )


def _duplicates(at, path: tuple, values: list[Any], key: str):
    counts = Counter(values)
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if counts[v] > 1 and v in seen:
            yield at(
                CheckCode.DUPLICATE_ID, (*path, i, key), CheckCode.DUPLICATE_ID.value, v, "unique"
            )
        seen.add(v)
