"""Templates per second: the 2014 sample and a synthetic 200 × 50 plan.

    python benchmarks/bench_generate.py [--departments 200] [--projects 50]

Prints a table; not a test (timings on shared machines are noisy).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tianbao.dev.synthetic import make_synthetic_workspace
from tianbao.template.generate import generate
from tianbao.workspace import init_workspace, open_workspace


def bench(ws_dir: Path, out: Path, label: str) -> tuple[str, int, int, float]:
    t0 = time.perf_counter()
    ws = open_workspace(ws_dir).require_ok()
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = [
        g for g in generate(ws, "2014-06", out_dir=out, allow_missing_previous=True) if g.path
    ]
    elapsed = time.perf_counter() - t1
    rows = sum(g.rows for g in results)
    print(f"  ({label}: plan load + check {load:.2f} s)")
    return label, len(results), rows, elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--departments", type=int, default=200)
    ap.add_argument("--projects", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        sample = init_workspace(base / "sample", "jiefang-2014")
        synth = make_synthetic_workspace(base / "synth", args.departments, args.projects)
        rows = [
            bench(sample, base / "out-sample", "sample jiefang-2014"),
            bench(synth, base / "out-synth", f"synthetic {args.departments}×{args.projects}"),
        ]
    print(f"{'plan':<28}{'workbooks':>10}{'rows':>9}{'seconds':>9}{'per s':>8}{'ms each':>9}")
    for label, n, r, s in rows:
        print(f"{label:<28}{n:>10}{r:>9}{s:>9.2f}{n / s:>8.1f}{1000 * s / n:>9.1f}")


if __name__ == "__main__":
    main()
