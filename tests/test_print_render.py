"""Every workbook tianbao writes prints readably: rendered through LibreOffice, no page
of a template (30 projects), the summary, the status workbook or the validation
report prints below 70 % of its size on its paper, and the summary's provenance
table (thousands of figures) is not printed, its list of returns (来源报表) is.

The scale of a page is measured from the PDF (see ``lo.printed_pages``): a Han
character prints as wide as its font size.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import lo
from helpers import SAMPLE_PLAN, read_yaml, tianbao
from tianbao.consolidate.book import NOT_PRINTED
from tianbao.dev.synthetic import make_synthetic_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

READABLE = 0.695  # 70 %, less the measurement's rounding
SMALLEST_PT = 6.9  # no text prints smaller: 10 pt body text at 70 %
CHART_PT = 8.0  # a chart's labels, numbers and legend print at 8 pt or more
MAX_SUMMARY_PAGES = 20  # the demo's June summary (issue 32)
# the titles the charts of 总览 print (charts.py)
CHART_TITLES = ("：完成目标", "：分类别", "：分责任单位", "逐月走势")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[lo.Page]]:
    lo.require_lo()
    root = tmp_path_factory.mktemp("print")
    runner = CliRunner()
    assert tianbao(runner, "demo", root / "demo").exit_code == 0
    ws = make_synthetic_workspace(root / "thirty", 1, 30)
    res = tianbao(runner, "generate", "-w", ws, "-p", "2014-01", "-o", root / "templates")
    assert res.exit_code == 0, res.output
    (template,) = (root / "templates").rglob("*.xlsx")
    out = root / "demo" / "outputs"
    files = {
        "template": template,
        "summary": out / "summary-2014-06.xlsx",
        "status": out / "status-2014-06.xlsx",
        "report": out / "validation-2014-06.xlsx",
    }
    pdfs = lo.to_pdf(list(files.values()), root / "pdf")
    return {name: lo.printed_pages(pdf) for name, pdf in zip(files, pdfs, strict=True)}


@pytest.mark.parametrize("name", ["template", "summary", "status", "report"])
def test_no_page_prints_below_70_percent(printed: dict[str, list[lo.Page]], name: str) -> None:
    pages = printed[name]
    judged = [p for p in pages if p.scale is not None]
    assert len(judged) >= max(1, len(pages) // 2), [p.text[:40] for p in pages]
    small = [(p.paper, round(p.scale, 2), p.text[:40]) for p in judged if p.scale < READABLE]
    assert not small
    assert all(p.width > p.height for p in pages)  # landscape
    assert all(p.paper in ("A4", "A3") for p in pages)


def test_template__thirty_projects_fit_one_page_across(printed: dict[str, list[lo.Page]]) -> None:
    pages = [p for p in printed["template"] if "项目编号" in p.text]
    assert pages
    # every page carries the whole row: the first and the last column's header
    assert all("说明" in p.text and "项目名称" in p.text for p in pages)
    assert "P0000029" in " ".join(p.text for p in pages)  # the 30th


def test_summary__provenance_not_printed(printed: dict[str, list[lo.Page]]) -> None:
    pages = printed["summary"]
    text = " ".join(p.text for p in pages if "来源报表" not in p.text)
    assert re.search(r"\b[0-9a-f]{64}\b", text) is None  # no checksum printed
    # but 来源报表 does, each return's once: a page or two, not a line per figure
    listed = [p for p in pages if "来源报表" in p.text and "登记编号" in p.text]
    sums = re.findall(r"\b[0-9a-f]{64}\b", " ".join(p.text for p in listed))
    assert sums and len(sums) == len(set(sums)) and len(listed) <= 2
    (note,) = [p for p in pages if "数据来源" in p.text and "出处" in p.text]
    assert NOT_PRINTED[:12] in note.text.replace(" ", "")
    # the summary's tables: each page of a wide sheet repeats the header and the names
    wide = [p for p in pages if "项目编号" in p.text]
    assert wide and all("项目名称" in p.text for p in wide)


def test_summary__the_leader_page_is_one_page(printed: dict[str, list[lo.Page]]) -> None:
    """总览's page 1: the main indicators, the overdue milestones, reporting and sign-off,
    the counts by status and the investment, all on the first page; the charts after."""
    first = printed["summary"][0]
    text = first.text.replace(" ", "")
    sections = ("主要指标完成情况", "逾期未完成的节点目标", "报送与签发", "完成情况（按状态计数）")
    assert all(s in text for s in sections)
    assert "投资完成情况（亿元）" in text and "民生工程" in text and "注：完成率" in text
    for indicator in read_yaml(SAMPLE_PLAN)["indicators"]:
        assert indicator["name"]["zh"][:4] in text, indicator["code"]
    assert first.scale is not None and first.scale >= READABLE
    assert "主要指标完成情况" not in printed["summary"][1].text.replace(" ", "")


def test_summary__at_most_20_pages__charts_two_to_a_page_and_readable(
    printed: dict[str, list[lo.Page]],
) -> None:
    """22 pages before: five pages of one small chart each, labels at 6 pt."""
    pages = printed["summary"]
    assert len(pages) <= MAX_SUMMARY_PAGES, [p.text[:30] for p in pages]
    charts = [p for p in pages if any(t in p.text.replace(" ", "") for t in CHART_TITLES)]
    titles = [sum(p.text.replace(" ", "").count(t) for t in CHART_TITLES) for p in charts]
    assert charts and sum(titles) >= 4 and max(titles) == 2  # two to a page
    small = [(round(p.smallest, 1), p.text[:40]) for p in charts if p.smallest < CHART_PT]
    assert not small
    tiny = [(n, round(p.smallest, 1)) for n, p in enumerate(pages, 1) if p.smallest < SMALLEST_PT]
    assert not tiny


def test_template__cover_on_one_page(printed: dict[str, list[lo.Page]]) -> None:
    """The cover with its legend of colours, all on page 1 (it spilled two lines)."""
    first, second = printed["template"][:2]
    assert "单元格颜色" in first.text.replace(" ", "")
    assert "深灰" in first.text and "深灰" not in second.text  # the legend's last line
    assert first.smallest >= SMALLEST_PT
