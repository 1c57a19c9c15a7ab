"""Turn what a clerk typed into the value the schema expects, saying what was changed.

Departments fill the forms in Excel or WPS and type the way people write on paper.
Values come from python-calamine (float, int, str, bool, date, datetime, time or
None). The field kind comes from the field's JSON Schema: ``enum`` -> enum,
``number`` / ``integer``, ``string`` + ``format: date`` -> date, other strings -> text;
a field with no type is kept as typed (strings stripped).

Rules (every change made gives one bilingual note, zh then en):

* Blank: None, '' or only spaces -> None, no note. In number, integer, date and enum
  fields the placeholders '-', '—', '/', '无', 'N/A' (and full-width or doubled
  forms) -> None with a note, so the required check fires instead of a parse error.
  In text fields '无' is a real answer ("no problems") and is kept.
* Numbers: real numbers pass unchanged (a float stays a float); NaN/inf, bools and
  dates are unparseable. Strings: edge spaces (incl. U+3000, NBSP) removed; NFKC
  turns full-width digits and punctuation into ASCII; ',' thousands separators only
  in their correct places ('1,23' may be a decimal comma -> unparseable), and so
  no-break or thin spaces between the thousands (a note names the character; any
  other space inside a number is named in the failure); '(100)' -> -100; '+' and
  '1e3' accepted. A trailing unit equal to the column's is removed; one of the same
  dimension is converted (``UNIT_FACTORS``; '1.2亿元' in a
  万元 column -> 12000, '0.56%' in a ‰ column -> 5.6); bare '万'/'亿' multiply the
  column's base unit ('3亿' in 万元 -> 30000). Another dimension or currency ->
  ``unit_mismatch``; any unit when the column names none, or an unknown unit ->
  ``unparseable``. Approximations ('约100', '100左右', '100多') are never guessed.
  ``percent_cell`` (Excel stored a typed '12%' as 0.12): x100 for %, x1000 for ‰,
  unit_mismatch for other units. Arithmetic is decimal, so 0.56% is 5.6‰ exactly.
  Integer fields need a whole result (6000.0 -> 6000), and so does a figure in a
  unit of things counted one by one (人, 个: ``COUNTED``).
* Dates: date/datetime -> 'YYYY-MM-DD' (a time of day dropped with a note). A real
  number is an Excel serial: 1900 system (serial 60 is Excel's fake 1900-02-29 ->
  unparseable; 1..59 count from 1899-12-31, 61 on from 1899-12-30) or 1904 system
  (from 1904-01-01). An 8-digit number is read as YYYYMMDD; 1900..2099 looks like a
  year (or '2014.7' typed as a number) -> unparseable. Strings: '2014-7-1',
  '2014/7/1', '2014.7.1', '2014年7月1日/号', '20140701' -> ISO (note unless already
  ISO); '2014-07', '2014.7', '2014年7月' -> the 1st, with a note; invalid -> unparseable.
* Enums: stripped + NFKC; an exact match (note if changed), else a unique match
  ignoring all whitespace (note), else the cleaned string for the schema to reject.
* Text: strings stripped (note if that changed them); numbers as text without
  '.0'; dates as ISO; bool -> '是'/'否'.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tianbao.findings import Code, Said
from tianbao.forms.model import field_kind
from tianbao.validate.typed import (
    APPROX,
    COUNTED,
    MULTIPLIERS,
    PLACEHOLDERS,
    UNIT_FACTORS,
    plain,
    ungrouped,
)
from tianbao.validate.typed import shown as shown  # quoted in every message of a value

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.VALUE_NORMALISED,
    Code.VALUE_UNIT_CONVERTED,
    Code.VALUE_UNPARSEABLE,
    Code.VALUE_UNIT_MISMATCH,
    Code.VALUE_OUT_OF_RANGE,
)


# the code of each kind of failure (the rest are VALUE_UNPARSEABLE)
ERROR_CODES = {
    "unparseable": Code.VALUE_UNPARSEABLE,
    "unit_mismatch": Code.VALUE_UNIT_MISMATCH,
    "out_of_range": Code.VALUE_OUT_OF_RANGE,
}


@dataclass(frozen=True)
class Normalised:
    value: Any  # float/int for numbers, 'YYYY-MM-DD' for dates, str for text/enum, None
    notes: tuple[Said, ...] = ()  # one note per normalisation applied
    converted: bool = False  # a unit conversion happened (亿元 -> 万元 ...)
    failure: Said | None = None  # why the value cannot be used; names it (cut at 40)
    error_kind: str | None = None  # "unparseable" | "unit_mismatch" | "out_of_range"

    @property
    def code(self) -> Code:
        """The finding's code: of the failure, or of the notes."""
        if self.failure is not None:
            return ERROR_CODES[self.error_kind or "unparseable"]
        return Code.VALUE_UNIT_CONVERTED if self.converted else Code.VALUE_NORMALISED

    @property
    def error(self) -> str | None:
        """Why the value cannot be used, in Chinese."""
        return None if self.failure is None else self.failure.text(self.code)[0]


D = Decimal
# no figure of a district comes near 10**15 (in any unit); past it a number is a typo or
# an attack, and bounding it before any arithmetic keeps Decimal from overflowing
MAX_MAGNITUDE = 10**15
_NUM = re.compile(
    r"(?P<sign>[+-])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)"
    r"(?P<exp>e[+-]?\d+)?\s*(?P<unit>[^\d,.+\-]*)",
    re.IGNORECASE,
)
_FULL_DATES = (
    re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
_MONTHS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?"),
)
# a date is short: bounded quantifiers keep the match linear in the text's length
_TIME = re.compile(r"(?P<day>[^ T]{1,40}?)[ T]{1,10}(?P<t>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)")

N_SPACES = Said("spaces")
N_FULLWIDTH = Said("fullwidth")
N_THOUSANDS = Said("thousands")
N_ACCOUNTING = Said("accounting")
N_PLACEHOLDER = Said("placeholder")
N_TIME = Said("time")
N_ISO = Said("iso")
N_DAY = Said("day")
N_TEXT_NUMBER = Said("text_number")
N_ENUM_SPACES = Said("enum_spaces")


MAX_PARSE_CHARS = 200  # of a typed date, number or choice: parsing stays cheap


def _fail(raw: Any, reason: str, kind: str = "unparseable", **named: Any) -> Normalised:
    """The value cannot be used: the reason's template quotes it (cut) with ``named``."""
    said = Said(reason, (("typed", shown(raw)), *named.items()))
    return Normalised(None, failure=said, error_kind=kind)


def _clean(s: str) -> tuple[str, list[Said]]:
    """Strip edge spaces (str.strip knows U+3000 and NBSP) and NFKC-fold full-width forms."""
    notes = []
    t = s.strip()
    if t != s:
        notes.append(N_SPACES)
    # NFKC leaves U+2212 MINUS SIGN alone; people paste it from Word.
    u = unicodedata.normalize("NFKC", t).replace("\u2212", "-")
    if u != t:
        notes.append(N_FULLWIDTH)
    return u, notes


def normalise(
    raw: Any,
    field_schema: dict[str, Any],
    unit: str | None,
    *,
    date1904: bool = False,
    percent_cell: bool = False,
) -> Normalised:
    """Normalise one typed cell value for one field; see the module docstring for the rules."""
    kind = field_kind(field_schema)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Normalised(None)
    if kind == "text":
        return _text(raw)
    if kind == "any":  # no schema for this field: keep what was typed
        return Normalised(raw.strip() if isinstance(raw, str) else raw)
    if isinstance(raw, str) and len(raw) > MAX_PARSE_CHARS:
        # no date, number or choice is this long; and nothing below ever sees more
        return _fail(raw, "too_long")
    folded = _clean(raw)[0] if isinstance(raw, str) else None
    # an enum may offer '无' as a real choice; only then is it not a placeholder
    if folded and folded.casefold() in PLACEHOLDERS and folded not in field_schema.get("enum", ()):
        return Normalised(None, (N_PLACEHOLDER,))
    if kind == "enum":
        return _enum(raw, list(field_schema["enum"]))
    if kind == "date":
        return _date(raw, date1904)
    return _counted(raw, _number(raw, kind == "integer", unit, percent_cell), unit)


def _counted(raw: Any, done: Normalised, unit: str | None) -> Normalised:
    """A figure in a unit of things counted one by one (人, 个) must be whole."""
    value = done.value
    if unit not in COUNTED or not isinstance(value, float) or value.is_integer():
        return done
    return _fail(raw, "not_whole_unit", unit=unit)


def _too_large(raw: Any) -> Normalised:
    return _fail(raw, "too_large", "out_of_range")


def _finish(raw: Any, value: Any, integer: bool, notes: list[Said], converted: bool) -> Normalised:
    f = float(value)
    if not math.isfinite(f):
        return _fail(raw, "not_finite")
    if abs(f) > MAX_MAGNITUDE:
        return _too_large(raw)
    if integer:
        if f != int(f):
            return _fail(raw, "not_whole")
        return Normalised(int(f), tuple(notes), converted)
    out = value if isinstance(value, (int, float)) else f
    return Normalised(out, tuple(notes), converted)


def _number(raw: Any, integer: bool, unit: str | None, percent_cell: bool) -> Normalised:
    if isinstance(raw, (bool, date, time)):  # datetime is a date
        return _fail(raw, "not_number")
    if isinstance(raw, (int, float)):
        if not percent_cell:
            return _finish(raw, raw, integer, [], False)
        return _percent_cell(raw, integer, unit)
    if not isinstance(raw, str):
        return _fail(raw, "not_number")
    s, notes = _cleaned(raw)
    if any(a in s for a in APPROX):
        return _fail(raw, "approximate")
    negative = False
    if (m := re.fullmatch(r"\((.+)\)", s)) and m[1].strip()[:1] not in "+-":
        s, negative = m[1].strip(), True
        notes.append(N_ACCOUNTING)
    m = _NUM.fullmatch(s)
    if not m:
        if "," in s:
            return _fail(raw, "comma")
        return _unreadable(raw, s)
    num = m["num"]
    if "," in num:
        num = num.replace(",", "")
        notes.append(N_THOUSANDS)
    value = D((m["sign"] or "") + num + (m["exp"] or ""))
    if value.is_finite() and value != 0 and value.adjusted() > 15:  # before any arithmetic
        return _too_large(raw)
    value = -value if negative else value
    suffix, converted = m["unit"].strip(), False
    if suffix:
        done = _in_unit(raw, value, suffix, unit, notes)
        if isinstance(done, Normalised):
            return done
        value, converted = done
    if not notes:  # '123' typed into a text cell: a number, but worth recording
        notes.append(N_TEXT_NUMBER)
    return _finish(raw, value, integer, notes, converted)


def _cleaned(raw: str) -> tuple[str, list[Said]]:
    """``_clean`` after the spaces between thousands are taken out (noted first)."""
    grouped: list[Said] = []
    s, notes = _clean(ungrouped(raw, grouped))
    return s, grouped + notes


def _unreadable(raw: str, s: str) -> Normalised:
    """Not a number; one with a space inside names the space (a no-break one looks like
    any other)."""
    inner = [c for c in raw.strip() if c.isspace()]
    if inner and _NUM.fullmatch(re.sub(r"\s", "", s)):
        return _fail(raw, "spaced", char=f"U+{ord(inner[0]):04X}")
    return _fail(raw, "unreadable")


def _percent_cell(raw: float | int, integer: bool, unit: str | None) -> Normalised:
    """A number the program stored for a typed percent (12% → 0.12 with a % format)."""
    if unit not in ("%", "‰"):
        kind = "unparseable" if unit is None else "unit_mismatch"
        return _fail(raw, "percent", kind, unit=unit)
    if not math.isfinite(raw) or abs(raw) > MAX_MAGNITUDE:
        return _too_large(raw)
    scale = 100 if unit == "%" else 1000
    # repr() gives the shortest decimal: 0.12 * 100 is 12, not 12.000000000000002
    value = D(repr(raw)) * scale
    pct, got = plain(value / scale * 100), plain(value)
    note = Said("percent_cell", (("pct", pct), ("unit", unit), ("got", got)))
    return _finish(raw, value, integer, [note], False)


def _in_unit(
    raw: Any, value: D, suffix: str, unit: str | None, notes: list[Said]
) -> Normalised | tuple[D, bool]:
    """A number typed with a unit, in the column's unit: (value, converted) or the failure."""
    if unit is None:
        return _fail(raw, "unit_not_wanted")
    src, dst = UNIT_FACTORS.get(suffix), UNIT_FACTORS.get(unit)
    if src is None and suffix in MULTIPLIERS and dst:
        # '3万' in a % column is no ratio: an empty dimension makes it a mismatch
        src = (dst[0] if dst[0] != "ratio" else "", MULTIPLIERS[suffix])
    if suffix == unit or (src and src == dst):
        notes.append(Said("unit_removed", (("suffix", suffix),)))
        return value, False
    if src is None:
        return _fail(raw, "unit_unknown", suffix=suffix)
    if dst is None or src[0] != dst[0]:
        return _fail(raw, "other_unit", "unit_mismatch", suffix=suffix, unit=unit)
    converted = value * src[1] / dst[1]
    was, now = f"{plain(value)}{suffix}", f"{plain(converted)}{unit}"
    named = {"suffix": suffix, "unit": unit, "was": was, "now": now}
    notes.append(Said("converted", tuple(named.items())))
    return converted, True


def _serial(raw: float | int, date1904: bool) -> Normalised:
    if not math.isfinite(raw):
        return _fail(raw, "not_date")
    text = _text(raw).value
    if 19000101 <= raw <= 99991231 and (m := _FULL_DATES[2].fullmatch(text)):
        return _ymd(raw, text, m, [])  # 20140701 typed as a number
    if 1900 <= raw < 2100:  # serial 1900..2099 is 1905: surely a year or '2014.7'
        return _fail(raw, "year_like")
    n = math.floor(raw)
    notes = [Said("serial", (("serial", text),))]
    if raw != n:
        notes.append(N_TIME)
    if n < (0 if date1904 else 1) or (n == 60 and not date1904):
        # serial 60 is 1900-02-29, a day Lotus 1-2-3 invented and Excel kept
        return _fail(raw, "bad_serial")
    try:
        if date1904:
            d = date(1904, 1, 1) + timedelta(days=n)
        else:  # serials above 60 carry the fake leap day, hence the 1899-12-30 epoch
            d = date(1899, 12, 31 if n < 60 else 30) + timedelta(days=n)
    except OverflowError:
        return _fail(raw, "bad_serial")
    return Normalised(d.isoformat(), tuple(notes))


def _ymd(raw: Any, s: str, m: re.Match[str], notes: list[Said], day: bool = True) -> Normalised:
    try:
        d = date(int(m["y"]), int(m["m"]), int(m["d"]) if day else 1)
    except ValueError:
        return _fail(raw, "bad_date")
    iso = d.isoformat()
    if not day:
        notes.append(N_DAY)
    elif s != iso:
        notes.append(N_ISO)
    return Normalised(iso, tuple(notes))


def _date(raw: Any, date1904: bool) -> Normalised:
    if isinstance(raw, datetime):
        return Normalised(raw.date().isoformat(), (N_TIME,) if raw.time() != time(0) else ())
    if isinstance(raw, date):
        return Normalised(raw.isoformat())
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return _fail(raw, "not_date")
    if not isinstance(raw, str):
        return _serial(raw, date1904)
    s, notes = _clean(raw)
    if t := _TIME.fullmatch(s):
        s = t["day"]
        if t["t"].strip("0:.") != "":
            notes.append(N_TIME)
    for rx in _FULL_DATES:
        if m := rx.fullmatch(s):
            return _ymd(raw, s, m, notes)
    for rx in _MONTHS:
        if m := rx.fullmatch(s):
            return _ymd(raw, s, m, notes, day=False)
    return _fail(raw, "unreadable_date")


def _enum(raw: Any, values: list[Any]) -> Normalised:
    if not isinstance(raw, bool) and raw in values:
        return Normalised(raw)
    s, notes = _clean(raw) if isinstance(raw, str) else (_text(raw).value, [])
    if s in values:
        return Normalised(s, tuple(notes))
    squeezed = re.sub(r"\s+", "", s)
    hits = [v for v in values if isinstance(v, str) and re.sub(r"\s+", "", v) == squeezed]
    if len(hits) == 1:
        return Normalised(hits[0], (*notes, N_ENUM_SPACES))
    return Normalised(s)  # not a choice: the schema check reports it with the value


def _text(raw: Any) -> Normalised:
    if isinstance(raw, str):
        s = raw.strip()
        return Normalised(s, (N_SPACES,) if s != raw else ())
    if isinstance(raw, bool):
        return Normalised("是" if raw else "否")
    if isinstance(raw, datetime):
        return Normalised(raw.date().isoformat() if raw.time() == time(0) else raw.isoformat(" "))
    if isinstance(raw, (date, time)):
        return Normalised(raw.isoformat())
    if isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        return Normalised(str(int(raw)))  # Excel stores 12 as 12.0
    return Normalised(str(raw))
