"""The ``tianbao`` command: a thin layer over the library.

Heavy libraries (openpyxl, xlsxwriter, jsonschema) are imported inside the
commands that use them so that ``tianbao --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tianbao import __version__
from tianbao.cli.help import LangGroup
from tianbao.cli.options import (
    CONTEXT,
    echo,
    echo_json,
    handle_errors,
    jobs_option,
    json_option,
    period_option,
    resolve_jobs,
    workspace_option,
)
from tianbao.support.lang import tr


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from tianbao.support.lang import set_lang

    set_lang(value)
    return value


@click.group(cls=LangGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="tianbao")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    envvar="TIANBAO_LANG",
    show_default=True,
    is_eager=True,
    expose_value=False,
    callback=_set_lang,
    help="输出语言，每行一种 the language of every line printed (help included).",
)
def main() -> None:
    """tianbao 填报: generate, validate and consolidate Excel reporting forms.

    The cycle: init → check → generate → validate → collect → status → consolidate.
    """


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--sample", metavar="NAME", help="复制样例 copy a sample workspace (jiefang-2014).")
@json_option
@handle_errors
def init(directory: Path, sample: str | None, as_json: bool) -> None:
    """Create a workspace in DIRECTORY (empty skeleton, or a copy of a sample)."""
    from tianbao import api

    path = api.init(directory, sample)
    if as_json:
        book = path / api.PLAN_WORKBOOK
        echo_json(
            {"workspace": str(path), "sample": sample, "key": str(path / ".tianbao" / "secret.key"),
             "plan_workbook": str(book) if book.exists() else None},
            path,
        )  # fmt: skip
    echo(f"已创建工作区 created workspace: {path}", err=True)
    echo(
        f"请备份 {path}/.tianbao/secret.key（模板签名密钥；丢失或更换后已发出的模板都无法验证）"
        " back up the signing key: without it no template issued can be verified",
        err=True,
    )
    book = path / api.PLAN_WORKBOOK
    if book.exists():
        echo(
            f"计划工作簿：{book}（改后 tianbao plan import {book} -w {path}） | "
            f"plan workbook: {book} (after editing: tianbao plan import {book} -w {path})",
            err=True,
        )
    else:
        echo(
            "新的计划：tianbao plan template 计划.xlsx，"
            f"填好后 tianbao plan import 计划.xlsx -w {path}",
            err=True,
        )
    echo(f"下一步 next: tianbao check -w {path}", err=True)


@main.command()
@workspace_option
@json_option
@handle_errors
def check(workspace: Path, as_json: bool) -> None:
    """Check the workspace's plan and forms: schemas and consistency.

    Exit 0 when clean, 1 when there are problems, 2 when there is no workspace.
    """
    from tianbao import api

    problems = api.check(workspace)
    if as_json:
        echo_json({"valid": not problems, "problems": [p.as_dict() for p in problems]}, workspace)
    else:
        for p in problems:
            echo(p.one_line())
    if problems:
        echo(f"发现 {len(problems)} 个问题 {len(problems)} problem(s) found", err=True)
        if any(p.file == "plan.yaml" for p in problems):
            echo(
                "计划各栏的含义和填法：tianbao plan template 计划.xlsx 生成的工作簿“说明”页"
                "（也可以在工作簿里改计划，再 tianbao plan import）",
                err=True,
            )
        sys.exit(1)
    for note in api.revision_notes(workspace):
        echo(note, err=True)
    for affected in api.affected_templates(workspace):
        echo(affected.text(), err=True)
    echo("检查通过 workspace OK", err=True)


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
@click.option(
    "--allow-missing-previous",
    is_flag=True,
    help="上期报表未收齐也生成，上期数留空 generate even where last period's return has not "
    "been collected (those cells blank).",
)
@json_option
@handle_errors
def generate(
    workspace: Path,
    period: str,
    departments: tuple[str, ...],
    out_dir: Path | None,
    password: str | None,
    jobs: int | None,
    allow_missing_previous: bool,
    as_json: bool,
) -> None:
    """Write each department's standard workbook for PERIOD.

    Columns such as 上期累计 show the department's counting return of the previous
    period from the ledger: a department without one is refused unless
    --allow-missing-previous.
    """
    from tianbao import api
    from tianbao.cli.progress import bar, wanted

    with bar("生成模板 generating", wanted(as_json)) as tick:
        results = api.generate(
            workspace,
            period,
            list(departments) or None,
            out_dir,
            password,
            resolve_jobs(jobs),
            allow_missing_previous=allow_missing_previous,
            on_progress=tick,
        )
    blank = [r.department for r in results if r.previous_missing]
    if blank:
        echo(
            f"提示 note: {'、'.join(blank)} 上期尚无已计入的报表，模板中的上期数为空白"
            " last period's figures left blank",
            err=True,
        )
    written = [r for r in results if r.path is not None]
    for r in results:
        if r.path is None:
            echo(f"跳过 skipped {r.department}: 本期无需填报的行 no rows to report", err=True)
        else:
            rows = tr(f"{r.rows} 行", f"{r.rows} rows")
            echo(f"{r.path}\t{r.department}\t{','.join(r.forms)}\t{rows}", err=as_json)
    echo(f"已生成 {len(written)} 个模板 wrote {len(written)} template(s)", err=True)
    if as_json:
        templates = [
            {"department": r.department, "path": str(r.path), "forms": list(r.forms),
             "rows": r.rows, "previous_missing": r.previous_missing}
            for r in written
        ]  # fmt: skip
        skipped = [r.department for r in results if r.path is None]
        echo_json({"period": period, "templates": templates, "skipped": skipped}, workspace, period)


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
    from rich.console import Console

    from tianbao import api
    from tianbao.ledger.console import print_status

    report = api.status(workspace, period, as_of)
    if out_path is not None:
        from tianbao.report.status_xlsx import write_status_xlsx

        write_status_xlsx(report, out_path)
        echo(f"已写出 wrote {out_path}", err=True)
    if as_json:
        echo_json(report.as_dict(), workspace, period)
    print_status(report, Console(stderr=as_json))


@main.command()
@click.argument("action", type=click.Choice(["return", "force", "approve", "reopen"]))
@workspace_option
@period_option
@click.option("--dept", required=True, help="填报单位代码 the department's code.")
@click.option(
    "--reason", default="", help="原因（退回、强制受理必填） why (required to return or force)."
)
@click.option("--by", help="审核人 who decides [default: the OS user].")
@click.option("--submission", type=int, help="报表编号 act on this submission id instead.")
@click.option(
    "--due",
    metavar="DATE",
    help="退回后重报期限 the corrected return is due on DATE [default: the period's "
    "deadline, or 3 days from now once it has passed].",
)
@click.option(
    "--out",
    "notice_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="退回通知目录 write the 退回通知 here [default: WS/outputs/notices/PERIOD].",
)
@json_option
@handle_errors
def review(
    action: str,
    workspace: Path,
    period: str,
    dept: str,
    reason: str,
    by: str | None,
    submission: int | None,
    due: str | None,
    notice_dir: Path | None,
    as_json: bool,
) -> None:
    """The office's decision on a return: return (退回, with reasons; it stops counting),
    force (强制受理 of a rejected one, with reasons; it counts), approve (审核通过),
    reopen (take the last decision back). Kept in the ledger with who, when and why."""
    from tianbao import api

    done = api.review(
        workspace,
        action,
        period,
        dept,
        reason=reason,
        by=by,
        submission=submission,
        due=due,
        notice_dir=notice_dir,
    )
    if as_json:
        echo_json(done.as_dict(), workspace, period)
    s = done.submission
    if done.period_reopened:
        echo(
            f"已重新打开 {s.period}（撤销签发）：{done.reason}（{done.by}，{done.at}）；"
            f"此后收到的 {s.department} 报表记为 更正·签发后，汇总前请重新签发 "
            f"period reopened: sign it off again after the correction",
            err=as_json,
        )
        return
    echo(
        f"{action} #{s.id} {s.department} {s.period} {s.file_name}：{done.reason or '-'}"
        f"（{done.by}，{done.at}）",
        err=as_json,
    )
    if done.notice is not None:
        echo(f"已写出退回通知 wrote the notice: {done.notice}", err=True)
    elif done.action == "returned":
        echo("未能写出退回通知：存档的原报表缺失或已改变 notice not written", err=True)


@main.command()
@workspace_option
@period_option
@click.option("--by", help="签发人 who signs [default: the OS user].")
@click.option("--note", default="", help="说明（撤销时必填） a note (required to withdraw).")
@click.option("--withdraw", is_flag=True, help="撤销签发 take the sign-off back.")
@json_option
@handle_errors
def signoff(
    workspace: Path, period: str, by: str | None, note: str, withdraw: bool, as_json: bool
) -> None:
    """Sign PERIOD off (签发) before the summary goes to the leadership: collect then
    refuses returns of it and review of it is closed, until --withdraw (with --note)."""
    from tianbao import api

    done = api.signoff(workspace, period, by=by, note=note, withdraw=withdraw)
    if as_json:
        echo_json(dict(done), workspace, period)
    p, by, at = done["period"], done["by"], done["at"]
    zh, en = ("已签发", "signed off") if done["signed"] else ("已撤销签发", "sign-off withdrawn")
    echo(f"{p} {zh}（{by}，{at}） | {p} {en} ({by}, {at})", err=as_json)


@main.command()
@workspace_option
@click.option("--period", "-p", help="只看此报告期 only this period (e.g. 2014-06).")
@click.option("--dept", help="只看此单位 only this department code.")
@json_option
@handle_errors
def history(workspace: Path, period: str | None, dept: str | None, as_json: bool) -> None:
    """Every return recorded in the ledger, oldest first: status, receipt, what replaced
    what, the office's decisions on it (who, when, why), and the periods' sign-offs."""
    from rich.console import Console

    from tianbao import api
    from tianbao.ledger.console import print_history
    from tianbao.workspace import open_workspace

    ws = open_workspace(workspace)
    log = api.history_log(ws, period, dept)
    if as_json:
        echo_json(log.as_dict(), workspace, period)
    print_history(log, ws.plan.tz if ws.plan else None, Console(stderr=as_json))


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
@json_option
@handle_errors
def consolidate(
    workspace: Path,
    period: str,
    out_path: Path | None,
    csv_path: Path | None,
    as_of: str | None,
    as_json: bool,
) -> None:
    """District summary of PERIOD from each department's latest accepted return.

    Sheets 总览 (the leader's page: main indicators, overdue milestones, reporting,
    investment in 亿元; then the charts), 主要指标, 重点项目, 民生工程, 重点任务,
    报送情况, 数据来源; totals are Excel formulas with their values. Exit 0 on
    success, 2 for a usage or workspace problem.
    """
    from tianbao import api
    from tianbao.cli.progress import bar, wanted

    with bar("汇总 consolidating", wanted(as_json)):
        result = api.consolidate(workspace, period, out_path, csv_path, as_of)
    echo(f"{result.out}", err=as_json)
    if result.csv is not None:
        echo(f"{result.csv}", err=as_json)
    n, m, k = result.departments_reported, result.departments_expected, result.sources
    csv_zh = f"，长表 {result.csv_rows} 行" if result.csv is not None else ""
    csv_en = f", {result.csv_rows} CSV rows" if result.csv is not None else ""
    echo(
        f"已汇总 {result.period}：{n}/{m} 个单位已报，{k} 个填报数据{csv_zh} | "
        f"consolidated {result.period}: {n}/{m} departments reported, {k} figures from "
        f"returns{csv_en}",
        err=True,
    )
    if as_json:
        echo_json(
            {
                "period": result.period,
                "summary": str(result.out),
                "csv": str(result.csv) if result.csv is not None else None,
                "csv_rows": result.csv_rows if result.csv is not None else 0,
                "departments_expected": result.departments_expected,
                "departments_reported": result.departments_reported,
                "sources": result.sources,
                "rows": result.counts,
            },
            workspace,
            result.period,
        )


@main.group()
def plan() -> None:
    """The plan as an Excel workbook an office keeps (template, import, export)."""


@plan.command("template")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@handle_errors
def plan_template(out: Path, as_json: bool) -> None:
    """Write a blank plan workbook to OUT (基本信息, 填报单位, 主要指标, 重点项目, ...)."""
    from tianbao import api

    written = api.plan_workbook(out)
    echo(written, err=as_json)
    if as_json:
        echo_json({"workbook": str(written)})


@plan.command("export")
@workspace_option
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@handle_errors
def plan_export(workspace: Path, out: Path, as_json: bool) -> None:
    """Write the workspace's plan to OUT as the plan workbook (the same sheets, filled)."""
    from tianbao import api

    written = api.plan_workbook(out, workspace)
    echo(written, err=as_json)
    if as_json:
        echo_json({"workbook": str(written)}, workspace)


@plan.command("import")
@click.argument("book", metavar="PLAN.xlsx", type=click.Path(path_type=Path, dir_okay=False))
@workspace_option
@click.option(
    "--dry-run", is_flag=True, help="只检查并列出改动，不写入 check and show, write nothing."
)
@json_option
@handle_errors
def plan_import(book: Path, workspace: Path, dry_run: bool, as_json: bool) -> None:
    """Read PLAN.xlsx (the plan workbook), check it and make it the workspace's plan.yaml.

    Every problem is listed at its sheet and cell and nothing is written (exit 1). A clean
    workbook replaces plan.yaml (the old one kept in .tianbao/backups/) and the changes
    against it are listed, department by department.
    """
    from tianbao import api
    from tianbao.cli.planbook import print_import

    result = api.plan_import(book, workspace, dry_run=dry_run)
    if as_json:
        echo_json(result.as_dict(), workspace)
    else:
        print_import(result, echo)
    if result.problems:
        sys.exit(1)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("tianbao-demo"))
@json_option
@handle_errors
def demo(directory: Path, as_json: bool) -> None:
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

    from tianbao.support.lang import pick

    @contextlib.contextmanager
    def bar(label: str, total: int):  # one progress bar per long step
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(pick(label), total=total)

            class _Step:
                def advance(self) -> None:
                    progress.advance(task)

            yield _Step()

    started = time.perf_counter()
    result = run_demo(directory, lambda line: console.print(pick(line), highlight=False), bar)
    if result.problems:
        sys.exit(1)
    seconds = time.perf_counter() - started
    if as_json:
        outputs = [result.summary, result.status_xlsx, result.report_xlsx]
        echo_json(
            {"directory": str(directory), "workspace": str(result.workspace),
             "templates": result.templates, "collected": result.collected,
             "outputs": [str(p) for p in outputs if p is not None]},
            result.workspace,
        )  # fmt: skip
    console.print(
        pick(
            f"完成，用时 {seconds:.0f} 秒。输出：{directory}/outputs"
            f"（工作区：{result.workspace}） | "
            f"done in {seconds:.0f} s. outputs: {directory}/outputs "
            f"(workspace: {result.workspace})"
        ),
        highlight=False,
    )
