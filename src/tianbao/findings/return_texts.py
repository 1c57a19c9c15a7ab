"""The codes about a return as a whole: its identity, its structure, the pre-filled
plan values, and a fault of ours while checking it. Templates name their fields;
``sheet``, ``cell``, ``row_key``, ``value`` and ``expected`` are the finding's own
(shown shortened), any other is given by the one place that makes the finding."""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

_DIFFER_EN = "the identity copies differ in {fields}; the {believed} copy was believed"
_REVISED_EN = 'plan revised from {effective}: "{label}" {before} → {want}; use the new template'
_REVISED_ZH = (
    "：「{label}」{before} → {want}，请使用新模板"
    "（本期按调整后的计划汇总；这是计划调整，不是填报错误）"
)

RETURN: dict[Code, Entry] = {
    Code.ID_MISSING: Entry(
        E,
        "找不到模板身份信息，可能不是本系统生成的模板",
        "no template identity: not a tianbao template, or it was removed",
        {
            "": (
                "找不到模板身份信息：这不是统计局下发的模板，或是把工作表复制到了新建的工作簿、"
                "用其他程序（如 pandas 脚本）读出后写成了新文件（都不会带上模板的身份信息）。"
                "请重新下载本单位本期的模板，直接在模板上填写后报送，不要复制或另存到新工作簿",
                "no template identity: not the office's template, or its sheets were copied "
                "into a new workbook or rewritten by another program such as a pandas script "
                "(either leaves the identity behind). Download your department's template for "
                "the period again and fill it in directly",
            )
        },
    ),
    Code.ID_KEY_MISMATCH: Entry(
        E,
        "模板不是用本工作区的密钥签发的（另一工作区的模板，或密钥已更换）",
        "signed with another key: another workspace's template, or the key was re-created",
        {
            "": (
                "模板签名无法验证：内容与本工作区（{district}{year}）的模板一致，"
                "但不是用本工作区的密钥签发的——不是本工作区生成的模板，或工作区密钥"
                " .tianbao/secret.key 已更换。请确认工作区，或从备份恢复密钥后重新审核",
                "the template matches this workspace's content but was signed with "
                "another key: another workspace, or .tianbao/secret.key was re-created",
            )
        },
    ),
    Code.ID_SIGNATURE_INVALID: Entry(
        E,
        "模板签名无效：身份信息或预填内容被改动",
        "the template signature does not verify: identity or pre-filled values were altered",
    ),
    Code.ID_WRONG_DISTRICT: Entry(
        E, "模板属于其他地区或年度", "the template belongs to another district or year"
    ),
    Code.ID_WRONG_PERIOD: Entry(
        E,
        "报告期与预期不符",
        "the period is not the expected one",
        {
            "": (
                "这是报告期 {value} 的模板，本次要的是 {expected}，请用本期模板填报",
                "a template for {value}, expected {expected}",
            ),
            "unreadable": (
                "模板身份中的报告期“{period}”无法识别，请用统计局下发的本期模板填报",
                "the template's period {period!r} is not a period",
            ),
        },
    ),
    Code.ID_WRONG_DEPARTMENT: Entry(
        E,
        "填报单位与预期不符",
        "the department is not the expected one",
        {
            "": (
                "这是单位 {value} 的模板，本次要的是 {expected}",
                "a template of {value}, expected {expected}",
            )
        },
    ),
    Code.ID_NAME_OTHER_DEPARTMENT: Entry(
        E,
        "文件名写的是另一个单位，与模板的单位不符，未受理",
        "the file name names another department than the template's; not accepted",
        {
            "": (
                "文件名写的是 {others}，模板却是 {signed}（{signed_code}）的，"
                "未受理：请确认是否发错了文件",
                "the file name names {named} but the template is {signed_code}'s",
            )
        },
    ),
    Code.ID_FILENAME_MISMATCH: Entry(
        W,
        "文件名中的报告期或单位与模板身份不符",
        "the file name's period or department differs from the template identity",
        {
            "": (
                "文件名“{value}”与模板不符（按模板应以 {expected} 开头），已按模板识别",
                "file name {value} differs from the template identity ({expected})",
            )
        },
    ),
    Code.ID_PLAN_REVISED: Entry(
        N,
        "模板按调整前的计划生成：按模板当时的预填内容审核，调整过的数另行提示",
        "the template was made from an earlier plan revision, judged against it",
    ),
    Code.ID_OLD_PLAN: Entry(
        E,
        "模板来自旧版计划，请使用最新模板重新填报",
        "the template was made from an older plan version; refill the current template",
    ),
    Code.ID_FORM_VERSION: Entry(
        E,
        "报表版本与当前报表定义不符",
        "a form version differs from the current form definition",
        {
            "": (
                "“{title}”（{form_sheet}）的模板是第{version}版表式，现行为第{current}版，"
                "表式已改动：请使用新模板重新填报",
                "form {form_id} version {version}; the current one is {current}",
            )
        },
    ),
    Code.ID_FORM_OLDER: Entry(
        W,
        "模板是旧版表式，新版只增加了可不填的栏目：照常受理，下期请使用新模板",
        "an older form version; the new one only added optional columns: accepted",
        {
            "": (
                "“{title}”（{form_sheet}）的模板是第{version}版表式，第{current}版只增加了"
                "可不填的栏目{names}：本次照常受理，下期请使用新模板",
                "older form version {version}: version {current} only added optional "
                "columns; accepted",
            )
        },
    ),
    Code.ID_PROPERTIES_DIFFER: Entry(
        W,
        "文档属性与隐藏表中的身份信息不一致",
        "document properties and the hidden identity sheet disagree",
        {
            "": ("两份身份信息不一致：{parts}；以{believed_zh}为准", _DIFFER_EN),
            # one differing field, for {parts} (joined by "；"); "sign" when none differs
            "part": ("{field}：{a_zh}为“{a}”，{b_zh}为“{b}”", "{field_id}"),
            "sign": ("签名不同：“{a}”与“{b}”", "signature"),
        },
    ),
    Code.ID_COPY_MISSING: Entry(
        W,
        "身份信息的一份副本被删除或清除了签名，已按另一份识别",
        "one identity copy was removed or its signature cleared; the other decides",
        {
            "removed": (
                "身份信息的一份副本（{source_zh}）被删除，已按另一份（{believed_zh}）识别",
                "one identity copy ({source}) was removed; the {believed} copy decides",
            ),
            "cleared": (
                "身份信息的一份副本（{source_zh}）签名被清除，已按另一份（{believed_zh}）识别",
                "one identity copy ({source}) was cleared; the {believed} copy decides",
            ),
        },
    ),
    Code.ID_COPY_FORGED: Entry(
        E,
        "身份信息的一份副本被改动（签名不符），未受理",
        "one identity copy was edited (its signature does not verify); not accepted",
        {
            "": (
                "两份身份信息不一致：{parts}；{forged_zh}的签名不符，已被改动，"
                "以已验证的{believed_zh}为准",
                _DIFFER_EN,
            )
        },
    ),
    Code.ID_TWICE_IN_BATCH: Entry(
        W,
        "同一单位同一报告期在本批中有两份报表，只计一份",
        "two returns of one department and period in one batch; one counts",
        {
            "superseded": (
                "{department} {period} 本批有 {count} 份：以 {kept}（#{kept_id}，收到 {received}）"
                "为准，{other}（#{other_id}）已被替代，不计入：请核对是否报错了文件",
                "{department} {period}: {count} returns in this batch; {kept} (#{kept_id}, "
                "received {received}) counts, {other} (#{other_id}) is superseded and not "
                "counted: check which file is right",
            ),
            "rejected": (
                "{department} {period} 本批有 {count} 份：以 {kept}（#{kept_id}，收到 {received}）"
                "为准，{other}（#{other_id}）未通过审核，不计入",
                "{department} {period}: {count} returns in this batch; {kept} (#{kept_id}, "
                "received {received}) counts, {other} (#{other_id}) was rejected and does not "
                "count",
            ),
            "refused": (
                "{department} {period} 本批有 {count} 份：以 {kept}（#{kept_id}，收到 {received}）"
                "为准，{other} 未收取（见上）",
                "{department} {period}: {count} returns in this batch; {kept} (#{kept_id}, "
                "received {received}) counts, {other} was not recorded (see above)",
            ),
        },
    ),
    Code.ID_SHEET_SHOWN: Entry(
        N,
        "隐藏的身份表 _tianbao 现在可见：文件曾用其他程序（如 Gnumeric）打开另存，"
        "这些程序会显示隐藏的表；身份信息已验证，不影响受理，无需处理",
        "the hidden identity sheet _tianbao is now visible: the file was re-saved by "
        "another program (Gnumeric, for one, shows hidden sheets); the identity verifies "
        "and this is fine, nothing to do",
    ),
    Code.STRUCT_SHEET_MISSING: Entry(E, "缺少工作表", "a form sheet is missing"),
    Code.STRUCT_SHEET_RENAMED: Entry(
        N, "工作表被改名，已按表头识别", "a sheet was renamed; recognised by its header"
    ),
    Code.STRUCT_EXTRA_SHEET: Entry(N, "多出的工作表，未读取", "an extra sheet, not read"),
    Code.STRUCT_HEADER_CHANGED: Entry(
        E,
        "表头被修改",
        "a column header was changed",
        {
            "": (
                "表头被修改：{cell} 原为“{expected}”，现为“{value}”，请改回原样",
                "header {cell} was {expected}, now {value}",
            )
        },
    ),
    Code.STRUCT_ROW_MISSING: Entry(
        E,
        "计划中的行缺失",
        "a plan row is missing",
        {
            "": (
                "计划中的“{expected}”这一行在工作表“{sheet}”中找不到（被删除，或编号被改），"
                "请恢复该行",
                "the plan row {expected} is missing from sheet {sheet}",
            ),
            "added": (
                "计划调整后新增了“{key}”这一行，旧模板里没有：请使用新模板重新填报",
                "row {key} added to the plan after the template was issued: use the new template",
            ),
        },
    ),
    Code.STRUCT_ROW_DUPLICATE: Entry(
        E, "同一编号出现多行", "the same row key appears more than once"
    ),
    Code.STRUCT_EXTRA_ROW: Entry(
        W,
        "多出的行（不在计划中），未计入",
        "an extra row not in the plan; not counted",
        {
            "": (
                "{cell} 所在行的编号“{value}”不在计划中，未计入；如为新增项目，请联系统计局",
                "row at {cell} with key {value} is not in the plan; not counted",
            ),
            "removed": (
                "{cell} 所在行“{key}”已在计划调整中删除，本期不再统计（模板是调整前生成的）",
                "row {key} at {cell} removed from the plan after the template was issued; "
                "not counted",
            ),
        },
    ),
    Code.STRUCT_ROW_MOVED: Entry(
        N, "行的位置有变动，已按编号识别", "rows were moved or inserted; matched by key"
    ),
    Code.STRUCT_LOCKED_CHANGED: Entry(
        W,
        "锁定内容（说明页、标题、自动计算列）被改动",
        "locked content (cover, titles, helper formulas) was changed",
        {
            "": (
                "锁定内容被改动：工作表“{sheet}”的 {cell} 原为“{expected}”，现为“{value}”。"
                "报送数据不受影响，但打印件会显示改动后的内容，请用原模板填报",
                "locked cell {cell} of sheet {sheet} was {expected}, now {value}",
            ),
            "more": (
                "工作表“{sheet}”另有 {rest} 处锁定内容被改动",
                "{rest} more locked cells changed on sheet {sheet}",
            ),
            "formulas": (
                "{sheets}中 {count} 处自动计算的公式（{cells}）变成了固定数值：文件像是被其他程序"
                "（如 pandas 脚本）读出后重新写过，或被手工改写。数据照常按填报栏读取，不影响受理；"
                "但这些数已不随填报更新，打印件可能与数据不符。请在统计局下发的模板中重新填写"
                "（不要用其他程序读写后另存）",
                "{count} helper formulas ({cells_en}) became fixed values: the file was rewritten "
                "by another program (a pandas script?) or typed over; the figures are read as "
                "entered, but fill the office's template again",
            ),
        },
    ),
    Code.STRUCT_MERGED_CELLS: Entry(
        E,
        "表中有合并单元格：合并后只保留左上角一格，其余格子的内容读不到，请取消合并",
        "merged cells in the table: only a merge's top-left cell is kept; unmerge them",
        {
            "": (
                "工作表“{sheet}”的 {value} 被合并成了一个单元格：合并后只认 {first} 的内容，"
                "其余格子里的数读不到。请选中 {value}，再点一次“合并后居中”取消合并，"
                "在每一格分别填好后重新报送",
                "cells {value} of sheet {sheet} are merged: only {first} is read; "
                "unmerge them and fill each cell",
            ),
            "more": (
                "工作表“{sheet}”另有 {rest} 处合并单元格，也请取消合并",
                "{rest} more merged ranges on sheet {sheet}: unmerge them too",
            ),
        },
    ),
    Code.PLAN_VALUE_CHANGED: Entry(
        E,
        "计划预填内容被修改",
        "a pre-filled plan value was changed",
        {
            "": (
                "「{label}」是计划预填内容，不得修改：原为 {want}，现为 {got}",
                '"{label}" is pre-filled from the plan: was {want}, now {got}',
            )
        },
    ),
    Code.PLAN_PREVIOUS_DIFFERS: Entry(
        W,
        "预填的上期数与台账中已计入的上期数不符，按台账审核",
        "a pre-filled previous-period figure differs from the ledger's; the ledger's is used",
        {
            "": (
                "「{label}」与已计入的上期数不符：表上为 {got}，台账中为 {want}"
                "（上期报表生成模板后已更正，或此格被改动）；本期按台账中的上期数审核",
                '"{label}" differs from last period\'s counting figure: {got} here, {want} '
                "in the ledger; the ledger's is used",
            )
        },
    ),
    Code.PLAN_CARRIED_CHANGED: Entry(
        W,
        "上期已报、不应变动的事实（如实际开工日期）本期被改动，请核实并在“说明”列写明原因",
        "a fact given last period that should not change (a start date) was changed; explain",
        {
            "": (
                "「{label}」与上期所报不同：上期为 {want}，本期为 {got}；"
                "如确需更正，请在“说明”列写明原因",
                '"{label}" differs from last period\'s: {want} then, {got} now; '
                "explain the correction in the explanation column",
            )
        },
    ),
    Code.PLAN_REVISED: Entry(
        W,
        "计划已调整：模板上的预填数是调整前的，本期按调整后的计划汇总，下期请使用新模板",
        "the office revised this pre-filled value after the template was issued",
        {
            "": (
                "「{label}」计划已调整：{before} → {want}"
                "（模板是调整前生成的；本期按调整后的计划汇总，下期请使用新模板）",
                '"{label}" revised in the plan after the template was issued: {before} → {want}',
            ),
            "dated": ("计划已于 {effective} 调整" + _REVISED_ZH, _REVISED_EN),
            "dated_why": (
                "计划已于 {effective} 调整（{reason}）" + _REVISED_ZH,
                _REVISED_EN.replace("{effective}:", "{effective} ({reason}):"),
            ),
        },
    ),
    Code.PLAN_NOT_APPLICABLE_FILLED: Entry(
        E, "不适用的单元格被填写", "a cell that does not apply to this row was filled"
    ),
    Code.VALIDATION_CRASHED: Entry(
        E,
        "审核本文件时程序出错，本文件未受理；请将文件交统计局技术人员",
        "tianbao failed while checking this file; it was not accepted; pass it to the office",
        {
            "": (
                "审核本文件时程序出错，本文件未受理；请将文件交统计局技术人员",
                "tianbao failed while checking this file; it was not accepted; pass it to "
                "the office; {detail}",
            )
        },
    ),
}
