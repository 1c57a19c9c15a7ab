"""Two values side by side in a message, so that a reader sees how they differ.

A message that shows "…d9e" beside "…d9ed4304" makes two equal fingerprints look
different, and one that prints a newline or a trailing space as itself makes two
different values look equal. So whitespace is drawn (␠ ⏎ ⇥ ␍), every other
invisible character is escaped (\\u200b), and a long value is cut around the
place where the two differ, never at a fixed width.
"""

from __future__ import annotations

_DRAWN = {" ": "␠", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def visible(text: str) -> str:
    """``text`` with whitespace drawn and invisible characters escaped."""
    return "".join(
        _DRAWN.get(ch) or (ch if ch.isprintable() else f"\\u{ord(ch):04x}") for ch in text
    )


def contrast(a: str, b: str, width: int = 40, before: int = 8) -> tuple[str, str]:
    """(a, b) made visible; values longer than ``width`` are cut to the window that
    starts ``before`` characters ahead of their first difference, "…" where cut."""
    if len(a) <= width and len(b) <= width:
        return visible(a), visible(b)
    same = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        same += 1
    start = max(0, same - before) if same < max(len(a), len(b)) else 0
    return _window(a, start, width), _window(b, start, width)


def _window(text: str, start: int, width: int) -> str:
    cut = text[start : start + width]
    head = "…" if start > 0 else ""
    tail = "…" if start + width < len(text) else ""
    return head + visible(cut) + tail
