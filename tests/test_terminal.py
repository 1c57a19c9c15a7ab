"""What the office sees in its console: the terminal's real width, progress bars on a
terminal only, plain unbroken lines when piped, one language per line with --lang.

The commands run as a real process: under a pseudo-terminal of 100 columns (as a
narrow Windows console) and with pipes (a log, a script).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

pytestmark = pytest.mark.slow  # see pyproject's markers

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    return demo_into(tmp_path_factory.mktemp("term") / "demo")


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tianbao.cli", *args]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    return {**env, **extra}


def _in_a_terminal(args: list[str], columns: int = 100) -> str:
    """Run under a pseudo-terminal ``columns`` wide; everything it wrote, as bytes go."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(_cmd(*args), stdin=slave, stdout=slave, stderr=slave, env=_env())
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child has exited and closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=300)
    return b"".join(chunks).decode("utf-8", "replace")


def _screen_lines(raw: str) -> list[str]:
    return [seg for line in _ANSI.sub("", raw).split("\n") for seg in line.split("\r")]


def test_a_terminal_of_100_columns__no_line_wider__a_progress_bar(demo: Path) -> None:
    june = str(demo / "returns" / "2014-06")
    raw = _in_a_terminal(["validate", "-w", str(demo / "workspace"), june])
    assert "审核" in raw and "validating" not in raw and "━" in raw  # the bar, in Chinese
    lines = _screen_lines(raw)
    assert any(line.strip() == "汇总" for line in lines)
    wide = [line for line in lines if cell_len(line) > 100]
    assert wide == []


def test_generate_and_collect__a_progress_bar_on_a_terminal(demo: Path, tmp_path: Path) -> None:
    ws = str(demo / "workspace")
    raw = _in_a_terminal(["generate", "-w", ws, "-p", "2014-07", "-o", str(tmp_path)])
    assert "生成模板" in raw and "generating" not in raw
    june = str(demo / "returns" / "2014-06")
    raw = _in_a_terminal(["collect", "-w", ws, june, "--received-at", "2014-07-04T10:00"])
    assert "收表" in raw and "collecting" not in raw


def test_piped__no_bar_no_escape__each_finding_on_one_whole_line(demo: Path) -> None:
    ws, june = str(demo / "workspace"), str(demo / "returns" / "2014-06")
    done = subprocess.run(_cmd("validate", "-w", ws, june), capture_output=True, env=_env())
    out = done.stdout.decode() + done.stderr.decode()
    assert "\x1b" not in out and "━" not in out
    lines = out.splitlines()
    assert "文件\t单位\t报告期\t结果\t错误\t预警\t提示" in lines  # a header over plain lines
    data = json.loads(
        subprocess.run(_cmd("validate", "-w", ws, june, "--json"), capture_output=True).stdout
    )
    messages = [
        f["message"] for file in data["files"] for f in file["findings"] if f["severity"] != "note"
    ]
    assert messages
    for message in messages:
        assert any(line.endswith(message) for line in lines), message


def test_columns_100_when_piped__the_table_fits(demo: Path) -> None:
    ws, june = str(demo / "workspace"), str(demo / "returns" / "2014-06")
    done = subprocess.run(
        _cmd("validate", "-w", ws, june), capture_output=True, env=_env(COLUMNS="100")
    )
    lines = (done.stdout.decode() + done.stderr.decode()).splitlines()
    assert any("┃" in line or "│" in line for line in lines)  # drawn as a table
    assert [line for line in lines if cell_len(line) > 100] == []


def test_lang_en__findings_in_english_only(demo: Path) -> None:
    ws, june = str(demo / "workspace"), str(demo / "returns" / "2014-06")
    data = json.loads(
        subprocess.run(_cmd("validate", "-w", ws, june, "--json"), capture_output=True).stdout
    )
    found = [f for file in data["files"] for f in file["findings"] if f["severity"] == "error"]
    assert found
    done = subprocess.run(_cmd("validate", "-w", ws, june, "--lang", "en"), capture_output=True,
                          env=_env())  # fmt: skip
    out = done.stdout.decode()
    for f in found:
        assert f["message_en"] in out and f["message"] not in out


# -- one language per line: tianbao --lang zh (default) | en ------------------------------------
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"\b(?:the|of|and|not|file|files|recorded|accepted|workspace|wrote|error)\b")


def _lines(*args: str, lang: str | None = None) -> list[str]:
    env = {**_env(), **({"TIANBAO_LANG": lang} if lang else {})}
    done = subprocess.run(_cmd(*args), capture_output=True, env=env)
    return (done.stdout + done.stderr).decode().splitlines()


@pytest.mark.parametrize(
    "args",
    [
        ("check", "-w", "{ws}"),
        ("status", "-w", "{ws}", "-p", "2014-06"),
        ("history", "-w", "{ws}", "--dept", "ZJJ"),
        ("consolidate", "-w", "{ws}", "-p", "2014-06", "-o", "{tmp}/s.xlsx"),
        ("collect", "-w", "{ws}", "{june}", "--received-at", "2014-07-04T10:00"),
        ("review", "return", "-w", "{ws}", "-p", "2014-06", "--dept", "ZJJ"),  # no reason
        ("signoff", "-w", "{ws}", "-p", "2014-06", "--withdraw"),  # not signed
        ("collect", "--help"),
        ("--help",),
    ],
)
def test_lang__one_language_per_line(demo: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    """Chinese by default: no line reads as English; --lang en (TIANBAO_LANG=en): no
    Chinese outside the data (names of departments, sheets and files)."""
    at = {"ws": str(demo / "workspace"), "june": str(demo / "returns" / "2014-06"),
          "tmp": str(tmp_path)}  # fmt: skip
    argv = [a.format(**at) for a in args]
    zh = _said(_lines(*argv))
    assert zh and not [line for line in zh if _ENGLISH.search(line)], zh
    en = _said(_lines("--lang", "en", *argv))
    assert en and not [line for line in en if _HAN.search(line)], en
    assert _said(_lines(*argv, lang="en")) == en or args[0] in ("consolidate", "collect")


def _said(lines: list[str]) -> list[str]:
    """What tianbao itself says: the lines without their data (paths and file names,
    the plan's names, quoted texts, commands and options cited, the Chinese terms an
    English line glosses in brackets); of a table, its title, header and footer only."""
    out, in_table = [], False
    for line in lines:
        if "\t" in line:
            if in_table:
                continue  # a data row
            in_table = True  # the header row
        else:
            in_table = False
        line = re.sub(r"\S*[/\\]\S*|\S+\.xlsx\b", " ", line)
        line = re.sub(r"(?:解放|第 \d+ 行)\S*|[“「《][^”」》]*[”」》]", " ", line)
        line = re.sub(r"[(（][^)）]*(?:[)）]|$)", " ", line)
        line = re.sub(r"^(?:催报 [A-Z]+：|chase [A-Z]+: ).*", " ", line)  # the message to send
        line = re.sub(r"tianbao( [a-z]+)+|--[a-z-]+|-[a-zA-Z]\b|填报", " ", line)
        if line.strip():
            out.append(line)
    return out
