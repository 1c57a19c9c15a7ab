"""The workspace codes: problems ``tianbao check`` and ``plan import`` find in the plan
and the forms. A problem's message is its template, Chinese then English on one line
(problems.said); an unreadable file's and a schema error's are the reader's and the
schema translator's own (support/yamlio.py, schema_errors.py)."""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E = Severity.ERROR


def _ref(zh: str, en: str, **variants: tuple[str, str]) -> dict[str, tuple[str, str]]:
    """The name, and the name with the entry it is about ("ref": … (P001))."""
    return {"ref": (zh, en + " ({ref})"), **variants}


CHECK: dict[Code, Entry] = {
    Code.FILE_UNREADABLE: Entry(
        E, "文件无法读取或解析", "file missing, unreadable or not valid YAML/JSON"
    ),
    Code.SCHEMA: Entry(
        E,
        "不符合 JSON 架构（schema）",
        "does not match the schema",
        {
            "not_mapping": ("计划文件顶层应为映射", "the plan must be a mapping"),
            "invalid_schema": ("记录 schema 本身无效", "invalid JSON Schema: {error}"),
            "not_object": ("记录 schema 应为 object 类型", "record schema must have type object"),
        },
    ),
    Code.DUPLICATE_ID: Entry(E, "编号重复", "duplicate id"),
    Code.DUPLICATE_NAME: Entry(E, "名称重复", "two entries of the same name"),
    Code.UNKNOWN_DEPARTMENT: Entry(
        E,
        "未定义的部门代码",
        "unknown department code",
        _ref("未定义的部门代码", "unknown department code"),
    ),
    Code.ANNUAL_PLAN_ABOVE_TOTAL: Entry(
        E,
        "年度计划投资超过总投资",
        "annual plan above total investment",
        _ref("年度计划投资超过总投资", "annual plan above total investment"),
    ),
    Code.DATE_ORDER: Entry(
        E,
        "完工日期早于开工日期",
        "finish before start",
        _ref("完工日期早于开工日期", "finish before start"),
    ),
    Code.BASE_YEAR: Entry(
        E,
        "基期年份应为计划年份前一年",
        "base year must be the year before the plan year",
    ),
    Code.UNKNOWN_FORM: Entry(
        E,
        "计划引用了不存在的报表",
        "the plan uses a form that does not exist",
        {
            "import": (
                "报表“{form_id}”不存在：工作区 forms/ 中没有，也不是标准报表",
                "no such form {form_id}",
            ),
        },
    ),
    Code.FORM_FIELD_MISSING: Entry(
        E,
        "报表引用了未定义的字段",
        "form refers to a field it does not define",
        _ref(
            "报表引用了未定义的字段",
            "form refers to a field it does not define",
            key=("主键应为一个预填列", "the key must be a pre-filled column"),
            not_in_schema=("填报列在记录 schema 中未定义", "entry column not in {schema}"),
            formula=("公式引用了未定义的列", "formula refers to an unknown column"),
            default_sum=(
                "default_sum 只用于填报列，且须引用本表的列",
                "default_sum belongs to an entry column and names columns of this form",
            ),
            no_column=(
                "schema 字段没有对应的填报列",
                "schema property has no entry column in {layout}",
            ),
            rule=("{rule}: 审核公式引用了未定义的字段", "rule refers to an unknown field"),
        ),
    ),
    Code.FORM_PREFILL_UNKNOWN: Entry(
        E,
        "预填列引用了计划中不存在的属性",
        "prefill refers to an unknown plan attribute",
        {
            "previous": (
                "上期预填须引用本表的填报列",
                "previous.<field> must name an entry column of this form",
            )
        },
    ),
    Code.FORM_RULE_INVALID: Entry(E, "审核公式无法解析", "audit rule expression is invalid"),
    Code.FORM_ID_MISMATCH: Entry(E, "报表文件名与 id 不一致", "form file name differs from its id"),
    Code.MILESTONE_OUTSIDE: Entry(
        E,
        "里程碑日期不在计划年度内",
        "milestone outside the plan year",
        _ref("里程碑日期不在计划年度内", "milestone outside the plan year"),
    ),
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
        {
            "": (
                "计划调整的生效期应为 {year} 年的报告期，如 {year}-07",
                "(revision.effective must be a reporting period of the plan year)",
            )
        },
    ),
    Code.FORM_VERSION_NOT_RAISED: Entry(
        E,
        "表式已改动但版本号未提高",
        "form layout changed without raising its version",
        {
            "": (
                "表式已改动，但已按 version {version} 下发过模板：请将 version 提到 {raised}"
                "（已下发的模板仍按原表式审核）",
                "the layout changed after templates were issued with version {version}: "
                "raise it to {raised}",
            )
        },
    ),
}
