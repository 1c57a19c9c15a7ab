"""The scale benchmark runs end to end at N = 100 and prints its table: the smoke
check the scale issue asks CI to run. No timings are asserted (the figures belong
to the machine that runs it); every step must succeed and be in the table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import ROOT


@pytest.mark.slow
def test_bench_scale__n100__prints_the_table() -> None:
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_scale.py"),
            "--n",
            "100",
            "--big-rows",
            "2000",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    table = res.stdout.split("== bench_scale table ==", 1)[1]
    for label in (
        "N = 100: 100 returns, 20000 rows",
        "large return: 2000 projects",
        "floor: calamine, 1 process",
        "floor: calamine, 2 processes",
        "baseline: openpyxl ro + jsonschema",
        "tianbao generate",
        "tianbao generate --jobs 1",
        "tianbao validate --jobs 1",
        "tianbao collect --jobs 1",
        "tianbao collect --jobs",
        "tianbao consolidate",
        "tianbao --help",
    ):
        assert label in table, label
    assert "(exit" not in table, table  # every tianbao step succeeded
