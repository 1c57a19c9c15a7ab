"""``tianbao consolidate`` on a collected workspace: seconds, peak memory, and
how much of it is loading the plan.

    python benchmarks/bench_scale.py _prepare WS RETURNS 1000 20
    tianbao collect -w WS RETURNS --received-at 2014-07-03T10:00:00 --jobs 2
    python benchmarks/bench_consolidate.py WS [--period 2014-06] [--repeat 2] [--profile F]

Each run is a fresh process (``wait4``: ru_maxrss is its peak resident set,
ru_utime + ru_stime its CPU seconds) that times ``open_workspace`` (plan and
forms load), ``gather`` (ledger and status) and writing the workbook
separately, in CPU seconds (steadier than wall time on a shared machine).
Also how much the resident set grew while consolidating (sampled every 20 ms
after the plan was loaded). Runs must give the same bytes; the workbook's size
and its 数据来源 rows are printed too. Not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def rss_mb() -> float:
    """The current resident set (Linux: /proc/self/statm), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(ws_dir: str, period: str, out: str, profile: str) -> None:
    from tianbao.consolidate.data import gather
    from tianbao.consolidate.workbook import Written, write_summary
    from tianbao.ledger.db import Ledger
    from tianbao.support.atomic import write_atomic
    from tianbao.workspace import open_workspace

    t0 = time.process_time()
    ws = open_workspace(Path(ws_dir))
    ws.require_ok()
    t1 = time.process_time()
    plan_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rss_plan, peak = rss_mb(), [0.0]
    done = threading.Event()

    def sample() -> None:  # the resident set while consolidating, every 20 ms
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    written: list[Written] = []
    with Ledger(ws.root) as ledger:
        data = gather(ws, ledger, ws.plan.period(period))
        t2 = time.process_time()
        write_atomic(Path(out), lambda p: written.append(write_summary(data, p)))
    t3 = time.process_time()
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    times = {"plan": t1 - t0, "gather": t2 - t1, "write": t3 - t2}
    done.set()
    sampler.join()
    grew = max(peak[0], rss_mb()) - rss_plan  # the most consolidating added to the resident set
    print(json.dumps({**times, "plan_mb": plan_mb, "grew": grew, "sources": written[0].sources}))


def run_child(args: list[str]) -> tuple[dict, float, float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "_child", *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"child failed ({status})")
    cpu = usage.ru_utime + usage.ru_stime
    return json.loads(out), wall, cpu, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        return child(*sys.argv[2:6])
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("workspace")
    ap.add_argument("--period", default="2014-06")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--profile", default="", help="cProfile of gather + write to this file")
    args = ap.parse_args()
    digests = set()
    with tempfile.TemporaryDirectory(prefix="bench-consolidate-") as tmp:
        out = Path(tmp) / "summary.xlsx"
        for i in range(args.repeat):
            prof = args.profile if i == 0 else ""
            r, wall, cpu, mb = run_child([args.workspace, args.period, str(out), prof])
            digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
            print(
                f"run {i + 1}: {wall:6.1f} s wall, {cpu:6.1f} s CPU, peak {mb:6.0f} MB "
                f"(after plan load {r['plan_mb']:.0f} MB; "
                f"consolidating added at most {r['grew']:.0f} MB) | CPU s: "
                f"plan {r['plan']:5.1f}, gather {r['gather']:5.1f}, write {r['write']:5.1f}, "
                f"all but plan {cpu - r['plan']:5.1f} | {r['sources']} sources, "
                f"{out.stat().st_size / 1e6:.1f} MB xlsx",
                flush=True,
            )
    print("identical bytes" if len(digests) == 1 else f"DIFFERENT bytes: {len(digests)} digests")


if __name__ == "__main__":
    main()
