"""normalise(): what departments type in Excel/WPS, read into the values the schema expects.

Each table row is (raw, unit or option, expected value, a fragment of the expected note or
None for "no note"); error rows give the expected error kind instead.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from tianbao.validate.normalize import UNIT_FACTORS, Normalised, normalise

NUMBER = {"type": "number", "minimum": 0}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
TEXT = {"type": "string", "maxLength": 500}
STATUS = {"enum": ["前期", "未开工", "在建", "竣工", "停缓建"]}
KINDS = {"number": NUMBER, "integer": INTEGER, "date": DATE, "text": TEXT, "enum": STATUS}


def _ok(n: Normalised, value: Any, note: str | None) -> None:
    assert n.error is None and n.error_kind is None, n.error
    assert n.value == value and type(n.value) is type(value), n.value
    if note is None:
        assert n.notes == ()
    else:
        assert len(n.notes) >= 1 and any(note in str(x) for x in map(str, n.notes)), n.notes
        for x in map(str, n.notes):  # bilingual: Chinese first, then English
            assert any("\u4e00" <= ch <= "\u9fff" for ch in x) and any(ch.isascii() for ch in x)


# --- blanks and placeholders ----------------------------------------------------------
@pytest.mark.parametrize("kind", ["number", "integer", "date", "text", "enum"])
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\u00a0\t"])
def test_blank_is_none_without_note(kind: str, raw: Any) -> None:
    assert normalise(raw, KINDS[kind], "万元") == Normalised(None)


@pytest.mark.parametrize("kind", ["number", "integer", "date", "enum"])
@pytest.mark.parametrize("raw", ["-", "—", "－", "/", "无", "N/A", "n/a", " —— ", "／"])
def test_placeholder_is_none_with_note(kind: str, raw: str) -> None:
    _ok(normalise(raw, KINDS[kind], "万元"), None, "placeholder")


def test_placeholder_in_text_and_enum_choice_is_kept() -> None:
    _ok(normalise("无", TEXT, None), "无", None)  # "问题: 无" is an answer
    _ok(normalise("无", {"enum": ["有", "无"]}, None), "无", None)


# --- numbers --------------------------------------------------------------------------
NUMBERS = [
    # real numbers pass unchanged
    (12.5, None, 12.5, None),
    (6000.0, "人", 6000.0, None),
    (7, "个", 7, None),
    (-3.2, "%", -3.2, None),
    (0.12, "%", 0.12, None),  # not a percent-formatted cell: points already
    # strings
    ("123", None, 123.0, "as text"),
    ("１２３", None, 123.0, "full-width"),
    ("１２．５", None, 12.5, "full-width"),
    ("１，２３４．５", None, 1234.5, "thousands"),
    ("\u3000 12 ", None, 12.0, "spaces"),
    ("\u00a012.5\u00a0", None, 12.5, "spaces"),
    ("1,234.5", None, 1234.5, "thousands"),
    ("12,345,678", None, 12345678.0, "thousands"),
    ("(100)", None, -100.0, "accounting"),
    ("（1,234.5）", None, -1234.5, "accounting"),
    ("+5", None, 5.0, "as text"),
    ("-0.5", None, -0.5, "as text"),
    ("\u22127.5", None, -7.5, "full-width"),  # minus sign pasted from Word
    ("1e3", None, 1000.0, "as text"),
    ("2.5E-2", None, 0.025, "as text"),
    (".5", None, 0.5, "as text"),
    # percent and per mille
    ("12%", "%", 12.0, "%"),
    ("12％", "%", 12.0, "%"),
    ("5.6‰", "‰", 5.6, "‰"),
    # units equal to the column's
    ("100万元", "万元", 100.0, "万元"),
    ("100 万元", "万元", 100.0, "万元"),
    ("6000人", "人", 6000.0, "人"),
    ("25609元", "元", 25609.0, "元"),
    ("2700万美元", "万美元", 2700.0, "万美元"),
    ("3万", "万元", 3.0, "万"),
    ("500亩", "亩", 500.0, "亩"),
    ("3所", "所", 3.0, "所"),
]


@pytest.mark.parametrize(("raw", "unit", "value", "note"), NUMBERS)
def test_number(raw: Any, unit: str | None, value: Any, note: str | None) -> None:
    n = normalise(raw, NUMBER, unit)
    _ok(n, value, note)
    assert not n.converted


CONVERSIONS = [
    ("1.2亿元", "万元", 12000.0, "亿元 → 万元"),
    ("5000万元", "亿元", 0.5, "万元 → 亿元"),
    ("1500元", "万元", 0.15, "元 → 万元"),
    ("0.56%", "‰", 5.6, "% → ‰"),
    ("5‰", "%", 0.5, "‰ → %"),
    ("3亿", "万元", 30000.0, "亿 → 万元"),
    ("3亿", "亿元", 3.0, None),  # same size: just removed, see below
    ("1.5万", "人", 15000.0, "万 → 人"),
    ("2万人", "人", 20000.0, "万人 → 人"),
    ("1,200万美元", "亿美元", 0.12, "万美元 → 亿美元"),
]


@pytest.mark.parametrize(("raw", "unit", "value", "note"), CONVERSIONS)
def test_unit_conversion(raw: str, unit: str, value: float, note: str | None) -> None:
    n = normalise(raw, NUMBER, unit)
    if note is None:
        _ok(n, value, "removed")
        assert not n.converted
    else:
        _ok(n, value, note)
        assert n.converted


@pytest.mark.parametrize(
    ("raw", "unit", "value", "note"),
    [(0.12, "%", 12.0, "%"), (0.12, "‰", 120.0, "‰"), (0.031, "%", 3.1, "%"), (1, "%", 100, "%")],
)
def test_percent_formatted_cell(raw: float, unit: str, value: Any, note: str) -> None:
    n = normalise(raw, NUMBER, unit, percent_cell=True)
    _ok(n, float(value), note)
    assert not n.converted


UNPARSEABLE_NUMBERS = [
    ("1,23", None),  # maybe a decimal comma: never guess
    ("1234,5", None),
    ("12,34,567", None),
    ("约100", None),
    ("100左右", None),
    ("100多", "万元"),
    ("近200", "万元"),
    ("abc", None),
    ("1 234", None),
    ("12.3.4", None),
    ("nan", None),
    ("inf", None),
    ("100万元", None),  # the column names no unit
    ("12%", None),
    ("100公顷", "万元"),  # a unit we do not know
    (float("nan"), None),
    (float("inf"), "万元"),
    (True, None),
    (False, "%"),
    (date(2014, 7, 1), "万元"),  # Excel turned '7-1' into a date
    (datetime(2014, 7, 1), None),
    (time(12, 0), None),
    ("(-100)", None),
]


@pytest.mark.parametrize(("raw", "unit"), UNPARSEABLE_NUMBERS)
def test_number_unparseable(raw: Any, unit: str | None) -> None:
    n = normalise(raw, NUMBER, unit)
    assert n.value is None and n.error_kind == "unparseable"
    assert n.error and str(raw) in n.error  # the message names what was typed


@pytest.mark.parametrize(
    ("raw", "unit", "percent_cell"),
    [
        ("1e999", None, False),
        ("1e999999999亿元", "万元", False),  # Decimal overflowed in the conversion
        ("-1e999999999亿元", "万元", False),
        ("9" * 100, None, False),
        ("1e16", "万元", False),
        (1e300, None, False),
        (1e300, "%", True),  # a percent cell, scaled by 100
        ("1e14亿元", "万元", False),  # 10**14 亿元 = 10**18 万元 after the conversion
    ],
)
def test_number_impossibly_large__out_of_range(
    raw: Any, unit: str | None, percent_cell: bool
) -> None:
    n = normalise(raw, NUMBER, unit, percent_cell=percent_cell)
    assert n.value is None and n.error_kind == "out_of_range", n
    assert n.error and len(n.error) < 200  # the message quotes a cut value


def test_number_largest_real_figures__kept() -> None:
    assert normalise("999999999999999", NUMBER, "万元").value == 999999999999999
    assert normalise("-3.5e14", NUMBER, "万元").value == -3.5e14


@pytest.mark.parametrize(
    ("raw", "unit", "percent_cell"),
    [
        ("12%", "万元", False),
        ("12％", "人", False),
        ("100人", "万元", False),
        ("100美元", "万元", False),  # currency differs
        ("2700万美元", "万元", False),
        ("100万元", "人", False),
        ("6亩", "平方米", False),
        ("3个", "项", False),
        ("3万", "%", False),
        ("100元", "亩", False),
        (0.12, "万元", True),
    ],
)
def test_unit_mismatch(raw: Any, unit: str, percent_cell: bool) -> None:
    n = normalise(raw, NUMBER, unit, percent_cell=percent_cell)
    assert n.value is None and n.error_kind == "unit_mismatch" and not n.converted
    assert n.error and str(raw) in n.error and unit in n.error


@pytest.mark.parametrize(
    ("raw", "unit", "value", "note"),
    [
        (6000.0, "人", 6000, None),
        (12, "个", 12, None),
        ("6000人", "人", 6000, "人"),
        ("６，０００", "人", 6000, "thousands"),
        ("1.5万人", "人", 15000, "万人 → 人"),
        ("12.0", "个", 12, "as text"),
    ],
)
def test_integer(raw: Any, unit: str, value: int, note: str | None) -> None:
    _ok(normalise(raw, INTEGER, unit), value, note)


@pytest.mark.parametrize("raw", [6000.5, "12.5", "1.00001万人", True])
def test_integer_with_fraction_unparseable(raw: Any) -> None:
    assert normalise(raw, INTEGER, "人").error_kind == "unparseable"


# --- dates ----------------------------------------------------------------------------
DATES = [
    # (raw, date1904, expected, note fragment)
    (date(2014, 7, 1), False, "2014-07-01", None),
    (datetime(2014, 7, 1), False, "2014-07-01", None),
    (datetime(2014, 7, 1, 9, 30), False, "2014-07-01", "time"),
    (41821.0, False, "2014-07-01", "Excel 日期序号"),
    (41821, False, "2014-07-01", "Excel 日期序号"),
    (40359.0, True, "2014-07-01", "Excel 日期序号"),
    (0, True, "1904-01-01", "Excel 日期序号"),
    (41821.75, False, "2014-07-01", "time"),
    (1, False, "1900-01-01", "Excel 日期序号"),
    (59, False, "1900-02-28", "Excel 日期序号"),
    (61, False, "1900-03-01", "Excel 日期序号"),  # after the fake 1900-02-29
    (60, True, "1904-03-01", "Excel 日期序号"),  # no fake day in the 1904 system
    (20140701.0, False, "2014-07-01", "YYYY-MM-DD"),
    ("2014-07-01", False, "2014-07-01", None),
    ("2014-7-1", False, "2014-07-01", "YYYY-MM-DD"),
    ("2014/7/1", False, "2014-07-01", "YYYY-MM-DD"),
    ("2014.7.1", False, "2014-07-01", "YYYY-MM-DD"),
    ("2014年7月1日", False, "2014-07-01", "YYYY-MM-DD"),
    ("2014年7月1号", False, "2014-07-01", "YYYY-MM-DD"),
    ("20140701", False, "2014-07-01", "YYYY-MM-DD"),
    ("２０１４－０７－０１", False, "2014-07-01", "full-width"),
    ("２０１４年７月１日", False, "2014-07-01", "full-width"),
    (" 2014-07-01 ", False, "2014-07-01", "spaces"),
    ("2014-07-01 00:00:00", False, "2014-07-01", None),
    ("2014-07-01 10:30", False, "2014-07-01", "time"),
    ("2014年7月", False, "2014-07-01", "1st"),
    ("2014-07", False, "2014-07-01", "1st"),
    ("2014.7", False, "2014-07-01", "1st"),
    ("2014/12", False, "2014-12-01", "1st"),
    ("2016-02-29", False, "2016-02-29", None),
]


@pytest.mark.parametrize(("raw", "date1904", "value", "note"), DATES)
def test_date(raw: Any, date1904: bool, value: str, note: str | None) -> None:
    _ok(normalise(raw, DATE, None, date1904=date1904), value, note)


def test_date_notes_say_what_was_assumed() -> None:
    assert any(
        "1日" in x and "assumed" in x for x in map(str, normalise("2014年7月", DATE, None).notes)
    )


@pytest.mark.parametrize(
    ("raw", "date1904"),
    [
        (60, False),  # Excel's fake 1900-02-29
        (0, False),
        (-1, True),
        (2958466, False),  # after 9999-12-31
        (2014, False),  # a year, not serial 2014 (1905-07-06)
        (2014.7, False),  # '2014.7' that Excel stored as a number
        (float("nan"), False),
        (True, False),
        (time(9, 0), False),
        ("2014-02-30", False),
        ("2015-02-29", False),
        ("2014年13月", False),
        ("2014-13", False),
        ("2014-00-10", False),
        ("20141301", False),
        ("7月1日", False),
        ("2014-7/1", False),  # mixed separators
        ("明年", False),
    ],
)
def test_date_unparseable(raw: Any, date1904: bool) -> None:
    n = normalise(raw, DATE, None, date1904=date1904)
    assert n.value is None and n.error_kind == "unparseable"
    assert n.error and str(raw) in n.error


# --- enums and text -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "value", "note"),
    [
        ("在建", "在建", None),
        (" 在建 ", "在建", "spaces"),
        ("在 建", "在建", "choice"),
        ("停 缓 建", "停缓建", "choice"),
        ("在\u3000建", "在建", "choice"),
        ("施工中", "施工中", None),  # not a choice: left for the schema check
        ("  施工中 ", "施工中", None),
    ],
)
def test_enum(raw: str, value: str, note: str | None) -> None:
    _ok(normalise(raw, STATUS, None), value, note)


def test_enum_full_width_and_non_text_values() -> None:
    _ok(normalise("Ａ类", {"enum": ["A类", "B类"]}, None), "A类", "full-width")
    _ok(normalise(1.0, {"enum": ["1", "2"]}, None), "1", None)
    _ok(normalise(2, {"enum": [1, 2]}, None), 2, None)


@pytest.mark.parametrize(
    ("raw", "value", "note"),
    [
        ("正在施工", "正在施工", None),
        ("  正在施工\n", "正在施工", "spaces"),
        ("　土地征收滞后　", "土地征收滞后", "spaces"),
        ("１２项", "１２项", None),  # prose keeps its full-width forms
        (12.0, "12", None),
        (12.5, "12.5", None),
        (7, "7", None),
        (date(2014, 7, 1), "2014-07-01", None),
        (datetime(2014, 7, 1), "2014-07-01", None),
        (True, "是", None),
        (False, "否", None),
    ],
)
def test_text(raw: Any, value: str, note: str | None) -> None:
    _ok(normalise(raw, TEXT, None), value, note)


def test_schema_type_list_and_unknown_field() -> None:
    _ok(normalise("1,234", {"type": ["number", "null"]}, None), 1234.0, "thousands")
    _ok(normalise(" x ", {}, None), "x", None)


# --- the conversion table -------------------------------------------------------------
def test_unit_factors_cover_plan_units() -> None:
    for unit in ["亿元", "万元", "元", "万美元", "%", "‰", "人", "亩", "个", "所", "条", "项"]:
        assert unit in UNIT_FACTORS
    assert UNIT_FACTORS["亿元"] == ("CNY", Decimal(10**8))
    assert UNIT_FACTORS["万美元"][0] != UNIT_FACTORS["万元"][0]  # no exchange rates
    assert UNIT_FACTORS["‰"] == ("ratio", Decimal("0.1"))


def test_result_is_frozen() -> None:
    n = normalise("12", NUMBER, None)
    with pytest.raises(AttributeError):
        n.value = 13  # type: ignore[misc]


@pytest.fixture
def deadline():
    """Fail a call that runs for more than 10 s (linear work here takes milliseconds;
    the backtracking this guards against took 14.5 s per cell)."""
    import signal

    def expired(*_: Any) -> None:
        raise AssertionError("no answer within 10 s: backtracking on cell text?")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


HOSTILE_TEXT = [
    "1" + " " * 32_000 + "x",
    "2014-07-01" + " " * 32_000 + "x",
    "2014-07-01" + " T" * 16_000 + "1:0x",
    "(" * 32_000,
    "1" * 32_767,
    "1," * 16_000,
    "万" * 32_000,
]


@pytest.mark.parametrize("kind", [DATE, NUMBER, {"enum": ["是", "否"]}])
@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=lambda t: f"{t[:12]!r}…{len(t)}")
def test_hostile_cell_text__answered_at_once(deadline: None, kind: dict, text: str) -> None:
    n = normalise(text, kind, "万元")
    assert n.value is None or n.value == text.strip()
    if n.error:
        assert len(n.error) < 300  # the value is cut in the message
