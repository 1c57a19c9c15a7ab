"""The workspace codes: problems ``tianbao check`` and ``plan import`` find in the plan
and the forms. The message of each problem names what is wrong where (the schema's
or the consistency check's own words); these are the codes' names."""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E = Severity.ERROR

CHECK: dict[Code, Entry] = {
    Code.FILE_UNREADABLE: Entry(
        E, "文件无法读取或解析", "file missing, unreadable or not valid YAML/JSON"
    ),
    Code.SCHEMA: Entry(E, "不符合 JSON 架构（schema）", "does not match the schema"),
    Code.DUPLICATE_ID: Entry(E, "编号重复", "duplicate id"),
    Code.DUPLICATE_NAME: Entry(E, "名称重复", "two entries of the same name"),
    Code.UNKNOWN_DEPARTMENT: Entry(E, "未定义的部门代码", "unknown department code"),
    Code.ANNUAL_PLAN_ABOVE_TOTAL: Entry(
        E, "年度计划投资超过总投资", "annual plan above total investment"
    ),
    Code.DATE_ORDER: Entry(E, "完工日期早于开工日期", "finish before start"),
    Code.BASE_YEAR: Entry(
        E, "基期年份应为计划年份前一年", "base year must be the year before the plan year"
    ),
    Code.UNKNOWN_FORM: Entry(
        E, "计划引用了不存在的报表", "the plan uses a form that does not exist"
    ),
    Code.FORM_FIELD_MISSING: Entry(
        E, "报表引用了未定义的字段", "form refers to a field it does not define"
    ),
    Code.FORM_PREFILL_UNKNOWN: Entry(
        E, "预填列引用了计划中不存在的属性", "prefill refers to an unknown plan attribute"
    ),
    Code.FORM_RULE_INVALID: Entry(E, "审核公式无法解析", "audit rule expression is invalid"),
    Code.FORM_ID_MISMATCH: Entry(E, "报表文件名与 id 不一致", "form file name differs from its id"),
    Code.MILESTONE_OUTSIDE: Entry(E, "里程碑日期不在计划年度内", "milestone outside the plan year"),
    Code.UNKNOWN_TIMEZONE: Entry(
        E, "无法识别的时区", "unknown time zone (an IANA name such as Asia/Shanghai)"
    ),
    Code.UNKNOWN_PROJECT: Entry(E, "未定义的项目编号", "unknown project id"),
    Code.WORKBOOK_UNREADABLE: Entry(E, "计划工作簿无法读取", "the plan workbook cannot be read"),
    Code.SHEET_MISSING: Entry(E, "缺少工作表", "a sheet of the plan workbook is missing"),
    Code.HEADER_CHANGED: Entry(E, "表头被改动", "a column header of the plan workbook was changed"),
    Code.MERGED_CELLS: Entry(E, "单元格被合并", "merged cells in the plan workbook"),
    Code.HIDDEN_ROW: Entry(E, "隐藏的行", "a hidden row in the plan workbook"),
    Code.CELL_VALUE: Entry(E, "单元格内容无法识别", "a cell of the plan workbook cannot be read"),
    Code.REQUIRED_EMPTY: Entry(E, "必填项未填", "a required cell is empty"),
    Code.REVISION_PERIOD: Entry(
        E,
        "计划调整的生效期不是计划年度的报告期",
        "the revision's effective period is not a reporting period of the plan year",
    ),
    Code.FORM_VERSION_NOT_RAISED: Entry(
        E, "表式已改动但版本号未提高", "form layout changed without raising its version"
    ),
}
