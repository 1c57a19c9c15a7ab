"""The plan cache (.tianbao/cache): a command after the first builds the plan from JSON
instead of parsing plan.yaml, and any doubt about the cache means parsing plan.yaml."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import tianbao.plan.load as plan_load
import tianbao.plan.model as plan_model
import tianbao.support.yamlio as yamlio
from helpers import SAMPLE_PLAN, made_apart, problem_lines, tianbao
from tianbao.plan.load import load_plan
from tianbao.workspace import open_workspace

PERIOD = "2014-06"


def cache_files(ws: Path) -> list[Path]:
    return sorted((ws / ".tianbao" / "cache").glob("plan-*.json"))


def status_json(runner, ws: Path) -> dict:
    result = tianbao(runner, "status", "-w", ws, "--period", PERIOD, "--json")
    assert result.exit_code == 0, result.output
    return made_apart(json.loads(result.stdout))  # two runs differ only in the time


@pytest.fixture
def yaml_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the plan loader's YAML parses (forms have their own, untouched)."""
    calls: list[int] = []
    real = plan_load.parse_yaml_bytes

    def counting(raw: bytes) -> yamlio.LoadedYaml:
        calls.append(len(raw))
        return real(raw)

    monkeypatch.setattr(plan_load, "parse_yaml_bytes", counting)
    return calls


def set_deadline_days(ws: Path, days: int) -> None:
    plan = ws / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "deadline_days_after_period_end: 5\n"
    assert text.count(old) == 1
    plan.write_text(text.replace(old, f"deadline_days_after_period_end: {days}\n"), "utf-8")


def test_second_command_builds_the_plan_from_the_cache(sample_ws, runner, yaml_parses) -> None:
    assert cache_files(sample_ws) == []
    first = status_json(runner, sample_ws)
    assert len(yaml_parses) == 1
    assert len(cache_files(sample_ws)) == 1

    second = status_json(runner, sample_ws)
    assert len(yaml_parses) == 1  # no parse of plan.yaml the second time
    assert second == first


def test_editing_one_figure_misses_the_cache(sample_ws, runner, yaml_parses) -> None:
    assert status_json(runner, sample_ws)["deadline"] == "2014-07-05"
    before = cache_files(sample_ws)

    set_deadline_days(sample_ws, 9)
    assert status_json(runner, sample_ws)["deadline"] == "2014-07-09"
    assert len(yaml_parses) == 2
    after = cache_files(sample_ws)
    assert len(after) == 1 and after != before  # the old plan's cache is gone


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"\x80\xff not utf-8", id="binary"),
        pytest.param(lambda b: b.replace(b'"departments":', b'"departmentz":'), id="bad-plan"),
        pytest.param(lambda b: b.replace(b'"fingerprint":"', b'"fingerprint":"x'), id="bad-print"),
        pytest.param(lambda b: b.replace(b'"fingerprint":', b'"fingerprinz":'), id="no-print"),
    ],
)
def test_a_damaged_cache_is_ignored_and_replaced(sample_ws, runner, yaml_parses, damage) -> None:
    expected = status_json(runner, sample_ws)
    (cached,) = cache_files(sample_ws)
    good = cached.read_bytes()
    cached.write_bytes(damage(good))

    assert status_json(runner, sample_ws) == expected
    assert len(yaml_parses) == 2
    assert cached.read_bytes() == good


def test_another_plans_cache_under_this_name_is_not_trusted(sample_ws, runner) -> None:
    status_json(runner, sample_ws)
    (old_plan,) = cache_files(sample_ws)
    stale = old_plan.read_bytes()
    set_deadline_days(sample_ws, 9)
    status_json(runner, sample_ws)
    (new_plan,) = cache_files(sample_ws)
    new_plan.write_bytes(stale)  # sound JSON of a sound plan, but keyed on other bytes

    assert status_json(runner, sample_ws)["deadline"] == "2014-07-09"


def test_a_plan_with_problems_is_not_cached_and_check_reports_them(sample_ws, runner) -> None:
    plan = sample_ws / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("base_year: 2013", "base_year: 2012"), "utf-8"
    )
    status = tianbao(runner, "status", "-w", sample_ws, "--period", PERIOD)
    assert status.exit_code == 2
    assert "[BASE_YEAR]" in status.output
    assert cache_files(sample_ws) == []

    for _ in range(2):
        check = tianbao(runner, "check", "-w", sample_ws)
        assert check.exit_code == 1
        assert [p["code"] for p in problem_lines(check.stdout)] == ["BASE_YEAR"]
        assert cache_files(sample_ws) == []


def _chmod(cache: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder anyway")
    cache.mkdir(parents=True)
    cache.chmod(0o500)


def _file_in_the_way(cache: Path) -> None:
    cache.write_text("not a folder\n", encoding="utf-8")


def _folder_in_the_way(cache: Path) -> None:
    # a folder where the cache file goes: unreadable as a file, and cannot be replaced
    key = plan_load._key((cache.parent.parent / "plan.yaml").read_bytes())
    assert key is not None
    (cache / f"plan-{key}.json").mkdir(parents=True)


@pytest.mark.slow
@pytest.mark.parametrize("block", [_chmod, _file_in_the_way, _folder_in_the_way])
def test_an_unwritable_cache_does_not_break_a_command(sample_ws, runner, block) -> None:
    cache = sample_ws / ".tianbao" / "cache"
    block(cache)
    try:
        first = status_json(runner, sample_ws)
        assert status_json(runner, sample_ws) == first
        check = tianbao(runner, "check", "-w", sample_ws)
        assert check.exit_code == 0, check.output
    finally:
        if cache.is_dir():
            cache.chmod(0o700)


def test_the_fingerprint_is_the_same_from_yaml_and_from_the_cache(tmp_path) -> None:
    cache = tmp_path / "cache"
    from_yaml = load_plan(SAMPLE_PLAN, cache_dir=cache)
    from_cache = load_plan(SAMPLE_PLAN, cache_dir=cache)
    assert (from_yaml.from_cache, from_cache.from_cache) == (False, True)
    assert from_yaml.plan is not None and from_cache.plan is not None
    assert from_cache.plan.raw == from_yaml.plan.raw
    assert from_cache.plan.fingerprint == from_yaml.plan.fingerprint
    assert from_cache.plan.fingerprint == load_plan(SAMPLE_PLAN).plan.fingerprint  # no cache
    # derived figures too: what forms pre-fill
    for collection, items in from_yaml.plan.items.items():
        assert [i.values for i in from_cache.plan.items[collection]] == [i.values for i in items]


def test_the_cache_gives_the_fingerprint_without_serialising_the_plan(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    expected = load_plan(SAMPLE_PLAN, cache_dir=cache).plan.fingerprint

    class NoJson:  # the plan's canonical JSON is what a large plan's start-up paid for
        def dumps(self, *args, **kwargs):
            raise AssertionError("the plan was serialised again")

    monkeypatch.setattr(plan_model, "json", NoJson())
    again = load_plan(SAMPLE_PLAN, cache_dir=cache)
    assert again.from_cache and again.plan.fingerprint == expected


def test_check_never_trusts_the_cache_in_the_library(sample_ws, yaml_parses) -> None:
    assert open_workspace(sample_ws).ok
    assert open_workspace(sample_ws).ok
    assert len(yaml_parses) == 1
    assert open_workspace(sample_ws, use_cache=False).ok
    assert len(yaml_parses) == 2


def test_check_does_the_full_check_when_a_cache_exists(sample_ws, runner, yaml_parses) -> None:
    status_json(runner, sample_ws)
    assert len(cache_files(sample_ws)) == 1

    check = tianbao(runner, "check", "-w", sample_ws)
    assert check.exit_code == 0, check.output
    assert len(yaml_parses) == 2


def test_a_later_problem_of_a_cached_plan_still_has_its_line(sample_ws, runner) -> None:
    plan = sample_ws / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "    - tasks_progress\n"
    text = text.replace(old, old + "    - no_such_form\n")
    plan.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    - no_such_form") + 1

    for round_ in ("fills the cache", "uses the cache"):
        result = tianbao(runner, "status", "-w", sample_ws, "--period", PERIOD)
        assert result.exit_code == 2, round_
        assert f"plan.yaml:{line}: $.reporting.forms[4]: [UNKNOWN_FORM]" in result.output, round_
        assert len(cache_files(sample_ws)) == 1, round_  # the plan itself is sound


def test_the_plan_size_limit_names_the_file_and_the_limit(sample_ws, runner, monkeypatch) -> None:
    assert yamlio.MAX_YAML_BYTES == 256 * 1024 * 1024
    monkeypatch.setattr(yamlio, "MAX_YAML_BYTES", 1000)
    result = tianbao(runner, "check", "-w", sample_ws)
    assert result.exit_code == 1
    size = (sample_ws / "plan.yaml").stat().st_size
    assert problem_lines(result.stdout)[0]["code"] == "FILE_UNREADABLE"
    assert result.stdout.startswith("plan.yaml: $: [FILE_UNREADABLE]")
    assert f"（{size} 字节，上限 1000）" in result.stdout  # in Chinese by default
    english = tianbao(runner, "--lang", "en", "check", "-w", sample_ws)
    assert f"({size} bytes > 1000)" in english.stdout
