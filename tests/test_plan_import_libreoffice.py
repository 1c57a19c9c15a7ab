"""A new district starts from the blank plan workbook, filled in LibreOffice the way an
office types (zh-CN keyboard: dates become dates, 是/否 and the dropdown labels as text),
imported into a new workspace, and run: generate, collect, consolidate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from xlsxwriter.utility import xl_rowcol_to_cell

from helpers import read_yaml, tianbao
from lo import fill
from tianbao.planbook.sheets import BASICS, SHEETS

# the forms as the office names them: a name, a 表号, an older file's id; Chinese commas
FORMS = "主要指标月报，目标02表、民生工程进度, tasks_progress"
pytestmark = pytest.mark.slow  # see pyproject's markers

BASICS_TYPED = {
    "区（县）名称": "新区",
    "区（县）代码": "xinqu",
    "所属市": "某市",
    "计划年度": "2014",
    "基期年度": "2013",
    "计划版本": "1",
    "报送频率": "月",
    "报送截止（期末后天数）": "5",
    "报表（逗号分隔）": FORMS,
}
# a small district: 3 departments, 4 indicators of different target kinds, 6 projects,
# 2 tasks, 2 livelihood projects; rows as the office types them, by column header
ROWS: dict[str, list[dict[str, str]]] = {
    "填报单位": [
        {"单位代码": "FGW", "单位名称": "新区发展和改革委员会", "简称": "发改委",
         "联系人": "张明", "联系电话": "0391-3901001"},
        {"单位代码": "JSJ", "单位名称": "新区住房和城乡建设局", "简称": "住建局",
         "联系人": "李华", "联系电话": "0391-3901002"},
        {"单位代码": "TJJ", "单位名称": "新区统计局", "联系人": "王芳", "联系电话": "0391-3901003"},
    ],
    "主要指标": [
        {"指标代码": "GDP", "指标名称": "地区生产总值", "计量单位": "亿元", "责任单位": "FGW",
         "累计/时点": "累计", "增速口径": "可比价", "基期值": "120.5", "基期增速(%)": "9.1",
         "目标类型": "增长", "目标增速(%)": "9", "目标表述": "增长9%"},
        {"指标代码": "FAI", "指标名称": "固定资产投资", "计量单位": "亿元", "责任单位": "JSJ",
         "累计/时点": "累计", "增速口径": "现价", "基期值": "80", "目标类型": "水平",
         "目标值": "95", "目标表述": "完成95亿元"},
        {"指标代码": "ENERGY", "指标名称": "万元生产总值能耗", "计量单位": "吨标准煤",
         "责任单位": "FGW", "累计/时点": "时点", "目标类型": "上限", "目标值": "0.62",
         "目标表述": "控制在0.62吨标准煤以内"},
        {"指标代码": "RETAIL", "指标名称": "社会消费品零售总额", "计量单位": "亿元",
         "责任单位": "TJJ", "累计/时点": "累计", "基期值": "50", "目标类型": "增长且水平",
         "目标增速(%)": "12", "目标值": "56", "目标表述": "增长12%，达到56亿元"},
    ],
    "重点项目": [
        {"项目编号": f"P0{i}", "项目名称": name, "类别": cat, "重点项目": key,
         "总投资(万元)": total, "年度计划投资(万元)": annual, "责任单位": dept,
         "责任领导": "赵强", "关键词": "项目建设", "路径": "路径一：抓项目",
         "计划开工": start, "计划竣工": "2015-12-31"}
        for i, (name, cat, key, total, annual, dept, start) in enumerate(
            [
                ("新区商业综合体", "新建", "是", "50000", "12000", "FGW", "2014-03-01"),
                ("滨河路改造", "续建", "是", "8,000", "3000", "JSJ", "2013-06-01"),
                ("老旧小区整治", "新建", "是", "1.2亿元", "4000", "JSJ", "2014-05-01"),
                ("物流园二期", "续建", "否", "30000", "10000", "FGW", "2013-09-01"),
                ("文化中心", "运作", "否", "20000", "0", "TJJ", ""),
                ("科技孵化园", "储备", "否", "15000", "0", "FGW", ""),
            ],
            1,
        )
    ],
    "里程碑": [
        {"项目编号": "P01", "节点日期": "2014-06-30", "节点内容": "主体结构开工"},
        {"项目编号": "P01", "节点日期": "2014-11-30", "节点内容": "主体封顶"},
    ],
    "重点任务": [
        {"任务编号": "T01", "关键词": "城市建设", "任务内容": "新建改造城市道路5公里",
         "计量单位": "公里", "年度目标": "5", "完成时限": "2014-12-31", "责任单位": "JSJ"},
        {"任务编号": "T02", "关键词": "统计改革", "任务内容": "完成第三次经济普查准备工作",
         "完成时限": "2014-12-31", "责任单位": "TJJ"},
    ],
    "民生工程": [
        {"编号": "L01", "名称": "社区卫生服务中心", "计划投资(万元)": "600", "责任单位": "JSJ",
         "建设内容": "新建社区卫生服务中心2个", "完成时限": "2014-10-31"},
        {"编号": "L02", "名称": "公共自行车系统", "计划投资(万元)": "300", "责任单位": "FGW",
         "建设内容": "投放公共自行车500辆", "完成时限": "2014-09-30"},
    ],
}  # fmt: skip


SESSIONS = (
    ("基本信息", "填报单位"),
    ("主要指标",),
    ("重点项目", "里程碑"),
    ("重点任务", "民生工程"),
)


def typed_cells() -> dict[str, dict[str, Any]]:
    """{sheet: {cell: what the office types}} for lo_client's keyboard fill."""
    spec: dict[str, dict[str, Any]] = {"基本信息": {}}
    for r, col in enumerate(BASICS, 1):
        if col.header in BASICS_TYPED:
            spec["基本信息"][xl_rowcol_to_cell(r, 1)] = BASICS_TYPED[col.header]
    for sheet in SHEETS:
        cells = spec.setdefault(sheet.name, {})
        headers = [c.header for c in sheet.cols]
        for r, row in enumerate(ROWS[sheet.name], 1):
            for header, value in row.items():
                if value != "":
                    cells[xl_rowcol_to_cell(r, headers.index(header))] = value
    return spec


def test_a_new_district__plan_typed_in_libreoffice_then_the_cycle(tmp_path: Path) -> None:
    runner = CliRunner()
    blank = tmp_path / "计划模板.xlsx"
    assert tianbao(runner, "plan", "template", blank).exit_code == 0
    # sheet by sheet, one LibreOffice session each, as an office fills it over days (and
    # because LO 7.4 headless aborts more often the more is typed in one session)
    typed, src = typed_cells(), blank
    for n, group in enumerate(SESSIONS):
        filled = tmp_path / f"新区计划-{n}.xlsx"
        (rep,) = fill([(src, {k: typed[k] for k in group}, filled)], "keyboard", "zh-CN")
        assert rep["ok"], rep
        src = filled
    ws = tmp_path / "xinqu"
    assert tianbao(runner, "init", ws).exit_code == 0
    res = tianbao(runner, "plan", "import", filled, "-w", ws, "--json")
    out = json.loads(res.stdout)
    assert res.exit_code == 0, out["problems"]
    plan = read_yaml(ws / "plan.yaml")
    assert plan["district"] == {"name": "新区", "code": "xinqu", "city": "某市"}
    assert [len(plan[k]) for k in ("departments", "indicators", "projects", "tasks")] == [
        3,
        4,
        6,
        2,
    ]
    p = {x["id"]: x for x in plan["projects"]}
    assert p["P02"]["total_investment"] == 8000 and p["P03"]["total_investment"] == 12000
    assert p["P01"]["start"] == "2014-03-01" and p["P01"]["key"] is True  # a date cell
    assert [m["due"] for m in p["P01"]["milestones"]] == ["2014-06-30", "2014-11-30"]
    assert [i["target"]["kind"] for i in plan["indicators"]] == [
        "growth",
        "level",
        "ceiling",
        "growth_and_level",
    ]
    assert plan["departments"][0]["contact"]["phone"] == "0391-3901001"
    assert plan["reporting"]["forms"] == [
        "indicators_monthly", "projects_progress", "livelihood_progress", "tasks_progress"
    ]  # fmt: skip
    assert tianbao(runner, "check", "-w", ws).exit_code == 0

    # the cycle on the imported plan: templates, returns, collect, the summary
    out_dir = tmp_path / "templates"
    res = tianbao(
        runner, "generate", "-w", ws, "-p", "2014-03", "-o", out_dir, "--allow-missing-previous"
    )
    assert res.exit_code == 0, res.output
    assert len(list(out_dir.glob("*.xlsx"))) == 3
    inbox = _returns(ws, tmp_path / "inbox")
    res = tianbao(runner, "collect", "-w", ws, inbox, "--received-at", "2014-04-03T10:00:00")
    assert res.exit_code == 0, res.output
    summary = tmp_path / "summary.xlsx"
    res = tianbao(runner, "consolidate", "-w", ws, "-p", "2014-03", "-o", summary)
    assert res.exit_code == 0, res.output
    assert "3/3" in res.output


def _returns(ws_dir: Path, inbox: Path) -> Path:
    """Each department's March return, filled with plausible figures."""
    from tianbao.dev.simulate import plausible_fill
    from tianbao.plan.periods import Period
    from tianbao.template.content import build_content
    from tianbao.template.generate import file_name
    from tianbao.template.writer import write_workbook
    from tianbao.workspace import open_workspace

    w = open_workspace(ws_dir).require_ok()
    assert w.plan is not None
    forms = [w.forms[f] for f in w.plan.form_ids]
    inbox.mkdir()
    period = Period.parse("2014-03")
    for code in w.plan.departments:
        content = build_content(w.plan, forms, code, period, w.secret())
        name = file_name(period, code, content.department.name)
        write_workbook(content, inbox / name, fills=plausible_fill(content))
    return inbox
