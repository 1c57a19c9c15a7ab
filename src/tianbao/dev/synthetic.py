"""Synthetic plans of any size, for benchmarks and scale tests.

Made-up but schema-valid: N departments, each answering for a few
indicators, ``projects_per_dept`` projects, two tasks and one livelihood
project. Deterministic for the same arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tianbao.forms.model import STANDARD_FORMS
from tianbao.workspace import init_workspace

CATEGORIES = ("新建", "续建", "运作", "储备")


def synthetic_plan(departments: int, projects_per_dept: int, year: int = 2014) -> dict[str, Any]:
    depts = [
        {
            "code": f"D{i:04d}",
            "name": f"合成部门{i:04d}",
            "short": f"部门{i}",
            "contact": {"name": f"联系人{i}", "phone": f"0391-{3900000 + i:07d}"},
            "illustrative": True,
        }
        for i in range(1, departments + 1)
    ]
    indicators, projects, tasks, livelihood = [], [], [], []
    for n, d in enumerate(depts):
        code = d["code"]
        indicators.append(
            {
                "code": f"I{n:04d}",
                "name": {"zh": f"合成指标{n}", "en": f"Indicator {n}"},
                "unit": "亿元",
                "department": code,
                "accumulation": "ytd",
                "base": {"value": 10.0 + n % 50},
                "target": {"kind": "growth", "rate_pct": 10},
                "illustrative": True,
            }
        )
        for j in range(projects_per_dept):
            total = 1000 + (n * 37 + j * 11) % 90000
            projects.append(
                {
                    "id": f"P{n:04d}{j:03d}",
                    "name": f"合成项目{n}-{j}",
                    "category": CATEGORIES[j % 4],
                    "key": j % 4 < 2,
                    "total_investment": total,
                    "annual_plan": total // 3,
                    "department": code,
                    "leader": f"领导{j % 9}",
                    "keyword": "项目建设",
                    "path": "路径一",
                    # a continuing project (续建) started before the plan year
                    "start": f"{year - 1 if j % 4 == 1 else year}-03-01",
                    "finish": f"{year + 1}-12-31",
                    "illustrative": True,
                }
            )
        for j in range(2):
            tasks.append(
                {
                    "id": f"T{n:04d}{j}",
                    "keyword": "民生和谐",
                    "path": "路径一",
                    "description": f"合成任务{n}-{j}",
                    "unit": "个",
                    "target": 10,
                    "deadline": f"{year}-12-31",
                    "department": code,
                    "illustrative": True,
                }
            )
        livelihood.append(
            {
                "id": f"L{n:04d}",
                "name": f"合成民生工程{n}",
                "budget": 500,
                "department": code,
                "content": "合成内容",
                "illustrative": True,
            }
        )
    return {
        "plan_version": 1,
        "illustrative_note": "合成计划，仅用于性能测试 synthetic plan for benchmarks",
        "district": {"code": "synthetic", "name": "合成区"},
        "year": year,
        "base_year": year - 1,
        "reporting": {
            "frequency": "month",
            "deadline_days_after_period_end": 5,
            "forms": list(STANDARD_FORMS),
        },
        "departments": depts,
        "indicators": indicators,
        "projects": projects,
        "tasks": tasks,
        "livelihood": livelihood,
    }


def make_synthetic_workspace(target: Path, departments: int, projects_per_dept: int) -> Path:
    init_workspace(target)
    plan = synthetic_plan(departments, projects_per_dept)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: large plans in seconds
    (target / "plan.yaml").write_text(
        yaml.dump(plan, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return target
