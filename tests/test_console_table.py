"""The terminal as a user sees it (issue 32, item 9): a finding's 「第 4 行“…”」 is not
broken after its number at 100 and 160 columns (rich's Console of that width), and
collect's progress bar leaves no frame on the screen (tmux)."""

from __future__ import annotations

import io
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from helpers import SAMPLE, require_or_skip, tianbao
from tianbao.support.console_table import print_table

LONG = (
    "第 4 行“居民饮水安全工程”：本年累计完成投资（1035）超过计划投资（900），请说明"
    "（已说明：追加建设内容，区政府常务会议已批准追加预算）"
)
HEADERS = ["级别 severity", "代码 code", "工作表 sheet", "单元格 cell", "说明 message"]


@pytest.mark.parametrize("width", [100, 160])
def test_a_row_number_stays_with_its_words(width: int) -> None:
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system=None)
    cells = ["预警", "RULE_WARNING_EXPLAINED", "民生工程", "G4", LONG]
    print_table(console, "审核结果 findings", HEADERS, [(cells, None)])
    lines = console.file.getvalue().splitlines()
    (first,) = [line for line in lines if "G4" in line]
    assert "第4行“居民饮水" in first, "\n".join(lines)
    # nothing of the message is lost to the wrapping (the continuation lines hold the rest)
    text = "".join(line.split("│")[-2].strip() for line in lines if line.startswith("│"))
    assert "区政府常务会议已批准追加预算）" in text and "（1035）" in text


def test_collect_at_a_terminal__the_progress_bar_leaves_no_frame(tmp_path: Path) -> None:
    """In a real terminal (tmux, 160 columns): the lines collect prints while its bar
    is live go above it, and the bar is gone at the end (no 「收表 ━━ 0/?」 left)."""
    require_or_skip(shutil.which("tmux") is not None, "tmux is not installed")
    runner = CliRunner()
    ws, ret = tmp_path / "ws", tmp_path / "ret"
    assert tianbao(runner, "init", ws, "--sample", SAMPLE).exit_code == 0
    out = tmp_path / "t"
    res = tianbao(runner, "generate", "-w", ws, "-p", "2014-01", "--dept", "RSJ", "-o", out)
    assert res.exit_code == 0, res.output
    ret.mkdir()
    for path in out.glob("*.xlsx"):
        shutil.copy(path, ret / "r.xlsx")  # blank: rejected, a line printed all the same
    src = Path(__file__).resolve().parents[1] / "src"
    command = (
        f"cd {shlex.quote(str(tmp_path))} && LANG=C.UTF-8 PYTHONPATH={shlex.quote(str(src))} "
        f"{shlex.quote(sys.executable)} -m tianbao.cli collect -w ws ret "
        "--received-at 2014-02-03T10:00:00; tmux -L tianbao-test wait-for -S done"
    )
    tmux = ["tmux", "-L", "tianbao-test"]
    subprocess.run([*tmux, "new-session", "-d", "-s", "t", "-x", "160", "-y", "40", "sh"],
                   check=True)  # fmt: skip
    try:
        subprocess.run([*tmux, "send-keys", "-t", "t", command, "Enter"], check=True)
        subprocess.run([*tmux, "wait-for", "done"], check=True, timeout=120)
        screen = subprocess.run([*tmux, "capture-pane", "-t", "t", "-p"], check=True,
                                capture_output=True, text=True).stdout  # fmt: skip
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
    assert "RSJ" in screen and "收取 1 个文件" in screen, screen
    assert "━" not in screen and "0/?" not in screen, screen
