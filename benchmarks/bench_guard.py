"""The regression guard: each step's CPU as a ratio to the floor, against the last record.

    scripts/bench [--n 200] [--projects 16] [--big-rows 2000] [--record]

One process, one run: a synthetic plan of ``--n`` departments (``--projects``
projects each, about 20 rows a return) and one department with ``--big-rows``
projects; one filled return per department. The floor is python-calamine
reading every cell of the same files, measured in the same run (for validate,
paired file by file: floor, then tianbao, so a burst of load from elsewhere
hits both). Each step's CPU seconds (this process and its reaped workers,
user + sys; never wall time: the machine is shared) over the floor's:

- workspace open: ``open_workspace`` of the N-department workspace (plan cache
  warm), over the floor of the N returns;
- generate / validate / collect / consolidate: the library call a command
  makes, with one process (``jobs=1``), over the floor of the same files;
- large return: validating the one ``--big-rows`` return, over its floor.

Prints the table, then each ratio beside the last table recorded in
benchmarks/RESULTS.md with the same arguments (a ratio depends on the round's
size) and their quotient (above ``--tolerance``: marked
REGRESSED, exit 1). ``--record`` appends this run's table to RESULTS.md with
the commit. Ratios travel between machines far better than seconds; still,
compare runs of the same machine kind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import python_calamine

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
PERIOD = "2014-06"
RECEIVED = "2014-07-03T10:00:00"
ROW = re.compile(r"^\| (?P<step>[^|]+?) +\| +(?P<files>\d+) \| +(?P<ratio>[\d.]+) \|")


def cpu() -> float:
    """CPU seconds of this process and of the children it has reaped (pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = cpu()
    out = fn()
    return cpu() - t0, out


def floor_read(path: Path) -> int:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)


def floor_of(files: list[Path]) -> float:
    return timed(lambda: [floor_read(f) for f in files])[0]


def prepare(base: Path, n: int, projects: int) -> tuple[Path, list[Path]]:
    sys.path.insert(0, str(HERE))
    from bench_scale import write_returns

    from tianbao.dev.synthetic import make_synthetic_workspace

    ws = make_synthetic_workspace(base / "ws", n, projects)
    write_returns(ws, base / "returns")
    return ws, sorted((base / "returns").glob("*.xlsx"))


def paired_validate(ws_dir: Path, files: list[Path]) -> tuple[float, float, int]:
    """(floor CPU, validate CPU, valid files): file by file, as a worker does it."""
    from tianbao.validate.engine import Validator
    from tianbao.workspace import open_workspace

    validator = Validator(open_workspace(ws_dir).require_ok(), inline_read=True)
    floor = mine = 0.0
    valid = 0
    for f in files:
        floor += timed(lambda f=f: floor_read(f))[0]
        s, report = timed(lambda f=f: validator.validate(f))
        mine += s
        valid += report.valid
    return floor, mine, valid


def measure(base: Path, n: int, projects: int, big_rows: int) -> list[tuple[str, int, float]]:
    """[(step, files, ratio to the floor)]."""
    from tianbao import api
    from tianbao.workspace import open_workspace

    ws_dir, files = prepare(base / "round", n, projects)
    rows: list[tuple[str, int, float]] = []

    def add(step: str, count: int, seconds: float, floor: float) -> None:
        rows.append((step, count, seconds / floor))
        print(f"  {step}: {seconds:.2f} s CPU, floor {floor:.2f} s", flush=True)

    opened, _ = timed(lambda: open_workspace(ws_dir).require_ok())
    add("workspace open (N departments)", len(files), opened, floor_of(files))
    floor, mine, valid = paired_validate(ws_dir, files)
    if valid != len(files):
        raise SystemExit(f"only {valid} of {len(files)} returns valid: the guard needs all")
    add("validate, 1 process", len(files), mine, floor)
    gen, made = timed(
        lambda: api.generate(
            ws_dir, PERIOD, out_dir=base / "templates", jobs=1, allow_missing_previous=True
        )
    )
    add("generate, 1 process", len(made), gen, floor_of([g.path for g in made if g.path]))
    col, _ = timed(lambda: api.collect(ws_dir, files, received_at=RECEIVED, jobs=1))
    add("collect, 1 process", len(files), col, floor_of(files))
    con, _ = timed(lambda: api.consolidate(ws_dir, PERIOD, out=base / "summary.xlsx"))
    add("consolidate", len(files), con, floor_of(files))
    if big_rows:
        big_ws, big = prepare(base / "big", 1, big_rows)
        floor, mine, _ = paired_validate(big_ws, big)
        add(f"validate one {big_rows}-project return", 1, mine, floor)
    return rows


def last_recorded(results: Path = RESULTS, command: str = "") -> tuple[str, dict[str, float]]:
    """The heading and {step: ratio} of the last table in RESULTS.md; with ``command``,
    of the last one recorded by that command line (a ratio depends on the round's size:
    the start-up's share of 50 returns is four times its share of 200)."""
    if not results.exists():
        return "", {}
    found: tuple[str, dict[str, float]] = ("", {})
    heading, table, same = "", {}, not command
    for line in results.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if table and same:
                found = (heading, table)
            heading, table, same = line[3:], {}, not command
        elif command and line.startswith(f"`{command}`"):
            same = True
        elif m := ROW.match(line):
            table[m["step"]] = float(m["ratio"])
    return (heading, table) if table and same else found


def command_line(args: argparse.Namespace) -> str:
    return f"scripts/bench --n {args.n} --projects {args.projects} --big-rows {args.big_rows}"


def commit() -> str:
    out = subprocess.run(
        ["git", "-C", str(HERE), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or "unknown"


def render(rows: list[tuple[str, int, float]], args: argparse.Namespace) -> list[str]:
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"## {commit()} · {when}",
        "",
        f"`{command_line(args)}`;"
        " CPU seconds over the floor's (python-calamine reading the same files), one process.",
        "",
        "| step | files | × floor |",
        "|---|---:|---:|",
        *(f"| {step} | {count} | {ratio:.2f} |" for step, count, ratio in rows),
        "",
    ]


def compare(
    rows: list[tuple[str, int, float]], then: dict[str, float], tolerance: float
) -> tuple[list[str], list[str]]:
    """(printed lines, steps whose ratio grew by more than ``tolerance`` times)."""
    lines = [f"{'step':<40}{'then':>8}{'now':>8}{'now/then':>10}"]
    worse = []
    for step, _, ratio in rows:
        before = then.get(step)
        if before is None:
            lines.append(f"{step:<40}{'—':>8}{ratio:>8.2f}")
            continue
        q = ratio / before
        flag = "  REGRESSED" if q > tolerance else ""
        lines.append(f"{step:<40}{before:>8.2f}{ratio:>8.2f}{q:>10.2f}{flag}")
        if flag:
            worse.append(step)
    return lines, worse


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=200, help="departments of the round")
    ap.add_argument("--projects", type=int, default=16, help="projects per department")
    ap.add_argument("--big-rows", type=int, default=2000, help="projects of the large return")
    ap.add_argument("--tolerance", type=float, default=1.5, help="now/then that counts as worse")
    ap.add_argument("--record", action="store_true", help="append this table to RESULTS.md")
    ap.add_argument("--results", type=Path, default=RESULTS, help="the record (RESULTS.md)")
    args = ap.parse_args()
    heading, then = last_recorded(args.results, command_line(args))
    with tempfile.TemporaryDirectory(prefix="bench-guard-") as tmp:
        t0 = time.perf_counter()
        rows = measure(Path(tmp), args.n, args.projects, args.big_rows)
    table = render(rows, args)
    print("\n".join(["", *table]))
    lines, worse = compare(rows, then, args.tolerance)
    if then:
        print("\n".join([f"against the last record ({heading}):", *lines]))
    else:
        print(f"no table recorded by `{command_line(args)}`: nothing to compare with")
    print(f"({time.perf_counter() - t0:.0f} s wall)")
    if args.record:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(["", *table]))
        print(f"recorded in {args.results}")
    if worse:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
