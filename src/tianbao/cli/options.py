"""Options every command shares, and the one way a command fails: a line and an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """A line for people, in the language asked for (``tianbao --lang``); JSON goes
    out through ``echo_json``, untouched."""
    import sys

    from tianbao.support.lang import pick

    stream = sys.stderr if err else sys.stdout
    if hasattr(stream, "rich_proxied_file"):  # a progress bar is live (cli.progress)
        # through rich, so the line goes above the bar and the bar is cleared when its
        # step ends (click.echo writes past it to the file's buffer, and the bar's last
        # frame stayed on screen: 「收表 ━━ 0/?」); soft-wrapped: the terminal wraps a
        # long line where it must, rich would break it at a space (「第 4 ⏎ 行」)
        from tianbao.cli.progress import live_console

        console = live_console()
        if console is not None and nl:
            from rich.text import Text

            console.print(Text(pick(str(message))), soft_wrap=True, highlight=False)
        else:
            stream.write(pick(str(message)) + ("\n" if nl else ""))
        return
    click.echo(pick(str(message)), err=err, nl=nl)


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
        echo(f"提示 note: --jobs {jobs} 已按 CPU 核数限为 {n} clamped to {n} cores", err=True)
        return n
    return jobs or n


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's 'could not run' exceptions into one line and their exit
    code (1 refused, 2 usage, 3 environment); a full disk or a read-only folder is a
    fault of the machine (exit 3), never a traceback or a rejection (exit 1). Under
    ``--json`` the refusal is also a JSON error object on stdout (``error_json``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import sqlite3

        from tianbao.errors import TianbaoError, fault_from, usage_from

        try:
            return func(*args, **kwargs)
        except TianbaoError as exc:
            _fail(exc, bool(kwargs.get("as_json")))
        except (OSError, sqlite3.OperationalError) as exc:
            fault = fault_from(exc) or usage_from(exc)
            if fault is None:
                raise
            _fail(fault, bool(kwargs.get("as_json")))

    return wrapper


# what each exit code means, for the --json error object
EXIT_MEANINGS = {1: "refused", 2: "usage", 3: "fault"}


def _fail(exc: Any, as_json: bool) -> None:
    echo(f"错误 error: {exc}", err=True)
    if as_json:
        click.echo(error_json(exc))
    sys.exit(exc.exit_code)


def error_json(exc: Any) -> str:
    """``{"error": {code, message, message_en, exit, meaning, ...details}}``: a refusal
    as a program reads it (schemas/cli/error.schema.json)."""
    import json

    from tianbao.support.lang import halves

    zh, en = halves(str(exc))
    error = {
        "code": exc.code,
        "message": zh,
        "message_en": en or zh,
        "exit": exc.exit_code,
        "meaning": EXIT_MEANINGS.get(exc.exit_code, "error"),
        **exc.details,
    }
    return json.dumps({"error": error}, ensure_ascii=False, indent=2, default=str)


def echo_json(
    payload: dict[str, Any], workspace: Path | None = None, period: str | None = None
) -> None:
    """Print a command's ``--json`` output: the library's provenance head (which command,
    tianbao version, time, plan and form versions: ``api.provenance``), then the
    command's own fields."""
    import json

    from tianbao import api

    ctx: click.Context | None = click.get_current_context()
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    head = api.provenance(" ".join(names), workspace, period)
    text = json.dumps({**head, **payload}, ensure_ascii=False, indent=2, default=str)
    click.echo(text)  # JSON: both languages stay, as the data holds them
