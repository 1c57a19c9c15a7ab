"""The ``tianbao`` command: a thin layer over the library.

Heavy libraries (openpyxl, xlsxwriter, jsonschema) are imported inside the
commands that use them so that ``tianbao --help`` starts fast.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tianbao import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def workspace_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-w",
        "--workspace",
        "workspace",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("."),
        show_default=True,
        help="工作区目录 workspace folder (plan.yaml, forms/).",
    )(func)


json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="机器可读输出到标准输出 machine-readable output on stdout.",
)
period_option = click.option(
    "--period", "-p", required=True, help="报告期 period: 2014-06, 2014-Q2, 2014-H1, 2014."
)


def jobs_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """-j/--jobs; None means every core (the command resolves it, after import)."""
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help=f"{what} [default: the number of cores].",
    )


def resolve_jobs(jobs: int | None) -> int:
    """--jobs as asked, at most one process per core (more only thrash); a larger
    request is clamped with a note. The pool also starts no more than the files."""
    from tianbao.support.parallel import cores

    n = cores()
    if jobs is not None and jobs > n:
        click.echo(f"提示 note: --jobs {jobs} 已按 CPU 核数限为 {n} clamped to {n} cores", err=True)
        return n
    return jobs or n


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's 'could not run' exceptions into one line and their exit
    code (2 usage, 3 environment); a full disk or a read-only folder is a fault of
    the machine (exit 3), never a traceback or a rejection (exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import sqlite3

        from tianbao.errors import TianbaoError, fault_from, usage_from

        try:
            return func(*args, **kwargs)
        except TianbaoError as exc:
            click.echo(f"错误 error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (OSError, sqlite3.OperationalError) as exc:
            fault = fault_from(exc) or usage_from(exc)
            if fault is None:
                raise
            click.echo(f"错误 error: {fault}", err=True)
            sys.exit(fault.exit_code)

    return wrapper


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tianbao")
def main() -> None:
    """tianbao 填报: generate, validate and consolidate Excel reporting forms.

    The cycle: init → check → generate → validate → collect → status → consolidate.
    """


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--sample", metavar="NAME", help="复制样例 copy a sample workspace (jiefang-2014).")
@handle_errors
def init(directory: Path, sample: str | None) -> None:
    """Create a workspace in DIRECTORY (empty skeleton, or a copy of a sample)."""
    from tianbao.workspace import init_workspace

    path = init_workspace(directory, sample)
    click.echo(f"已创建工作区 created workspace: {path}", err=True)
    click.echo(f"下一步 next: tianbao check -w {path}", err=True)


@main.command()
@workspace_option
@json_option
@handle_errors
def check(workspace: Path, as_json: bool) -> None:
    """Check the workspace's plan and forms: schemas and consistency.

    Exit 0 when clean, 1 when there are problems, 2 when there is no workspace.
    """
    from tianbao.check import check_workspace

    problems = check_workspace(workspace)
    if as_json:
        click.echo(
            json.dumps(
                {"valid": not problems, "problems": [p.as_dict() for p in problems]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for p in problems:
            click.echo(p.one_line())
    if problems:
        click.echo(f"发现 {len(problems)} 个问题 {len(problems)} problem(s) found", err=True)
        sys.exit(1)
    click.echo("检查通过 workspace OK", err=True)


@main.command()
@workspace_option
@period_option
@click.option(
    "--dept",
    "departments",
    multiple=True,
    metavar="CODE",
    help="只生成这些部门 only these departments (repeatable).",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="输出目录 output folder [default: WS/outputs/templates/PERIOD].",
)
@click.option(
    "--password",
    envvar="TIANBAO_SHEET_PASSWORD",
    default=None,
    help="工作表保护密码 sheet protection password (default: none).",
)
@jobs_option("并行进程数 processes writing workbooks (the same bytes either way)")
@handle_errors
def generate(
    workspace: Path,
    period: str,
    departments: tuple[str, ...],
    out_dir: Path | None,
    password: str | None,
    jobs: int | None,
) -> None:
    """Write each department's standard workbook for PERIOD."""
    from tianbao.template.generate import generate as run
    from tianbao.workspace import open_workspace

    results = run(
        open_workspace(workspace),
        period,
        list(departments) or None,
        out_dir,
        password,
        jobs=resolve_jobs(jobs),
    )
    written = [r for r in results if r.path is not None]
    for r in results:
        if r.path is None:
            click.echo(f"跳过 skipped {r.department}: 本期无需填报的行 no rows to report", err=True)
        else:
            click.echo(f"{r.path}\t{r.department}\t{','.join(r.forms)}\t{r.rows} 行")
    click.echo(f"已生成 {len(written)} 个模板 wrote {len(written)} template(s)", err=True)


@main.command()
@workspace_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--period", "-p", help="预期报告期 expected period (e.g. 2014-06).")
@click.option("--dept", help="预期填报单位 expected department code.")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="上期已受理的报表 last period's accepted return, for across-period rules.",
)
@json_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="审核报告 xlsx report for auditors.",
)
@click.option(
    "--annotate",
    "annotate_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="批注副本目录 write annotated copies of the returns here.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--notes/--no-notes", default=False, help="显示提示 show notes too.")
@jobs_option("并行审核进程数 validating processes (the same findings either way)")
@handle_errors
def validate(
    workspace: Path,
    paths: tuple[Path, ...],
    period: str | None,
    dept: str | None,
    previous: Path | None,
    as_json: bool,
    report_path: Path | None,
    annotate_dir: Path | None,
    lang: str,
    notes: bool,
    jobs: int | None,
) -> None:
    """Validate returned workbooks (files or folders).

    Exit 0 when every file is acceptable, 1 when any has a blocking finding,
    2 for a usage or workspace problem.
    """
    from rich.console import Console

    from tianbao.errors import UsageError
    from tianbao.report.validation_json import report_dict
    from tianbao.validate.console import print_reports
    from tianbao.validate.engine import Validator, input_files, records_by_key
    from tianbao.workspace import open_workspace

    ws = open_workspace(workspace).require_ok()
    assert ws.plan is not None
    # options first: a mistyped --period must not turn every return into a rejection
    period = str(ws.plan.period(period)) if period is not None else None
    dept = ws.plan.department_code(dept) if dept is not None else None
    files = input_files(list(paths), ("审核", "validate"))
    validator = Validator(ws)
    prev = None
    if previous is not None:
        prev_report = validator.validate(previous)
        if not prev_report.records:
            raise UsageError(
                f"{previous}: 上期报表无法读取 cannot use as previous period "
                f"({', '.join(f.code.value for f in prev_report.findings[:3])})"
            )
        prev = records_by_key(prev_report)
    from tianbao.validate.batch import validate_many

    reports = list(validate_many(validator, files, resolve_jobs(jobs), period, dept, prev))
    if report_path is not None:
        from tianbao.report.validation_xlsx import write_report

        write_report(reports, report_path, validator)
    if annotate_dir is not None:
        from tianbao.report.annotate import annotate_all

        annotate_all(reports, annotate_dir)
    if as_json:
        click.echo(json.dumps(report_dict(reports), ensure_ascii=False, indent=2))
    print_reports(reports, lang, Console(stderr=as_json, width=160), notes)
    if not all(r.valid for r in reports):
        sys.exit(1)


@main.command()
@workspace_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--received-at",
    metavar="ISO",
    help="收到时间 received time of every file, e.g. 2014-07-03T10:00 (no offset: the "
    "district's local time) [default: now].",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, dir_okay=False),
    help="收到时间清单 CSV file,received_at: one receipt time per file (mixed arrivals).",
)
@click.option(
    "--received-from",
    type=click.Choice(["mtime"]),
    help="收到时间取文件修改时间 take each file's modification time as its receipt time.",
)
@click.option(
    "--period",
    "-p",
    "round_period",
    help="本轮报告期 the round being collected [default: from the receipt time, e.g. "
    "July → 2014-06]; a template of an earlier period is refused when that period "
    "already has an accepted return, unless --corrections.",
)
@click.option(
    "--corrections",
    is_flag=True,
    help="收取往期更正 record returns of past periods as corrections (更正).",
)
@json_option
@jobs_option(
    "并行审核进程数 validating processes (the ledger is written in file order, "
    "with the same results, either way)"
)
@handle_errors
def collect(
    workspace: Path,
    paths: tuple[Path, ...],
    received_at: str | None,
    manifest: Path | None,
    received_from: str | None,
    round_period: str | None,
    corrections: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """Validate returned files (or folders) and record them in the ledger.

    Originals are archived in WS/archive; the same bytes are recorded once; a
    return received later supersedes the department's earlier one for the period.
    Exit 0 when every file is accepted, 1 when any is rejected or refused, 2 for a
    usage problem, 3 for a fault of the machine (disk full, read-only, lost key).
    """
    from tianbao.collect.console import collect_details, collect_line, collect_summary
    from tianbao.collect.pipeline import Round, results_dict
    from tianbao.collect.pipeline import collect as run
    from tianbao.collect.receipt import from_options
    from tianbao.workspace import open_workspace

    ws = open_workspace(workspace).require_ok()
    assert ws.plan is not None
    receipt = from_options(received_at, manifest, received_from)
    round_ = Round(ws.plan.period(round_period) if round_period else None, corrections)
    files: list[dict[str, Any]] = []  # --json: each file's dict, made while its report is here

    def show(r: Any) -> None:
        click.echo(collect_line(r), err=as_json)
        for line in collect_details(r):
            click.echo(line, err=True)
        if as_json:
            files.append(r.as_dict())

    # reports are dropped once shown: memory does not grow with the number of files
    results = run(
        ws,
        list(paths),
        None,
        show,
        jobs=resolve_jobs(jobs),
        keep_reports=False,
        receipt=receipt,
        round_=round_,
    )
    if as_json:
        click.echo(json.dumps(results_dict(results, files), ensure_ascii=False, indent=2))
    click.echo(collect_summary(results), err=True)
    if not all(r.ok for r in results):
        sys.exit(1)


@main.command()
@workspace_option
@period_option
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="逾期天数计算到此日 count overdue days to this date [default: today].",
)
@json_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="写出 xlsx write the status and the list to chase to this workbook.",
)
@handle_errors
def status(
    workspace: Path, period: str, as_of: str | None, as_json: bool, out_path: Path | None
) -> None:
    """Completeness and timeliness of PERIOD per department and form, and whom to chase (催报)."""
    import datetime as dt

    from rich.console import Console

    from tianbao.errors import UsageError
    from tianbao.ledger.console import print_status
    from tianbao.ledger.status import status as run
    from tianbao.workspace import open_workspace

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UsageError(
            f"无法识别的日期 {as_of!r} cannot read --as-of; expected YYYY-MM-DD"
        ) from None
    report = run(open_workspace(workspace), period, day)
    if out_path is not None:
        from tianbao.report.status_xlsx import write_status_xlsx

        write_status_xlsx(report, out_path)
        click.echo(f"已写出 wrote {out_path}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    print_status(report, Console(stderr=as_json, width=160))


@main.command()
@workspace_option
@period_option
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="汇总表 summary workbook [default: WS/outputs/summary/PERIOD_汇总.xlsx].",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="长表 also write every entered value as a long CSV (UTF-8 with BOM).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="报送情况逾期天数计算到此日 overdue days to this date [default: from the ledger].",
)
@handle_errors
def consolidate(
    workspace: Path, period: str, out_path: Path | None, csv_path: Path | None, as_of: str | None
) -> None:
    """District summary of PERIOD from each department's latest accepted return.

    Sheets 总览 (charts), 主要指标, 重点项目, 民生工程, 重点任务, 报送情况, 数据来源;
    totals are Excel formulas with their values. Exit 0 on success, 2 for a usage
    or workspace problem.
    """
    import datetime as dt

    from tianbao.consolidate import consolidate as run
    from tianbao.errors import UsageError
    from tianbao.workspace import open_workspace

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UsageError(
            f"无法识别的日期 {as_of!r} cannot read --as-of; expected YYYY-MM-DD"
        ) from None
    ws = open_workspace(workspace)
    out = out_path or ws.root / "outputs" / "summary" / f"{period}_汇总.xlsx"
    if csv_path is not None and _same_file(out, csv_path):
        raise UsageError(f"-o 与 --csv 是同一个文件 -o and --csv name the same file: {out}")
    result = run(ws, period, out, csv_path, day)
    click.echo(f"{result.out}")
    if result.csv is not None:
        click.echo(f"{result.csv}")
    click.echo(
        f"已汇总 {result.period}: {result.departments_reported}/{result.departments_expected} "
        f"个单位已报 departments reported; {result.sources} 个填报数据 figures from returns"
        + (f"; {result.csv_rows} CSV 行 rows" if result.csv is not None else ""),
        err=True,
    )


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("tianbao-demo"))
@handle_errors
def demo(directory: Path) -> None:
    """Run the reporting cycle on the 2014 sample of 解放区 into DIRECTORY.

    January to June 2014: generate, simulated filling (with a few realistic
    mistakes), collect; then status, validation report and summary for June.
    """
    import contextlib
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tianbao.dev.demo import run_demo

    console = Console(stderr=True)

    @contextlib.contextmanager
    def bar(label: str, total: int):  # one progress bar per long step
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(label, total=total)

            class _Step:
                def advance(self) -> None:
                    progress.advance(task)

            yield _Step()

    started = time.perf_counter()
    result = run_demo(directory, lambda line: console.print(line, highlight=False), bar)
    if result.problems:
        sys.exit(1)
    seconds = time.perf_counter() - started
    console.print(
        f"完成 done in {seconds:.0f} s. 输出 outputs: {directory}/outputs "
        f"(工作区 workspace: {result.workspace})",
        highlight=False,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
