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


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's 'could not run' exceptions into one line and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tianbao.errors import TianbaoError

        try:
            return func(*args, **kwargs)
        except TianbaoError as exc:
            click.echo(f"错误 error: {exc}", err=True)
            sys.exit(exc.exit_code)

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
@click.option("--json", "as_json", is_flag=True, help="机器可读输出 machine-readable output.")
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
@click.option(
    "--period", "-p", required=True, help="报告期 period: 2014-06, 2014-Q2, 2014-H1, 2014."
)
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
@handle_errors
def generate(
    workspace: Path,
    period: str,
    departments: tuple[str, ...],
    out_dir: Path | None,
    password: str | None,
) -> None:
    """Write each department's standard workbook for PERIOD."""
    from tianbao.template.generate import generate as run
    from tianbao.workspace import open_workspace

    results = run(open_workspace(workspace), period, list(departments) or None, out_dir, password)
    written = [r for r in results if r.path is not None]
    for r in results:
        if r.path is None:
            click.echo(f"跳过 skipped {r.department}: 本期无需填报的行 no rows to report", err=True)
        else:
            click.echo(f"{r.path}\t{r.department}\t{','.join(r.forms)}\t{r.rows} 行")
    click.echo(f"已生成 {len(written)} 个模板 wrote {len(written)} template(s)", err=True)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("tianbao-demo"))
@handle_errors
def demo(directory: Path) -> None:
    """Run the reporting cycle on the 2014 sample of 解放区 into DIRECTORY."""
    from tianbao.demo import run_demo

    result = run_demo(directory, lambda line: click.echo(line, err=True))
    if result.problems:
        sys.exit(1)
    click.echo(f"完成 done: 输出在 outputs in {directory}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
