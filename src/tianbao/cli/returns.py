"""The commands that take returned files: ``validate`` and ``collect``.

Heavy libraries (openpyxl, xlsxwriter, jsonschema) are imported inside the
commands that use them so that ``tianbao --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from tianbao.cli.commands import main
from tianbao.cli.options import (
    echo,
    echo_json,
    handle_errors,
    jobs_option,
    json_option,
    resolve_jobs,
    workspace_option,
)


@main.command()
@workspace_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--period", "-p", help="预期报告期（如 2014-06） | expected period (e.g. 2014-06).")
@click.option("--dept", help="预期填报单位 expected department code.")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, exists=True),
    help="上期报表（文件或文件夹） last period's returns, for the across-period rules "
    "[default: each department's accepted return in the ledger, as collect uses].",
)
@click.option(
    "--no-history",
    is_flag=True,
    help="不用上期数据 skip the across-period rules (said in a note).",
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
    help="审核意见目录：每份报表一份 <原文件名>.审核意见.xlsx "
    "write a correction notice per return here.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="审核结果的语言 the findings' language [default: tianbao --lang].",
)
@click.option("--notes/--no-notes", default=False, help="显示提示 show notes too.")
@jobs_option("并行审核进程数 validating processes (the same findings either way)")
@handle_errors
def validate(
    workspace: Path,
    paths: tuple[Path, ...],
    period: str | None,
    dept: str | None,
    previous: Path | None,
    no_history: bool,
    as_json: bool,
    report_path: Path | None,
    annotate_dir: Path | None,
    lang: str | None,
    notes: bool,
    jobs: int | None,
) -> None:
    from rich.console import Console

    from tianbao import api
    from tianbao.cli.progress import bar, wanted
    from tianbao.collect.batch import unread_files, unread_lines
    from tianbao.validate.console import print_reports

    unread = unread_files(paths)
    with bar("审核 validating", wanted(as_json)) as tick, _naming(unread):
        run = api.validate_files(
            workspace,
            paths,
            period=period,
            dept=dept,
            previous=previous,
            history=not no_history,
            jobs=resolve_jobs(jobs),
            on_progress=tick,
        )
    if no_history:
        echo(
            "未使用上期数据：跨期审核公式（本年累计 = 上期累计 + 本月 等）未检查 "
            "--no-history: the across-period rules were not checked",
            err=True,
        )
    reports = run.reports
    if report_path is not None:
        run.write_report(report_path)
        echo(f"已写出审核报告 wrote the report: {report_path}", err=True)
    if annotate_dir is not None:
        written = run.annotate(annotate_dir)
        echo(
            f"已写出 {len(written)} 份审核意见：{annotate_dir} | "
            f"wrote {len(written)} annotated copies: {annotate_dir}",
            err=True,
        )
    if as_json:
        echo_json(run.as_dict(), workspace, period)
    from tianbao.support.lang import current

    print_reports(reports, lang or current(), Console(stderr=as_json), notes)
    for line in unread_lines(run.not_read):
        echo(line, err=True)
    if not run.valid:
        sys.exit(1)


@main.command()
@workspace_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--received-at",
    metavar="ISO",
    help="每个文件的收到时间，如 2014-07-03T10:00（不带时区：本区当地时间）[默认：现在] | "
    "received time of every file, e.g. 2014-07-03T10:00 (no offset: the district's local "
    "time) [default: now].",
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
    help="本轮报告期 [默认：按收到时间，如七月收到 → 2014-06]；更早报告期的模板在该期已有受理的"
    "报表时拒收，除非 --corrections | the round being collected [default: from the receipt time, "
    "e.g. July → 2014-06]; a template of an earlier period is refused when that period "
    "already has an accepted return, unless --corrections.",
)
@click.option(
    "--corrections",
    is_flag=True,
    help="收取往期更正 | record returns of past periods as corrections.",
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
    from tianbao.city.plan import is_city

    if is_city(workspace):  # districts' packages: cli/city.py
        from tianbao.cli.city import collect_city

        return collect_city(workspace, paths, round_period, received_at, as_json)
    from tianbao import api
    from tianbao.cli.progress import bar, wanted
    from tianbao.collect.batch import (
        finding_lines,
        unread_files,
        unread_lines,
    )
    from tianbao.collect.console import collect_details, collect_line, collect_summary
    from tianbao.collect.pipeline import results_dict

    files: list[dict[str, Any]] = []  # --json: each file's dict, made while its report is here
    seen = [0]

    def show(r: Any) -> None:
        seen[0] += 1
        tick(seen[0], 0)
        echo(collect_line(r), err=as_json)
        for line in collect_details(r):
            echo(line, err=True)
        if as_json:
            files.append(r.as_dict())

    unread = unread_files(paths)  # named once, at the end (or before a refusal)
    # reports are dropped once shown: memory does not grow with the number of files
    with bar("收表 collecting", wanted(as_json)) as tick, _naming(unread):
        results = api.collect(
            workspace,
            paths,
            received_at=received_at,
            manifest=manifest,
            received_from=received_from,
            period=round_period,
            corrections=corrections,
            jobs=resolve_jobs(jobs),
            on_result=show,
            keep_reports=False,
        )
    if as_json:
        echo_json(results_dict(results, files), workspace, round_period)
    for line in [*finding_lines(results.findings), *unread_lines(results.not_read)]:
        echo(line, err=True)
    echo(collect_summary(results, len(results.not_read)), err=True)
    if not all(r.ok for r in results):
        sys.exit(1)


@contextlib.contextmanager
def _naming(unread: list[Any]) -> Iterator[None]:
    """Name the files a folder scan did not read also when the run stops for want of
    any file it can read (a usage mistake, exit 2)."""
    from tianbao.collect.batch import unread_lines
    from tianbao.errors import UsageError

    try:
        yield
    except UsageError:
        for line in unread_lines(unread):
            echo(line, err=True)
        raise
