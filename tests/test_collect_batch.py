"""What a batch says as a whole (issue 32, item 9), through the CLI: the files a folder
scan does not read are named once, with what to do, and counted; one department's
period twice in one batch names both files and which one counts (the later receipt, as
the ledger supersedes), with a finding of the catalog."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.findings import Code

DEPT = "FGW"
AT = "2014-07-03T10:00:00"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("batch"), DEPT)


@pytest.fixture
def ws(rs: Returns, tmp_path: Path) -> Path:
    return copy_workspace(rs.ws, tmp_path / "ws")


def _note(text: str) -> Any:
    def edit(wb: Any, r: Returns) -> None:
        form = "projects_progress"
        wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "note")].value = text

    return edit


# (file put in the folder, named as not read, the advice it gets)
STRAYS = [
    ("扫描件.pdf", True, ("不是工作簿", "not a workbook")),
    ("六月报表.et", True, ("WPS 表格文件，请在 WPS 中另存为 .xlsx",
                          "a WPS spreadsheet: save it as .xlsx")),
    ("说明.docx", True, ("不是工作簿", "not a workbook")),
    ("全部.zip", True, ("压缩包，请解压后再收取", "a zip archive: unpack it first")),
    ("~$2014-06_FGW.xlsx", False, None),  # Excel's lock file: no one's return
    (".DS_Store", False, None),
]  # fmt: skip


def _folder(rs: Returns, tmp_path: Path) -> Path:
    folder = tmp_path / "收到"
    (folder / "sub").mkdir(parents=True)
    june = rs.june("stray")
    shutil.copyfile(june, folder / june.name)
    for name, _named, _why in STRAYS:
        (folder / "sub" / name).write_bytes(b"%PDF-1.4 or anything")
    return folder


@pytest.mark.parametrize("command", ["collect", "validate"])
def test_folder_scan__files_not_read_named_once_with_advice_and_counted(
    rs: Returns, ws: Path, tmp_path: Path, command: str
) -> None:
    folder = _folder(rs, tmp_path)
    args = ["--received-at", AT] if command == "collect" else []
    named = [(n, why) for n, shown, why in STRAYS if shown]
    for lang, half in (("zh", 0), ("en", 1)):
        res = tianbao(rs.runner, "--lang", lang, command, "-w", ws, folder, *args)
        assert res.exit_code == 0, res.output
        err = res.stderr
        head = "个文件不是 .xlsx 工作簿，未读取" if lang == "zh" else "are not .xlsx workbooks"
        assert err.count(head) == 1, err
        for name, why in named:
            line = next(ln for ln in err.splitlines() if name in ln)
            assert str(folder / "sub" / name) in line and why[half] in line, line  # type: ignore[index]
        assert "~$" not in err and ".DS_Store" not in err
        if command == "collect":
            assert ("未读取 4" if lang == "zh" else "4 not read") in err.splitlines()[-1]
    res = tianbao(rs.runner, command, "-w", ws, folder, *args, "--json")
    out = json.loads(res.stdout)
    assert out["summary"]["not_read"] == 4
    assert sorted(Path(u["path"]).name for u in out["not_read"]) == sorted(n for n, _ in named)


def test_folder_with_nothing_readable__usage_mistake_that_names_the_files(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "只有扫描件"
    folder.mkdir()
    (folder / "六月.et").write_bytes(b"\xd0\xcf\x11\xe0")
    res = tianbao(rs.runner, "collect", "-w", ws, folder, "--received-at", AT)
    assert res.exit_code == 2
    assert "六月.et：WPS 表格文件，请在 WPS 中另存为 .xlsx" in res.stderr, res.stderr


def _manifest(folder: Path, times: dict[str, str]) -> Path:
    path = folder.parent / "收到时间.csv"
    rows = ["file,received_at", *(f"{name},{at}" for name, at in times.items())]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# (receipt of the template-named copy, of the renamed copy, which counts, the other's fate)
TWICE = [
    ("2014-07-02T09:00", "2014-07-03T09:00", "renamed", "superseded"),
    ("2014-07-03T09:00", "2014-07-02T09:00", "issued", "superseded"),
    ("2014-07-03T09:00", "2014-07-03T09:00", "issued", "refused"),  # same time: cannot tell
]


@pytest.mark.parametrize(("first", "second", "counts", "fate"), TWICE)
def test_two_copies_of_one_department__both_named_the_later_counts(
    rs: Returns, ws: Path, tmp_path: Path, first: str, second: str, counts: str, fate: str
) -> None:
    folder = tmp_path / "批"
    folder.mkdir()
    issued = rs.june("one")
    renamed = rs.june("two", _note("已按新口径更正"), file_name="发改委六月(改).xlsx")
    for f in (issued, renamed):
        shutil.copyfile(f, folder / f.name)
    names = {"issued": issued.name, "renamed": renamed.name}
    manifest = _manifest(folder, {issued.name: first, renamed.name: second})
    res = tianbao(rs.runner, "collect", "-w", ws, folder, "--manifest", manifest, "--json")
    out = json.loads(res.stdout)
    (finding,) = out["batch_findings"]
    kept, other = names[counts], names["renamed" if counts == "issued" else "issued"]
    assert finding["code"] == Code.ID_TWICE_IN_BATCH.value
    assert Path(finding["file"]).name == other
    by_name = {Path(f["path"]).name: f for f in out["files"]}
    ids = {n: by_name[n]["submission_id"] for n in names.values()}
    history = tianbao(rs.runner, "history", "-w", ws, "--json")
    states = {s["id"]: s["status"] for s in json.loads(history.stdout)["submissions"]}
    assert states[ids[kept]] == "accepted"
    assert (states.get(ids[other]) if fate == "superseded" else by_name[other]["status"]) == fate
    said = (("zh", ("本批有 2 份", "为准")), ("en", ("2 returns in this batch", "counts")))
    for lang, words in said:
        again = copy_workspace(rs.ws, tmp_path / f"ws-{lang}")
        res = tianbao(rs.runner, "--lang", lang, "collect", "-w", again, folder,
                      "--manifest", manifest)  # fmt: skip
        line = next(ln for ln in res.stderr.splitlines() if words[0] in ln)
        assert kept in line and other in line and words[1] in line, line
        assert line.index(kept) < line.index(other)  # the one that counts first


def test_two_departments_and_a_duplicate__no_batch_finding(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "批"
    folder.mkdir()
    june = rs.june("once")
    shutil.copyfile(june, folder / june.name)
    shutil.copyfile(june, folder / "同一份.xlsx")  # the same bytes: a duplicate, not a copy
    res = tianbao(rs.runner, "collect", "-w", ws, folder, "--received-at", AT, "--json")
    out = json.loads(res.stdout)
    assert out["batch_findings"] == [] and out["summary"]["duplicates"] == 1


def _blank_status(wb: Any, r: Returns) -> None:
    form = "projects_progress"
    wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "status")].value = None


def test_a_rejected_copy_beside_the_one_that_counts__named(
    rs: Returns, ws: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "批"
    (folder / "first").mkdir(parents=True)
    good, bad = rs.june("good"), rs.june("bad", _blank_status)
    shutil.copyfile(good, folder / good.name)
    shutil.copyfile(bad, folder / "first" / bad.name)  # the same name, another folder
    res = tianbao(rs.runner, "collect", "-w", ws, folder, "--received-at", AT, "--json")
    (finding,) = json.loads(res.stdout)["batch_findings"]
    assert finding["file"] == str(folder / "first" / bad.name)
    line = tianbao(rs.runner, "collect", "-w", copy_workspace(rs.ws, tmp_path / "again"),
                   folder, "--received-at", AT).stderr  # fmt: skip
    said = next(ln for ln in line.splitlines() if "本批有 2 份" in ln)
    assert f"以 {folder / good.name}" in said and f"{folder / 'first' / bad.name}" in said
    assert "未通过审核，不计入" in said


def _long_status(wb: Any, r: Returns) -> None:
    """A 项目状态 no choice allows, long enough that its finding passes 160 columns."""
    form = "projects_progress"
    typed = "正在施工中主体结构已完成百分之八十五预计年底前完工并投入使用" * 2
    wb[r.sheet(form)][r.cell(form, r.keys(form)[0], "status")].value = typed


def _in_a_terminal(args: list[str], columns: int) -> list[str]:
    """The lines a pseudo-terminal ``columns`` wide received (escapes stripped): a line
    rich broke has a newline in it; one the terminal wraps itself has none."""
    import fcntl
    import os
    import pty
    import re
    import struct
    import subprocess
    import sys
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env.update(TERM="xterm-256color", PYTHONPATH=src)
    cmd = [sys.executable, "-m", "tianbao.cli", *args]
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child has exited
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=300)
    raw = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    return [seg for line in raw.split("\n") for seg in line.split("\r")]


@pytest.mark.parametrize("columns", [100, 160])
def test_collect_on_a_terminal__each_finding_and_batch_line_whole(
    rs: Returns, ws: Path, tmp_path: Path, columns: int
) -> None:
    """A line printed while the bar is live is not broken by rich at a space (「第 4 ⏎
    行」): the terminal wraps it where it must."""
    folder = tmp_path / "批"
    (folder / "first").mkdir(parents=True)
    good, bad = rs.june("good"), rs.june("long", _long_status)
    shutil.copyfile(good, folder / good.name)
    shutil.copyfile(bad, folder / "first" / bad.name)
    (folder / "扫描件.pdf").write_bytes(b"%PDF")
    probe = copy_workspace(rs.ws, tmp_path / "probe")
    out = json.loads(tianbao(rs.runner, "collect", "-w", probe, folder, "--received-at", AT,
                             "--json").stdout)  # fmt: skip
    said = [f["message"] for f in out["files"][1]["report"]["findings"] if f["severity"] == "error"]
    said += [f["message"] for f in out["batch_findings"]]
    assert said and any("第 4 行" in m and len(m) * 2 > columns for m in said)
    lines = _in_a_terminal(["collect", "-w", str(ws), str(folder), "--received-at", AT], columns)
    for message in said:
        assert any(message in line for line in lines), (message, lines)
    assert any("扫描件.pdf：不是工作簿" in line for line in lines)
