"""The plan workbook's layout: which sheet holds which part of the plan, and which
column holds which field. The writer (``workbook``) and the reader (``importer``)
both follow it, so what ``plan export`` writes ``plan import`` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tianbao.read.limits import PLAN_LIMITS

# the kinds of a column: how a typed cell becomes a plan value
TEXT, CODE, NUMBER, INTEGER, DATE, CHOICE, YESNO, LIST, PERIOD = (
    "text",
    "code",
    "number",
    "integer",
    "date",
    "choice",
    "yesno",
    "list",
    "period",
)
ROW_UNIT = "@row"  # a number column measured in the row's own 计量单位


@dataclass(frozen=True)
class Col:
    header: str  # what the office reads
    path: str  # where it lives in the plan entry, dotted
    width: float = 12
    kind: str = TEXT
    choices: tuple[tuple[str, str], ...] = ()  # (label shown, value stored)
    unit: str | None = None  # for numbers: the column's unit, or ROW_UNIT
    required: bool = False
    note: str = ""  # the header's comment
    departments: bool = False  # a dropdown of the 填报单位 codes
    optional: bool = False  # a column added later: a workbook without it still reads

    def label(self, value: Any) -> Any:
        """The value as the sheet shows it (a choice's label, 是/否)."""
        if self.kind == YESNO and isinstance(value, bool):
            return "是" if value else "否"
        for label, stored in self.choices:
            if stored == value:
                return label
        return value


@dataclass(frozen=True)
class Sheet:
    name: str
    collection: str  # plan key; "projects.milestones" for the milestones sheet
    cols: Sequence[Col]


YES_NO = (("是", "是"), ("否", "否"))
UNITS = (
    "亿元",
    "万元",
    "元",
    "万美元",
    "%",
    "‰",
    "人",
    "个",
    "家",
    "所",
    "条",
    "亩",
    "平方米",
    "万平方米",
    "项",
    "处",
    "公里",
    "吨标准煤",
)
UNIT_CHOICES = tuple((u, u) for u in UNITS)
TARGET_KINDS = (
    ("增长", "growth"),
    ("水平", "level"),
    ("上限", "ceiling"),
    ("增长且水平", "growth_and_level"),
    ("待定", "given_later"),
)
ACCUMULATION = (("累计", "ytd"), ("时点", "point"))
GROWTH_BASIS = (("现价", "nominal"), ("可比价", "real"))
FREQUENCY = (("月", "month"), ("季", "quarter"), ("半年", "half"), ("年", "year"))
CATEGORIES = (("新建", "新建"), ("续建", "续建"), ("运作", "运作"), ("储备", "储备"))
ILLUSTRATIVE = Col("示意数据", "illustrative", 8, YESNO, note="是：样例虚构，不是实际数据")


def _city_target() -> tuple[Col, ...]:
    """The target the city issued (the cascade; ``tianbao check`` compares it with the
    district's own). Optional columns: plan workbooks made before them still read."""
    note = "上级（市）下达本区的目标，留空表示没有；check 会指出本区目标与之不同之处"
    return (
        Col("市定目标类型", "city_target.kind", 11, CHOICE, TARGET_KINDS, note=note, optional=True),
        Col("市定目标增速(%)", "city_target.rate_pct", 10, NUMBER, unit="%", optional=True),
        Col("市定目标值", "city_target.level", 10, NUMBER, unit=ROW_UNIT, optional=True),
        Col("市定严格超过", "city_target.strict", 8, YESNO, optional=True),
        Col("市定目标表述", "city_target.text", 20, optional=True),
    )


def _dept(required: bool = True) -> Col:
    return Col(
        "责任单位",
        "department",
        10,
        CODE,
        required=required,
        departments=True,
        note="填报单位表中的单位代码",
    )


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "填报单位",
        "departments",
        (
            Col("单位代码", "code", 10, CODE, required=True, note="字母开头，如 FGW；文件名里用它"),
            Col("单位名称", "name", 28, required=True),
            Col("简称", "short", 10),
            Col("联系人", "contact.name", 10),
            Col("联系电话", "contact.phone", 14),
            Col("电子邮箱", "contact.email", 20),
            ILLUSTRATIVE,
        ),
    ),
    Sheet(
        "主要指标",
        "indicators",
        (
            Col("指标代码", "code", 14, CODE, required=True),
            Col("指标名称", "name.zh", 22, required=True),
            Col("英文名称", "name.en", 22),
            Col("计量单位", "unit", 8, CHOICE, UNIT_CHOICES, required=True),
            _dept(),
            Col(
                "累计/时点",
                "accumulation",
                9,
                CHOICE,
                ACCUMULATION,
                required=True,
                note="累计：本年累计数；时点：期末的水平或比率",
            ),
            Col(
                "增速口径",
                "growth_basis",
                9,
                CHOICE,
                GROWTH_BASIS,
                note="可比价：按不变价计算的增速（如地区生产总值）",
            ),
            Col("基期值", "base.value", 10, NUMBER, unit=ROW_UNIT, note="上年实绩，按本行计量单位"),
            Col("基期增速(%)", "base.growth_pct", 10, NUMBER, unit="%"),
            Col("基期说明", "base.note", 20),
            Col(
                "目标类型",
                "target.kind",
                11,
                CHOICE,
                TARGET_KINDS,
                required=True,
                note="增长：增速目标；水平：达到某值；上限：控制在某值以内；"
                "增长且水平：两者都有；待定：另行下达",
            ),
            Col("目标增速(%)", "target.rate_pct", 10, NUMBER, unit="%"),
            Col("目标值", "target.level", 10, NUMBER, unit=ROW_UNIT),
            Col(
                "严格超过", "target.strict", 8, YESNO, note="是：目标写作“超过”“以上”，持平不算完成"
            ),
            Col("目标表述", "target.text", 24),
            *_city_target(),
            ILLUSTRATIVE,
        ),
    ),
    Sheet(
        "重点项目",
        "projects",
        (
            Col("项目编号", "id", 9, CODE, required=True),
            Col("项目名称", "name", 28, required=True),
            Col("类别", "category", 7, CHOICE, CATEGORIES, required=True),
            Col("重点项目", "key", 8, YESNO, required=True),
            Col("总投资(万元)", "total_investment", 12, NUMBER, unit="万元", required=True),
            Col("年度计划投资(万元)", "annual_plan", 12, NUMBER, unit="万元", required=True),
            _dept(),
            Col("责任领导", "leader", 14),
            Col("关键词", "keyword", 10),
            Col("路径", "path", 28),
            Col("计划开工", "start", 11, DATE, note="日期，如 2014-04-01"),
            Col("计划竣工", "finish", 11, DATE),
            ILLUSTRATIVE,
        ),
    ),
    Sheet(
        "里程碑",
        "projects.milestones",
        (
            Col("项目编号", "project", 9, CODE, required=True, note="重点项目表中的项目编号"),
            Col("节点日期", "due", 11, DATE, required=True, note="日期，如 2014-06-30"),
            Col("节点内容", "text", 40, required=True),
        ),
    ),
    Sheet(
        "重点任务",
        "tasks",
        (
            Col("任务编号", "id", 9, CODE, required=True),
            Col("关键词", "keyword", 10, required=True),
            Col("路径", "path", 28),
            Col("任务内容", "description", 40, required=True),
            Col("计量单位", "unit", 8, CHOICE, UNIT_CHOICES),
            Col("年度目标", "target", 10, NUMBER, unit=ROW_UNIT),
            Col("完成时限", "deadline", 11, DATE),
            _dept(),
            ILLUSTRATIVE,
        ),
    ),
    Sheet(
        "民生工程",
        "livelihood",
        (
            Col("编号", "id", 8, CODE, required=True),
            Col("名称", "name", 26, required=True),
            Col("计划投资(万元)", "budget", 12, NUMBER, unit="万元", required=True),
            _dept(),
            Col("建设内容", "content", 40),
            Col("完成时限", "deadline", 11, DATE),
            ILLUSTRATIVE,
        ),
    ),
)
SHEET_NAMES = {s.name: s for s in SHEETS}

BASICS_SHEET = "基本信息"
BASICS: tuple[Col, ...] = (
    Col("区（县）名称", "district.name", required=True),
    Col("区（县）代码", "district.code", kind=CODE, required=True, note="字母开头，如 jiefang"),
    Col("英文名称", "district.name_en"),
    Col("所属市", "district.city"),
    Col("所属省", "district.province"),
    Col("计划年度", "year", kind=INTEGER, required=True),
    Col("基期年度", "base_year", kind=INTEGER, required=True, note="计划年度的上一年"),
    Col("计划版本", "plan_version", kind=INTEGER, required=True, note="每次调整计划加 1"),
    Col(
        "调整生效期",
        "revision.effective",
        kind=PERIOD,
        note="年中调整从哪一期起执行，如 2014-07；此前各期仍按原计划审核和汇总。空：全年适用",
    ),
    Col("调整说明", "revision.reason", note="如：年中调整（区政府常务会议审定）"),
    Col("调整日期", "revision.date", kind=DATE),
    Col("报送频率", "reporting.frequency", kind=CHOICE, choices=FREQUENCY),
    Col("报送截止（期末后天数）", "reporting.deadline_days_after_period_end", kind=INTEGER),
    Col("时区（空：北京时间）", "reporting.timezone"),
    Col(
        "报表（逗号分隔）",
        "reporting.forms",
        kind=LIST,
        note="下拉列表中选一个，或填几个报表名称或表号（逗号分隔）；空：全部报表",
    ),
    Col(
        "收表单位",
        "reporting.office.name",
        note="印在每份模板和审核意见上，告诉填报单位报给谁，如：解放区统计局综合科",
    ),
    Col("收表联系人", "reporting.office.contact"),
    Col("收表联系电话", "reporting.office.phone"),
    Col("收表电子邮箱", "reporting.office.email"),
    Col(
        "报送方式",
        "reporting.office.submit_to",
        note="如：发送至 tjj@example.cn，纸质盖章件送区统计局305室",
    ),
    Col("资料来源", "source"),
    Col("示意说明", "illustrative_note"),
)
GUIDE_SHEET = "说明"
HOW_TO = (
    "本工作簿是全年目标任务计划：每张表一类内容，一行一条。填好后用 tianbao plan import 导入。",
    "灰色表头不要改动，不要合并单元格，不要隐藏行；可以增加或删除行（每张表最多 "
    f"{PLAN_LIMITS.max_rows:,} 行、{PLAN_LIMITS.max_cols} 列，表格以外不要留内容）。",
    "带下拉箭头的单元格请从列表中选择；日期写成 2014-04-01；金额以万元为单位，只填数字。",
    "“责任单位”填“填报单位”表中的单位代码；“里程碑”表的项目编号填“重点项目”表中的编号。",
    "年中调整计划时，改动后把“基本信息”中的计划版本加 1，填上调整生效期（如 2014-07）和调整说明，"
    "再导入：生效期以前各期仍按原计划审核和汇总。",
)
