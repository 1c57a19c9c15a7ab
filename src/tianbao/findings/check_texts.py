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


# a schema problem at a cell of the plan workbook: the schema translator's words ({what}
# and {what_en}, schema_errors.py), what the cell holds, and a hint for codes and phone
# numbers
_HINTS = {
    "": ("", ""),
    "code": (
        "：代码以字母开头，只用字母、数字、-、_",
        " (a code starts with a letter: letters, digits, -, _)",
    ),
    "phone": (
        "：电话只用数字、空格、-、+、括号",
        " (a phone number: digits, spaces, -, +, brackets)",
    ),
}


def _cells() -> dict[str, tuple[str, str]]:
    out = {}
    for hint, (hint_zh, hint_en) in _HINTS.items():
        for found, (now_zh, now_en) in {
            "": ("", ""),
            "found": ("（现为“{found}”）", " ({found})"),
        }.items():
            variant = "_".join(filter(None, ("cell", found, hint)))
            out[variant] = (
                "{header}{what}" + now_zh + hint_zh,
                "{header}: {what_en}" + now_en + hint_en,
            )
    return out


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
            **_cells(),
        },
    ),
    Code.DUPLICATE_ID: Entry(
        E,
        "编号重复",
        "duplicate id",
        {
            # a code that differs from another only in letter case: fgw beside FGW
            "case": (
                "编号与“{other}”只差大小写，视为重复",
                "the id differs from {other} only in letter case",
            ),
            # the plan workbook's 报表 cell naming one form twice (by name, 表号 or id)
            "form": (
                "{header}：“{typed}”与“{other}”是同一张报表，请只填一次",
                "{header}: {typed} and {other} are the same form: name it once",
            ),
        },
    ),
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
    Code.RATE_ABOVE_WHOLE: Entry(
        E,
        "比率超过整体",
        "a share above its whole",
        {
            "ref": (
                "{ref}（{name}）是一个整体中的部分，{what}不能超过 {limit}{unit}",
                "{ref} ({name}) is a part of a whole: its {what_en} cannot exceed {limit}{unit}",
            ),
        },
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
            # the plan workbook's 报表 cell: what it names that is no form, and what it may
            "named": (
                "{header}：报表“{form_id}”不存在：工作区 forms/ 中没有，也不是标准报表；"
                "可填报表名称或表号，多个用逗号分隔，空：全部报表（{options}）",
                "{header}: no such form {form_id}; type form names or table numbers, "
                "comma-separated, blank for all forms ({options})",
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
    Code.UNKNOWN_PROJECT: Entry(
        E,
        "未定义的项目编号",
        "unknown project id",
        {
            "": (
                "项目编号“{project}”不在重点项目表中",
                "project {project} is not in the projects sheet",
            )
        },
    ),
    Code.WORKBOOK_UNREADABLE: Entry(
        E,
        "计划工作簿无法读取",
        "the plan workbook cannot be read",
        {
            # past the plan's stated limits (read.limits.PLAN_LIMITS), refused unread
            "limit_grid": (
                "计划工作簿超出限制：每张表最多 {rows} 行、{cols} 列，表格以外不要留内容"
                "（{detail}）",
                "the plan workbook is past a limit of {rows} rows x {cols} columns: {detail}",
            ),
            "limit": (
                "计划工作簿超出限制：{detail}",
                "the plan workbook is past a limit: {detail}",
            ),
            # the reader's reason (a READ_* code's text), with its detail or without
            "reason": ("{reason}", "{reason_en}"),
            "reason_detail": ("{reason}：{detail}", "{reason_en}: {detail}"),
        },
    ),
    Code.SHEET_MISSING: Entry(
        E,
        "缺少工作表",
        "a sheet of the plan workbook is missing",
        {
            "": (
                "缺少工作表“{name}”：请使用计划模板，不要删除或改名工作表",
                "sheet {name} is missing: use the plan template without deleting or renaming "
                "sheets",
            ),
            "renamed": (
                "工作表“{sheet}”应名为“{name}”：请改回计划模板中的名称",
                "sheet {sheet} should be named {name}: rename it back",
            ),
        },
    ),
    Code.HEADER_CHANGED: Entry(
        E,
        "表头被改动",
        "a column header of the plan workbook was changed",
        {
            "changed": (
                "表头应为“{header}”，现为“{got}”：请改回模板的表头",
                "the header should be {header}, not {got}: change it back",
            ),
            "missing": (
                "缺少“{header}”列：请使用计划模板的表头，不要删除或合并列",
                "column {header} is missing: keep the template's columns",
            ),
            "unknown": (
                "不认识的列“{got}”：计划模板中没有这一列，请删除（备注请写在表外）",
                "unknown column {got}: delete it (notes go outside the table)",
            ),
        },
    ),
    Code.MERGED_CELLS: Entry(
        E,
        "单元格被合并",
        "merged cells in the plan workbook",
        {
            "": (
                "单元格 {ref} 被合并：请取消合并，每个单元格填一个值",
                "cells {ref} are merged: unmerge them, one value per cell",
            )
        },
    ),
    Code.HIDDEN_ROW: Entry(
        E,
        "隐藏的行",
        "a hidden row in the plan workbook",
        {
            "": (
                "{sheet} 第{row}行被隐藏：隐藏的行也会导入，请取消隐藏、核对后再导入"
                "（不要的行请删除）",
                "row {row} of {sheet} is hidden: hidden rows are imported too; unhide and check "
                "it (delete rows you do not want)",
            )
        },
    ),
    Code.CELL_VALUE: Entry(
        E,
        "单元格内容无法识别",
        "a cell of the plan workbook cannot be read",
        {
            "excel_error": ("{header}：错误值 {error}", "{header}: the Excel error {error}"),
            "value": ("{header}：{reason}", "{header}: {reason_en}"),
            "choice": (
                "{header}：“{typed}”不是可选项，请从下拉列表中选择（{options}）",
                "{header}: {typed} is not one of the choices ({options})",
            ),
            "period": (
                "{header}：应写成报告期，如 2014-07",
                "{header}: a reporting period, e.g. 2014-07",
            ),
            "yes_no": (
                "{header}：“{typed}”应为“是”或“否”",
                "{header}: {typed} should be yes or no",
            ),
        },
    ),
    Code.REQUIRED_EMPTY: Entry(
        E,
        "必填项未填",
        "a required cell is empty",
        {
            "": ("{header}未填：这一栏必须填写", "{header} is empty: it must be filled in"),
            "target": (
                "{header}未填：这种目标类型须填写目标增速或目标值",
                "{header} is empty: this kind of target needs a growth rate or a level",
            ),
            "phone": (
                "{header}未填：填了联系人就要填联系电话",
                "{header} is empty: a contact needs a phone number",
            ),
            "contact": (
                "{header}未填：填了联系电话就要填联系人",
                "{header} is empty: a phone number needs a contact",
            ),
            "row": (
                "缺少“{header}”一行：请使用计划模板的基本信息表",
                "row {header} is missing: use the plan template's basics sheet",
            ),
        },
    ),
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
    Code.CODE_NOT_PLAIN: Entry(
        E,
        "代码只能用字母、数字、-、_",
        "a code must be letters, digits, - and _ only",
        {
            "": (
                "代码只能用字母、数字、-、_，以字母开头",
                "a code is letters, digits, - and _, starting with a letter",
            )
        },
    ),
    Code.CONTROL_CHARS: Entry(
        E,
        "文字含控制字符或双向控制字符",
        "text holds a control or bidi character",
        {
            "": (
                "含看不见的控制字符 {listed_zh}，请删去",
                "holds invisible control characters {listed_en}: delete them",
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
