"""The plan model: derived targets, reporting periods and the rule expression language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tianbao.forms.expr import ExprError, Missing, evaluate_node, parse
from tianbao.plan.periods import Period
from tianbao.plan.targets import decimals_of, derived_level, target_values

# ---------------------------------------------------------------- derived targets

TARGETS = [
    # (indicator, target, base, unit, target_level_from_rate, target_level, direction)
    (
        "FAI",
        {"kind": "growth_and_level", "rate_pct": 23, "level": 90},
        72.53,
        "亿元",
        89.21,
        90,
        "min",
    ),
    ("GDP", {"kind": "growth", "rate_pct": 11}, 88.15, "亿元", 97.85, 97.85, "min"),
    ("REVENUE", {"kind": "growth", "rate_pct": 12}, 5.4108, "亿元", 6.0601, 6.0601, "min"),
    ("RETAIL", {"kind": "growth", "rate_pct": 14}, 67.4, "亿元", 76.84, 76.84, "min"),
    ("DOMESTIC_CAPITAL", {"kind": "growth", "rate_pct": 15}, 73, "亿元", 83.95, 83.95, "min"),
    ("NEW_JOBS", {"kind": "level", "level": 6000}, 6365, "人", None, 6000, "min"),
    ("UNEMPLOYMENT", {"kind": "ceiling", "level": 3.1}, None, "%", None, 3.1, "max"),
    ("POP_GROWTH", {"kind": "ceiling", "level": 5.6}, None, "‰", None, 5.6, "max"),
    ("ENERGY", {"kind": "given_later"}, None, "吨标准煤", None, None, None),
    ("NO_BASE", {"kind": "growth", "rate_pct": 11}, None, "元", None, None, None),
]


@pytest.mark.parametrize(
    ("target", "base", "unit", "from_rate", "level", "direction"),
    [t[1:] for t in TARGETS],
    ids=[t[0] for t in TARGETS],
)
def test_target_values(target, base, unit, from_rate, level, direction) -> None:
    got = target_values(target, base, unit)
    assert got["target_kind"] == target["kind"]
    assert got["target_rate"] == target.get("rate_pct")
    assert got["target_level_from_rate"] == from_rate
    assert got["target_level"] == level
    assert got["target_direction"] == direction


@pytest.mark.parametrize(
    ("base", "rate", "expected"),
    [
        (72.53, 23, "89.21"),  # 89.2119
        (88.15, 11, "97.85"),  # 97.8465: half-up, not banker's, not binary float
        (5.4108, 12, "6.0601"),  # 6.060096: four places because the base has four
        (73, 15, "83.95"),
        (100, -10, "90.00"),
        (0.005, 0, "0.005"),
        (None, 10, None),
        (10, None, None),
    ],
)
def test_derived_level__decimal_half_up(base, rate, expected) -> None:
    got = derived_level(base, rate)
    assert got == (Decimal(expected) if expected else None)
    if got is not None:
        assert str(got) == expected


@pytest.mark.parametrize(
    ("value", "places"), [(72.53, 2), (5.4108, 4), (73, 0), (67.4, 1), (1.50, 1), (None, 0)]
)
def test_decimals_of(value, places) -> None:
    assert decimals_of(value) == places


@pytest.mark.parametrize(
    ("target", "unit", "text"),
    [
        ({"kind": "growth", "rate_pct": 11}, "亿元", "增长11%以上"),
        ({"kind": "level", "level": 6000}, "人", "达到6000人以上"),
        ({"kind": "level", "level": 2700, "strict": True}, "万美元", "超2700万美元"),
        ({"kind": "ceiling", "level": 3.1}, "%", "控制在3.1%以内"),
        ({"kind": "ceiling", "level": 5.6, "strict": True}, "‰", "控制在5.6‰以下"),
        ({"kind": "given_later"}, "吨标准煤", "另行下达"),
        ({"kind": "given_later", "text": "完成市定目标"}, "吨标准煤", "完成市定目标"),
    ],
)
def test_target_text(target, unit, text) -> None:
    assert target_values(target, None, unit)["target_text"] == text


def test_target_text__shows_the_derived_level() -> None:
    got = target_values({"kind": "growth", "rate_pct": 23}, 72.53, "亿元")
    assert got["target_text"] == "增长23%以上（≈89.21亿元）"


# ---------------------------------------------------------------- periods

PERIODS = [
    # (text, kind, index, start, end, deadline with 5 days, time_progress, previous)
    ("2014-06", "month", 6, "2014-06-01", "2014-06-30", "2014-07-05", 0.5, "2014-05"),
    ("2014-01", "month", 1, "2014-01-01", "2014-01-31", "2014-02-05", 1 / 12, None),
    ("2014-02", "month", 2, "2014-02-01", "2014-02-28", "2014-03-05", 2 / 12, "2014-01"),
    ("2016-02", "month", 2, "2016-02-01", "2016-02-29", "2016-03-05", 2 / 12, "2016-01"),
    ("2014-12", "month", 12, "2014-12-01", "2014-12-31", "2015-01-05", 1.0, "2014-11"),
    ("2014-Q2", "quarter", 2, "2014-04-01", "2014-06-30", "2014-07-05", 0.5, "2014-Q1"),
    ("2014-Q1", "quarter", 1, "2014-01-01", "2014-03-31", "2014-04-05", 0.25, None),
    ("2014-H1", "half", 1, "2014-01-01", "2014-06-30", "2014-07-05", 0.5, None),
    ("2014-H2", "half", 2, "2014-07-01", "2014-12-31", "2015-01-05", 1.0, "2014-H1"),
    ("2014", "year", 1, "2014-01-01", "2014-12-31", "2015-01-05", 1.0, None),
]


@pytest.mark.parametrize(
    ("text", "kind", "index", "start", "end", "deadline", "progress", "previous"),
    PERIODS,
    ids=[p[0] for p in PERIODS],
)
def test_period(text, kind, index, start, end, deadline, progress, previous) -> None:
    p = Period.parse(text)
    assert (p.year, p.kind, p.index) == (int(text[:4]), kind, index)
    assert str(p) == text
    assert p.start == dt.date.fromisoformat(start)
    assert p.end == dt.date.fromisoformat(end)
    assert p.deadline(5) == dt.date.fromisoformat(deadline)
    assert p.time_progress == pytest.approx(progress)
    assert (str(p.previous()) if p.previous() else None) == previous


@pytest.mark.parametrize(
    "text",
    [
        "2014-13",
        "2014-00",
        "2014-6",
        "2014-Q0",
        "2014-Q5",
        "2014-H3",
        "14-06",
        "2014/06",
        "",
        "2014-06-30",
        "二〇一四年六月",
        "2014-q2",
    ],
)
def test_period_parse__bad(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_period_parse__strips_spaces() -> None:
    assert Period.parse(" 2014-06 ") == Period(2014, "month", 6)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2014-06", "2014年6月"),
        ("2014-Q3", "2014年第三季度"),
        ("2014-H2", "2014年下半年"),
        ("2014", "2014年"),
    ],
)
def test_period_label_zh(text: str, label: str) -> None:
    assert Period.parse(text).label_zh == label


@pytest.mark.parametrize(
    ("kind", "count"), [("month", 12), ("quarter", 4), ("half", 2), ("year", 1)]
)
def test_all_of_year(kind: str, count: int) -> None:
    periods = Period.all_of_year(2014, kind)
    assert len(periods) == count
    assert periods == sorted(periods)
    assert periods[-1].end == dt.date(2014, 12, 31)


# ---------------------------------------------------------------- rule expressions

SCOPE = {
    "ytd": 120.0,
    "month_value": 20.0,
    "prev.ytd": 100.0,
    "status": "在建",
    "total": 0,
    "blank_text": "",
    "nothing": None,
    "plan.total_investment": 1000,
    "plan.accumulation": "ytd",
    "period.month": 6,
    "flag": True,
}

EXPRESSIONS = [
    ("ytd >= month_value", True),
    ("ytd < month_value", False),
    ("approx(ytd, prev.ytd + month_value, 0.01)", True),
    ("approx(ytd, prev.ytd + month_value + 0.02, 0.01)", False),
    ("approx(ytd, 120.005)", True),
    ("ytd <= plan.total_investment * 1.1", True),
    ("(ytd / prev.ytd - 1) * 100", pytest.approx(20.0)),
    ("-ytd + +month_value", -100.0),
    ("implies(status == '未开工', ytd == 0)", True),
    ("implies(status == '在建', ytd == 0)", False),
    ("status in ('在建', '竣工')", True),
    ("status not in ['在建', '竣工']", False),
    ("0 < month_value < ytd <= 120", True),
    ("0 < ytd < month_value", False),
    ("plan.accumulation == 'ytd' and period.month == 6", True),
    ("not flag or ytd > 1000", False),
    ("ytd if flag else month_value", 120.0),
    ("abs(month_value - ytd)", 100.0),
    ("min(ytd, month_value) + max(ytd, month_value)", 140.0),
    ("round(ytd / 7, 1)", 17.1),
    ("blank(nothing) and blank(blank_text) and not blank(ytd)", True),
    ("filled(ytd) and not filled(nothing)", True),
    ("filled(missing_from_scope)", False),
    ("True and not False", True),
    ("ytd != None", True),
    ("1 + 2 * 3 - 4 / 2", 5.0),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expression(text: str, expected) -> None:
    assert parse(text).evaluate(SCOPE) == expected


REJECTED = [
    "ytd.__class__",
    "ytd.real",
    "os.path",
    "plan.total.__class__",
    "plan",
    "prev",
    "__import__('os')",
    "eval('1')",
    "open('/etc/passwd')",
    "getattr(ytd, 'x')",
    "plan.total_investment()",
    "(lambda: 1)()",
    "lambda: 1",
    "ytd[0]",
    "[x for x in (1, 2)]",
    "{x for x in (1, 2)}",
    "{1: 2}",
    "{1, 2}",
    "ytd ** 2",
    "ytd // 2",
    "ytd % 2",
    "ytd is None",
    "f'{ytd}'",
    "b'bytes'",
    "round(ytd, ndigits=1)",
    "(y := 1)",
    "ytd >=",
    "ytd = 1",
    "x" + " + x" * 200,
]


@pytest.mark.parametrize("text", REJECTED)
def test_expression__rejected(text: str) -> None:
    with pytest.raises(ExprError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("approx(ytd, prev.ytd + month_value, 0.01)", {"ytd", "prev.ytd", "month_value"}),
        ("cumulative <= plan.total_investment * 1.1", {"cumulative", "plan.total_investment"}),
        ("filled(actual_start) or period.month == 1", {"actual_start", "period.month"}),
        ("True or None", set()),
    ],
)
def test_expression_names(text: str, names: set[str]) -> None:
    assert parse(text).names == names


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("ytd >= nothing", "nothing"),
        ("ytd >= blank_text", "blank_text"),
        ("ytd >= not_in_scope", "not_in_scope"),
        ("prev.month_value >= 0", "prev.month_value"),
        ("implies(status == '在建', nothing == 0)", "nothing"),
        ("abs(nothing)", "nothing"),
    ],
)
def test_expression__blank_value_raises_missing(text: str, missing: str) -> None:
    with pytest.raises(Missing) as info:
        parse(text).evaluate(SCOPE)
    assert info.value.name == missing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("implies(status == '未开工', nothing == 0)", True),  # premise false: no Missing
        ("flag == False and nothing > 0", False),
        ("flag or nothing > 0", True),
        ("month_value if flag else nothing", 20.0),
    ],
)
def test_expression__short_circuits(text: str, expected) -> None:
    assert parse(text).evaluate(SCOPE) == expected


def test_expression__division_by_zero_is_not_hidden() -> None:
    with pytest.raises(ZeroDivisionError):
        parse("ytd / total").evaluate(SCOPE)


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expression__closures_agree(text: str, expected) -> None:
    """parse() compiles a rule to one function (forms.expr_code); the closures that
    evaluate a part of it (the figure a failed rule expected) give the same."""
    assert evaluate_node(parse(text).tree.body, SCOPE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-" * 400 + "ytd", 120.0),  # too deep for Python's compiler: the closures judge
        ("(" * 120 + "ytd" + ")" * 120 + " > 1", True),
        ("not " * 99 + "flag", False),
    ],
    ids=["unary", "parentheses", "not"],
)
def test_expression__deeply_nested(text: str, expected) -> None:
    assert parse(text).evaluate(SCOPE) == expected
