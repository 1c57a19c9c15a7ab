"""``tianbao demo --city``: the two-level cycle on 焦作市.

解放区 runs the district demo (``dev.demo``); three illustrative districts (中站区,
马村区, 山阳区: ``illustrative: true`` in the city plan) are made from the same
sample plan with their levels scaled, filled January to June by the project's
simulator (``dev.simulate``). Each signs June off and packages it; the city
registers their public keys and targets, collects the packages, lists them and
sums them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.errors import UsageError

PERIOD = "2014-06"
CITY = "焦作市"
# code, name, scale of the sample's levels (made up: these districts are illustrative)
ILLUSTRATIVE = (
    ("zhongzhan", "中站区", 0.55),
    ("macun", "马村区", 0.4),
    ("shanyang", "山阳区", 1.3),
)
SCALED_UNITS = ("亿元", "万美元", "人")


@dataclass
class CityDemo:
    root: Path
    city: Path
    packages: list[Path] = field(default_factory=list)
    summary: Path | None = None
    refused: int = 0
    signoff: dict[str, Any] | None = None  # the city's own (--signoff)


def run_city_demo(
    directory: Path, say: Callable[[str], None] = print, *, signoff: bool = False
) -> CityDemo:
    """The two-level cycle into ``directory``; ``signoff``: it ends with the city's own
    sign-off of June (an option: a signed-off city takes no more packages for June)."""
    from tianbao.dev.demo import run_demo

    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} 已存在且不是空目录 | {root} exists and is not an empty folder")
    result = CityDemo(root, root / CITY)
    say(f"1. 解放区：区级全流程 | 1. 解放区: the district cycle → {root / '解放区'}")
    district = run_demo(root / "解放区", lambda line: None)
    if district.problems:
        raise UsageError("样例计划有问题 the sample plan has problems: tianbao demo 看详情")
    roots = [("jiefang", "解放区", district.workspace, False)]
    for code, name, scale in ILLUSTRATIVE:
        say(f"   {name}（示意）：模拟填报 1—6 月 | {name} (illustrative): simulated January–June")
        roots.append((code, name, _illustrative(root / name, code, name, scale), True))
    say(f"2. 各区县签发 {PERIOD} 并打包 | 2. each district signs {PERIOD} off and packages it")
    entries = [_sign_and_pack(root, *r, result) for r in roots]
    say(f"3. 建市级工作区 {result.city} | 3. the city workspace {result.city}")
    _city(result.city, entries)
    say("4. 市里收取上报包 | 4. the city collects the packages")
    from tianbao.city.collect import collect_packages

    for r in collect_packages(result.city, result.packages, period=PERIOD):
        result.refused += not r.ok
        say(f"   {r.district} {r.period}: {r.status} #{r.submission_id}")
    from tianbao.city.summary import city_summary

    out = city_summary(result.city, PERIOD, root / "outputs" / f"city-summary-{PERIOD}.xlsx")
    result.summary = out.out
    say(f"5. 市级汇总 {PERIOD} → {out.out} | 5. the city summary {PERIOD} → {out.out}")
    if signoff and not result.refused:
        from tianbao import api
        from tianbao.city.review import city_scope

        scope = city_scope(result.city)
        assert scope is not None
        result.signoff = api.signoff(scope, PERIOD, by=f"{CITY}统计局", note="月报签发（示例）")
        say(f"6. 市里签发 {PERIOD} | 6. the city signs {PERIOD} off")
    return result


def _illustrative(root: Path, code: str, name: str, scale: float) -> Path:
    """A district made from the sample plan, its levels scaled, January to June filled
    by the simulator and collected."""
    import yaml

    from tianbao.dev.demo import MONTHS, _collect
    from tianbao.dev.simulate import fill_workbook, plausible_fill
    from tianbao.ledger.previous import previous_returns
    from tianbao.plan.periods import Period
    from tianbao.template.content import build_content
    from tianbao.template.generate import generate
    from tianbao.workspace import init_workspace, open_workspace

    ws_dir = root / "workspace"
    init_workspace(ws_dir, "jiefang-2014")
    plan_path = ws_dir / "plan.yaml"
    data = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
    data["district"].update(code=code, name=name, name_en=code.title())
    for ind in data["indicators"]:
        if ind.get("unit") in SCALED_UNITS:
            if isinstance(ind.get("base"), dict) and ind["base"].get("value") is not None:
                ind["base"]["value"] = round(ind["base"]["value"] * scale, 4)
            if isinstance(ind.get("target"), dict) and ind["target"].get("level") is not None:
                ind["target"]["level"] = round(ind["target"]["level"] * scale, 4)
    plan_path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    ws = open_workspace(ws_dir)
    if ws.problems:
        raise UsageError(f"{name}: {ws.problems[0].one_line()}")
    plan = ws.plan
    assert plan is not None
    forms = [ws.forms[f] for f in plan.form_ids]
    secret = ws.secret()
    for month in MONTHS:
        period = Period.parse(month)
        when = dt.datetime.combine(
            period.deadline(plan.deadline_days) - dt.timedelta(days=2), dt.time(10)
        )
        made = generate(
            ws, month, out_dir=root / "templates" / month, allow_missing_previous=True,
            previous_returns=lambda p, codes: previous_returns(ws.root, p, codes),
        )  # fmt: skip
        files = []
        for g in made:
            if g.path is None:
                continue
            content = build_content(plan, forms, g.department, period, secret)
            files.append(
                fill_workbook(
                    g.path, root / "returns" / month / g.path.name, plausible_fill(content)
                )
            )
        _collect(ws, {when: files})
    return ws_dir


def _sign_and_pack(
    root: Path, code: str, name: str, ws_dir: Path, illustrative: bool, result: CityDemo
) -> dict[str, Any]:
    from tianbao import api
    from tianbao.city.keys import public_text, signing_key
    from tianbao.city.package import build_package

    api.signoff(ws_dir, PERIOD, by=f"{name}统计局", note="月报签发（示例）", anyway=True)
    made = build_package(ws_dir, PERIOD, root / "packages" / f"{code}_{PERIOD}.zip")
    result.packages.append(made.path)
    ws = api.workspace(ws_dir)
    assert ws.plan is not None
    targets = {
        i.key: float(i.values["target_level"])
        for i in ws.plan.items["indicators"]
        if i.values.get("target_level") is not None
    }
    return {
        "code": code,
        "name": name,
        "public_key": public_text(signing_key(ws_dir)),
        "plan_version": made.manifest["plan_version"],
        "illustrative": illustrative,
        "targets": targets,
    }


def _city(city: Path, entries: list[dict[str, Any]]) -> None:
    import yaml

    from tianbao.city.plan import PLAN_FILE, init_city, write_city_plan

    init_city(city, CITY)
    data = yaml.safe_load((city / PLAN_FILE).read_text(encoding="utf-8"))
    data["districts"] = entries
    write_city_plan(city, data)
