"""Bilingual texts ("中文 English"): the Chinese half is what users read."""

from __future__ import annotations

import re

# where the English half of a "中文 English" text begins: after a Chinese character,
# a space, then an English word followed by another ("用 Excel 打开" stays whole)
_ENGLISH_HALF = re.compile(r"(.*?[^\x00-\x7f]) ([A-Za-z][a-z'-]* [a-z(“\"'].*)", re.S)


# or an English gloss in full-width brackets at the end: "……不得修改（pre-filled value changed）"
_ENGLISH_GLOSS = re.compile(r"(.*[^\x00-\x7f][^（）]*)（([A-Za-z][a-z'-]* [^（）]*)）", re.S)


def split_bilingual(text: str) -> tuple[str, str]:
    """(Chinese, English) of a bilingual text; (text, "") when it has no English half."""
    m = _ENGLISH_GLOSS.fullmatch(text) or _ENGLISH_HALF.fullmatch(text)
    return (m.group(1), m.group(2)) if m else (text, "")
