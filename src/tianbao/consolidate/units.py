"""How a figure prints on the summary, by its unit: the one table every summary writer
(主要指标, 总览, 趋势, 重点项目, 民生工程, 重点任务) takes its number formats from.

A government report prints amounts in 亿元 with two decimals, 万元 as the form layout
enters them, persons and counts whole, and rates (% and ‰) with one decimal; the
change of a rate over a year is a difference in 百分点 (‰: 千分点), never a relative
percent of a percent.
"""

from __future__ import annotations

from tianbao.forms.model import UNIT_FORMATS

WHOLE = "#,##0"
DEFAULT = "#,##0.00"  # a unit the table does not know: amounts' two decimals
RATE = "0.0"
# persons and things counted: a fraction of one is not a figure a report prints
COUNTED = (
    "人", "人次", "名", "位", "户", "家", "个", "项", "套", "所", "座", "条", "处", "件",
    "间", "张", "台", "辆", "次", "批", "场", "期", "栋", "幢", "棵", "株", "头", "只",
)  # fmt: skip
# ratios held in points (3.1 means 3.1 %): their change is a difference in points
POINTS = {"%": "百分点", "‰": "千分点"}

SUMMARY_FORMATS: dict[str, str] = {
    **UNIT_FORMATS,  # the form layouts' own (万元, 公里, 亩 …)
    "亿元": "#,##0.00",  # entered to 4 decimals (万元 precision), printed to 2
    **dict.fromkeys(COUNTED, WHOLE),
    **dict.fromkeys(POINTS, RATE),
}


def number_format(unit: object) -> str:
    """The Excel number format of a figure in ``unit`` on the summary."""
    return SUMMARY_FORMATS.get(str(unit or "").strip(), DEFAULT)


def points_word(unit: object) -> str | None:
    """百分点 / 千分点 for a rate's unit, None for any other unit."""
    return POINTS.get(str(unit or "").strip())


def change_format(unit: object) -> str:
    """The format of a rate's change: signed, labelled in its points; one decimal, two
    where the second is not 0 (2.85 % against 2.91 % is −0.06, not −0.1)."""
    word = points_word(unit) or "百分点"
    return f'+0.0#"{word}";-0.0#"{word}";0.0"{word}"'
