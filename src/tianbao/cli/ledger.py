"""The commands on what the ledger holds: ``status`` (who reported, whom to chase),
``review`` and ``signoff`` (the office's decisions), ``history`` (every return and
decision) and ``consolidate`` (the summary).

Heavy libraries (openpyxl, xlsxwriter, rich) are imported inside the commands that
use them so that ``tianbao --help`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from tianbao.cli.commands import main
from tianbao.cli.options import (
    echo,
    echo_json,
    handle_errors,
    json_option,
    period_option,
    workspace_option,
)


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
    from tianbao.city.plan import is_city

    if is_city(workspace):  # districts, not departments: cli/city.py
        from tianbao.cli.city import status_city

        return status_city(workspace, period, as_json)
    from rich.console import Console

    from tianbao import api
    from tianbao.ledger.console import print_status

    report = api.status(workspace, period, as_of)
    if out_path is not None:
        from tianbao.report.status_xlsx import write_status_xlsx

        write_status_xlsx(report, out_path)
        echo(f"已写出 {out_path} | wrote {out_path}", err=True)
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
    help="退回后重报期限 DATE [默认：本期报送截止日，已过则为 3 天后] | the corrected return "
    "is due on DATE [default: the period's deadline, or 3 days from now once it has passed].",
)
@click.option(
    "--out",
    "notice_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="退回通知写到此目录 [默认：WS/outputs/notices/PERIOD] | write the 退回通知 here "
    "[default: WS/outputs/notices/PERIOD].",
)
@click.option(
    "--cell",
    "cells",
    multiple=True,
    metavar="SHEET!CELL",
    help="退回时标红此单元格（可重复），如 重点项目!I12 | mark this cell red in the 退回通知 "
    "(repeatable), e.g. 重点项目!I12.",
)
@click.option(
    "--row",
    "rows",
    multiple=True,
    metavar="KEY",
    help="退回时标红此行（可重复），如 P047 | mark this row red in the 退回通知 (repeatable), "
    "e.g. P047.",
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
    cells: tuple[str, ...],
    rows: tuple[str, ...],
    as_json: bool,
) -> None:
    from tianbao import api
    from tianbao.city.review import city_scope
    from tianbao.ledger.records import RETURNED
    from tianbao.support.usertext import shown

    done = api.review(
        city_scope(workspace) or workspace,  # a city's: its districts' packages
        action,
        period,
        dept,
        reason=reason,
        by=by,
        submission=submission,
        due=due,
        notice_dir=notice_dir,
        cells=cells,
        rows=rows,
    )
    if as_json:
        echo_json(done.as_dict(), workspace, period)
    s = done.submission
    if done.period_reopened:
        echo(
            f"已重新打开 {s.period}（撤销签发）：{done.reason}（{done.by}，{_when(done.at)}）；"
            f"此后收到的 {s.department} 报表记为 更正·签发后，汇总前请重新签发 | "
            f"{s.period} reopened: {done.reason} ({done.by}, {_when(done.at)}); {s.department}'s "
            "next return is recorded as a correction after sign-off: sign it off again",
            err=as_json,
        )
        return
    zh, en = _ACTIONS[action]
    what, why, at = (
        f"{s.department} {s.period} {shown(s.file_name)}",
        done.reason or "-",
        _when(done.at),
    )
    echo(
        f"{zh}第 {s.id} 号报表 {what}：{why}（{done.by}，{at}） | "
        f"{en} return no. {s.id} {what}: {why} ({done.by}, {at})",
        err=as_json,
    )
    if done.notice is not None:
        echo(f"已写出退回通知 wrote the notice: {done.notice}", err=True)
    elif done.action == RETURNED:
        echo("未能写出退回通知：存档的原报表缺失或已改变 notice not written", err=True)


@main.command()
@workspace_option
@period_option
@click.option("--by", help="签发人 who signs [default: the OS user].")
@click.option("--note", default="", help="说明（撤销时必填） a note (required to withdraw).")
@click.option("--withdraw", is_flag=True, help="撤销签发 take the sign-off back.")
@click.option(
    "--anyway",
    is_flag=True,
    help="尚有未完结的单位也签发（须 --note） sign off with departments still open (a --note).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="以此日为今天 judge whether the period has ended on DATE [default: today].",
)
@json_option
@handle_errors
def signoff(
    workspace: Path,
    period: str,
    by: str | None,
    note: str,
    withdraw: bool,
    anyway: bool,
    as_of: str | None,
    as_json: bool,
) -> None:
    from tianbao import api
    from tianbao.city.review import city_scope
    from tianbao.review.signoff import open_list

    done = api.signoff(
        city_scope(workspace) or workspace,  # a city's: its districts are the units
        period,
        by=by,
        note=note,
        withdraw=withdraw,
        as_of=as_of,
        anyway=anyway,
    )
    if as_json:
        echo_json(dict(done), workspace, period)
    p, by, at = done["period"], done["by"], done["at"]
    zh, en = ("已签发", "signed off") if done["signed"] else ("已撤销签发", "sign-off withdrawn")
    at = _when(at)
    echo(f"{p} {zh}（{by}，{at}） | {p} {en} ({by}, {at})", err=as_json)
    if done["outstanding"]:
        zh_open, en_open = open_list(done["outstanding"]).split(" | ")
        echo(f"签发时未完结：{zh_open} | open when signed: {en_open}", err=as_json)


@main.command()
@workspace_option
@click.option(
    "--period", "-p", help="只看此报告期（如 2014-06） | only this period (e.g. 2014-06)."
)
@click.option("--dept", help="只看此单位 only this department code.")
@json_option
@handle_errors
def history(workspace: Path, period: str | None, dept: str | None, as_json: bool) -> None:
    from rich.console import Console

    from tianbao import api
    from tianbao.city.review import city_scope
    from tianbao.review.console import print_history
    from tianbao.workspace import open_workspace

    ws = open_workspace(workspace)
    tz = ws.plan.tz if ws.plan else None
    if city := city_scope(workspace):  # a city's: its months and districts
        period = str(city.plan.period(period)) if period else None
        dept, tz = city.plan.department_code(dept) if dept else None, city.plan.tz
    log = api.history_log(ws, period, dept)
    if as_json:
        echo_json(log.as_dict(), workspace, period)
    print_history(log, tz, Console(stderr=as_json))


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
    help="另写出长表 CSV（UTF-8 with BOM），每个填报数一行 | also write every entered value as "
    "a long CSV (UTF-8 with BOM).",
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
    from tianbao.city.plan import is_city

    if is_city(workspace):  # the city summary: cli/city.py
        from tianbao.cli.city import consolidate_city

        return consolidate_city(workspace, period, out_path, as_json)
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


# what the office did, as the line after ``review ACTION`` says it
_ACTIONS = {
    "return": ("已退回", "returned"),
    "force": ("已强制受理", "accepted by force"),
    "approve": ("已批准", "approved"),
    "reopen": ("已重新打开", "reopened"),
}


def _when(at: str) -> str:
    """A decision's time as the office reads it (2014-07-03 10:00), not ISO with offset."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return at
