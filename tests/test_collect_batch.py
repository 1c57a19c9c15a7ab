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
