"""Load and check a plan file: schema first, then consistency across entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.plan.cache import cache_key, read_cached, write_cached
from tianbao.plan.clock import zone
from tianbao.plan.codes import code_problems, text_problems
from tianbao.plan.model import COLLECTIONS, Plan
from tianbao.plan.periods import Period
from tianbao.problems import CheckCode, Problem, json_path
from tianbao.schema_errors import iter_located, passes_fast, schema_file, validator_for
from tianbao.support.yamlio import LoadedYaml, Path_, YamlProblem, parse_yaml_bytes, read_yaml_bytes

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
        write_cached(cache_dir, key, result.plan.raw)
    return result


def _key(raw: bytes) -> str | None:
    try:
        return cache_key(raw, schema_file(PLAN_SCHEMA).read_bytes())
    except OSError:  # no schema file: the check itself will say so; no cache
        return None


def _from_cache(cache_dir: Path, key: str) -> Plan | None:
    data = read_cached(cache_dir, key)
    if data is None:
        return None
    try:
        return Plan.from_raw(data)
    except Exception:  # damaged but parseable cache: a miss; a real bug recurs on the YAML path
        return None


def _unreadable(name: str, exc: YamlProblem) -> PlanResult:
    return PlanResult(None, [Problem(CheckCode.FILE_UNREADABLE, name, exc.message, line=exc.line)])


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

    def at(code: CheckCode, path: tuple, msg: str, found: Any = None, expected: Any = None):
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
                CheckCode.REVISION_PERIOD,
                ("revision", "effective"),
                f"计划调整的生效期应为 {data['year']} 年的报告期，如 {data['year']}-07 "
                "(revision.effective must be a reporting period of the plan year)",
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
        message = CheckCode.BASE_YEAR.value
        yield at(CheckCode.BASE_YEAR, ("base_year",), message, base_year, year - 1)

    if year is not None:
        yield from _revision_period(data, at)

    reporting = data.get("reporting")
    tz_name = reporting.get("timezone") if isinstance(reporting, dict) else None
    if tz_name is not None:
        try:
            zone(str(tz_name))
        except ValueError:
            yield at(
                CheckCode.UNKNOWN_TIMEZONE,
                ("reporting", "timezone"),
                CheckCode.UNKNOWN_TIMEZONE.value,
                tz_name,
                "Asia/Shanghai",
            )

    yield from code_problems(data, at)
    yield from text_problems(data, at)
    known = {d.get("code") for d in _entries(data, "departments")}
    for collection, key in COLLECTIONS.items():
        entries = _entries(data, collection)
        if collection in ("projects", "livelihood"):  # two rows of one name: which is which?
            names = [e.get("name") for e in entries]
            yield from _duplicates(at, (collection,), names, "name", CheckCode.DUPLICATE_NAME)
        for i, entry in enumerate(entries):
            dept = entry.get("department")
            if isinstance(dept, str) and dept not in known:
                yield at(
                    CheckCode.UNKNOWN_DEPARTMENT,
                    (collection, i, "department"),
                    f"{CheckCode.UNKNOWN_DEPARTMENT.value} ({entry.get(key)})",
                    dept,
                    "one of departments[].code",
                )

    for i, p in enumerate(_entries(data, "projects")):
        annual, total = p.get("annual_plan"), p.get("total_investment")
        if isinstance(annual, (int, float)) and isinstance(total, (int, float)) and annual > total:
            yield at(
                CheckCode.ANNUAL_PLAN_ABOVE_TOTAL,
                ("projects", i, "annual_plan"),
                f"{CheckCode.ANNUAL_PLAN_ABOVE_TOTAL.value} ({p.get('id')})",
                annual,
                f"<= {total}",
            )
        start, finish = p.get("start"), p.get("finish")
        if isinstance(start, str) and isinstance(finish, str) and start and finish < start:
            yield at(
                CheckCode.DATE_ORDER,
                ("projects", i, "finish"),
                f"{CheckCode.DATE_ORDER.value} ({p.get('id')})",
                finish,
                f">= {start}",
            )
        milestones = p.get("milestones")
        for j, m in enumerate(milestones if isinstance(milestones, list) else []):
            due = m.get("due") if isinstance(m, dict) else None
            if year is not None and isinstance(due, str) and not due.startswith(str(year)):
                yield at(
                    CheckCode.MILESTONE_OUTSIDE,
                    ("projects", i, "milestones", j, "due"),
                    f"{CheckCode.MILESTONE_OUTSIDE.value} ({p.get('id')})",
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
    at: Locate, path: tuple, values: list[Any], key: str, code: CheckCode = CheckCode.DUPLICATE_ID
) -> Iterator[Problem]:
    values = [v if isinstance(v, (str, int)) else None for v in values]  # unhashable: skip
    counts = Counter(values)
    seen: set[Any] = set()
    for i, v in enumerate(values):
        if v is not None and counts[v] > 1 and v in seen:
            yield at(code, (*path, i, key), code.value, v, "unique")
        seen.add(v)
