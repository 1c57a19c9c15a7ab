"""``tianbao consolidate`` on a city workspace: the main indicators by district and
for the whole city, from the packages that count.

Levels add up; a growth rate is recomputed from the summed levels (Σ 本年累计 /
Σ 去年同期 − 1), never averaged; an indicator that is not additive (a rate, a
per-head figure) is shown per district only. Every figure names the package's
sha256 and the district's own provenance key (DEPT#submission id, sheet!cell);
a package that replaced an earlier sign-off is marked 更正. The first sheet, 总览
(``city.overview``), turns the same rows into one page by district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.city.collect import signed_at
from tianbao.city.package import TOTALS_FORM
from tianbao.city.plan import CityPlan, District, Indicator, load_city

SHEETS = ("总览", "主要指标", "数据来源", "报送情况")
LEVEL, LAST, POINT = "ytd", "ytd_last_year", "month_value"
HEAD = (
    "指标代码 code", "指标 indicator", "单位 unit", "区县代码 district", "区县 name",
    "本年累计 YTD", "去年同期 last year", "增速% growth", "市定目标 target",
    "完成% of target", "说明 note", "上报包 package sha256", "来源键 provenance",
)  # fmt: skip
SOURCE_HEAD = (
    "区县 district", "指标 indicator", "字段 field", "数值 value",
    "上报包 package sha256", "来源键 provenance", "单元格 cell",
)  # fmt: skip
RATES_HEAD = (
    "区县代码 district", "区县 name", "状态 state", "签发 signed off", "收到 received",
    "说明 note", "上报包 package sha256", "示意 illustrative",
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    value: Any
    key: str  # the district's: DEPT#submission id
    cell: str  # sheet!cell in the department's return


@dataclass
class CityData:
    city: CityPlan
    period: str
    packages: dict[str, Any] = field(default_factory=dict)  # district -> Submission
    figures: dict[str, dict[str, dict[str, Source]]] = field(default_factory=dict)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)  # city.status rows


@dataclass
class CitySummary:
    period: str
    out: Path
    districts_expected: int
    districts_reported: int
    figures: int


def gather(root: Path, period: str) -> CityData:
    from tianbao.city.status import district_rows
    from tianbao.ledger.db import Ledger

    city = load_city(root)
    period = city.month(period)
    data = CityData(city, period)
    with Ledger(root, readonly=True) as ledger:
        signed = ledger.signed_off(period)  # signed off: what the sign-off saw
        as_of = signed["upto"] if signed else None
        data.states = {r["district"]: r for r in district_rows(ledger, city, period, as_of)}
        for sub in ledger.latest_accepted(period, as_of):
            data.packages[sub.department] = sub
            per = data.figures.setdefault(sub.department, {})
            for v in ledger.values(sub.id):
                if v.form == TOTALS_FORM and isinstance(v.value, (int, float)):
                    code = v.row_key.split(":", 1)[-1]
                    per.setdefault(code, {})[v.field] = Source(v.value, v.sheet, v.cell)
    return data


def city_summary(root: Path, period: str, out: Path | None = None) -> CitySummary:
    from tianbao.support.atomic import write_atomic

    data = gather(Path(root), period)
    out = Path(out) if out else Path(root) / "outputs" / "summary" / f"{period}_城市汇总.xlsx"
    period = data.period
    n: list[int] = []
    write_atomic(out, lambda tmp: n.append(_write(data, tmp)))
    return CitySummary(period, out, len(data.city.districts), len(data.packages), n[0])


def growth(level: float | None, last: float | None) -> float | None:
    return (level / last - 1) * 100 if level is not None and last else None


def _write(data: CityData, path: Path) -> int:
    import xlsxwriter

    from tianbao.city.overview import write_overview
    from tianbao.support.xlsx import WORKBOOK_OPTIONS, display_width, write_value

    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    stamps = sorted(s.received_at for s in data.packages.values())
    created = (
        dt.datetime.fromisoformat(stamps[-1]).replace(tzinfo=None)
        if stamps
        else dt.datetime(2000, 1, 1)
    )
    wb.set_properties({"title": f"{data.city.name} {data.period} 汇总", "created": created})
    bold = wb.add_format({"bold": True})
    num = wb.add_format({"num_format": "#,##0.00"})
    overview, main, sources, rates = (wb.add_worksheet(s) for s in SHEETS)
    rows = list(_main_rows(data))
    write_overview(wb, overview, data, rows)
    for sheet, head, body in (
        (main, HEAD, rows),
        (sources, SOURCE_HEAD, list(_sources(data))),
        (rates, RATES_HEAD, list(_rates(data))),
    ):
        sheet.write_row(0, 0, head, bold)
        for c, h in enumerate(head):
            sheet.set_column(c, c, min(max(display_width(h), 10), 40))
        for r, row in enumerate(body, start=1):
            for c, value in enumerate(row):
                write_value(sheet, r, c, value, num if isinstance(value, float) else None)
        sheet.freeze_panes(1, 0)
    wb.close()
    return sum(len(f) for d in data.figures.values() for f in d.values())


def _main_rows(data: CityData) -> Any:
    for ind in data.city.indicators:
        rows = [_district_row(data, ind, d) for d in data.city.districts]
        yield from rows
        yield _total_row(data, ind, rows)


def _district_row(data: CityData, ind: Indicator, d: District) -> tuple[Any, ...]:
    """One district's figure: the YTD level (a point indicator: its value), last
    year's, growth recomputed from the two, the city's target and its share."""
    sub = data.packages.get(d.code)
    got = data.figures.get(d.code, {}).get(ind.code, {})
    src = got.get(LEVEL) or (None if ind.additive else got.get(POINT))
    level, last = _n(src), _n(got.get(LAST))
    target = d.targets.get(ind.code)
    note = _note(data, d, sub)
    return (
        ind.code, ind.name, ind.unit, d.code, d.name, level, last, growth(level, last),
        target, _pct(level, target), note, sub.sha256 if sub else None,
        f"{src.key} {src.cell}" if src else None,
    )  # fmt: skip


def _note(data: CityData, d: District, sub: Any) -> str:
    """Why a district has no figure (未报, 退回, 拒收), or that its package corrects one."""
    from tianbao.city.overview import STATE

    if sub is None:
        return STATE.get(str(data.states.get(d.code, {}).get("state")), STATE["missing"])
    return "更正 corrected" if sub.correction else ""


def _total_row(data: CityData, ind: Indicator, rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """The city: levels summed, growth from the summed levels; never an average."""
    name = f"{data.city.name}合计 total"
    if not ind.additive:
        note = "不可加，不汇总 not additive: per district only"
        return (ind.code, ind.name, ind.unit, "", name, *[None] * 5, note, None, None)
    levels = [r[5] for r in rows if r[5] is not None]
    lasts = [r[6] for r in rows if r[6] is not None]
    level, last = sum(levels), sum(lasts)
    complete = len(levels) == len(lasts) == len(rows)
    target = sum(r[8] or 0.0 for r in rows) or None
    note = "" if complete else "有区县未报，合计不全 incomplete"
    return (
        ind.code, ind.name, ind.unit, "", name, level, last, growth(level, last),
        target, _pct(level, target), note, None, "Σ",
    )  # fmt: skip


def _sources(data: CityData) -> Any:
    for d in data.city.districts:
        sub = data.packages.get(d.code)
        for code, fields in sorted(data.figures.get(d.code, {}).items()):
            for name, src in sorted(fields.items()):
                yield (
                    d.code,
                    code,
                    name,
                    src.value,
                    sub.sha256 if sub else None,
                    src.key,
                    src.cell,
                )


def _rates(data: CityData) -> Any:
    for d in data.city.districts:
        sub = data.packages.get(d.code)
        if sub is None:
            yield (d.code, d.name, "未报 missing", None, None, None, None, d.illustrative)
            continue
        note = "更正 corrected" if sub.correction else ""
        yield (d.code, d.name, "已报 received", signed_at(sub.template_id), sub.received_at, note,
               sub.sha256, d.illustrative)  # fmt: skip


def _n(src: Source | None) -> float | None:
    return float(src.value) if src is not None else None


def _pct(level: float | None, target: float | None) -> float | None:
    return level / target * 100 if level is not None and target else None
