"""Tables on the terminal: rich for a screenful, plain lines for a big round.

rich measures every cell of a table before it prints a row: 40,000 rows (a
round of 10,000 departments × 4 forms) took a minute. Above MAX_TABLE_ROWS the
same rows go out as tab-separated lines under a header line, which is also
what one greps or pastes into a spreadsheet. Piped output (not a terminal, no
COLUMNS asking for a width) gets those lines too: a table drawn for an imagined
80 columns would wrap every message mid-phrase.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

MAX_TABLE_ROWS = 500
# 「第 4 行“…”」: rich wraps at spaces only, so a long Chinese run after a short number
# went to the next line alone (「第 4 ⏎ 行…」); in a table the number is bound to its words
_NUMBER_IN_WORDS = re.compile(r"(?<=[\u3400-\u9fff]) (\d{1,6}) (?=[\u3400-\u9fff])")


def too_many(rows: int) -> bool:
    return rows > MAX_TABLE_ROWS


def plain(console: Any) -> bool:
    """Lines, not a table: piped, and no COLUMNS to draw a table for."""
    return not getattr(console, "is_terminal", False) and not os.environ.get("COLUMNS")


def print_table(
    console: Any,
    title: str,
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[str], str | None]],
    caption: str | None = None,
) -> None:
    """``rows``: (cells, rich style or None). Title, headers and caption in the
    language asked for (``tianbao --lang``); the cells are data, printed as they are."""
    from tianbao.support.lang import pick

    title, headers = pick(title), [pick(h) for h in headers]
    caption = pick(caption) if caption else caption
    if too_many(len(rows)) or plain(console):
        out = console.file
        out.write(f"{title}\n")
        out.write("\t".join(headers) + "\n")
        for cells, _style in rows:
            out.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells) + "\n")
        if caption:
            out.write(f"{caption}\n")
        out.flush()
        return
    from rich.table import Table
    from rich.text import Text

    t = Table(title=title, title_justify="left", caption=caption)
    for h in headers:
        t.add_column(h, overflow="fold")
    for cells, style in rows:  # as Text: a file name or reason with [/b] is not markup
        t.add_row(*(Text(_NUMBER_IN_WORDS.sub(r"\1", c)) for c in cells), style=style)
    console.print(t)
