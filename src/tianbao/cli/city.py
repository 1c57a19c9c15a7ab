"""The level above: ``package`` (a district's signed-off period, signed), and what
``init``, ``collect``, ``status``, ``consolidate`` and ``demo`` do on a city
workspace (they hand over here when the plan says ``level: city``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tianbao.cli.commands import main
from tianbao.cli.options import echo, echo_json, handle_errors, json_option, workspace_option


@main.command()
@workspace_option
@click.option("--period", "-p", help="已签发的报告期 the signed-off period: 2014-06.")
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="上报包 the package [default: WS/outputs/package/DISTRICT_PERIOD.zip].",
)
@click.option(
    "--public-key", is_flag=True, help="只显示本区的公钥 print the district's public key only."
)
@json_option
@handle_errors
def package(
    workspace: Path, period: str | None, out_path: Path | None, public_key: bool, as_json: bool
) -> None:
    from tianbao import api
    from tianbao.city.keys import public_text, signing_key
    from tianbao.errors import UsageError

    ws = api.workspace(workspace)
    if public_key:
        key = public_text(signing_key(ws.root))
        if as_json:
            echo_json({"public_key": key}, workspace)
        else:
            click.echo(key)
        return
    if not period:
        raise UsageError("缺少 --period | --period is required (or --public-key)")
    assert ws.plan is not None
    out = out_path or ws.root / "outputs" / "package" / f"{ws.plan.district_code}_{period}.zip"
    from tianbao.city.package import build_package

    made = build_package(ws, period, out)
    if as_json:
        echo_json(
            {"package": str(made.path), "sha256": made.sha256, "manifest": made.manifest},
            workspace,
            period,
        )
    echo(
        f"已写出上报包 {made.path}（sha256 {made.sha256}） | wrote the package {made.path}",
        err=as_json,
    )


def init_city(directory: Path, as_json: bool) -> None:
    from tianbao.city.plan import init_city as run

    root = run(directory, directory.name)
    if as_json:
        echo_json({"workspace": str(root), "level": "city"})
    echo(
        f"已创建市级工作区 {root}：在 plan.yaml 的 districts 中登记各区县的代码、名称和公钥"
        f"（区县运行 tianbao package --public-key） | created the city workspace {root}: list "
        "each district (code, name, public key) under districts in plan.yaml",
        err=True,
    )


def collect_city(
    workspace: Path, paths: tuple[Path, ...], period: str | None, received_at: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    from tianbao.city.collect import collect_packages

    results = collect_packages(workspace, list(paths), period=period, received_at=received_at)
    for r in results:
        if r.ok:
            mark = "（更正）" if r.correction else ""
            dup = "（重复，未再登记）" if r.duplicate else ""
            echo(
                f"收录 {r.district} {r.period} #{r.submission_id}{mark}{dup} {r.path.name} | "
                f"accepted {r.district} {r.period} #{r.submission_id}"
                f"{' (correction)' if r.correction else ''}{' (duplicate)' if r.duplicate else ''}",
                err=as_json,
            )
        else:
            echo(f"拒收 {r.path.name} | refused {r.path.name}", err=as_json)
            for f in r.findings:
                echo(f"  {f.line()}", err=True)
            if r.error_list is not None:
                echo(f"  已写出差错清单 | wrote the error list: {r.error_list}", err=True)
    if as_json:
        echo_json({"level": "city", "packages": [r.as_dict() for r in results]}, None, period)
    if not all(r.ok for r in results):
        sys.exit(1)


def status_city(workspace: Path, period: str, as_json: bool) -> None:
    from tianbao.city.status import city_status, status_lines

    report = city_status(workspace, period)
    if as_json:
        echo_json({"level": "city", **report}, None, period)
    for line in status_lines(report):
        echo(line, err=as_json)


def consolidate_city(workspace: Path, period: str, out: Path | None, as_json: bool) -> None:
    from tianbao.city.summary import city_summary

    done = city_summary(workspace, period, out)
    if as_json:
        echo_json(
            {"level": "city", "period": period, "summary": str(done.out), "figures": done.figures,
             "districts_expected": done.districts_expected,
             "districts_reported": done.districts_reported},
            None, period,
        )  # fmt: skip
    echo(str(done.out), err=as_json)
    n, m = done.districts_reported, done.districts_expected
    echo(
        f"已汇总 {period}：{n}/{m} 个区县已报 | consolidated {period}: {n}/{m} districts reported",
        err=True,
    )


def demo_city(directory: Path, as_json: bool, signoff: bool = False) -> None:
    from tianbao.city.demo import run_city_demo

    done = run_city_demo(directory, lambda line: echo(line, err=True), signoff=signoff)
    if as_json:
        echo_json(
            {"directory": str(directory), "city": str(done.city),
             "packages": [str(p) for p in done.packages],
             "summary": str(done.summary) if done.summary else None, "refused": done.refused,
             "signoff": done.signoff},
        )  # fmt: skip
    echo(f"完成：{done.summary} | done: {done.summary}", err=as_json)
    if done.refused:
        sys.exit(1)


@main.command()
@workspace_option
@click.option("--period", "-p", required=True, help="报告期 period: 2014-06.")
@click.option("--indicator", required=True, help="指标代码 indicator code: FAI.")
@click.option(
    "--field",
    "field_name",
    type=click.Choice(["ytd", "ytd_last_year", "month_value"]),
    default="ytd",
    show_default=True,
    help="取哪个数：本年累计、去年同期或本月 which figure: YTD, last year's or the month's.",
)
@click.option("--district", help="只追溯此区县 only this district (code).")
@click.option(
    "--archive",
    "archives",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="区县工作区，或 区县代码=含 archive/ 的目录（读档案中的报表） a district's workspace,"
    " or CODE=FOLDER holding a copy of its archive/, to read the archived returns.",
)
@json_option
@handle_errors
def trace(
    workspace: Path, period: str, indicator: str, field_name: str, district: str | None,
    archives: tuple[Path, ...], as_json: bool,
) -> None:  # fmt: skip
    from tianbao.city.trace import trace as run

    got = run(workspace, period, indicator, field_name, district, archives)
    if as_json:
        echo_json(got.as_dict(), workspace if got.level == "district" else None, got.period)
    for line in trace_lines(got):
        echo(line, err=as_json)
    if not got.ok:
        sys.exit(1)


def trace_lines(got: Any) -> list[str]:
    """The chain for people: the figure, each district's, the rows, the cells."""
    so = got.signoff
    at = f"{so['by']} {so['at']}" if so else ""
    head = f"{got.name} {got.period} {got.indicator} {got.field}"
    lines = [
        f"{head}：{_n(got.figure)}（{f'{at} 签发' if so else '未签发'}） | {head}: "
        f"{_n(got.figure)} ({f'signed off by {at}' if so else 'not signed off'})"
    ]
    for p in got.parts:
        lines += _part_lines(p, got.level == "city")
    return lines


def _part_lines(p: Any, city: bool) -> list[str]:
    """A district's figure (on a city), its rows with their cells, what did not hold."""
    lines = []
    if city:
        so = p.signoff or {}
        by, at, pkg = so.get("by", "—"), so.get("at", ""), p.package or "—"
        lines.append(
            f"  {p.code} {p.name}：{_n(p.figure)}，上报包 {pkg}，区县签发 {by} {at}"
            f"{'，更正' if p.correction else ''} | {p.code}: {_n(p.figure)}, package {pkg}, "
            f"signed off by {by} {at}{', corrected' if p.correction else ''}"
        )
    for r in p.rows:
        mark = "✓" if r.matches else "✗"
        read = "" if r.matches is None else f"，档案中 {r.archived} {mark}"
        read_en = "" if r.matches is None else f", archived {r.archived} {mark}"
        where = f"{r.department} {r.form} {r.sheet}!{r.cell} = {r.value}"
        lines.append(
            f"    {where}（报表 sha256 {r.sha256}{read}） | {where} "
            f"(return sha256 {r.sha256}{read_en})"
        )
        lines += [f"      {f.line()}" for f in r.findings]
    if p.rows:
        lines.append(f"    长表合计 Σ {_n(p.rows_sum)} | the rows' sum Σ {_n(p.rows_sum)}")
    return lines + [f"    {f.line()}" for f in p.findings]


def _n(value: float | None) -> str:
    return "—" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".")
