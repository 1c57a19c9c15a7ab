"""Help in one language (``tianbao --lang zh|en``): each command's text in both
languages here (HELP); option help is written 「中文 English」 and picked."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from typing import Any

import click

from tianbao.support.lang import click_zh, current, pick, set_lang

# Each command's help, (中文, English): the one place both are written. A command
# finds its own by name (``plan import`` as "import"); ``{sheets}`` is the summary's
# sheet list (``consolidate.workbook.SHEETS``), filled in when the help is shown.
HELP: dict[str, tuple[str, str]] = {
    "main": (
        "tianbao 填报：生成、审核、汇总 Excel 报表。\n\n"
        "流程：init 建工作区 → check 检查 → generate 生成模板 → validate 审核 → collect 收取 → "
        "status 报送情况 → consolidate 汇总。",
        "tianbao 填报: generate, validate and consolidate Excel reporting forms.\n\n"
        "The cycle: init → check → generate → validate → collect → status → consolidate.",
    ),
    "init": (
        "在 DIRECTORY 建立工作区（空白框架，或复制样例）；--level city 建市级工作区，"
        "其填报单位是各区县（上报包）。",
        "Create a workspace in DIRECTORY (empty skeleton, or a copy of a sample);"
        " --level city makes a city's, whose reporting units are districts (packages).",
    ),
    "check": (
        "检查工作区的计划和表式：格式与前后一致。\n\n没有问题退出码 0，有问题 1，找不到工作区 2。",
        "Check the workspace's plan and forms: schemas and consistency.\n\n"
        "Exit 0 when clean, 1 when there are problems, 2 when there is no workspace.",
    ),
    "generate": (
        "为报告期 PERIOD 生成各单位的标准报表。\n\n"
        "“上期累计”等栏取自账本中该单位上期计入的报表；没有上期报表的单位（上期数待补）"
        "暂不生成并列出，其余单位照常生成；--missing-previous mark 生成并标出待补的上期数，"
        "--allow-missing-previous 生成并留空。所有单位都待补时不生成（退出码 1）。",
        "Write each department's standard workbook for PERIOD.\n\n"
        "Columns such as 上期累计 show the department's counting return of the previous"
        " period from the ledger: a department without one (上期数待补) is held back and"
        " listed while the others get theirs; --missing-previous mark issues it with those"
        " cells marked, --allow-missing-previous with them blank. Nothing to write because"
        " every one is held back: exit 1.",
    ),
    "validate": (
        "审核报回的报表（文件或文件夹）。\n\n"
        "全部可受理退出码 0，有阻断问题 1，用法或工作区问题 2。",
        "Validate returned workbooks (files or folders).\n\n"
        "Exit 0 when every file is acceptable, 1 when any has a blocking finding,"
        " 2 for a usage or workspace problem.",
    ),
    "collect": (
        "审核报回的报表（文件或文件夹）并登记入账；市级工作区收取区县的上报包"
        "（核对签名、签发、报告期、计划版本和合计）。\n\n"
        "原文件存档于 WS/archive；相同文件只登记一次；同一单位同一报告期后收到的报表替代先前的。"
        "全部通过退出码 0，有退回或未收取 1，用法问题 2，机器故障（磁盘满、只读、密钥丢失）3。",
        "Validate returned files (or folders) and record them in the ledger; on a city"
        " workspace, verify and record districts' packages (signature, sign-off, period,"
        " plan version, totals).\n\n"
        "Originals are archived in WS/archive; the same bytes are recorded once; a"
        " return received later supersedes the department's earlier one for the period."
        " Exit 0 when every file is accepted, 1 when any is rejected or refused, 2 for a"
        " usage problem, 3 for a fault of the machine (disk full, read-only, lost key).",
    ),
    "status": (
        "报告期 PERIOD 各单位各报表的报送是否齐全、及时，以及催报名单。",
        "Completeness and timeliness of PERIOD per department and form, and whom to chase (催报).",
    ),
    "history": (
        "账本中登记的每份报表，按收到先后：状态、收到时间、替代关系、"
        "统计局的审核决定（谁、何时、为何），以及各报告期的签发记录。",
        "Every return recorded in the ledger, oldest first: status, receipt, what replaced"
        " what, the office's decisions on it (who, when, why), and the periods' sign-offs.",
    ),
    "review": (
        "统计局对报表的决定：return 退回（须写原因，不再计入）、force 强制受理"
        "（未通过的报表，须写原因，计入）、approve 审核通过、reopen 撤销上一个决定"
        "（已签发的报告期：须写原因，撤销签发以收取更正）。决定连同人、时间、原因记入账本。"
        "市级工作区：对象是区县的上报包，return 给区县写出差错清单（--row 指标代码，如 FAI；"
        "不写则为整个包），区县重新签发的新包替代它；上报包不能强制受理。",
        "The office's decision on a return: return (退回, with reasons; it stops counting),"
        " force (强制受理 of a rejected one, with reasons; it counts), approve (审核通过),"
        " reopen (take the last decision back). Kept in the ledger with who, when and why."
        " On a city workspace the returns are the districts' packages: return writes the"
        " district a 差错清单 (--row INDICATOR such as FAI, or the package as a whole) and its"
        " next signed package supersedes it; a package cannot be forced.",
    ),
    "signoff": (
        "签发报告期 PERIOD（汇总报领导之前）：此后不再收取该期报表、不再审核，"
        "直到 --withdraw 撤销（须 --note 写明原因）。报告期尚未结束（按 --as-of，默认今天）"
        "或没有计入的报表时不签发（退出码 1）；尚有未报、退回、未通过或预警未说明的单位时"
        "列出它们并不签发（退出码 1），除非加 --anyway 并以 --note 写明原因。"
        "市级工作区：列出退回、拒收或未报的区县；签发后市级汇总保持签发时的样子。",
        "Sign PERIOD off (签发) before the summary goes to the leadership: collect then"
        " refuses returns of it and review of it is closed, until --withdraw (with --note)."
        " A period not ended yet (--as-of, default today) or with no counting return is not"
        " signed off (exit 1); departments still open (missing, returned, rejected, warnings"
        " not explained) are listed and refuse it (exit 1) unless --anyway with a --note."
        " On a city workspace the districts returned, refused or missing are listed, and the"
        " city's summary stays what was signed.",
    ),
    "consolidate": (
        "用各单位最新受理的报表汇总报告期 PERIOD。\n\n"
        "工作表：{sheets}；合计为 Excel 公式并带计算值。"
        "成功退出码 0，用法或工作区问题 2。",
        "District summary of PERIOD from each department's latest accepted return.\n\n"
        "Sheets {sheets}; totals are Excel formulas with their values. Exit 0 on"
        " success, 2 for a usage or workspace problem.",
    ),
    "demo": (
        "在 DIRECTORY 用解放区 2014 年样例跑一遍全流程。\n\n"
        "2014 年 1—6 月：生成模板、模拟填报（含几处常见错误）、收取；再出 6 月的报送情况、"
        "审核报告和汇总表。--city：两级流程，焦作市收取解放区和三个示意区县的上报包并汇总；"
        "加 --signoff 最后市里签发 6 月。",
        "Run the reporting cycle on the 2014 sample of 解放区 into DIRECTORY.\n\n"
        "2014, months 1 to 6: generate, simulated filling (with a few realistic"
        " mistakes), collect; then status, validation report and summary for month 6."
        " --city: the two-level cycle, 焦作市 collecting and summing the packages of"
        " 解放区 and three illustrative districts; with --signoff the city then signs"
        " June off.",
    ),
    "trace": (
        "追溯一个数：市级汇总的数 → 各区县的数、上报包 sha256 和区县签发 → 上报包长表中"
        "背后的各行（单位、报表、工作表!单元格、报表文件 sha256）；用 --archive 给出区县工作区"
        "（或 区县代码=含 archive/ 的目录）时，"
        "再用安全读取方式读出其档案中那份报表的那一格，核对是否等于所计的数。"
        "档案文件 sha256 不符的不读取，报告为被改动。"
        "在区县工作区上：区县的数 → 各单位报表的格。\n\n"
        "各环节都相符退出码 0，有不符 1，用法错误 2。",
        "Trace one figure: the city summary's → each district's, with its package's sha256"
        " and the district's sign-off → the long rows behind it in the package (department,"
        " form, sheet!cell, sha256 of the return); with --archive (a district's workspace,"
        " or CODE=FOLDER holding a copy of its archive/)"
        " the cell is read from the archived return itself by the guarded reader and"
        " compared with the figure counted. An archived file whose sha256 differs is not"
        " read: it is reported as altered. On a district workspace: the district's figure"
        " → the departments' cells.\n\n"
        "Exit 0 when every link holds, 1 when one does not, 2 for a usage mistake.",
    ),
    "package": (
        "把已签发的报告期 PERIOD 打成上报包（zip）：清单、汇总表、长表、报送率、警告，"
        "用本区的 Ed25519 密钥签名（首次使用时生成于 WS/.tianbao/，权限 0600）。\n\n"
        "--public-key 只显示公钥，交市里登记在市级计划的 districts 中。"
        "未签发的报告期拒绝打包，退出码 1。",
        "Pack the signed-off PERIOD into one package (zip): manifest, summary workbook,"
        " long rows, reporting rates, warnings, signed with the district's Ed25519 key"
        " (made at first use in WS/.tianbao/, mode 0600).\n\n"
        "--public-key prints the public key only, for the city's plan (districts)."
        " A period not signed off is refused with exit 1.",
    ),
    "serve": (
        "网页服务：填报单位上传报表、立即看到审核结果；统计局查看报送情况、审核报表。\n\n"
        "默认只监听本机（127.0.0.1）；账户先用 tianbao accounts issue 发放。",
        "Serve the web pages of the workspace: departments upload returns and see the"
        " verdict at once; the office follows the period and decides on returns.\n\n"
        "Listens on this machine only (127.0.0.1) unless --host says otherwise; issue the"
        " accounts first with tianbao accounts issue.",
    ),
    "accounts": (
        "网页账户：发放（issue）、重置（reset）、列出（list）。",
        "Accounts of the web pages: issue, reset, list.",
    ),
    "issue": (
        "发放尚未发放的账户：计划中每个填报单位一个（用户名为单位代码）、统计局审核账户和 "
        "admin；初始密码只显示这一次，首次登录须修改。",
        "Issue the accounts not yet there: one per department of the plan (named by its"
        " code), the office's, and admin; print each initial password once (to change at"
        " the first login).",
    ),
    "reset": (
        "给账户 NAME 一个新密码（下次登录须修改），并解除锁定。",
        "Give account NAME a new password (to change at the next login) and unlock it.",
    ),
    "list": (
        "列出所有账户：角色、单位、是否锁定、是否待改密码。",
        "Every account: role, department, locked or not, password still to change.",
    ),
    "plan": (
        "计划工作簿（办公室维护的 Excel）：空白模板、导入、导出。",
        "The plan as an Excel workbook an office keeps (template, import, export).",
    ),
    "template": (
        "把空白计划工作簿写到 OUT（基本信息、填报单位、主要指标、重点项目……）。",
        "Write a blank plan workbook to OUT (基本信息, 填报单位, 主要指标, 重点项目, ...).",
    ),
    "export": (
        "把工作区的计划写成计划工作簿 OUT（同样的工作表，已填好）。",
        "Write the workspace's plan to OUT as the plan workbook (the same sheets, filled).",
    ),
    "import": (
        "读取计划工作簿 PLAN.xlsx，检查后作为工作区的 plan.yaml。\n\n"
        "每个问题都指明工作表和单元格，此时不写任何文件（退出码 1）；没有问题则替换 plan.yaml"
        "（旧文件存于 .tianbao/backups/），并按单位列出改动。",
        "Read PLAN.xlsx (the plan workbook), check it and make it the workspace's plan.yaml."
        "\n\nEvery problem is listed at its sheet and cell and nothing is written (exit 1). A"
        " clean workbook replaces plan.yaml (the old one kept in .tianbao/backups/) and the"
        " changes against it are listed, department by department.",
    ),
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


def _filled(text: str, lang: str) -> str:
    """The help with the summary's sheet list in it (imported only when shown)."""
    if "{sheets}" not in text:
        return text
    from tianbao.consolidate.workbook import sheet_list

    return text.replace("{sheets}", sheet_list(lang))


class _Help:
    """What commands and groups share: their text (from HELP), options and usage in
    one language."""

    help: str | None  # click's

    def __init__(self, name: str | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(name, *args, **kwargs)  # type: ignore[call-arg]
        if name in HELP and not kwargs.get("help"):
            self.help = HELP[name][1]  # what click shows in English (short help too)

    def _zh(self) -> str | None:
        texts = HELP.get(getattr(self, "name", "") or "")
        return texts[0] if texts is not None and current() == "zh" else None

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = self._zh()
        if text is None:
            texts = HELP.get(getattr(self, "name", "") or "")
            if texts is None:
                super().format_help_text(ctx, formatter)  # type: ignore[misc]
                return
            formatter.write_paragraph()  # as click writes a command's help
            with formatter.indentation():
                formatter.write_text(_filled(texts[1], "en"))
            return
        text = _filled(text, "zh")
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
