"""Text that is safe to keep and to show: no control or bidi characters.

A control character (C0, C1: U+0085 is a YAML line break) makes plan.yaml read back
differently from what was imported; a bidi override (U+202E) shows a name, or a
file name built from it, reversed. Plan text may hold a tab or a line break (Alt+Enter
in Excel), nothing else of these.
"""

from __future__ import annotations

import re

# C0 but tab and line feed, DEL, C1; bidi marks, embeddings, overrides and isolates;
# the line and paragraph separators (YAML breaks lines there too); the BOM
_BAD = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
# what a file name may not hold: path separators and what Windows forbids, besides
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\t\n]')


def bad_chars(text: str) -> list[str]:
    """The control and bidi characters in ``text``, each once, as U+XXXX."""
    return sorted({f"U+{ord(ch):04X}" for ch in _BAD.findall(text)})


def safe_name_part(text: str) -> str:
    """``text`` for a piece of a file name: control and bidi characters dropped, path
    separators and characters Windows refuses made ``_``."""
    return _NOT_IN_NAMES.sub("_", _BAD.sub("", text))


def escaped(text: str) -> str:
    """``text`` with its control and bidi characters written ``\\u0085``, to show."""
    return _BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
