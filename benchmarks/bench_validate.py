"""Returns validated per second against the bare read of the same files.

    python benchmarks/bench_validate.py [--copies 10]

Builds the sample's June returns (15 departments, filled by the simulator),
copies them ``--copies`` times, then times in one run: python-calamine reading
every cell of every sheet (the floor), and tianbao's full validation (guarded
read, identity, structure, normalisation, schema, rules). Prints a table; not
a test.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import python_calamine

from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.template.generate import generate
from tianbao.validate.batch import default_jobs, validate_many
from tianbao.validate.engine import Validator
from tianbao.workspace import init_workspace, open_workspace


def floor_read(path: Path) -> int:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        ws = open_workspace(init_workspace(base / "ws", "jiefang-2014"))
        plan = ws.plan
        assert plan is not None
        forms = [ws.forms[f] for f in plan.form_ids]
        files: list[Path] = []
        for g in generate(ws, "2014-06", out_dir=base / "templates", allow_missing_previous=True):
            if g.path is None:
                continue
            content = build_content(plan, forms, g.department, Period.parse("2014-06"), ws.secret())
            one = fill_workbook(g.path, base / "one" / g.path.name, plausible_fill(content))
            for i in range(args.copies):
                dst = base / "returns" / f"{i:03d}" / g.path.name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(one, dst)
                files.append(dst)
        validator = Validator(ws)
        t0 = time.perf_counter()
        for f in files:
            floor_read(f)
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        reports = list(validate_many(validator, files, 1))
        serial = time.perf_counter() - t0
        t0 = time.perf_counter()
        parallel_reports = list(validate_many(validator, files, default_jobs()))
        parallel = time.perf_counter() - t0
        same = [r.findings for r in reports] == [r.findings for r in parallel_reports]
        assert all(r.valid for r in reports), [r.findings[:2] for r in reports if not r.valid][:2]
    n = len(files)
    print(f"{'step':<36}{'files':>7}{'seconds':>9}{'files/s':>9}{'ms each':>9}{'× floor':>9}")
    rows = (
        ("floor: calamine read, all sheets", floor),
        ("tianbao validate, --jobs 1", serial),
        (f"tianbao validate, --jobs {default_jobs()}", parallel),
    )
    for label, s in rows:
        print(f"{label:<36}{n:>7}{s:>9.2f}{n / s:>9.1f}{1000 * s / n:>9.1f}{s / floor:>9.2f}")
    print(f"parallel findings identical to serial: {same}")


if __name__ == "__main__":
    main()
