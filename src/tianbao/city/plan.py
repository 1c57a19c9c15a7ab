"""A city workspace: ``plan.yaml`` with ``level: city``. Its reporting units are the
districts, each with its public key and the targets the city issued it for the main
indicators; its indicators say which add up across districts (levels) and which do
not (rates, per-head figures: recomputed from sums or left per district)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.errors import UsageError, WorkspaceError

PLAN_FILE = "plan.yaml"
_LEVEL = re.compile(rb"^level:\s*['\"]?city['\"]?\s*(#.*)?$", re.MULTILINE)

# the main indicators of the districts' plans (the sample's codes): additive levels
# first, then those never summed across districts
MAIN_INDICATORS: tuple[tuple[str, str, str, bool], ...] = (
    ("GDP", "地区生产总值", "亿元", True),
    ("REVENUE", "公共财政预算收入", "亿元", True),
    ("FAI", "全社会固定资产投资", "亿元", True),
    ("RETAIL", "社会消费品零售总额", "亿元", True),
    ("DOMESTIC_CAPITAL", "引进市外境内资金", "亿元", True),
    ("FOREIGN_CAPITAL", "引进境外资金", "万美元", True),
    ("NEW_JOBS", "城镇新增就业", "人", True),
    ("URBAN_INCOME", "城镇居民人均可支配收入", "元", False),
    ("POP_GROWTH", "人口自然增长率", "‰", False),
    ("UNEMPLOYMENT", "城镇登记失业率", "%", False),
    ("ENERGY", "节能减排", "%", False),
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    additive: bool


@dataclass(frozen=True)
class District:
    code: str
    name: str
    public_key: str
    plan_version: int | None = None  # the district plan the city has on file
    illustrative: bool = False
    targets: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CityPlan:
    root: Path
    name: str
    year: int
    plan_version: int
    indicators: tuple[Indicator, ...]
    districts: tuple[District, ...]

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)

    def month(self, text: str) -> str:
        """The month whose packages answer ``text``: a month of the city's year, or a
        quarter's, half-year's or year's last month (every figure is year-to-date)."""
        from tianbao.plan.periods import Period

        try:
            p = Period.parse(text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if p.year != self.year:
            raise UsageError(f"{text}：不在 {self.year} 年 | {text} is not in {self.year}")
        return f"{p.year:04d}-{p.last_month:02d}"


def is_city(root: Path) -> bool:
    """Whether the workspace at ``root`` is a city's (its plan says ``level: city``)."""
    try:
        return bool(_LEVEL.search(Path(root, PLAN_FILE).read_bytes()))
    except OSError:
        return False


def init_city(directory: Path, name: str, year: int = 2014) -> Path:
    """A new city workspace: the main indicators, no district yet."""
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} 已存在且不是空目录 | {root} exists and is not an empty folder")
    root.mkdir(parents=True, exist_ok=True)
    data = {
        "level": "city",
        "plan_version": 1,
        "city": {"name": name},
        "year": year,
        "indicators": [
            {"code": c, "name": n, "unit": u, "additive": a} for c, n, u, a in MAIN_INDICATORS
        ],
        "districts": [],
    }
    write_city_plan(root, data)
    return root


def write_city_plan(root: Path, data: dict[str, Any]) -> None:
    import yaml

    head = (
        "# 市级工作区：区县及其公钥、市定目标 | a city workspace: its districts, their public\n"
        "# keys (tianbao package --public-key) and the targets the city issued them\n"
    )
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    Path(root, PLAN_FILE).write_text(head + body, encoding="utf-8")


def load_city(root: Path) -> CityPlan:
    """The city plan; a missing or malformed field is a one-line WorkspaceError."""
    import yaml

    path = Path(root, PLAN_FILE)
    if not is_city(root):
        raise WorkspaceError(f"{path}: 不是市级工作区（缺 level: city） | not a city workspace")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        indicators = tuple(
            Indicator(str(i["code"]), str(i["name"]), str(i.get("unit", "")), bool(i["additive"]))
            for i in raw.get("indicators") or []
        )
        districts = tuple(_district(d) for d in raw.get("districts") or [])
        return CityPlan(
            Path(root),
            str(raw["city"]["name"]),
            int(raw["year"]),
            int(raw.get("plan_version", 1)),
            indicators,
            districts,
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WorkspaceError(
            f"{path}: 市级计划格式有误 | the city plan is malformed: {exc!r}"
        ) from None


def _district(d: dict[str, Any]) -> District:
    version = d.get("plan_version")
    return District(
        str(d["code"]),
        str(d["name"]),
        str(d["public_key"]),
        int(version) if version is not None else None,
        bool(d.get("illustrative", False)),
        {str(k): float(v) for k, v in (d.get("targets") or {}).items()},
    )
