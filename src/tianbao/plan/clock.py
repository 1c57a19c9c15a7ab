"""Local time of the district: receipt times, lateness, what every output shows.

The plan names its time zone (``reporting.timezone``, default Asia/Shanghai).
Receipt times are kept as ISO 8601 with their offset (2014-07-04T10:00:00+08:00);
a time given without an offset is local. Lateness is judged on the local date,
and people read ``2014-07-04 10:00``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from tianbao.errors import UsageError

DEFAULT_TIMEZONE = "Asia/Shanghai"
# China has kept +08:00 without daylight saving since 1991: enough where the
# system has no time zone database (a slim container, Windows without tzdata)
_FIXED = {
    "Asia/Shanghai": 8,
    "Asia/Chongqing": 8,
    "Asia/Harbin": 8,
    "Asia/Urumqi": 6,
    "PRC": 8,
    "UTC": 0,
    "Etc/UTC": 0,
}


@cache
def zone(name: str = DEFAULT_TIMEZONE) -> dt.tzinfo:
    """The tzinfo of an IANA name; ValueError for a name nobody knows."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python < 3.9
        ZoneInfo, ZoneInfoNotFoundError = None, Exception  # type: ignore[assignment,misc]
    if ZoneInfo is not None:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    if name in _FIXED:
        return dt.timezone(dt.timedelta(hours=_FIXED[name]), name)
    raise ValueError(f"unknown time zone {name!r}")


def local(when: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """``when`` in the district's time: a naive time is taken as local already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=tz)
    return when.astimezone(tz)


def receipt_iso(when: dt.datetime, tz: dt.tzinfo) -> str:
    """What the ledger stores: local time to the second, with its offset."""
    return local(when, tz).replace(microsecond=0).isoformat(timespec="seconds")


def parse_iso(text: str, tz: dt.tzinfo) -> dt.datetime:
    """A stored or typed time as an aware local time (naive = local)."""
    return local(dt.datetime.fromisoformat(text.strip()), tz)


def local_date(text: str, tz: dt.tzinfo) -> dt.date:
    """The local calendar day of a stored receipt time (what lateness is judged on)."""
    return parse_iso(text, tz).date()


def shown_zh(text: str, tz: dt.tzinfo) -> str:
    """A stored time as a leader reads it: 2014年7月8日 09:00 (local); '' stays ''."""
    if not text:
        return ""
    try:
        t = parse_iso(text, tz)
    except ValueError:
        return text
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


def shown(text: str, tz: dt.tzinfo) -> str:
    """A stored time as people read it: 2014-07-04 10:00 (local); '' stays ''."""
    if not text:
        return ""
    try:
        return parse_iso(text, tz).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def date_option(text: str | dt.date | None, option: str = "--as-of") -> dt.date | None:
    """A date option (YYYY-MM-DD), or a usage error naming the option."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"无法识别的日期 {text!r} cannot read {option}; expected YYYY-MM-DD"
        ) from None
