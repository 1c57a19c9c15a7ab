"""The scale benchmark runs end to end at a tiny N and prints its table (no timings
are asserted: the figures belong to the machine that runs it)."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT


def test_bench_scale__tiny__prints_the_table() -> None:
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_scale.py"),
            "--n",
            "5",
            "--big-rows",
            "500",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    table = res.stdout.split("== bench_scale table ==", 1)[1]
    for label in (
        "N = 5: 5 returns, 1000 rows",
        "large return: 500 projects",
        "floor: calamine, 1 process",
        "floor: calamine, 2 processes",
        "baseline: openpyxl ro + jsonschema",
        "tianbao generate",
        "tianbao validate --jobs 1",
        "tianbao collect",
        "tianbao consolidate",
        "tianbao --help",
    ):
        assert label in table, label
    assert "(exit" not in table, table  # every tianbao step succeeded
