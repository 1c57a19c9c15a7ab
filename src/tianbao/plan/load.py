"""Load and check a plan file: schema first, then consistency across entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.findings import Code
from tianbao.plan.cache import cache_key, read_cached, write_cached
from tianbao.plan.clock import zone
from tianbao.plan.codes import code_problems, text_problems
from tianbao.plan.model import COLLECTIONS, Plan
from tianbao.plan.periods import Period
from tianbao.plan.rates import LIMITS, bound_of
from tianbao.problems import Problem, json_path, said
from tianbao.schema_errors import iter_located, passes_fast, schema_file, validator_for
from tianbao.support.yamlio import LoadedYaml, Path_, YamlProblem, parse_yaml_bytes, read_yaml_bytes

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.FILE_UNREADABLE,
    Code.SCHEMA,
    Code.DUPLICATE_ID,
    Code.DUPLICATE_NAME,
    Code.UNKNOWN_DEPARTMENT,
    Code.ANNUAL_PLAN_ABOVE_TOTAL,
    Code.RATE_ABOVE_WHOLE,
    Code.DATE_ORDER,
    Code.BASE_YEAR,
    Code.MILESTONE_OUTSIDE,
    Code.UNKNOWN_TIMEZONE,
    Code.REVISION_PERIOD,
)

PLAN_SCHEMA = "plan.schema.json"


@dataclass
class PlanResult:
    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    loaded: LoadedYaml | None = None  # for locating later problems in the same file
    from_cache: bool = False
    source: bytes | None = None  # the plan's bytes when loaded from the cache: no line map yet

    def line_of(self, path: Path_) -> int | None:
        """Line of ``path`` in the plan file. A plan from the cache has no line map, so the
        first later problem (rare) parses the very bytes the cache was keyed on."""
        if self.loaded is None and self.source is not None:
            source, self.source = self.source, None
            try:
                self.loaded = parse_yaml_bytes(source)
            except YamlProblem:  # not expected: these bytes loaded cleanly when cached
                return None
        return self.loaded.line_of(path) if self.loaded is not None else None


def load_plan(
    path: Path,
    display: str | None = None,
    cache_dir: Path | None = None,
    *,
    trust_cache: bool = True,
) -> PlanResult:
    """Read, schema-check and consistency-check the plan; never raises on bad data.

    With ``cache_dir``, a plan that loads with no problems is cached there (see
    tianbao.plan.cache) and, if ``trust_cache``, later loads of the same bytes build the
    plan from the cache, skipping YAML, schema and consistency checks. ``trust_cache=False``
    always does the full check and refreshes the cache.
    """
    name = display or path.name
    try:
        raw = read_yaml_bytes(path)
    except YamlProblem as exc:
        return _unreadable(name, exc)
    key = _key(raw) if cache_dir is not None else None
    if cache_dir is None or key is None:
        return load_plan_bytes(raw, name)
    if trust_cache:
        plan = _from_cache(cache_dir, key)
        if plan is not None:
            return PlanResult(plan, from_cache=True, source=raw)
    result = load_plan_bytes(raw, name)
    if result.plan is not None and not result.problems:  # a plan with problems is never cached
        write_cached(cache_dir, key, result.plan.raw, result.plan.fingerprint)
    return result


def _key(raw: bytes) -> str | None:
    try:
        return cache_key(raw, schema_file(PLAN_SCHEMA).read_bytes())
    except OSError:  # no schema file: the check itself will say so; no cache
        return None


def _from_cache(cache_dir: Path, key: str) -> Plan | None:
    cached = read_cached(cache_dir, key)
    if cached is None:
        return None
    try:
        return Plan.from_raw(*cached)
    except Exception:  # damaged but parseable cache: a miss; a real bug recurs on the YAML path
        return None


def _unreadable(name: str, exc: YamlProblem) -> PlanResult:
    return PlanResult(None, [Problem(Code.FILE_UNREADABLE, name, exc.message, line=exc.line)])


def load_plan_bytes(raw: bytes, name: str) -> PlanResult:
    """Parse and check plan YAML given as bytes (what load_plan does after reading)."""
    try:
        loaded = parse_yaml_bytes(raw)
    except YamlProblem as exc:
        return _unreadable(name, exc)
    if not isinstance(loaded.data, dict):
        return PlanResult(
            None,
            [
                Problem(
                    Code.SCHEMA,
                    name,
                    said(Code.SCHEMA, "not_mapping"),
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
            Problem(Code.SCHEMA, name, msg, json_path(p), loaded.line_of(p), found, expected)
            for p, msg, found, expected in iter_located(validator_for(PLAN_SCHEMA), loaded.data)
        ]
    )
    if problems:
        return PlanResult(None, problems, loaded)

    def at(code: Code, path: tuple, msg: str, found: Any = None, expected: Any = None):
        return Problem(code, name, msg, json_path(path), loaded.line_of(path), found, expected)

    problems = list(consistency(loaded.data, at))
    return PlanResult(Plan.from_raw(loaded.data), problems, loaded)


# at(code, path, message, found, expected) -> Problem: places a problem in its source
Locate = Callable[..., Problem]


def _revision_period(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    """revision.effective: a reporting period of the plan year (in its frequency)."""
    revision, reporting = data.get("revision"), data.get("reporting")
    effective = revision.get("effective") if isinstance(revision, dict) else None
    if effective is not None:
        frequency = reporting.get("frequency", "month") if isinstance(reporting, dict) else "month"
        try:
            start = Period.parse(str(effective))
            fits = start.year == data["year"] and start.kind == frequency
        except ValueError:
            fits = False
        if not fits:
            yield at(
                Code.REVISION_PERIOD,
                ("revision", "effective"),
                said(Code.REVISION_PERIOD, year=data["year"]),
                effective,
                f"{data['year']}-07",
            )


def consistency(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    """Problems across entries of plan data, each placed by ``at``. The data need not
    pass the schema (the plan workbook's import reports everything in one pass): a check
    whose values are missing or of the wrong type is skipped, the schema says why."""
    year, base_year = data.get("year"), data.get("base_year")
    if not isinstance(year, int):
        year = None
    if year is not None and isinstance(base_year, int) and base_year != year - 1:
        yield at(Code.BASE_YEAR, ("base_year",), said(Code.BASE_YEAR), base_year, year - 1)
    if year is not None:
        yield from _revision_period(data, at)
    yield from _timezone(data, at)
    yield from code_problems(data, at)
    yield from text_problems(data, at)
    yield from _references(data, at)
    for i, p in enumerate(_entries(data, "projects")):
        yield from _project_dates(i, p, year, at)
    yield from _rates_within_whole(data, at)


def _timezone(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    reporting = data.get("reporting")
    tz_name = reporting.get("timezone") if isinstance(reporting, dict) else None
    if tz_name is None:
        return
    try:
        zone(str(tz_name))
    except ValueError:
        yield at(
            Code.UNKNOWN_TIMEZONE,
            ("reporting", "timezone"),
            said(Code.UNKNOWN_TIMEZONE),
            tz_name,
            "Asia/Shanghai",
        )


def _references(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    """Two rows of one name (which is which?); entries of a department the plan lacks."""
    known = {d.get("code") for d in _entries(data, "departments")}
    for collection, key in COLLECTIONS.items():
        entries = _entries(data, collection)
        if collection in ("projects", "livelihood"):
            names = [e.get("name") for e in entries]
            yield from _duplicates(at, (collection,), names, "name", Code.DUPLICATE_NAME)
        for i, entry in enumerate(entries):
            dept = entry.get("department")
            if isinstance(dept, str) and dept not in known:
                yield at(
                    Code.UNKNOWN_DEPARTMENT,
                    (collection, i, "department"),
                    said(Code.UNKNOWN_DEPARTMENT, "ref", ref=entry.get(key)),
                    dept,
                    "one of departments[].code",
                )


# the plan's figures of a rate, by collection: (path within the entry, what it is zh, en)
_RATE_FIGURES = {
    "indicators": (
        (("target", "level"), "目标值", "target"),
        (("city_target", "level"), "市定目标值", "city target"),
        (("base", "value"), "基期值", "base value"),
    ),
    "tasks": ((("target",), "年度目标", "target"),),
}


def _rates_within_whole(data: dict[str, Any], at: Locate) -> Iterator[Problem]:
    """A target or base of a part of a whole (覆盖率, 占比, 失业率…) past 100 % / 1000 ‰:
    no return could meet it (validate says the same of a reported figure)."""
    for collection, figures in _RATE_FIGURES.items():
        key = COLLECTIONS[collection]
        for i, entry in enumerate(_entries(data, collection)):
            unit, name = entry.get("unit"), entry.get("name") or entry.get("description")
            if isinstance(name, dict):
                name = name.get("zh")
            bound = bound_of(str(name)) if unit in LIMITS and name else None
            if bound is None or bound.kind != "whole":
                continue
            limit = LIMITS[str(unit)]
            for path, what, what_en in figures:
                value: Any = entry
                for part in path:
                    value = value.get(part) if isinstance(value, dict) else None
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if value > limit:
                    yield at(
                        Code.RATE_ABOVE_WHOLE,
                        (collection, i, *path),
                        said(Code.RATE_ABOVE_WHOLE, "ref", ref=entry.get(key), name=name,
                             what=what, what_en=what_en, limit=f"{limit:g}", unit=unit),
                        value,
                        f"<= {limit:g}",
                    )  # fmt: skip


def _project_dates(i: int, p: dict[str, Any], year: int | None, at: Locate) -> Iterator[Problem]:
    """Project i's annual plan within its total, finish after start, milestones in the year
    (each only where its values are there and of the right type)."""
    annual, total = p.get("annual_plan"), p.get("total_investment")
    if isinstance(annual, (int, float)) and isinstance(total, (int, float)) and annual > total:
        yield at(
            Code.ANNUAL_PLAN_ABOVE_TOTAL,
            ("projects", i, "annual_plan"),
            said(Code.ANNUAL_PLAN_ABOVE_TOTAL, "ref", ref=p.get("id")),
            annual,
            f"<= {total}",
        )
    start, finish = p.get("start"), p.get("finish")
    if isinstance(start, str) and isinstance(finish, str) and start and finish < start:
        yield at(
            Code.DATE_ORDER,
            ("projects", i, "finish"),
            said(Code.DATE_ORDER, "ref", ref=p.get("id")),
            finish,
            f">= {start}",
        )
    milestones = p.get("milestones")
    for j, m in enumerate(milestones if isinstance(milestones, list) else []):
        due = m.get("due") if isinstance(m, dict) else None
        if year is not None and isinstance(due, str) and not due.startswith(str(year)):
            yield at(
                Code.MILESTONE_OUTSIDE,
                ("projects", i, "milestones", j, "due"),
                said(Code.MILESTONE_OUTSIDE, "ref", ref=p.get("id")),
                due,
                f"{year}-..",
            )


def _entries(data: dict[str, Any], collection: str) -> list[dict[str, Any]]:
    """The entries of a collection; a broken one (not a mapping) as an empty one, so
    the others keep their index."""
    entries = data.get(collection)
    if not isinstance(entries, list):
        return []
    return [e if isinstance(e, dict) else {} for e in entries]


def _duplicates(
    at: Locate, path: tuple, values: list[Any], key: str, code: Code = Code.DUPLICATE_ID
) -> Iterator[Problem]:
    values = [v if isinstance(v, (str, int)) else None for v in values]  # unhashable: skip
    counts = Counter(values)
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v is not None and counts[v] > 1 and v in seen:
            yield at(code, (*path, i, key), said(code), v, "unique")
        seen.add(v)
