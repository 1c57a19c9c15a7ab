"""Reporting periods: 2014-06 (month), 2014-Q2, 2014-H1, 2014 (year)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_PATTERNS = (
    ("month", re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("half", re.compile(r"^(\d{4})-H([12])$")),
    ("year", re.compile(r"^(\d{4})$")),
)
_MONTHS_PER = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # month | quarter | half | year
    index: int  # 1-based within the year (month 1-12, quarter 1-4, half 1-2, year 1)

    def __post_init__(self) -> None:
        # a period keys the month figures of every plan row (趋势, a quarter's flows):
        # its hash worked out once, not on every lookup
        object.__setattr__(self, "_hash", hash((self.year, self.kind, self.index)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __reduce__(self) -> tuple[type[Period], tuple[int, str, int]]:
        # pickled without the hash: another process may hash text differently
        return Period, (self.year, self.kind, self.index)

    @classmethod
    def parse(cls, text: str) -> Period:
        """The one period grammar of every command and file: 2014-06, 2014-Q2, 2014-H1,
        2014; full-width forms and surrounding spaces are forgiven."""
        text = unicodedata.normalize("NFKC", str(text)).strip()
        for kind, pattern in _PATTERNS:
            m = pattern.match(text)
            if m:
                year = int(m.group(1))
                index = int(m.group(2)) if kind != "year" else 1
                if kind == "month" and not 1 <= index <= 12:
                    break
                return cls(year, kind, index)
        raise ValueError(
            f"无法识别的报告期 {text!r}：应为 2014-06、2014-Q2、2014-H1 或 2014 | "
            f"unknown period {text!r}: expected YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY"
        )

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.kind == "half":
            return f"{self.year}-H{self.index}"
        return f"{self.year}"

    @property
    def label_zh(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        if self.kind == "half":
            return f"{self.year}年{'上下'[self.index - 1]}半年"
        return f"{self.year}年"

    @property
    def last_month(self) -> int:
        """Month (1-12) in which the period ends."""
        return self.index * _MONTHS_PER[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.last_month - _MONTHS_PER[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        m = self.last_month
        return dt.date(self.year, m, calendar.monthrange(self.year, m)[1])

    def deadline(self, days_after_end: int) -> dt.date:
        return self.end + dt.timedelta(days=days_after_end)

    @property
    def time_progress(self) -> float:
        """序时进度: share of the year elapsed at the period end (by months)."""
        return self.last_month / 12

    def previous(self) -> Period | None:
        """The previous period of the same kind in the same year (None for the first)."""
        if self.index == 1:
            return None
        return Period(self.year, self.kind, self.index - 1)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        return cls(day.year, kind, (day.month - 1) // _MONTHS_PER[kind] + 1)

    @classmethod
    def reported_on(cls, day: dt.date, kind: str) -> Period:
        """The period whose returns come in on ``day``: the one before ``day``'s own
        (June's in July; December's in the January after)."""
        own = cls.containing(day, kind)
        return own.previous() or cls.all_of_year(day.year - 1, kind)[-1]

    @classmethod
    def all_of_year(cls, year: int, kind: str) -> list[Period]:
        count = 12 // _MONTHS_PER[kind]
        return [cls(year, kind, i) for i in range(1, count + 1)]
