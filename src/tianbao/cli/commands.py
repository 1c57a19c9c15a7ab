"""The ``tianbao`` command: a thin layer over the library.

Heavy libraries (openpyxl, xlsxwriter, jsonschema) are imported inside the
commands that use them so that ``tianbao --help`` starts fast. Each command's help,
in Chinese and English, is in ``cli/help.py`` (HELP), under the command's name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from tianbao.template.generate import Generated


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
    pass  # help: cli/help.py HELP


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--sample",
    metavar="NAME",
    help="复制样例（jiefang-2014） | copy a sample workspace (jiefang-2014).",
)
@click.option(
    "--level",
    type=click.Choice(["district", "city"]),
    default="district",
    help="工作区层级 district (departments report) or city (districts send packages).",
)
@json_option
@handle_errors
def init(directory: Path, sample: str | None, level: str, as_json: bool) -> None:
    from tianbao import api

    if level == "city":  # the level above: cli/city.py
        from tianbao.cli.city import init_city
        from tianbao.errors import UsageError

        if sample is not None:
            raise UsageError("--sample 只用于区级工作区 | --sample makes a district's workspace")
        return init_city(directory, as_json)
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
        f" | back up {path}/.tianbao/secret.key, the signing key: without it no template"
        " issued can be verified",
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
            f"填好后 tianbao plan import 计划.xlsx -w {path} | a new plan: tianbao plan "
            f"template 计划.xlsx, fill it in, then tianbao plan import 计划.xlsx -w {path}",
            err=True,
        )
    echo(f"下一步 next: tianbao check -w {path}", err=True)


@main.command()
@workspace_option
@json_option
@handle_errors
def check(workspace: Path, as_json: bool) -> None:
    from tianbao import api

    problems = api.check(workspace)
    if as_json:
        echo_json({"valid": not problems, "problems": [p.as_dict() for p in problems]}, workspace)
    else:
        for p in problems:
            echo(p.one_line())
    if problems:
        echo(f"发现 {len(problems)} 个问题 | {len(problems)} problem(s) found", err=True)
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
@click.option(
    "--missing-previous",
    type=click.Choice(["hold", "mark"]),
    default="hold",
    show_default=True,
    help="上期数待补的单位：hold 暂不生成并列出，mark 生成并标出上期数 a department without "
    "last period's return: hold its template back, or mark its 上期 cells.",
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
    missing_previous: str,
    as_json: bool,
) -> None:
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
            missing_previous=missing_previous,
        )
    _said_generated(results, as_json, _form_names(workspace) if _on_terminal() else None)
    if as_json:
        templates = [
            {"department": r.department, "path": str(r.path), "forms": list(r.forms),
             "rows": r.rows, "previous_missing": r.previous_missing}
            for r in results
            if r.path is not None
        ]  # fmt: skip
        skipped = [r.department for r in results if r.path is None and not r.held]
        held = [r.department for r in results if r.held]
        echo_json(
            {"period": period, "templates": templates, "skipped": skipped, "held": held},
            workspace,
            period,
        )


def _on_terminal() -> bool:
    import sys

    return sys.stdout.isatty()


def _form_names(workspace: Path) -> dict[str, str]:
    """Each form's title in the language asked for, for a person at a terminal."""
    from tianbao import api

    forms = api.workspace(workspace).forms
    return {f.id: tr(f.title_zh, f.title_en) for f in forms.values()}


def _said_generated(
    results: list[Generated], as_json: bool, names: dict[str, str] | None = None
) -> None:
    """What generate did, for people: the templates, then who waits for last period.
    ``names``: at a terminal, a header and the forms by title (piped: TSV of ids)."""
    blank = [r.department for r in results if r.previous_missing and r.path is not None]
    if blank:
        echo(
            f"提示：{'、'.join(blank)} 上期尚无已计入的报表，模板中的上期数为空白或标为待补"
            f" | note: {', '.join(blank)}: last period's figures left blank or marked",
            err=True,
        )
    if names is not None and not as_json and any(r.path for r in results):
        echo(tr("模板\t单位\t报表\t行数", "template\tdepartment\tforms\trows"))
    for r in results:
        if r.held:
            continue
        if r.path is None:
            echo(f"跳过 skipped {r.department}: 本期无需填报的行 no rows to report", err=True)
        else:
            rows = tr(f"{r.rows} 行", f"{r.rows} rows")
            forms = "、".join(names.get(f, f) for f in r.forms) if names else ",".join(r.forms)
            echo(f"{r.path}\t{r.department}\t{forms}\t{rows}", err=as_json)
    written = sum(r.path is not None for r in results)
    echo(f"已生成 {written} 个模板 wrote {written} template(s)", err=True)
    held = [r.department for r in results if r.held]
    if held:
        who = "、".join(held)
        echo(
            f"上期数待补 {who}：上期尚无已计入的报表，未生成；收到上期报表后再生成，或加"
            f" --missing-previous mark 生成并标出上期数 | held back {', '.join(held)}: last"
            " period's return not counted yet; generate them once it is, or pass"
            " --missing-previous mark",
            err=True,
        )


@main.group()
def plan() -> None:
    pass  # help: cli/help.py HELP


@plan.command("template")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@json_option
@handle_errors
def plan_template(out: Path, as_json: bool) -> None:
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
@click.option("--city", is_flag=True, help="两级：焦作市及四个区县 the two-level cycle (焦作市).")
@click.option("--signoff", is_flag=True, help="两级流程最后市里签发 the city signs off at the end.")
@json_option
@handle_errors
def demo(directory: Path, city: bool, signoff: bool, as_json: bool) -> None:
    if city or signoff:
        from tianbao.cli.city import demo_city

        return demo_city(directory, as_json, signoff)
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
    # soft_wrap: a line is not broken at the console's width (80 when piped)
    say = lambda line: console.print(pick(line), highlight=False, soft_wrap=True)  # noqa: E731
    result = run_demo(directory, say, bar)
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
