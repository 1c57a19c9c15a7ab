"""Problems found by ``tianbao check`` in a workspace (plan and form files).

Each problem has a stable code; tests refer to codes, never to wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class CheckCode(str, Enum):
    """Stable codes of workspace problems. Value = short description (zh / en)."""

    FILE_UNREADABLE = "文件无法读取或解析 file missing, unreadable or not valid YAML/JSON"
    SCHEMA = "不符合 JSON 架构（schema） does not match the schema"
    DUPLICATE_ID = "编号重复 duplicate id"
    DUPLICATE_NAME = "名称重复 two entries of the same name"
    UNKNOWN_DEPARTMENT = "未定义的部门代码 unknown department code"
    ANNUAL_PLAN_ABOVE_TOTAL = "年度计划投资超过总投资 annual plan above total investment"
    DATE_ORDER = "完工日期早于开工日期 finish before start"
    BASE_YEAR = "基期年份应为计划年份前一年 base year must be the year before the plan year"
    UNKNOWN_FORM = "计划引用了不存在的报表 the plan uses a form that does not exist"
    FORM_FIELD_MISSING = "报表引用了未定义的字段 form refers to a field it does not define"
    FORM_PREFILL_UNKNOWN = (
        "预填列引用了计划中不存在的属性 prefill refers to an unknown plan attribute"
    )
    FORM_RULE_INVALID = "审核公式无法解析 audit rule expression is invalid"
    FORM_ID_MISMATCH = "报表文件名与 id 不一致 form file name differs from its id"
    MILESTONE_OUTSIDE = "里程碑日期不在计划年度内 milestone outside the plan year"
    UNKNOWN_TIMEZONE = "无法识别的时区 unknown time zone (an IANA name such as Asia/Shanghai)"
    UNKNOWN_PROJECT = "未定义的项目编号 unknown project id"
    WORKBOOK_UNREADABLE = "计划工作簿无法读取 the plan workbook cannot be read"
    SHEET_MISSING = "缺少工作表 a sheet of the plan workbook is missing"
    HEADER_CHANGED = "表头被改动 a column header of the plan workbook was changed"
    MERGED_CELLS = "单元格被合并 merged cells in the plan workbook"
    HIDDEN_ROW = "隐藏的行 a hidden row in the plan workbook"
    CELL_VALUE = "单元格内容无法识别 a cell of the plan workbook cannot be read"
    REQUIRED_EMPTY = "必填项未填 a required cell is empty"
    REVISION_PERIOD = (
        "计划调整的生效期不是计划年度的报告期 the revision's effective period is not a "
        "reporting period of the plan year"
    )
    CODE_NOT_PLAIN = "代码只能用字母、数字、-、_ a code must be letters, digits, - and _ only"
    CONTROL_CHARS = "文字含控制字符或双向控制字符 text holds a control or bidi character"
    FORM_VERSION_NOT_RAISED = (
        "表式已改动但版本号未提高 form layout changed without raising its version"
    )

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True)
class Problem:
    code: CheckCode
    file: str
    message: str
    path: str = "$"
    line: int | None = None
    found: Any = None
    expected: Any = None

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: [{self.code.name}] {self.message}"
        if self.found is not None:
            text += f"; 实际 found: {_short(self.found)}"
        if self.expected is not None:
            text += f"; 应为 expected: {_short(self.expected)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.name,
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "found": self.found,
            "expected": self.expected,
        }


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
