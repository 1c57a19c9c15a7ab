"""Help in one language (``tianbao --lang zh|en``): each command's text in Chinese
here, its docstring in English; option help is written 「中文 English」 and picked."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from typing import Any

import click

from tianbao.support.lang import click_zh, current, pick, set_lang

ZH = {
    "main": "tianbao 填报：生成、审核、汇总 Excel 报表。\n\n"
    "流程：init 建工作区 → check 检查 → generate 生成模板 → validate 审核 → collect 收取 → "
    "status 报送情况 → consolidate 汇总。",
    "init": "在 DIRECTORY 建立工作区（空白框架，或复制样例）。",
    "check": "检查工作区的计划和表式：格式与前后一致。\n\n"
    "没有问题退出码 0，有问题 1，找不到工作区 2。",
    "generate": "为报告期 PERIOD 生成各单位的标准报表。\n\n"
    "“上期累计”等栏取自账本中该单位上期计入的报表；没有上期报表的单位不生成，"
    "除非加 --allow-missing-previous。",
    "validate": "审核报回的报表（文件或文件夹）。\n\n"
    "全部可受理退出码 0，有阻断问题 1，用法或工作区问题 2。",
    "collect": "审核报回的报表（文件或文件夹）并登记入账。\n\n"
    "原文件存档于 WS/archive；相同文件只登记一次；同一单位同一报告期后收到的报表替代先前的。"
    "全部通过退出码 0，有退回或未收取 1，用法问题 2，机器故障（磁盘满、只读、密钥丢失）3。",
    "status": "报告期 PERIOD 各单位各报表的报送是否齐全、及时，以及催报名单。",
    "history": "账本中登记的每份报表，按收到先后：状态、收到时间、替代关系、"
    "统计局的审核决定（谁、何时、为何），以及各报告期的签发记录。",
    "review": "统计局对报表的决定：return 退回（须写原因，不再计入）、force 强制受理"
    "（未通过的报表，须写原因，计入）、approve 审核通过、reopen 撤销上一个决定"
    "（已签发的报告期：须写原因，撤销签发以收取更正）。决定连同人、时间、原因记入账本。",
    "signoff": "签发报告期 PERIOD（汇总报领导之前）：此后不再收取该期报表、不再审核，"
    "直到 --withdraw 撤销（须 --note 写明原因）。",
    "consolidate": "用各单位最新受理的报表汇总报告期 PERIOD。\n\n"
    "工作表：总览（领导页：主要指标、逾期节点、报送情况、投资（亿元），其后为图表）、主要指标、"
    "趋势、重点项目、民生工程、重点任务、报送情况、数据来源；合计为 Excel 公式并带计算值。"
    "成功退出码 0，用法或工作区问题 2。",
    "demo": "在 DIRECTORY 用解放区 2014 年样例跑一遍全流程。\n\n"
    "2014 年 1—6 月：生成模板、模拟填报（含几处常见错误）、收取；再出 6 月的报送情况、"
    "审核报告和汇总表。",
    "plan": "计划工作簿（办公室维护的 Excel）：空白模板、导入、导出。",
    "template": "把空白计划工作簿写到 OUT（基本信息、填报单位、主要指标、重点项目……）。",
    "export": "把工作区的计划写成计划工作簿 OUT（同样的工作表，已填好）。",
    "import": "读取计划工作簿 PLAN.xlsx，检查后作为工作区的 plan.yaml。\n\n"
    "每个问题都指明工作表和单元格，此时不写任何文件（退出码 1）；没有问题则替换 plan.yaml"
    "（旧文件存于 .tianbao/backups/），并按单位列出改动。",
}
_EXTRA = re.compile(r"(.*?)\s*(\[(?:default|required)[^\]]*\])\s*$", re.S)


USAGE_ZH = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
CLICK_ZH = {  # click's own option texts
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
}


def _option_help(text: str) -> str:
    """An option's help in one language, its [default: …] kept (in Chinese: 默认)."""
    if current() == "zh" and text in CLICK_ZH:
        return CLICK_ZH[text]
    m = _EXTRA.fullmatch(text)
    body, extra = (m.group(1), m.group(2)) if m else (text, "")
    if extra and current() == "zh":
        extra = extra.replace("[default: ", "[默认：").replace("[required]", "[必填]")
    return f"{pick(body)}  {extra}".rstrip() if extra else pick(body)


def _wrap_wide(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal cells (a Chinese character takes two)."""
    lines, line, cells = [], "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if cells + w > width:
            lines.append(line.rstrip())
            line, cells = "", 0
        line, cells = line + ch, cells + w
    return [*lines, line.rstrip()] if line.strip() else lines


class _Help:
    """What commands and groups share: their text, options and usage in one language."""

    def _zh(self) -> str | None:
        return ZH.get(getattr(self, "name", "") or "") if current() == "zh" else None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = self._zh()
        if text is None:
            super().format_help_text(ctx, formatter)  # type: ignore[misc]
            return
        formatter.write_paragraph()
        width = (formatter.width or 80) - 4
        for i, para in enumerate(text.split("\n\n")):
            if i:
                formatter.write_paragraph()
            for line in _wrap_wide(para, width):
                formatter.write(f"  {line}\n")

    def get_short_help_str(self, limit: int = 45) -> str:
        text = self._zh()
        if text is None:
            return super().get_short_help_str(limit)  # type: ignore[misc]
        first = text.split("\n")[0].split("：")[0].rstrip("。")
        return first if len(first) <= limit else first[: limit - 1] + "…"

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        if current() == "zh":  # click's own words; the arguments' names stay
            pieces = [USAGE_ZH.get(p, p) for p in pieces]
        prefix = "用法：" if current() == "zh" else "Usage: "
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if not isinstance(param, click.Option):
                continue  # arguments are in the usage line (newer click lists them too)
            record = param.get_help_record(ctx)
            if record is not None:
                rows.append((record[0], _option_help(record[1])))
        if rows:
            with formatter.section("选项" if current() == "zh" else "Options"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = []
        for name in self.list_commands(ctx):  # type: ignore[attr-defined]
            cmd = self.get_command(ctx, name)  # type: ignore[attr-defined]
            if cmd is not None and not cmd.hidden:
                commands.append((name, cmd))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
            with formatter.section("命令" if current() == "zh" else "Commands"):
                formatter.write_dl(rows)


def show_error(exc: click.ClickException, file: Any = None) -> None:
    """click's usage error in the language asked for: in Chinese, its usage line, the
    hint and the message (click's own words, ``support.lang.click_zh``)."""
    if current() != "zh":
        type(exc).show(exc, file)
        return
    file = file if file is not None else click.get_text_stream("stderr")
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            name = max(ctx.command.get_help_option_names(ctx), key=len)
            hint = f"帮助：{ctx.command_path} {name}\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", file=file, color=ctx.color)
    click.echo(f"错误：{click_zh(exc.format_message())}", file=file)


def _in_lang(exc: click.ClickException) -> None:
    """Have ``exc`` shown by ``show_error``: click's main calls its ``show``."""
    exc.show = functools.partial(show_error, exc)  # type: ignore[method-assign]


class LangCommand(_Help, click.Command):
    pass


class LangGroup(_Help, click.Group):
    command_class = LangCommand

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if parent is None:  # each run starts from TIANBAO_LANG: --help may come before --lang
            set_lang(os.environ.get("TIANBAO_LANG"))
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            _in_lang(exc)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:  # a subcommand's usage errors arise here, as it parses its arguments
            return super().invoke(ctx)
        except click.ClickException as exc:
            _in_lang(exc)
            raise


LangGroup.group_class = LangGroup  # a group's subgroups (tianbao plan) are alike
