"""上期数待补: a template issued before last period's return counts
(``generate --missing-previous mark``) marks its 上期 cells, orange with a note, instead
of leaving them silently blank (本年累计 = 上期 + 本月 would then give 本月 alone)."""

from __future__ import annotations

from typing import Any

from tianbao.template.content import TemplateContent
from tianbao.template.styles import Styles

PENDING = "#F8CBAD"  # 上期数待补: orange, not the plan's grey
PENDING_NOTE = "上期数待补：统计局尚未收到上期报表，此格暂空；本年累计请按实际填写"


def pending_columns(content: TemplateContent, form: Any, col_of: dict[str, int]) -> set[int]:
    """Last period's return still to come: its columns are marked, not silently blank."""
    if not content.previous_pending:
        return set()
    return {col_of[c.field] for c in form.prefill_columns if c.previous_field is not None}


def prefill(ws: Any, row: int, i: int, styles: Styles, fmt_code: str | None) -> None:
    """上期数待补: the cell marked and said, never a silent blank."""
    ws.write_blank(row, i, None, styles.get("prefill", fmt_code, bg_color=PENDING))
    ws.write_comment(row, i, PENDING_NOTE)
