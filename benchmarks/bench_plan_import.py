"""``plan export`` and ``plan import`` on synthetic plans: seconds and rows, per size.

    python benchmarks/bench_plan_import.py [--departments 15 200 800] [--projects 6]

Each size: the plan written as the workbook (export), then read back, checked and
compared with the plan (import, without writing plan.yaml); 800 departments of 6
projects is near the workbook's row limit (read.limits.PLAN_LIMITS). Last, the largest
workbook with one stray value at 重点项目!A1048576: how long its refusal takes. Wall
seconds: the read runs in the guarded reader's subprocess, so this process's CPU time
would miss it. Compare sizes within one run (a shared machine is noisy). Not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl

from tianbao.dev.synthetic import synthetic_plan
from tianbao.planbook.read import import_plan_workbook
from tianbao.planbook.write import write_plan_workbook


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--departments", type=int, nargs="+", default=[15, 200, 800])
    ap.add_argument("--projects", type=int, default=6, help="per department")
    args = ap.parse_args()
    print(f"{'departments':>11} {'rows':>6} {'KiB':>6} {'export s':>9} {'import s':>9} equal")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.departments:
            plan = synthetic_plan(n, args.projects)
            rows = sum(len(plan[k]) for k in ("departments", "indicators", "projects", "tasks"))
            rows += len(plan["livelihood"])
            path = Path(tmp) / f"plan-{n}.xlsx"
            t0 = time.perf_counter()
            write_plan_workbook(path, plan)
            t1 = time.perf_counter()
            got = import_plan_workbook(path)
            t2 = time.perf_counter()
            same = got.data == plan and not got.problems
            size = path.stat().st_size / 1024
            print(f"{n:>11} {rows:>6} {size:>6.0f} {t1 - t0:>9.2f} {t2 - t1:>9.2f} {same}")
        wb = openpyxl.load_workbook(path)
        wb["重点项目"]["A1048576"] = "x"
        wb.save(path)
        t0 = time.perf_counter()
        got = import_plan_workbook(path)
        refused = [p.code.name for p in got.problems] == ["WORKBOOK_UNREADABLE"]
        seconds = time.perf_counter() - t0
        print(f"{'A1048576':>11} {'':>6} {'':>6} {'':>9} {seconds:>9.2f} {refused}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
