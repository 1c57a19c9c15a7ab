"""``tianbao demo``: the reporting cycle on the 2014 sample of 解放区.

Grows with the product: today it creates the sample workspace, checks it and
generates every department's templates for June 2014.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.template.generate import Generated, generate
from tianbao.workspace import init_workspace, open_workspace

SAMPLE = "jiefang-2014"
DEMO_PERIOD = "2014-06"


@dataclass
class DemoResult:
    workspace: Path
    problems: int
    templates: list[Generated] = field(default_factory=list)


def run_demo(directory: Path, say: Callable[[str], None] = print) -> DemoResult:
    ws_dir = Path(directory) / "workspace"
    say(f"1. 创建样例工作区 init {SAMPLE} → {ws_dir}")
    init_workspace(ws_dir, SAMPLE)
    ws = open_workspace(ws_dir)
    say(f"2. 检查计划与报表 check: {len(ws.problems)} 个问题 problem(s)")
    result = DemoResult(ws_dir, len(ws.problems))
    if ws.problems:
        for p in ws.problems:
            say("   " + p.one_line())
        return result
    out = Path(directory) / "templates" / DEMO_PERIOD
    result.templates = generate(ws, DEMO_PERIOD, out_dir=out)
    written = [g for g in result.templates if g.path]
    say(f"3. 生成 {DEMO_PERIOD} 填报模板 generate: {len(written)} 个部门 → {out}")
    return result
