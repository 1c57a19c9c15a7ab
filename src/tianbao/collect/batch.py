"""What a batch as a whole says, beyond each file's line: the files a folder scan did
not read (a .pdf, a WPS .et, a zip: named once per run, with what to do), and one
department's period sent twice in one batch (which copy counts, and why the other
does not: the ledger's rule, the later receipt supersedes; the same receipt time with
other figures is refused). Lines are written 「中文 | English」 for --lang to pick."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.collect.pipeline import REFUSED
from tianbao.findings import Code, Finding, make
from tianbao.ledger.records import COUNTING, REJECTED, SUPERSEDED

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.ID_TWICE_IN_BATCH,)

SHOWN_UNREAD = 20  # files named before a count
# why a file of a folder was not read, by its suffix (the rest: not a workbook at all)
_WHY = {
    ".et": ("WPS 表格文件，请在 WPS 中另存为 .xlsx", "a WPS spreadsheet: save it as .xlsx"),
    ".ett": ("WPS 表格模板，请另存为 .xlsx", "a WPS template: save it as .xlsx"),
    ".numbers": ("Numbers 表格，请导出为 .xlsx", "a Numbers file: export it as .xlsx"),
    ".zip": ("压缩包，请解压后再收取", "a zip archive: unpack it first"),
    ".rar": ("压缩包，请解压后再收取", "a rar archive: unpack it first"),
    ".7z": ("压缩包，请解压后再收取", "a 7z archive: unpack it first"),
}
_OTHER = ("不是工作簿", "not a workbook")
_FATE = {REFUSED: "refused", REJECTED: "rejected"}  # the ID_TWICE_IN_BATCH variant


@dataclass(frozen=True)
class Unread:
    path: Path
    why: tuple[str, str]  # (zh, en)

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "why": self.why[0], "why_en": self.why[1]}


def unread_files(paths: Iterable[Path]) -> list[Unread]:
    """The files in the folders given that a scan passes over (not spreadsheet-like:
    ``tianbao.validate.inputs.expand_paths`` lists the rest), sorted; office lock files
    (~$…) and hidden files are no one's return and are not named."""
    from tianbao.validate.inputs import XLSX_SUFFIXES

    out = []
    for p in map(Path, paths):
        if not p.is_dir() or p.is_symlink():
            continue
        for folder, _dirs, names in os.walk(p, followlinks=False):
            for name in names:
                f = Path(folder) / name
                if f.suffix.lower() in XLSX_SUFFIXES or name.startswith(("~$", ".")):
                    continue
                out.append(Unread(f, _WHY.get(f.suffix.lower(), _OTHER)))
    return sorted(out, key=lambda u: u.path)


def unread_lines(unread: list[Unread]) -> list[str]:
    """The block that names them: a head line, then one line per file (up to a count)."""
    if not unread:
        return []
    n = len(unread)
    out = [
        f"{n} 个文件不是 .xlsx 工作簿，未读取（请另存为 .xlsx 后重新报送）： | "
        f"{n} file(s) are not .xlsx workbooks and were not read (save them as .xlsx):"
    ]
    for u in unread[:SHOWN_UNREAD]:
        out.append(f"  {u.path}：{u.why[0]} |   {u.path}: {u.why[1]}")
    if n > SHOWN_UNREAD:
        more = n - SHOWN_UNREAD
        out.append(f"  … 另有 {more} 个 |   … and {more} more")
    return out


def twice_in_batch(results: list[Any]) -> list[Finding]:
    """One finding per copy that does not count, where one department's period came
    more than once in this run (``results``: collect.pipeline.CollectResult, in the
    order collected). The copy that counts is the ledger's: the one no later copy
    superseded; duplicates of bytes already recorded are not copies."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in results:
        if r.department and r.period and not r.duplicate:
            groups.setdefault((r.department, r.period), []).append(r)
    return [f for group in groups.values() for f in _copies(group)]


def _copies(group: list[Any]) -> list[Finding]:
    superseded = {i for r in group for i in r.superseded}
    kept = [r for r in group if r.status in COUNTING and r.submission_id not in superseded]
    copies = [r for r in group if r.status in (*COUNTING, SUPERSEDED, REFUSED, REJECTED)]
    if len(kept) != 1 or len(copies) < 2:
        return []
    k = kept[0]
    when = k.received_at[:16].replace("T", " ")  # local time, as recorded
    out = []
    for r in copies:
        if r is k:
            continue
        variant = _FATE.get(r.status, "superseded")
        out.append(make(Code.ID_TWICE_IN_BATCH, variant, file=str(r.path),
                        department=k.department, period=k.period, count=len(copies),
                        kept=str(k.path), kept_id=k.submission_id, received=when,
                        other=str(r.path), other_id=r.submission_id))  # fmt: skip
    return out


def finding_lines(findings: list[Finding]) -> list[str]:
    """Each batch finding as a line 「注意：… | note: …」."""
    return [f"注意：{f.message} | note: {f.extra.get('message_en', f.message)}" for f in findings]


class CollectRun(list):  # list[CollectResult], as before
    """What ``collect`` of some paths did: each file's result, in order, and what the
    batch as a whole says (the files not read, one department's period twice)."""

    def __init__(self, results: Iterable[Any], not_read: list[Unread]) -> None:
        super().__init__(results)
        self.not_read = not_read
        self.findings = twice_in_batch(self)


def with_batch(
    out: dict[str, Any], unread: list[Unread], findings: list[Finding] | None = None
) -> dict[str, Any]:
    """``out`` (a command's --json) with the batch's part: the files not read (counted
    in its summary too) and, for collect, the batch's findings."""
    out["summary"]["not_read"] = len(unread)
    out["not_read"] = [u.as_dict() for u in unread]
    if findings is not None:
        out["batch_findings"] = [f.as_dict() for f in findings]
    return out
