"""The summary's charts stay bounded and readable however big the district is."""

from __future__ import annotations

import re
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import tianbao
from tianbao.consolidate.book import Bar, Block
from tianbao.consolidate.charts import BARS, picked_rows
from tianbao.consolidate.trend import TREND_LINES, chart_lines


@pytest.mark.parametrize(
    ("rates", "drawn"),
    [
        ([50, 40, None], [0, 1, 2]),  # few indicators: every one, in sheet order
        ([50] * TREND_LINES, list(range(TREND_LINES))),
        # one too many: the highest rate is left out
        ([*range(TREND_LINES), 99], list(range(TREND_LINES))),
        ([99, *range(TREND_LINES)], list(range(1, TREND_LINES + 1))),
        # no rate (unreported) counts as lowest; ties go in sheet order
        ([None, *[5] * TREND_LINES], list(range(TREND_LINES))),
        ([*[5] * TREND_LINES, None], [*range(TREND_LINES - 1), TREND_LINES]),
    ],
)
def test_trend_chart__lines__the_lowest_last_month_rates(
    rates: list[int | None], drawn: list[int]
) -> None:
    rows = [(None if x is None else Decimal(x), 10 + i) for i, x in enumerate(rates)]
    assert chart_lines(rows) == [10 + i for i in drawn]


@pytest.mark.parametrize(
    ("rates", "drawn"),
    [
        ([50, None, 120], [0, 1, 2]),  # the demo's few: every bar, in sheet order
        ([80] * BARS, list(range(BARS))),
        # one too many: the highest rate is left out, wherever it is
        ([*range(BARS), 99], list(range(BARS))),
        ([99, *range(BARS)], list(range(1, BARS + 1))),
        ([*range(10), 99, *range(10, BARS)], [*range(10), *range(11, BARS + 1)]),
        # no rate (未报) counts as lowest; ties go in sheet order
        ([*[5] * BARS, None], [*range(BARS - 1), BARS]),
        # a ceiling kept (no rate, 达标) is never behind: it goes before 100 %
        (["kept", *[100] * BARS], list(range(1, BARS + 1))),
    ],
)
def test_bar_chart__bars__the_lowest_rates(rates: list[int | str | None], drawn: list[int]) -> None:
    block = Block("重点项目", 20, 20 + len(rates) - 1, 24, 13, 14)
    rate = {x: Decimal(x) for x in rates if isinstance(x, int)}
    block.bars = [
        Bar(20 + i, f"单位{i}", rate.get(x), Decimal(50), x == "kept") for i, x in enumerate(rates)
    ]
    assert picked_rows(block) == [20 + i for i in drawn]


def test_consolidate__three_hundred_indicators__charts_bounded_no_warning(
    tmp_path: Path,
) -> None:
    """300 departments, each answering for an indicator: the trend chart used to draw a
    line each (xlsxwriter warned past 255 series, Excel refuses such a chart); now it
    draws the furthest behind, says so in its title, and no chart has over 255 series."""
    from tianbao.dev.synthetic import make_synthetic_workspace

    ws = make_synthetic_workspace(tmp_path / "ws", 300, 1)
    out = tmp_path / "summary.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter's 255-series warning fails the test
        res = tianbao(CliRunner(), "consolidate", "-w", ws, "-p", "2014-06", "-o", out)
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    trend = [x for x in charts if "<c:lineChart>" in x and "主要指标完成率逐月走势" in x]
    assert len(trend) == 1
    assert "300项中末月完成率最低的10项" in trend[0]
    assert trend[0].count("<c:ser>") == TREND_LINES + 1  # and the 序时进度 line
    assert all(x.count("<c:ser>") <= 255 for x in charts)
    rows = re.findall(r"'趋势'!\$B\$(\d+)", trend[0])
    assert len(set(rows)) == TREND_LINES + 1
    # every bar chart draws BARS bars at most, says how many it left out, and points
    # at the dashboard's hidden copy of the rows it picked
    bars = [x for x in charts if "<c:barChart>" in x]
    assert len(bars) >= 3
    for chart in bars:
        counts = [int(n) for n in re.findall(r'<c:ptCount val="(\d+)"/>', chart)]
        refs = re.findall(r"<c:f>([^<]*)</c:f>", chart)
        spans = [re.findall(r"\$(\d+)", ref) for ref in refs if ":" in ref]
        assert spans and all(int(b) - int(a) + 1 <= BARS for a, b in spans), refs
        assert all(n <= BARS for n in counts)
    again = tmp_path / "again.xlsx"  # the picks and their hidden cells: same bytes
    res = tianbao(CliRunner(), "consolidate", "-w", ws, "-p", "2014-06", "-o", again)
    assert res.exit_code == 0, res.output
    assert again.read_bytes() == out.read_bytes()
    titles = "".join(bars)
    assert "300项中完成率最低的15项，全部见「主要指标」表" in titles
    assert "个中完成率最低的15个，全部见「重点项目」表" in titles
