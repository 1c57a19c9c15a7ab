"""Who and why, as the office types them: names, reasons and notes are checked before
they reach the ledger, and what the ledger holds is escaped before it reaches a
terminal (an older ledger may already hold raw text)."""

from __future__ import annotations

import re

from tianbao.errors import UsageError

NAME_MAX = 200  # --by
TEXT_MAX = 2000  # --reason, --note
# C0 and C1 controls (a newline too: a name or a reason is one line), DEL, and the
# bidi overrides and isolates that make a terminal show text other than it is
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def name(value: str | None, option: str = "--by") -> str:
    """A person's name (the OS user when not given): never empty, at most NAME_MAX."""
    if value is None:
        import getpass

        value = getpass.getuser()
    return checked(value, option, NAME_MAX, required=True)


def reason(value: str, option: str = "--reason") -> str:
    """A reason or a note, possibly empty (the caller says when one is required)."""
    return checked(value, option, TEXT_MAX, required=False)


def checked(value: str, option: str, limit: int, *, required: bool) -> str:
    """``value`` stripped, or a usage error naming the option."""
    text = value.strip()
    bad = _CONTROL.search(text)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        raise UsageError(
            f"{option} 含控制字符 {code}，不能记录 | {option} holds the control character "
            f"{code}: not recorded"
        )
    if len(text) > limit:
        raise UsageError(
            f"{option} 过长（{len(text)} 字，最多 {limit}） | {option} is too long "
            f"({len(text)} characters, at most {limit})"
        )
    if required and not text:
        raise UsageError(f"{option} 不能为空 | {option} must not be empty")
    return text


def shown(text: str) -> str:
    """Ledger text as a terminal may print it: each control character as its escape
    (\\x1b, \\n, \\u202e), the rest as it is."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
