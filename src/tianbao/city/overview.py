"""The city summary's 总览: one printed page, a row per district and one for the
city, with each district's state (已报, 更正, 退回, 拒收, 未报), its main indicators
and their completion against the targets the city issued it. Its figures are the
主要指标 sheet's (the same rows, turned): a level summed for the city, a rate shown
per district only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tianbao.city.summary import CityData

STATE = {
    "received": "已报 received",
    "returned": "退回 returned",
    "refused": "拒收 refused",
    "missing": "未报 missing",
}
HEAD = ("区县代码 district", "区县 name", "状态 state", "签发 signed off")
TOP = 2  # the title, then the header row


def overview_head(data: CityData) -> list[str]:
    """The columns: the district, its state, then each indicator's figure and, for a
    level, its completion of the city's target."""
    out = list(HEAD)
    for ind in data.city.indicators:
        out.append(f"{ind.name} {ind.unit}")
        if ind.additive:
            out.append(f"{ind.code} 完成% of target")
    return out


def overview_rows(data: CityData, main: list[tuple[Any, ...]]) -> list[list[Any]]:
    """A row per district (plan order), then the city's total row."""
    by = {(r[0], r[3]): r for r in main}  # (indicator, district code; '' the city)
    rows = []
    for d in data.city.districts:
        state = data.states.get(d.code, {})
        word = STATE.get(str(state.get("state")), "")
        if state.get("correction"):
            word = "更正 corrected"
        rows.append([d.code, d.name, word, state.get("signed_at"), *_figures(data, by, d.code)])
    got = sum(1 for s in data.states.values() if s.get("state") == "received")
    total = f"{got}/{len(data.city.districts)} 已报 reported"
    rows.append(["", f"{data.city.name}合计 total", total, None, *_figures(data, by, "")])
    return rows


def _figures(data: CityData, by: dict[tuple[Any, Any], tuple[Any, ...]], code: str) -> list[Any]:
    out: list[Any] = []
    for ind in data.city.indicators:
        row = by.get((ind.code, code))
        out.append(row[5] if row else None)
        if ind.additive:
            out.append(row[9] if row else None)
    return out


def write_overview(wb: Any, sheet: Any, data: CityData, main: list[tuple[Any, ...]]) -> None:
    from tianbao.support.xlsx import display_width, write_value

    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    num = wb.add_format({"num_format": "#,##0.00"})
    title = wb.add_format({"bold": True, "font_size": 14})
    sheet.write_string(0, 0, f"{data.city.name} {data.period} 总览（各区县） overview", title)
    head = overview_head(data)
    sheet.write_row(TOP - 1, 0, head, bold)
    for c, h in enumerate(head):
        sheet.set_column(c, c, min(max(display_width(h) / 2, 9), 18))
    for r, row in enumerate(overview_rows(data, main), start=TOP):
        for c, value in enumerate(row):
            write_value(sheet, r, c, value, num if isinstance(value, float) else None)
    sheet.freeze_panes(TOP, 2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 1)  # one page, as the leadership reads it
