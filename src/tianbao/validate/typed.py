"""What people type besides the digits (validate.normalize): units and what they are
worth (a typed unit converts only within its dimension), words for nothing,
approximations, and spaces between the thousands; and a value as a clerk reads it."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from tianbao.findings import Said

D = Decimal
# Scale prefixes: 万元 is 10**4 元. Bare ones ('3万', '1.2亿') scale the column's base
# unit, so '3亿' in a 万元 column is 3亿元 and '3万' in a 人 column is 30000 人.
MULTIPLIERS = {"千": D(10**3), "万": D(10**4), "百万": D(10**6), "千万": D(10**7), "亿": D(10**8)}
# base unit -> dimension. Units convert only within a dimension: currencies are separate
# (no exchange rates), so are 亩 and 平方米, and so is each counting word (个 and 项
# count different things).
BASES = {"元": "CNY", "美元": "USD", "人": "人", "人次": "人次", "亩": "亩", "平方米": "m2"}
BASES |= {w: w for w in ("公里", *"吨个项所条家户件套辆座处")}
# UNIT_FACTORS: unit -> (dimension, size in the dimension's base unit), e.g. 亿元 ->
# ("CNY", 10**8). Every base unit with every prefix (元, 千元, 万元, 百万元, 千万元, 亿元,
# 万美元, 万人 ...). Ratios are stored in percent points: % is 1, ‰ is 0.1.
UNIT_FACTORS: dict[str, tuple[str, Decimal]] = {
    p + u: (dim, f) for u, dim in BASES.items() for p, f in {"": D(1), **MULTIPLIERS}.items()
} | {"%": ("ratio", D(1)), "‰": ("ratio", D("0.1"))}
# units of things counted one by one: a figure in them is whole (2,874.22 人 is a slip)
COUNTED = frozenset({"人", "人次", *"个项所条家户件套辆座处"})
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "/", "无", "n/a", "na"})  # after NFKC, casefold
APPROX = ("约", "左右", "多", "余", "近", "超", "以上", "以下", "不到", "上下", "~", "≈")
# spaces people (and programs set to fr/ru) put between thousands: '2\u00a0250'
GROUP_SPACES = "\u00a0\u2009\u202f\u2007"
SPACED = re.compile(rf"(?<![\d.])\d{{1,3}}(?:[{GROUP_SPACES}]\d{{3}})+(?![\d{GROUP_SPACES}])")


def ungrouped(raw: str, notes: list[Said]) -> str:
    """``raw`` without the no-break or thin spaces between its thousands (with a note
    naming the character); other spaces are left for the number to fail on."""
    m = SPACED.search(raw)
    if m is None:
        return raw
    char = next(c for c in m[0] if c in GROUP_SPACES)
    notes.append(Said("thousands_space", (("char", f"U+{ord(char):04X}"),)))
    digits = re.sub(f"[{GROUP_SPACES}]", "", m[0])
    return raw[: m.start()] + digits + raw[m.end() :]


def plain(d: Decimal) -> str:
    """A decimal as a clerk writes it: 2.9, 12, 0.56 (no exponent, no trailing zeros)."""
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


SHOWN_CHARS = 40  # of a typed value quoted in a message; a pasted page is cut with …


def shown(raw: Any) -> str:
    """A value quoted to a clerk: 1200, not 1200.0; long text cut with …"""
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    text = str(raw)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
