"""One language per line for what the command line prints (``tianbao --lang zh|en``,
or TIANBAO_LANG; default zh).

Messages are written once, bilingual, in one of three shapes; ``pick`` keeps one half
of each line:

* ``中文 | English``: the two halves side by side;
* ``错误 error: REST``: a bilingual head before a colon, REST picked again;
* ``中文…… English……``: the English half from the first Chinese character followed by a
  space and a Latin letter after which no Chinese follows (「已生成 1 个模板 wrote 1
  template(s)」), else as ``support.bilingual`` splits it.

A line with no English half is kept whole, whatever the language.
"""

from __future__ import annotations

import os
import re

from tianbao.support.bilingual import split_bilingual

LANGS = ("zh", "en")
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_BREAK = re.compile(r"[^\x00-\x7f] (?=[A-Za-z])")
# 「错误 error: …」, 「下一步 next: …」, 「计划工作簿 plan workbook: …」
_HEAD = re.compile(r"([^\x00-\x7f][^ :：]*) ([a-z][a-z ()'-]*?): (.*)", re.S)

_current = os.environ.get("TIANBAO_LANG") or "zh"


def set_lang(code: str | None) -> None:
    global _current
    _current = code if code in LANGS else "zh"


def current() -> str:
    return _current


def tr(zh: str, en: str) -> str:
    """The text in the language asked for."""
    return zh if _current == "zh" else en


def pick(text: str) -> str:
    """``text`` with each line in the language asked for (see the module text)."""
    return "\n".join(_one(line) for line in text.split("\n"))


def halves(line: str) -> tuple[str, str]:
    """(Chinese, English) of one bilingual line; (line, "") when it has no English half."""
    head = _HEAD.fullmatch(line)
    if head is not None:
        rest = halves(head.group(3))
        return f"{head.group(1)}：{rest[0]}", f"{head.group(2)}: {rest[1] or rest[0]}"
    if " | " in line:  # the English half may hold Chinese data (a file name)
        zh, en = line.split(" | ", 1)
        if _HAN.search(zh):
            lead = zh[: len(zh) - len(zh.lstrip())]
            return zh.rstrip(), lead + en.strip()
    for m in _BREAK.finditer(line):
        if not _HAN.search(line[m.end() :]):
            return _with_lead(line[: m.start() + 1], line[m.end() :])
    return _with_lead(*split_bilingual(line))


def _with_lead(zh: str, en: str) -> tuple[str, str]:
    """The English half with what the Chinese half starts with before its first Chinese
    character (「2014-06 尚未签发 is not signed off」: the period is said once)."""
    han = _HAN.search(zh)
    lead = zh[: han.start()] if han else ""
    if en and lead.strip() and lead.endswith(" ") and not en.startswith(lead.strip()):
        en = lead + en
    return zh, en


def _one(line: str) -> str:
    zh, en = halves(line)
    if not en:
        return line
    return zh if _current == "zh" else en


# click's own usage errors, as click 8 words them (names quoted as it quotes them): each
# sentence said in Chinese, the names and values kept
_NAMES = r"('[^']*'(?: / '[^']*')*)"
_CLICK_ZH: tuple[tuple[str, str], ...] = (
    (rf"Missing option {_NAMES}\.", r"缺少选项 \1。"),
    (rf"Missing argument {_NAMES}\.", r"缺少参数 \1。"),
    (r"Missing parameter: (\S+)", r"缺少参数 \1"),
    (r"No such option:? ('[^']*'|\S+?)\.?(?= |$)", r"没有选项 \1。"),
    (r"No such command ('[^']*')\.", r"没有命令 \1。"),
    (r" ?\(Did you mean one of: ([^?]*)\?\)", r"（是否想用其中之一：\1？）"),
    (r" ?\(Possible options: ([^)]*)\)", r"（可用的选项：\1）"),
    (r"Did you mean ([^?]*)\?", r"是否想用 \1？"),
    (rf"Invalid value for {_NAMES}: ", r"\1 的值无效："),
    (r"Invalid value: ", "值无效："),
    (r"(.+?) is not one of (.+)\.$", r"\1 不是可选的值（\2）。"),
    (r"('[^']*') is not ('[^']*')\.$", r"\1 不是 \2。"),
    (r"(\S+) is not a valid integer\.", r"\1 不是整数。"),
    (r"(\S+) is not a valid float\.", r"\1 不是数。"),
    (r"(\S+) is not a valid boolean\.?", r"\1 不是是/否值。"),
    (r"(\S+) is not in the range (\S+)\.", r"\1 不在范围 \2 内。"),
    (r"(?:File|Directory|Path) ('[^']*') does not exist\.", r"\1 不存在。"),
    (r"(?:File|Directory|Path) ('[^']*') is a file\.", r"\1 是文件，这里要的是目录。"),
    (r"(?:File|Directory|Path) ('[^']*') is a directory\.", r"\1 是目录，这里要的是文件。"),
    (r"(?:File|Directory|Path) ('[^']*') is not readable\.", r"\1 不可读。"),
    (r"(?:File|Directory|Path) ('[^']*') is not writable\.", r"\1 不可写。"),
    (r"Option ('[^']*') requires an argument\.", r"选项 \1 后面要跟一个值。"),
    (r"Option ('[^']*') requires (\d+) arguments\.", r"选项 \1 后面要跟 \2 个值。"),
    (r"Option ('[^']*') does not take a value\.", r"选项 \1 不带值。"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数（\1）"),
    (r"(\S+) does not match the formats? (.+)\.$", r"\1 不符合格式 \2。"),
)


def click_zh(message: str) -> str:
    """One of click's usage error messages in Chinese (what it does not know stays)."""
    for pattern, zh in _CLICK_ZH:
        message = re.sub(pattern, zh, message)
    return message
