"""A round of N returns, end to end, against the cost of just reading them.

    python benchmarks/bench_scale.py --n 100 [--n 1000 ...] [--big-rows 20000]

For each N: a synthetic plan of N departments whose standard return has the
four forms and about 200 rows (``--projects 196`` projects, one indicator, two
tasks, one livelihood project), plus one large return (one department with
``--big-rows`` projects). Filled returns are written directly with xlsxwriter
(``write_workbook(..., fills=plausible_fill(...))``), one per department for
2014-06. Then, in one run, on the same files:

- floor: python-calamine reading every cell value of every sheet, nothing
  else, on 1 process and on 2 processes (timed inside the process);
- baseline: openpyxl read-only + jsonschema per row, as a statistician would
  write it (timed inside the process on a sample of ``--sample`` files and
  extrapolated per file when N is larger, marked ``*``);
- ``tianbao generate``, ``validate`` and ``collect`` with ``--jobs 1`` (up to
  ``--serial-max`` returns) and with the default jobs (every core), then
  ``consolidate``, each a whole command in a subprocess (interpreter start-up
  and plan load included).

Peak memory is the maximum resident set of the step's process or of any one
of its worker processes (``wait4`` ru_maxrss), not their sum. Ratios are
seconds over the floor's (1 process and 2 processes) and the baseline's
seconds for the same files. Also: ``tianbao --help`` start-up, best of 5,
against ``python -c pass``. Prints a table; not a test.

Every tianbao command needs the whole plan, N × (projects + 4) rows. Preparing
the round parses the plan YAML once (about 90 s and 2.8 GB for 200,000 rows)
and leaves the plan cache in .tianbao/cache, so the timed steps build the plan
from the cache (about 3.5 s and 600 MB for 200,000 rows), as they would on
the office's machine once any command has run. For N = 10,000 use a smaller
``--projects`` (16 gives about 20 rows per return; 196 would make a 500 MB
plan, beyond the plan-file limit).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PERIOD = "2014-06"
RECEIVED = "2014-07-03T10:00:00"


# ---------------------------------------------------------------- child modes


def _floor_read(path: str) -> int:
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(path)
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)


def child_floor(folder: str, jobs: int) -> None:
    files = sorted(str(p) for p in Path(folder).glob("*.xlsx"))
    t0 = time.perf_counter()
    if jobs <= 1:
        rows = sum(_floor_read(f) for f in files)
    else:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            rows = sum(pool.imap(_floor_read, files, chunksize=8))
    print(json.dumps({"seconds": time.perf_counter() - t0, "files": len(files), "rows": rows}))


def child_prepare(ws_dir: str, folder: str, n_depts: int, projects: int) -> None:
    from tianbao.dev.synthetic import make_synthetic_workspace

    t0 = time.perf_counter()
    ws = make_synthetic_workspace(Path(ws_dir), n_depts, projects)
    files, rows = write_returns(ws, Path(folder))
    print(json.dumps({"seconds": time.perf_counter() - t0, "files": files, "rows": rows}))


def child_baseline(ws_dir: str, folder: str, sample: int) -> None:
    """openpyxl read-only + jsonschema per row: the obvious script."""
    import jsonschema
    import openpyxl

    from tianbao.template.content import HEADER_ROWS

    spec = json.loads((Path(ws_dir) / "baseline-forms.json").read_text(encoding="utf-8"))
    sheets = {}
    for sheet, fields, schema in spec:
        cls = jsonschema.validators.validator_for(schema)
        sheets[sheet] = (
            fields,
            set(schema.get("properties") or {}),
            cls(schema, format_checker=cls.FORMAT_CHECKER),
        )
    files = sorted(Path(folder).glob("*.xlsx"))[:sample]
    t0 = time.perf_counter()
    rows = errors = 0
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        for name, (fields, props, validator) in sheets.items():
            if name not in wb.sheetnames:
                continue
            for values in wb[name].iter_rows(min_row=HEADER_ROWS + 1, values_only=True):
                rec = {
                    k: (v.date().isoformat() if hasattr(v, "date") else v)
                    for k, v in zip(fields, values, strict=False)
                    if v not in (None, "") and k in props
                }
                rows += 1
                errors += sum(1 for _ in validator.iter_errors(rec))
        wb.close()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "files": len(files), "rows": rows, "errors": errors}))


# ---------------------------------------------------------------- the parent


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str, int]:
    """(wall seconds, peak RSS MB of the process or any one descendant, stdout, rc)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
        if proc.returncode not in (0, 1):  # 1: a return was rejected, still timed
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            print(f"  {' '.join(cmd[-4:])}: exit {proc.returncode}: {' | '.join(tail)}")
    return wall, usage.ru_maxrss / 1024, text, proc.returncode


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def tianbao_cmd() -> list[str]:
    script = Path(sys.executable).with_name("tianbao")
    if script.exists():
        return [str(script)]
    found = shutil.which("tianbao")
    return [found] if found else [sys.executable, "-m", "tianbao.cli"]


_PREP: tuple | None = None  # (plan, forms, period, secret, out): set before forking


def _write_one(code: str) -> int:
    from tianbao.dev.simulate import plausible_fill
    from tianbao.template.content import build_content
    from tianbao.template.generate import file_name
    from tianbao.template.writer import write_workbook

    assert _PREP is not None
    plan, forms, period, secret, out = _PREP
    content = build_content(plan, forms, code, period, secret)
    if not content.forms:
        return -1
    write_workbook(
        content,
        out / file_name(period, code, content.department.name),
        fills=plausible_fill(content),
    )
    return sum(len(fr.items) for fr in content.forms)


def write_returns(ws_dir: Path, out: Path) -> tuple[int, int]:
    """One filled return per department, written straight with xlsxwriter, on every core."""
    import multiprocessing

    from tianbao.plan.periods import Period
    from tianbao.workspace import open_workspace

    global _PREP
    ws = open_workspace(ws_dir).require_ok()
    plan = ws.plan
    assert plan is not None
    forms = [ws.forms[f] for f in plan.form_ids]
    # what the baseline script needs, so it does not load the plan: sheet, fields, schema
    spec = [(f.sheet, [c.field for c in f.columns], f.record_schema) for f in forms]
    (ws_dir / "baseline-forms.json").write_text(json.dumps(spec, ensure_ascii=False))
    out.mkdir(parents=True, exist_ok=True)
    _PREP = (plan, forms, Period.parse(PERIOD), ws.secret(), out)
    codes = list(plan.departments)
    with multiprocessing.get_context("fork").Pool(cores()) as pool:
        rows = [r for r in pool.imap(_write_one, codes, chunksize=16) if r >= 0]
    return len(rows), sum(rows)


class Table:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def header(self, title: str) -> None:
        self.lines.append("")
        self.lines.append(title)
        self.lines.append(
            f"{'step':<38}{'files':>7}{'seconds':>9}{'ret/s':>9}{'peak MB':>9}"
            f"{'×floor1':>9}{'×floor2':>9}{'×base':>8}"
        )

    def row(self, label: str, n: int, s: float, mb: float, f1: float, f2: float, b: float) -> None:
        self.lines.append(
            f"{label:<38}{n:>7}{s:>9.2f}{n / s:>9.1f}{mb:>9.0f}"
            f"{s / f1:>9.2f}{s / f2:>9.2f}{s / b:>8.2f}"
        )
        print(self.lines[-1], flush=True)

    def note(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)


def bench_round(
    base: Path,
    label: str,
    n_depts: int,
    projects: int,
    sample: int,
    table: Table,
    serial_max: int = 1000,
) -> None:
    me = [sys.executable, str(Path(__file__).resolve())]
    tb = tianbao_cmd()

    def child(*args: str) -> tuple[dict, float]:
        _, mb, out, rc = run([*me, *args])
        if rc != 0:
            raise SystemExit(f"{args[0]} failed ({rc})")
        return json.loads(out.strip().splitlines()[-1]), mb

    ws, returns = base / "ws", str(base / "returns")
    made, _ = child("_prepare", str(ws), returns, str(n_depts), str(projects))
    n, rows = made["files"], made["rows"]
    print(f"  [{label}] plan and {n} filled returns ({rows} rows): {made['seconds']:.1f} s")

    floor1, mb1 = child("_floor", returns, "1")
    floor2, mb2 = child("_floor", returns, "2")
    base_r, mbb = child("_baseline", str(ws), returns, str(sample))
    f1, f2 = floor1["seconds"], floor2["seconds"]
    b = base_r["seconds"] / base_r["files"] * n
    extrapolated = base_r["files"] < n
    table.header(f"{label}: {n} returns, {rows} rows")
    table.row("floor: calamine, 1 process", n, f1, mb1, f1, f2, b)
    table.row("floor: calamine, 2 processes", n, f2, mb2, f1, f2, b)
    table.row(
        "baseline: openpyxl ro + jsonschema" + (" *" if extrapolated else ""), n, b, mbb, f1, f2, b
    )
    serial = n <= serial_max  # one process at 10,000 returns would take most of an hour
    gen = ["generate", "-w", str(ws), "--period", PERIOD, "--allow-missing-previous"]
    val = ["validate", "-w", str(ws), returns]
    steps: list[tuple[str, list[str]]] = []
    if serial:
        ws1 = base / "ws-serial"  # its own ledger for the one-process collect
        shutil.copytree(ws, ws1, ignore=shutil.ignore_patterns("ledger.sqlite*", "archive"))
        col1 = ["collect", "-w", str(ws1), returns, "--received-at", RECEIVED, "--jobs", "1"]
        steps += [
            ("tianbao generate --jobs 1", [*gen, "-o", str(base / "t1"), "--jobs", "1"]),
            ("tianbao validate --jobs 1", [*val, "--jobs", "1"]),
            ("tianbao collect --jobs 1 (copy)", col1),
        ]
    steps += [
        (f"tianbao generate --jobs {cores()}", [*gen, "-o", str(base / "t")]),
        (f"tianbao validate --jobs {cores()}", val),
        (
            f"tianbao collect --jobs {cores()}",
            ["collect", "-w", str(ws), returns, "--received-at", RECEIVED],
        ),
        (
            "tianbao consolidate",
            ["consolidate", "-w", str(ws), "--period", PERIOD, "-o", str(base / "sum.xlsx")],
        ),
    ]
    for step, args in steps:
        s, mb, _, rc = run([*tb, *args])
        table.row(step + ("" if rc == 0 else f" (exit {rc})"), n, s, mb, f1, f2, b)
    if extrapolated:
        table.note(f"  * baseline timed on {base_r['files']} files, extrapolated per file to {n}")


def startup(table: Table) -> None:
    def best(cmd: list[str]) -> float:
        return min(run(cmd)[0] for _ in range(5))

    py = best([sys.executable, "-c", "pass"])
    tb = best([*tianbao_cmd(), "--help"])
    table.note("")
    table.note(
        f"start-up, best of 5: python -c pass {1000 * py:.0f} ms; tianbao --help {1000 * tb:.0f} ms"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_floor":
        return child_floor(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) > 1 and sys.argv[1] == "_prepare":
        return child_prepare(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    if len(sys.argv) > 1 and sys.argv[1] == "_baseline":
        return child_baseline(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, action="append", help="departments (repeat; default 100)")
    ap.add_argument("--projects", type=int, default=196, help="projects per department")
    ap.add_argument("--big-rows", type=int, default=20000, help="rows of the large return")
    ap.add_argument("--sample", type=int, default=100, help="files the baseline reads at most")
    ap.add_argument(
        "--serial-max",
        type=int,
        default=1000,
        help="run the one-process steps (--jobs 1) only up to this N",
    )
    args = ap.parse_args()
    # the parent stays small: a child's peak RSS counts what it was forked from
    table = Table()
    print(f"cores available: {cores()}; python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for n in args.n or [100]:
            bench_round(
                Path(tmp) / f"n{n}",
                f"N = {n}",
                n,
                args.projects,
                args.sample,
                table,
                args.serial_max,
            )
        if args.big_rows:
            big = Path(tmp) / "big"
            bench_round(big, f"large return: {args.big_rows} projects", 1, args.big_rows, 1, table)
        startup(table)
    print("\n".join(["", "== bench_scale table ==", *table.lines]))


if __name__ == "__main__":
    main()
