"""Cell formats of the templates, created once per workbook and cached.

Colours tell a clerk what to do: grey = from the plan, locked; yellow = to
fill; blue = calculated for you; green = calculated for you, open to a correction
(本年累计 = 上期累计 + 本月); dark grey = does not apply to this row.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format

FONT = "宋体"
TITLE_FONT = "黑体"
COLOURS = {
    "prefill": "#EDEDED",
    "entry": "#FFF2CC",
    "formula": "#DDEBF7",
    "default": "#E2EFDA",  # an entry cell issued with a formula (本年累计): not to fill
    "na": "#A6A6A6",
    "header": "#D9E1F2",
}
LEGEND = (
    ("prefill", "灰色：计划预填内容，已锁定，不得修改"),
    ("entry", "黄色：需要填报的单元格"),
    ("formula", "蓝色：自动计算，仅供参考，不需填写"),
    ("default", "绿色：自动计算（如本年累计＝上期累计＋本月），不需填写；与实际不符时可改写"),
    ("na", "深灰：本行不适用，保持空白"),
)


class Styles:
    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[tuple, Any] = {}

    def get(self, role: str, num_format: str | None = None, **extra: Any) -> Any:
        # asked for every cell: no sorting when there are no extras
        key = (role, num_format, tuple(sorted(extra.items())) if extra else ())
        if key not in self._cache:
            props: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            if role in COLOURS:
                props["bg_color"] = COLOURS[role]
            if role in ("prefill", "entry", "default", "formula", "na", "header"):
                props["border"] = 1
                props["border_color"] = "#808080"
            props["locked"] = role not in ("entry", "default")
            if role == "header":
                props.update(bold=True, align="center", text_wrap=True)
            if role == "title":
                props.update(font_name=TITLE_FONT, font_size=16, bold=True, align="center")
            if role == "subtitle":
                props.update(font_size=10, align="left")
            if role in ("prefill", "entry") and num_format is None:
                props["text_wrap"] = True
            if num_format:
                props["num_format"] = num_format
            props.update(extra)
            self._cache[key] = _add_format(self._wb, props)
        return self._cache[key]


# formats made once per process, copied into each workbook: building one (its colours
# parsed, its key joined) took a tenth of writing a small template
_PROTOTYPES: dict[tuple, Format] = {}


def _add_format(wb: Any, props: dict[str, Any]) -> Format:
    """``wb.add_format(props)``, from a copy of the same format made before."""
    defaults = wb.default_format_properties
    key = (tuple(sorted(defaults.items())), tuple(sorted(props.items())))
    proto = _PROTOTYPES.get(key)
    if proto is None:
        proto = Format({**defaults, **props})
        proto._get_format_key()  # computed once, from the same properties
        _PROTOTYPES[key] = proto
    fmt = Format.__new__(Format)
    fmt.__dict__.update(proto.__dict__)
    fmt.xf_format_indices = wb.xf_format_indices
    fmt.dxf_format_indices = wb.dxf_format_indices
    wb.formats.append(fmt)
    return fmt
