"""The codes about the figures in a return: values as typed, the form's schema, its
audit rules and the data-quality checks over the months. ``{row}`` is the row a
clerk looks for (validate.records.row_name); ``{rule_zh}``/``{rule_en}`` the form's
own rule message, filled."""

from __future__ import annotations

from tianbao.findings.codes import Code, Entry, Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

_RANGE_EN = "{number:g} is outside the usual range {lo:g}..{hi:g}"
_SAID = "{row}的「{label}」填了 {number:g}"
_ASK = "（请核实，或在“说明”栏解释）"
_EXPLAINED = "（已说明：{note}）"
_CHECK_EN = " (check it, or explain it in the 说明 cell)"
_EXPLAINED_EN = " (explained: {note})"
# a rate past its whole (validate/bounds.py): where, the figure read and the bound
_ABOVE = "{sheet}!{cell}：{row}的「{label}」为 {number}{unit}，超过 {limit}{unit}"
_ABOVE_EN = "{sheet}!{cell}: {row_en}, {label} {number}{unit} is above {limit}{unit}"
_OUTLIER = (
    "{row}：{label} {now} 远{way}本年以往 {months} 个月（中位数 {median}，修正Z值 {score:.1f}，"
    "超过 ±{z:g}）"
)
_OUTLIER_EN = (
    "{row}: {field} {now} is far {way} the {months} earlier months of the year (median "
    "{median}, modified z-score {score:.1f}, beyond ±{z:g})"
)
_SHARE = (
    "{row}：{label} {now} 占{of_label} {total} 的 {share:.0f}%"
    "（超过 {limit:g}%，全年进度集中在本月）"
)
_SHARE_EN = "{row}: {field} {now} is {share:.0f}% of {of} {total} (over {limit:g}%)"
_SAME = "{row}：{label} 连续 {months} 个月都是 {now}，没有变化（按计划应有进展）"
_SAME_EN = "{row}: {field} has been {now} for {months} months"


# what normalisation (validate/normalize.py) did to a typed value: one note per change;
# a value whose unit was converted carries all its notes under VALUE_UNIT_CONVERTED
_NOTES: dict[str, tuple[str, str]] = {
    "spaces": ("已去除多余空格", "surrounding spaces removed"),
    "fullwidth": ("全角字符已转换为半角", "full-width characters converted"),
    "thousands": ("已去除千分位分隔符", "thousands separators removed"),
    "thousands_space": (
        "数字中作千分位分隔的空格（{char}）已去除",
        "the spaces ({char}) between the thousands removed",
    ),
    "accounting": ("括号负数已转换为负号", "accounting negative (100) read as -100"),
    "placeholder": ("占位符按空白处理", "placeholder for 'nothing' treated as blank"),
    "time": ("已去除时间部分", "time of day dropped"),
    "iso": ("日期已改写为“年-月-日”格式", "date rewritten as YYYY-MM-DD"),
    "day": ("未填日，按当月1日", "no day given; the 1st of the month assumed"),
    "text_number": ("文本格式的数字已转换为数值", "number stored as text converted"),
    "enum_spaces": ("已去除选项中的空格", "spaces inside the choice removed"),
    "unit_removed": ("已去除单位“{suffix}”", "unit “{suffix}” removed"),
    "serial": ("Excel 日期序号 {serial} 已转换", "Excel date serial {serial} converted"),
    "percent_cell": (
        "单元格为百分比格式（显示为 {pct}%），本栏单位为{unit}，按 {got} 记录",
        "percent-formatted cell shown as {pct}% recorded as {got} ({unit})",
    ),
    "converted": (
        "单位已换算（{suffix} → {unit}）：{was} = {now}",
        "unit converted ({suffix} → {unit}): {was} = {now}",
    ),
}


def _typed(**reasons: tuple[str, str]) -> dict[str, tuple[str, str]]:
    """Why a typed value ({typed}, quoted and cut) cannot be used, by reason."""
    return {k: (f"“{{typed}}”{zh}", f"“{{typed}}”: {en}") for k, (zh, en) in reasons.items()}


_PERCENT = ("是百分数，本栏单位为{unit}", "is a percentage, unit {unit}")


def _quality(zh: str, en: str, way: str = "") -> dict[str, tuple[str, str]]:
    """Asked to check or explain; or explained in the row's 说明 (variant "explained")."""
    if not way:
        return {"": (zh + _ASK, en + _CHECK_EN), "explained": (zh + _EXPLAINED, en + _EXPLAINED_EN)}
    # an outlier above ("" / "explained") or below ("low" / "low_explained") the months
    high = _quality(zh.replace("{way}", "高于"), en.replace("{way}", "above"))
    low = _quality(zh.replace("{way}", "低于"), en.replace("{way}", "below"))
    return {**high, "low": low[""], "low_explained": low["explained"]}


VALUES: dict[Code, Entry] = {
    Code.VALUE_IMPLAUSIBLE: Entry(
        W,
        "数值超出本栏常见范围（可能多乘或少乘了 100）",
        "a number outside its column's usual range (perhaps 100 times off)",
        {
            "": (
                _SAID + "，超出常见范围 {lo:g}～{hi:g}，请核实。如确实如此，请在说明栏写明",
                _RANGE_EN,
            ),
            "guess": (
                _SAID
                + "，超出常见范围 {lo:g}～{hi:g}，是否应为 {guess:g}？如确实如此，请在说明栏写明",
                _RANGE_EN,
            ),
            "percent": (
                _SAID + "，是否应为 {percent:g}%？本栏填百分点数字（{percent:g}% 填 {percent:g}）",
                _RANGE_EN,
            ),
            # a rate past 100 % that may be so (validate/bounds.py)
            "over_target": (
                _ABOVE + "，即超额完成目标。如属实，请在“说明”栏写明；如不是，请改正",
                _ABOVE_EN + ": the target over-fulfilled? If so, say so in the 说明 cell",
            ),
            "over_rate": (
                _ABOVE + "，这类比率一般不超过 {limit}{unit}，请核实；如属实，请在“说明”栏写明",
                _ABOVE_EN + ", unusual for a rate: check it, or explain it in the 说明 cell",
            ),
        },
    ),
    Code.VALUE_NORMALISED: Entry(N, "输入已规范化", "the input was normalised", _NOTES),
    Code.VALUE_UNIT_CONVERTED: Entry(N, "单位已换算", "the unit was converted", _NOTES),
    Code.VALUE_UNPARSEABLE: Entry(
        E,
        "无法识别的输入",
        "the input cannot be understood",
        _typed(
            too_long=("太长，不是本栏要填的内容", "is far too long for this column"),
            not_finite=("不是有限数值", "not a finite number"),
            not_whole=("不是整数", "not a whole number"),
            not_whole_unit=(
                "不是整数：单位为“{unit}”，须填整数",
                "is not whole: the unit {unit} counts whole ones",
            ),
            not_number=("不是数值", "is not a number"),
            approximate=("是约数，请填写准确数值", "is approximate; enter the exact number"),
            comma=("的逗号位置不对（小数点用“.”）", "has a misplaced comma"),
            unreadable=("无法识别为数值", "cannot be read as a number"),
            spaced=(
                "中间有空格（{char}），无法识别为数值；数字中间请不要加空格",
                "has a space ({char}) inside: not a number; type digits without spaces",
            ),
            percent=_PERCENT,
            unit_not_wanted=("带有单位，但本栏不填单位", "has a unit but this column has none"),
            unit_unknown=("的单位“{suffix}”无法识别", "has an unknown unit “{suffix}”"),
            not_date=("不是日期，请填写如 2014-07-01", "is not a date; enter e.g. 2014-07-01"),
            year_like=("像年份而非日期（请填如 2014-07-01）", "looks like a year, not a date"),
            bad_serial=("不是有效的 Excel 日期序号", "is not a valid Excel date serial"),
            bad_date=(
                "不是有效日期，请填写如 2014-07-01",
                "is not a valid date; enter e.g. 2014-07-01",
            ),
            unreadable_date=(
                "无法识别为日期，请填写如 2014-07-01",
                "is not a date; enter e.g. 2014-07-01",
            ),
        ),
    ),
    Code.VALUE_UNIT_MISMATCH: Entry(
        E,
        "单位与本栏单位不符，无法换算",
        "the unit differs from the column's and cannot be converted",
        _typed(
            percent=_PERCENT,
            other_unit=(
                "的单位“{suffix}”与本栏“{unit}”不符",
                "is in {suffix}, the column in {unit}",
            ),
        ),
    ),
    Code.VALUE_OUT_OF_RANGE: Entry(
        E,
        "数值大得不可能（绝对值超过 10 的 15 次方），请核实",
        "the number is impossibly large (beyond 10^15); check it",
        _typed(too_large=("大得不可能，请核实", "is impossibly large")),
    ),
    Code.VALUE_ABOVE_WHOLE: Entry(
        E,
        "部分占整体的比率超过了 100%，不可能",
        "a part-of-a-whole rate above 100 %: impossible",
        {
            "": (
                _ABOVE + "：“{word}”是部分占整体的比率，不可能超过 {limit}{unit}。请核实后改正"
                "（是否多乘了 100，或填成了完成目标的百分比？）",
                _ABOVE_EN + ", which a part of a whole cannot exceed: correct it",
            )
        },
    ),
    Code.VALUE_EXCEL_ERROR: Entry(
        E,
        "单元格为 Excel 错误值",
        "the cell holds an Excel error value",
        {
            "": (
                "单元格 {cell} 是 Excel 错误值 {value}（公式算不出结果），请改为数值",
                "cell {cell} holds the Excel error {value}",
            )
        },
    ),
    Code.VALUE_FORMULA_IN_ENTRY: Entry(
        E,
        "填报栏须直接填写数值，不能使用公式，请改为数值后报送",
        "an entry cell holds a formula; enter the value itself",
    ),
    Code.SCHEMA_REQUIRED: Entry(
        E,
        "必填项未填写",
        "a required value is missing",
        {
            "": ("{row}：「{label}」为必填项，请填写", "{field}: {error}"),
            "placeholder": (
                "{row}：「{label}」填写了“{typed}”，本栏须填数值；确无数据请填 0 并在说明中注明",
                "{field}: {error}",
            ),
        },
    ),
    Code.SCHEMA_TYPE: Entry(
        E,
        "类型错误",
        "wrong type",
        {"": ("{row}：「{label}」应为{wanted}，实际为 {typed}", "{field}: {error}")},
    ),
    Code.SCHEMA_RANGE: Entry(
        E,
        "数值超出允许范围",
        "the value is out of range",
        {"": ("{row}：「{label}」为 {typed}，超出允许范围（{wanted}）", "{field}: {error}")},
    ),
    Code.SCHEMA_ENUM: Entry(
        E,
        "不是允许的选项",
        "not one of the allowed choices",
        {"": ("{row}：「{label}」为 {typed}，不是允许的选项（{wanted}）", "{field}: {error}")},
    ),
    Code.SCHEMA_FORMAT: Entry(
        E,
        "格式错误",
        "wrong format",
        {"": ("{row}：「{label}」为 {typed}，格式不符（应为 {wanted}）", "{field}: {error}")},
    ),
    Code.SCHEMA_LENGTH: Entry(
        E,
        "内容长度超出限制",
        "the text is too long or too short",
        {"": ("{row}：「{label}」长度不符合要求（{wanted}）", "{field}: {error}")},
    ),
    Code.SCHEMA_OTHER: Entry(
        E,
        "不符合报表要求",
        "does not match the form's schema",
        {"": ("{row}：「{label}」不符合要求：不符合报表的要求", "{field}: {error}")},
    ),
    Code.RULE_FAILED: Entry(
        E,
        "审核公式未通过",
        "an audit rule failed",
        {"": ("{row}：{rule_zh}", "{row_en}: {rule_en}")},
    ),
    Code.RULE_WARNING: Entry(
        W,
        "审核预警未在说明栏解释（须说明后才能受理）",
        "an audit warning not explained in the 说明 cell (blocks until explained)",
        {
            "": (
                "{row}：{rule_zh}（请在“说明”栏解释）",
                "{row_en}: {rule_en} (explain it in the 说明 cell)",
            )
        },
    ),
    Code.RULE_WARNING_EXPLAINED: Entry(
        W,
        "审核预警已在说明栏解释",
        "an audit warning, explained in the 说明 cell",
        {"": ("{row}：{rule_zh}（已说明：{note}）", "{row_en}: {rule_en} (explained: {note})")},
    ),
    Code.RULE_MISSING_VALUE: Entry(
        E,
        "审核所需的数值未填写",
        "a value the audit rule needs is missing",
        {"": ("{row}：{rule_zh}（缺少 {name}）", "{row_en}: {rule_en} (missing {name})")},
    ),
    Code.QUALITY_OUTLIER: Entry(
        W,
        "本月数远离本行以往各月（修正Z值），请核实或说明",
        "this month's figure is far from the row's earlier months (modified z-score)",
        _quality(_OUTLIER, _OUTLIER_EN, way="yes"),
    ),
    Code.QUALITY_CONCENTRATED: Entry(
        W,
        "本月数占本年累计的比重过高，请核实或说明",
        "this month carries most of the year to date",
        _quality(_SHARE, _SHARE_EN),
    ),
    Code.QUALITY_UNCHANGED: Entry(
        W,
        "数字连续几个月没有变化，请核实或说明",
        "the figure has not changed for several months",
        _quality(_SAME, _SAME_EN),
    ),
    Code.QUALITY_REPEATED_MONTH: Entry(
        W,
        "整张报表的本月数与上月完全相同，可能重报了上月数，请核实",
        "the whole return repeats last month's figures",
        {
            "": (
                "本表 {count} 个非零的「{label}」数字与 {month} 月报表逐一相同（精确到分），"
                "可能误报了上月的数，请核实后重报，或向统计局说明",
                "all {count} non-zero {field} figures equal month {month}'s to the cent: "
                "last month's figures sent again? (check it, or explain it to the office)",
            )
        },
    ),
    Code.RULE_NO_PREVIOUS: Entry(
        N, "无上期数据，跨期审核未执行", "no previous period: across-period rules skipped"
    ),
}
