"""Cell formats of the summary workbook, created once per workbook and cached."""

from __future__ import annotations

from typing import Any

from tianbao.consolidate.rates import (
    AHEAD,
    BEHIND,
    BELOW,
    NO_TARGET,
    ON_TRACK,
    OVER,
    OVERDUE,
    REACHED,
    UNREPORTED,
    WITHIN,
)
from tianbao.consolidate.units import RATE, SUMMARY_FORMATS

FONT = "宋体"
TITLE_FONT = "黑体"
MONEY = SUMMARY_FORMATS["万元"]  # the projects' amounts, as their form layout enters them
PCT = RATE
LATE_RED = "#C00000"  # overdue milestones, on 重点项目 and 总览
# (background, font colour) per status: green ahead, blue on track, red behind
STATUS_COLOURS = {
    AHEAD: ("#C6EFCE", "#006100"),
    ON_TRACK: ("#DDEBF7", "#1F4E78"),
    BEHIND: ("#FFC7CE", "#9C0006"),
    REACHED: ("#C6EFCE", "#006100"),
    WITHIN: ("#C6EFCE", "#006100"),
    BELOW: ("#FFC7CE", "#9C0006"),
    OVER: ("#FFC7CE", "#9C0006"),
    OVERDUE: ("#FFC7CE", "#9C0006"),
    UNREPORTED: ("#D9D9D9", "#404040"),
    NO_TARGET: ("#FFF2CC", "#7F6000"),
}


class Styles:
    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[tuple, Any] = {}
        self._status: dict[tuple[str, bool], Any] = {}

    def get(self, role: str = "cell", num_format: str | None = None, **extra: Any) -> Any:
        key = (role, num_format, tuple(sorted(extra.items())))
        if key not in self._cache:
            props: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            if role in ("cell", "header", "total", "status", "label"):
                props.update(border=1, border_color="#808080")
            if role == "header":
                props.update(bold=True, align="center", text_wrap=True, bg_color="#D9E1F2")
            elif role == "total":
                props.update(bold=True, bg_color="#F2F2F2")
            elif role == "label":
                props.update(bold=True, bg_color="#EDEDED")
            elif role == "title":
                props.update(font_name=TITLE_FONT, font_size=16, bold=True, align="center")
            elif role == "subtitle":
                props.update(align="left")
            elif role == "section":
                props.update(bold=True, font_size=11)
            if num_format:
                props["num_format"] = num_format
            props.update(extra)
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]

    def status(self, state: str, total: bool = False) -> Any:
        fmt = self._status.get((state, total))  # asked for on every row: kept by state
        if fmt is None:
            bg, fg = STATUS_COLOURS[state]
            fmt = self.get("status", None, bg_color=bg, font_color=fg, align="center", bold=total)
            self._status[(state, total)] = fmt
        return fmt
