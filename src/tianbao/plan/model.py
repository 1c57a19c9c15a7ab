"""The plan as objects. Built from schema-valid data by ``tianbao.plan.load``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tianbao.errors import UsageError
from tianbao.plan.clock import DEFAULT_TIMEZONE, zone
from tianbao.plan.periods import Period
from tianbao.plan.targets import target_values

# plan collection name -> (key attribute, attribute naming the responsible department)
COLLECTIONS: dict[str, str] = {
    "indicators": "code",
    "projects": "id",
    "tasks": "id",
    "livelihood": "id",
}


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short: str
    contact_name: str
    contact_phone: str

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Department:
        contact = raw.get("contact") or {}
        return cls(
            code=raw["code"],
            name=raw["name"],
            short=raw.get("short") or raw["name"],
            contact_name=contact.get("name", ""),
            contact_phone=contact.get("phone", ""),
        )


@dataclass(frozen=True)
class Office:
    """The statistics office that receives the returns (``reporting.office``)."""

    name: str
    contact: str = ""
    phone: str = ""
    email: str = ""
    submit_to: str = ""

    @property
    def reach(self) -> str:
        """Whom to call, in one line: 「解放区统计局综合科 李静 0391-3568100 tjj@…」."""
        return "  ".join(p for p in (self.name, self.contact, self.phone, self.email) if p)


@dataclass
class PlanItem:
    """One row of the plan (an indicator, project, task or livelihood project).

    ``values`` flattens the raw entry with dotted names (``name.zh``,
    ``target.rate_pct``) and adds derived figures; forms pre-fill from it. Worked out
    when first asked for: a command on one department of a 20,000-row plan needs few.
    ``given``: the values, when made by hand (tests).
    """

    collection: str
    key: str
    department: str
    raw: dict[str, Any]
    given: dict[str, Any] | None = None

    @cached_property
    def values(self) -> dict[str, Any]:
        if self.given is not None:
            return self.given
        values = _flatten(self.raw)
        values.update(_derived(self.collection, self.raw))
        return values


# the types of a plan entry's plain values: an entry with only these is its own flat copy
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _flatten(raw: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    if _SCALARS.issuperset(map(type, raw.values())):
        # most entries (a project: a dozen plain values): a copy in C, not a loop
        return {f"{prefix}{k}": v for k, v in raw.items()} if prefix else dict(raw)
    out: dict[str, Any] = {}
    for k, v in raw.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, f"{name}."))
        elif not isinstance(v, list):
            out[name] = v
    return out


def _derived(collection: str, raw: dict[str, Any]) -> dict[str, Any]:
    if collection == "indicators":
        base = (raw.get("base") or {}).get("value")
        return target_values(raw["target"], base, raw["unit"])
    if collection == "projects":
        stones = raw.get("milestones") or []
        text = "；".join(
            f"{m['due'][5:7].lstrip('0')}月{m['due'][8:10].lstrip('0')}日前：{m['text']}"
            for m in stones
        )
        return {"milestones_text": text or None}
    return {}


def make_item(collection: str, raw: dict[str, Any]) -> PlanItem:
    return PlanItem(collection, str(raw[COLLECTIONS[collection]]), raw["department"], raw)


# attributes every item of a collection can offer to a form, even when empty
KNOWN_ATTRIBUTES: dict[str, set[str]] = {
    "indicators": {
        "code",
        "name.zh",
        "name.en",
        "unit",
        "department",
        "accumulation",
        "growth_basis",
        "base.value",
        "base.growth_pct",
        "base.note",
        "target.kind",
        "target.rate_pct",
        "target.level",
        "target.strict",
        "target.text",
        "illustrative",
        "target_kind",
        "target_rate",
        "target_level",
        "target_level_from_rate",
        "target_direction",
        "target_text",
    },
    "projects": {
        "id",
        "name",
        "category",
        "key",
        "total_investment",
        "annual_plan",
        "department",
        "leader",
        "keyword",
        "path",
        "start",
        "finish",
        "illustrative",
        "milestones_text",
    },
    "tasks": {
        "id",
        "keyword",
        "path",
        "description",
        "unit",
        "target",
        "deadline",
        "department",
        "illustrative",
    },
    "livelihood": {
        "id",
        "name",
        "budget",
        "department",
        "content",
        "deadline",
        "illustrative",
    },
}


@dataclass
class Plan:
    raw: dict[str, Any]
    departments: dict[str, Department]
    items: dict[str, list[PlanItem]]

    def period(self, text: str) -> Period:
        """A reporting period of this plan: the plan's year and frequency; else UsageError."""
        try:
            period = Period.parse(text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if period.year != self.year:
            raise UsageError(
                f"报告期 {period} 不在计划年度 {self.year} 内 | "
                f"period {period} is outside the plan year {self.year}"
            )
        if period.kind != self.frequency:
            raise UsageError(
                f"报告期 {period} 与计划的报送频率 {self.frequency} 不符 | "
                f"period {period}: the plan reports by {self.frequency}"
            )
        return period

    def department_code(self, text: str) -> str:
        """A department code of this plan (case and spaces forgiven); else UsageError."""
        code = unicodedata.normalize("NFKC", str(text)).strip().upper()
        if code not in self.departments:
            raise UsageError(
                f"未知的部门代码 {text!r}（计划中有：{', '.join(self.departments)}） | "
                f"unknown department code: {text!r}; known: {', '.join(self.departments)}"
            )
        return code

    @property
    def year(self) -> int:
        return int(self.raw["year"])

    @property
    def base_year(self) -> int:
        return int(self.raw["base_year"])

    @property
    def version(self) -> int:
        return int(self.raw["plan_version"])

    @property
    def effective(self) -> Period | None:
        """First period of a dated revision (``revision.effective``): the periods before
        it keep the plan in force then. None: this plan applies to the whole year."""
        text = (self.raw.get("revision") or {}).get("effective")
        return Period.parse(text) if text else None

    @property
    def revision_reason(self) -> str:
        return str((self.raw.get("revision") or {}).get("reason") or "")

    def applies_to(self, period: Period) -> bool:
        """Whether ``period`` falls under this plan's revision (by the month it ends)."""
        start = self.effective
        if start is None:
            return True
        return (period.year, period.last_month) >= (start.year, start.start.month)

    @property
    def district_name(self) -> str:
        return str(self.raw["district"]["name"])

    @property
    def district_code(self) -> str:
        return str(self.raw["district"]["code"])

    @property
    def frequency(self) -> str:
        return str(self.raw["reporting"].get("frequency", "month"))

    @property
    def timezone_name(self) -> str:
        return str(self.raw["reporting"].get("timezone", DEFAULT_TIMEZONE))

    @property
    def tz(self) -> dt.tzinfo:
        """The district's time zone (receipt times, lateness); checked at load."""
        return zone(self.timezone_name)

    @property
    def deadline_days(self) -> int:
        return int(self.raw["reporting"].get("deadline_days_after_period_end", 5))

    @property
    def office(self) -> Office | None:
        """Who receives the returns, when the plan says (templates and notices name it)."""
        raw = self.raw["reporting"].get("office")
        if not raw:
            return None
        return Office(**{k: str(v) for k, v in raw.items()})

    @property
    def form_ids(self) -> list[str]:
        return list(self.raw["reporting"]["forms"])

    @cached_property
    def fingerprint(self) -> str:
        """sha256 of the canonical JSON of the plan: changes with any plan edit."""
        canon = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()

    def rows_for(self, collection: str, department: str) -> list[PlanItem]:
        return self._by_department.get((collection, department), [])

    @cached_property
    def _by_department(self) -> dict[tuple[str, str], list[PlanItem]]:
        out: dict[tuple[str, str], list[PlanItem]] = {}
        for collection, items in self.items.items():
            for it in items:
                out.setdefault((collection, it.department), []).append(it)
        return out

    def item(self, collection: str, key: str) -> PlanItem | None:
        for it in self.items.get(collection, []):
            if it.key == key:
                return it
        return None

    @classmethod
    def from_raw(cls, raw: dict[str, Any], fingerprint: str = "") -> Plan:
        """``fingerprint``: the plan's, when known (the plan cache keeps it)."""
        departments = {d["code"]: Department.from_raw(d) for d in raw["departments"]}
        items = {c: [make_item(c, r) for r in raw.get(c) or []] for c in COLLECTIONS}
        plan = cls(raw, departments, items)
        if fingerprint:
            plan.__dict__["fingerprint"] = fingerprint  # the cached_property's slot
        return plan
