"""scripts/bench, the regression guard: it runs end to end on a small round, reads the
last table recorded in benchmarks/RESULTS.md and flags a step whose ratio to the floor
grew. No timings are asserted (they belong to the machine that runs them)."""

from __future__ import annotations

import subprocess
import sys
from argparse import Namespace
from pathlib import Path

from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_guard

ROWS = [("validate, 1 process", 200, 6.0), ("consolidate", 200, 7.0)]


def test_a_recorded_table_is_read_back_and_a_grown_ratio_flagged(tmp_path: Path) -> None:
    args = Namespace(n=200, projects=16, big_rows=2000)
    results = tmp_path / "RESULTS.md"
    old = bench_guard.render([("validate, 1 process", 200, 9.0), ("consolidate", 200, 3.0)], args)
    newer = bench_guard.render(ROWS, args)
    results.write_text("# results\n\n" + "\n".join(old + newer), encoding="utf-8")

    heading, then = bench_guard.last_recorded(results)
    assert then == {"validate, 1 process": 6.0, "consolidate": 7.0}  # the last table
    assert heading == newer[0][3:]

    now = [("validate, 1 process", 200, 6.3), ("consolidate", 200, 10.6)]
    lines, worse = bench_guard.compare(now, then, tolerance=1.5)
    assert worse == ["consolidate"]  # 10.6 / 7.0 > 1.5; 6.3 / 6.0 is not
    assert sum("REGRESSED" in line for line in lines) == 1


def test_only_a_table_of_the_same_command_line_is_compared_with(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    small = bench_guard.render(ROWS, Namespace(n=50, projects=16, big_rows=2000))
    big = bench_guard.render(
        [("consolidate", 200, 4.0)], Namespace(n=200, projects=16, big_rows=2000)
    )
    results.write_text("\n".join(small + big), encoding="utf-8")
    line = bench_guard.command_line(Namespace(n=50, projects=16, big_rows=2000))
    assert bench_guard.last_recorded(results, line) == (small[0][3:], dict(
        (step, ratio) for step, _, ratio in ROWS))  # fmt: skip
    assert bench_guard.last_recorded(results)[1] == {"consolidate": 4.0}  # any: the last
    other = bench_guard.command_line(Namespace(n=8, projects=16, big_rows=60))
    assert bench_guard.last_recorded(results, other) == ("", {})


def test_scripts_bench__small_round__prints_every_step_beside_the_record(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"  # a record of this very command line, and a later other one
    mine = Namespace(n=8, projects=16, big_rows=60)
    rows = [("validate, 1 process", 8, 1.0), ("consolidate", 8, 1.0)]
    later = [("validate, 1 process", 200, 77.0), ("consolidate", 200, 77.0)]
    other = bench_guard.render(later, Namespace(n=200, projects=16, big_rows=2000))
    results.write_text("\n".join(bench_guard.render(rows, mine) + other), encoding="utf-8")
    res = subprocess.run(
        [str(ROOT / "scripts" / "bench"), "--n", "8", "--big-rows", "60", "--tolerance", "1e9",
         "--results", str(results)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    _, compared = res.stdout.split("against the last record", 1)
    assert "77.00" not in compared  # the later table was of another round
    validate = next(ln for ln in compared.splitlines() if ln.startswith("validate, 1 process"))
    assert validate.split()[3] == "1.00"  # 'then': the record of this command line
    for step in (
        "workspace open (N departments)",
        "validate, 1 process",
        "generate, 1 process",
        "collect, 1 process",
        "consolidate",
    ):
        assert step in compared
    assert "validate one 60-project return" in res.stdout
