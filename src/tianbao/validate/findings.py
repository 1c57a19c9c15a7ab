"""The findings catalog: every finding validation can emit, with a stable code.

Findings are data, collected, never raised. Tests and reports refer to codes;
the wording may change. ``docs/findings.md`` is generated from this catalog.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from enum import Enum
from typing import Any

from tianbao.read.issues import ReadCode
from tianbao.support.bilingual import split_bilingual as split_bilingual


class Severity(str, Enum):
    ERROR = "error"  # blocks acceptance
    WARNING = "warning"  # accepted only when the row's 说明 explains it
    NOTE = "note"  # recorded (a normalisation, an explained warning); never blocks


@dataclass(frozen=True)
class CodeInfo:
    severity: Severity
    zh: str
    en: str


class Code(str, Enum):
    """Stable finding codes. Group prefix = stage: READ, ID, STRUCT, PLAN, VALUE, SCHEMA,
    RULE, QUALITY."""

    # reading: one code per reason the guarded reader refuses a file (tianbao.read.issues)
    READ_NOT_FOUND = "READ_NOT_FOUND"
    READ_EMPTY_FILE = "READ_EMPTY_FILE"
    READ_TOO_LARGE = "READ_TOO_LARGE"
    READ_NOT_A_ZIP = "READ_NOT_A_ZIP"
    READ_ENCRYPTED = "READ_ENCRYPTED"
    READ_LEGACY_XLS = "READ_LEGACY_XLS"
    READ_XLSB = "READ_XLSB"
    READ_ODS = "READ_ODS"
    READ_CSV_OR_TEXT = "READ_CSV_OR_TEXT"
    READ_HTML = "READ_HTML"
    READ_SPREADSHEETML_2003 = "READ_SPREADSHEETML_2003"
    READ_MACRO_ENABLED = "READ_MACRO_ENABLED"
    READ_ZIP_BOMB = "READ_ZIP_BOMB"
    READ_TOO_MANY_ENTRIES = "READ_TOO_MANY_ENTRIES"
    READ_BAD_ZIP_NAME = "READ_BAD_ZIP_NAME"
    READ_CORRUPT_ZIP = "READ_CORRUPT_ZIP"
    READ_NOT_XLSX = "READ_NOT_XLSX"
    READ_XML_ENTITIES = "READ_XML_ENTITIES"
    READ_XML_ERROR = "READ_XML_ERROR"
    READ_SHEET_TOO_LARGE = "READ_SHEET_TOO_LARGE"
    READ_TOO_MANY_SHEETS = "READ_TOO_MANY_SHEETS"
    READ_STYLES_TOO_LARGE = "READ_STYLES_TOO_LARGE"
    READ_CELL_TOO_LONG = "READ_CELL_TOO_LONG"
    READ_MISSING_PART = "READ_MISSING_PART"
    READ_BAD_RELATIONSHIP = "READ_BAD_RELATIONSHIP"
    READ_DUPLICATE_SHEET_NAME = "READ_DUPLICATE_SHEET_NAME"
    READ_EXTERNAL_LINKS = "READ_EXTERNAL_LINKS"
    READ_READER_CRASHED = "READ_READER_CRASHED"
    READ_READER_ERROR = "READ_READER_ERROR"
    READ_SYMLINK = "READ_SYMLINK"
    # a fault of ours while checking one file: that file's finding, never the batch's
    VALIDATION_CRASHED = "VALIDATION_CRASHED"
    # identity
    ID_MISSING = "ID_MISSING"
    ID_SIGNATURE_INVALID = "ID_SIGNATURE_INVALID"
    ID_KEY_MISMATCH = "ID_KEY_MISMATCH"
    ID_WRONG_DISTRICT = "ID_WRONG_DISTRICT"
    ID_WRONG_PERIOD = "ID_WRONG_PERIOD"
    ID_WRONG_DEPARTMENT = "ID_WRONG_DEPARTMENT"
    ID_FILENAME_MISMATCH = "ID_FILENAME_MISMATCH"
    ID_NAME_OTHER_DEPARTMENT = "ID_NAME_OTHER_DEPARTMENT"
    ID_OLD_PLAN = "ID_OLD_PLAN"
    ID_PLAN_REVISED = "ID_PLAN_REVISED"
    ID_FORM_VERSION = "ID_FORM_VERSION"
    ID_FORM_OLDER = "ID_FORM_OLDER"
    ID_PROPERTIES_DIFFER = "ID_PROPERTIES_DIFFER"
    ID_COPY_MISSING = "ID_COPY_MISSING"
    ID_COPY_FORGED = "ID_COPY_FORGED"
    ID_SHEET_SHOWN = "ID_SHEET_SHOWN"
    # structure
    STRUCT_SHEET_MISSING = "STRUCT_SHEET_MISSING"
    STRUCT_SHEET_RENAMED = "STRUCT_SHEET_RENAMED"
    STRUCT_EXTRA_SHEET = "STRUCT_EXTRA_SHEET"
    STRUCT_HEADER_CHANGED = "STRUCT_HEADER_CHANGED"
    STRUCT_ROW_MISSING = "STRUCT_ROW_MISSING"
    STRUCT_ROW_DUPLICATE = "STRUCT_ROW_DUPLICATE"
    STRUCT_EXTRA_ROW = "STRUCT_EXTRA_ROW"
    STRUCT_ROW_MOVED = "STRUCT_ROW_MOVED"
    STRUCT_LOCKED_CHANGED = "STRUCT_LOCKED_CHANGED"
    # plan integrity
    PLAN_VALUE_CHANGED = "PLAN_VALUE_CHANGED"
    PLAN_REVISED = "PLAN_REVISED"
    PLAN_PREVIOUS_DIFFERS = "PLAN_PREVIOUS_DIFFERS"
    PLAN_NOT_APPLICABLE_FILLED = "PLAN_NOT_APPLICABLE_FILLED"
    # values as typed
    VALUE_NORMALISED = "VALUE_NORMALISED"
    VALUE_IMPLAUSIBLE = "VALUE_IMPLAUSIBLE"
    VALUE_UNIT_CONVERTED = "VALUE_UNIT_CONVERTED"
    VALUE_UNPARSEABLE = "VALUE_UNPARSEABLE"
    VALUE_UNIT_MISMATCH = "VALUE_UNIT_MISMATCH"
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
    VALUE_EXCEL_ERROR = "VALUE_EXCEL_ERROR"
    VALUE_FORMULA_IN_ENTRY = "VALUE_FORMULA_IN_ENTRY"
    # schema
    SCHEMA_REQUIRED = "SCHEMA_REQUIRED"
    SCHEMA_TYPE = "SCHEMA_TYPE"
    SCHEMA_RANGE = "SCHEMA_RANGE"
    SCHEMA_ENUM = "SCHEMA_ENUM"
    SCHEMA_FORMAT = "SCHEMA_FORMAT"
    SCHEMA_LENGTH = "SCHEMA_LENGTH"
    SCHEMA_OTHER = "SCHEMA_OTHER"
    # audit rules
    RULE_FAILED = "RULE_FAILED"
    RULE_WARNING = "RULE_WARNING"
    RULE_WARNING_EXPLAINED = "RULE_WARNING_EXPLAINED"
    RULE_MISSING_VALUE = "RULE_MISSING_VALUE"
    QUALITY_OUTLIER = "QUALITY_OUTLIER"
    QUALITY_CONCENTRATED = "QUALITY_CONCENTRATED"
    QUALITY_UNCHANGED = "QUALITY_UNCHANGED"
    RULE_NO_PREVIOUS = "RULE_NO_PREVIOUS"

    @property
    def info(self) -> CodeInfo:
        return CATALOG[self]


def read_code(rc: ReadCode) -> Code:
    """The validation code of a reading problem: READ_ and its name."""
    return Code["READ_" + rc.name]


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
CATALOG: dict[Code, CodeInfo] = {
    Code.ID_MISSING: CodeInfo(
        E,
        "找不到模板身份信息，可能不是本系统生成的模板",
        "no template identity: not a tianbao template, or it was removed",
    ),
    Code.ID_KEY_MISMATCH: CodeInfo(
        E,
        "模板不是用本工作区的密钥签发的（另一工作区的模板，或密钥已更换）",
        "signed with another key: another workspace's template, or the key was re-created",
    ),
    Code.ID_SIGNATURE_INVALID: CodeInfo(
        E,
        "模板签名无效：身份信息或预填内容被改动",
        "the template signature does not verify: identity or pre-filled values were altered",
    ),
    Code.ID_WRONG_DISTRICT: CodeInfo(
        E, "模板属于其他地区或年度", "the template belongs to another district or year"
    ),
    Code.ID_WRONG_PERIOD: CodeInfo(E, "报告期与预期不符", "the period is not the expected one"),
    Code.ID_WRONG_DEPARTMENT: CodeInfo(
        E, "填报单位与预期不符", "the department is not the expected one"
    ),
    Code.ID_NAME_OTHER_DEPARTMENT: CodeInfo(
        E,
        "文件名写的是另一个单位，与模板的单位不符，未受理",
        "the file name names another department than the template's; not accepted",
    ),
    Code.ID_FILENAME_MISMATCH: CodeInfo(
        W,
        "文件名中的报告期或单位与模板身份不符",
        "the file name's period or department differs from the template identity",
    ),
    Code.ID_PLAN_REVISED: CodeInfo(
        N,
        "模板按调整前的计划生成：按模板当时的预填内容审核，调整过的数另行提示",
        "the template was made from an earlier plan revision, judged against it",
    ),
    Code.ID_OLD_PLAN: CodeInfo(
        E,
        "模板来自旧版计划，请使用最新模板重新填报",
        "the template was made from an older plan version; refill the current template",
    ),
    Code.ID_FORM_VERSION: CodeInfo(
        E, "报表版本与当前报表定义不符", "a form version differs from the current form definition"
    ),
    Code.ID_FORM_OLDER: CodeInfo(
        W,
        "模板是旧版表式，新版只增加了可不填的栏目：照常受理，下期请使用新模板",
        "an older form version; the new one only added optional columns: accepted",
    ),
    Code.ID_PROPERTIES_DIFFER: CodeInfo(
        W,
        "文档属性与隐藏表中的身份信息不一致",
        "document properties and the hidden identity sheet disagree",
    ),
    Code.ID_COPY_MISSING: CodeInfo(
        W,
        "身份信息的一份副本被删除或清除了签名，已按另一份识别",
        "one identity copy was removed or its signature cleared; the other decides",
    ),
    Code.ID_COPY_FORGED: CodeInfo(
        E,
        "身份信息的一份副本被改动（签名不符），未受理",
        "one identity copy was edited (its signature does not verify); not accepted",
    ),
    Code.ID_SHEET_SHOWN: CodeInfo(
        N,
        "隐藏的身份表 _tianbao 现在可见：文件曾用其他程序（如 Gnumeric）打开另存，"
        "这些程序会显示隐藏的表；身份信息已验证，不影响受理，无需处理",
        "the hidden identity sheet _tianbao is now visible: the file was re-saved by "
        "another program (Gnumeric, for one, shows hidden sheets); the identity verifies "
        "and this is fine, nothing to do",
    ),
    Code.STRUCT_SHEET_MISSING: CodeInfo(E, "缺少工作表", "a form sheet is missing"),
    Code.STRUCT_SHEET_RENAMED: CodeInfo(
        N, "工作表被改名，已按表头识别", "a sheet was renamed; recognised by its header"
    ),
    Code.STRUCT_EXTRA_SHEET: CodeInfo(N, "多出的工作表，未读取", "an extra sheet, not read"),
    Code.STRUCT_HEADER_CHANGED: CodeInfo(E, "表头被修改", "a column header was changed"),
    Code.STRUCT_ROW_MISSING: CodeInfo(E, "计划中的行缺失", "a plan row is missing"),
    Code.STRUCT_ROW_DUPLICATE: CodeInfo(
        E, "同一编号出现多行", "the same row key appears more than once"
    ),
    Code.STRUCT_EXTRA_ROW: CodeInfo(
        W, "多出的行（不在计划中），未计入", "an extra row not in the plan; not counted"
    ),
    Code.STRUCT_ROW_MOVED: CodeInfo(
        N, "行的位置有变动，已按编号识别", "rows were moved or inserted; matched by key"
    ),
    Code.STRUCT_LOCKED_CHANGED: CodeInfo(
        W,
        "锁定内容（说明页、标题、自动计算列）被改动",
        "locked content (cover, titles, helper formulas) was changed",
    ),
    Code.PLAN_VALUE_CHANGED: CodeInfo(
        E, "计划预填内容被修改", "a pre-filled plan value was changed"
    ),
    Code.PLAN_PREVIOUS_DIFFERS: CodeInfo(
        W,
        "预填的上期数与台账中已计入的上期数不符，按台账审核",
        "a pre-filled previous-period figure differs from the ledger's; the ledger's is used",
    ),
    Code.PLAN_REVISED: CodeInfo(
        W,
        "计划已调整：模板上的预填数是调整前的，本期按调整后的计划汇总，下期请使用新模板",
        "the office revised this pre-filled value after the template was issued",
    ),
    Code.PLAN_NOT_APPLICABLE_FILLED: CodeInfo(
        E, "不适用的单元格被填写", "a cell that does not apply to this row was filled"
    ),
    Code.VALUE_IMPLAUSIBLE: CodeInfo(
        W,
        "数值超出本栏常见范围（可能多乘或少乘了 100）",
        "a number outside its column's usual range (perhaps 100 times off)",
    ),
    Code.VALUE_NORMALISED: CodeInfo(N, "输入已规范化", "the input was normalised"),
    Code.VALUE_UNIT_CONVERTED: CodeInfo(N, "单位已换算", "the unit was converted"),
    Code.VALUE_UNPARSEABLE: CodeInfo(E, "无法识别的输入", "the input cannot be understood"),
    Code.VALUE_UNIT_MISMATCH: CodeInfo(
        E,
        "单位与本栏单位不符，无法换算",
        "the unit differs from the column's and cannot be converted",
    ),
    Code.VALUE_OUT_OF_RANGE: CodeInfo(
        E,
        "数值大得不可能（绝对值超过 10 的 15 次方），请核实",
        "the number is impossibly large (beyond 10^15); check it",
    ),
    Code.VALIDATION_CRASHED: CodeInfo(
        E,
        "审核本文件时程序出错，本文件未受理；请将文件交统计局技术人员",
        "tianbao failed while checking this file; it was not accepted; pass it to the office",
    ),
    Code.VALUE_EXCEL_ERROR: CodeInfo(
        E, "单元格为 Excel 错误值", "the cell holds an Excel error value"
    ),
    Code.VALUE_FORMULA_IN_ENTRY: CodeInfo(
        E,
        "填报栏须直接填写数值，不能使用公式，请改为数值后报送",
        "an entry cell holds a formula; enter the value itself",
    ),
    Code.SCHEMA_REQUIRED: CodeInfo(E, "必填项未填写", "a required value is missing"),
    Code.SCHEMA_TYPE: CodeInfo(E, "类型错误", "wrong type"),
    Code.SCHEMA_RANGE: CodeInfo(E, "数值超出允许范围", "the value is out of range"),
    Code.SCHEMA_ENUM: CodeInfo(E, "不是允许的选项", "not one of the allowed choices"),
    Code.SCHEMA_FORMAT: CodeInfo(E, "格式错误", "wrong format"),
    Code.SCHEMA_LENGTH: CodeInfo(E, "内容长度超出限制", "the text is too long or too short"),
    Code.SCHEMA_OTHER: CodeInfo(E, "不符合报表要求", "does not match the form's schema"),
    Code.RULE_FAILED: CodeInfo(E, "审核公式未通过", "an audit rule failed"),
    Code.RULE_WARNING: CodeInfo(
        W,
        "审核预警未在说明栏解释（须说明后才能受理）",
        "an audit warning not explained in the 说明 cell (blocks until explained)",
    ),
    Code.RULE_WARNING_EXPLAINED: CodeInfo(
        W, "审核预警已在说明栏解释", "an audit warning, explained in the 说明 cell"
    ),
    Code.RULE_MISSING_VALUE: CodeInfo(
        E, "审核所需的数值未填写", "a value the audit rule needs is missing"
    ),
    Code.QUALITY_OUTLIER: CodeInfo(
        W,
        "本月数远离本行以往各月（修正Z值），请核实或说明",
        "this month's figure is far from the row's earlier months (modified z-score)",
    ),
    Code.QUALITY_CONCENTRATED: CodeInfo(
        W,
        "本月数占本年累计的比重过高，请核实或说明",
        "this month carries most of the year to date",
    ),
    Code.QUALITY_UNCHANGED: CodeInfo(
        W,
        "数字连续几个月没有变化，请核实或说明",
        "the figure has not changed for several months",
    ),
    Code.RULE_NO_PREVIOUS: CodeInfo(
        N, "无上期数据，跨期审核未执行", "no previous period: across-period rules skipped"
    ),
}
# one READ_* code per reason the reader gives, its texts from tianbao.read.issues
CATALOG.update({read_code(rc): CodeInfo(E if rc.blocking else N, *rc.short) for rc in ReadCode})


@dataclass
class Finding:
    code: Code
    severity: Severity
    message: str
    file: str = ""
    sha256: str = ""
    department: str = ""
    period: str = ""
    form: str = ""
    sheet: str = ""
    cell: str = ""
    row_key: str = ""
    field: str = ""
    rule: str = ""
    value: Any = None
    expected: Any = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """Errors block; a warning blocks only while its row's 说明 does not explain it."""
        return self.severity is Severity.ERROR or self.code is Code.RULE_WARNING

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["code"] = self.code.value
        d["severity"] = self.severity.value
        d["value"] = _jsonable(self.value)
        d["expected"] = _jsonable(self.expected)
        extra = d.pop("extra")
        for key in _KEPT_EXTRA:  # the English text; a blank cell's column and row names
            if extra.get(key):
                d[key] = extra[key]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """A finding as ``as_dict`` gave it (from the ledger's recorded report)."""
        known = {f for f in cls.__dataclass_fields__ if f not in ("code", "severity", "extra")}
        where = {k: v for k, v in d.items() if k in known}
        extra = {k: d[k] for k in _KEPT_EXTRA if d.get(k)}
        return cls(Code(d["code"]), Severity(d["severity"]), extra=extra, **where)


_KEPT_EXTRA = ("message_en", "label", "row_name")


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


# What a clerk reads for a finding made without a message of its own: filled from
# the finding's fields (sheet, cell, row_key, value, expected); the catalog's English
# goes to message_en. Every field a template names is given where the code is made.
TEMPLATES: dict[Code, tuple[str, str]] = {
    Code.STRUCT_ROW_MISSING: (
        "计划中的“{expected}”这一行在工作表“{sheet}”中找不到（被删除，或编号被改），请恢复该行",
        "the plan row {expected} is missing from sheet {sheet}",
    ),
    Code.STRUCT_HEADER_CHANGED: (
        "表头被修改：{cell} 原为“{expected}”，现为“{value}”，请改回原样",
        "header {cell} was {expected}, now {value}",
    ),
    Code.STRUCT_EXTRA_ROW: (
        "{cell} 所在行的编号“{value}”不在计划中，未计入；如为新增项目，请联系统计局",
        "row at {cell} with key {value} is not in the plan; not counted",
    ),
    Code.STRUCT_LOCKED_CHANGED: (
        "锁定内容被改动：工作表“{sheet}”的 {cell} 原为“{expected}”，现为“{value}”。"
        "报送数据不受影响，但打印件会显示改动后的内容，请用原模板填报",
        "locked cell {cell} of sheet {sheet} was {expected}, now {value}",
    ),
    Code.ID_WRONG_PERIOD: (
        "这是报告期 {value} 的模板，本次要的是 {expected}，请用本期模板填报",
        "a template for {value}, expected {expected}",
    ),
    Code.ID_WRONG_DEPARTMENT: (
        "这是单位 {value} 的模板，本次要的是 {expected}",
        "a template of {value}, expected {expected}",
    ),
    Code.VALUE_EXCEL_ERROR: (
        "单元格 {cell} 是 Excel 错误值 {value}（公式算不出结果），请改为数值",
        "cell {cell} holds the Excel error {value}",
    ),
    Code.ID_FILENAME_MISMATCH: (
        "文件名“{value}”与模板不符（按模板应以 {expected} 开头），已按模板识别",
        "file name {value} differs from the template identity ({expected})",
    ),
}


def _shown(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def make(
    code: Code, message: str | None = None, severity: Severity | None = None, **where: Any
) -> Finding:
    info = CATALOG[code]
    if message is None and code in TEMPLATES:
        zh, en = TEMPLATES[code]
        fields = {
            k: _shown(where.get(k)) for k in ("sheet", "cell", "row_key", "value", "expected")
        }
        extra = dict(where.pop("extra", None) or {})
        extra.setdefault("message_en", en.format(**fields))
        return Finding(code, severity or info.severity, zh.format(**fields), extra=extra, **where)
    if message is None:  # the catalog's text: Chinese for the clerk, English beside it
        extra = dict(where.pop("extra", None) or {})
        extra.setdefault("message_en", info.en)
        return Finding(code, severity or info.severity, info.zh, extra=extra, **where)
    extra = dict(where.pop("extra", None) or {})
    if not extra.get("message_en"):
        message, extra["message_en"] = split_bilingual(message)
    return Finding(code, severity or info.severity, message, extra=extra, **where)
