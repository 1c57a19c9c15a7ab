"""Seeded mutation fuzzing of a valid return: whatever a damaged or hostile file
holds, validation answers with findings — never an exception, never a crash of
ours (VALIDATION_CRASHED, or an internal error of the reader), never a hang.

``TIANBAO_FUZZ_N`` mutants (default 300) from ``TIANBAO_FUZZ_SEED`` (default 2014):
each run of CI tries the same ones; a failure prints the seed and mutant number.
"""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from pathlib import Path

import pytest

from returns import Returns
from tianbao.findings import Code
from tianbao.validate.engine import Validator
from tianbao.workspace import open_workspace

N = int(os.environ.get("TIANBAO_FUZZ_N", "300"))
SEED = int(os.environ.get("TIANBAO_FUZZ_SEED", "2014"))

HOSTILE_VALUES = [
    "1e999999999亿元",
    "-1e308",
    "NaN",
    "inf",
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "１２３４５６",
    "1,2,3,4",
    "12%%",
    "(((((((((((",
    " " * 5000 + "1",
    "2014-02-30",
    "99999-12-31",
    "\u202e\u0000\ufffe",
    "无",
    "万" * 3000,
    "1" * 400,
    "0x1F",
    "1e-400",
]


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info.filename, data)
    return out.getvalue()


def _xml_parts(members: list[tuple[zipfile.ZipInfo, bytes]]) -> list[int]:
    return [i for i, (info, _) in enumerate(members) if info.filename.endswith((".xml", ".rels"))]


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """One mutation of a workbook's bytes, chosen at random."""
    members = _members(data)
    xml = _xml_parts(members)
    kind = rnd.randrange(14)
    i = rnd.choice(xml)
    if kind >= 9:  # the mutations calamine forgives and LibreOffice does not: on a sheet
        sheets = [j for j in xml if "worksheets/sheet" in members[j][0].filename]
        i = rnd.choice(sheets or xml)
    info, part = members[i]
    if kind == 0:  # flip bytes inside one part (the zip stays sound)
        b = bytearray(part)
        for _ in range(rnd.randint(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        part = bytes(b)
    elif kind == 1:  # cut a part short
        part = part[: rnd.randrange(len(part))]
    elif kind == 2:  # a hostile value typed into a cell
        cells = list(re.finditer(rb"<v>[^<]*</v>", part))
        if cells:
            m = rnd.choice(cells)
            value = rnd.choice(HOSTILE_VALUES).encode("utf-8", "surrogatepass")
            value = value.replace(b"&", b"&amp;").replace(b"<", b"&lt;")
            part = part[: m.start()] + b"<v>" + value + b"</v>" + part[m.end() :]
    elif kind == 3:  # a reference moved far away or made invalid
        refs = list(re.finditer(rb' r="[A-Z]+[0-9]+"', part))
        if refs:
            m = rnd.choice(refs)
            far = rnd.choice([b"XFD1048576", b"A0", b"ZZZZ1", b"A99999999999", b"B2"])
            part = part[: m.start()] + b' r="' + far + b'"' + part[m.end() :]
    elif kind == 4:  # a duplicated attribute
        part = re.sub(rb'(<c r="[^"]+")', rb'\1 r="A1"', part, count=rnd.randint(1, 3))
    elif kind == 5:  # a shared-string or style index out of range
        part = re.sub(rb' s="\d+"', b' s="99999"', part, count=rnd.randint(1, 5))
        part = re.sub(rb'(t="s"[^>]*><v>)\d+', rb"\g<1>1e308", part, count=1)
    elif kind == 6:  # an entity declaration, a DTD
        part = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + part
    elif kind == 7:  # a member dropped
        del members[i]
        return _zip(members)
    elif kind == 9:  # a duplicated style or type attribute (not well-formed XML)
        part = re.sub(rb'(<c r="[^"]+")', rb'\1 t="n" t="s"', part, count=rnd.randint(1, 3))
    elif kind == 10:  # the cells taken out of the SpreadsheetML namespace
        tag = rnd.choice([b"<sheetData", b"<row", b"<worksheet"])
        part = part.replace(tag, tag + b' xmlns=""', 1)
    elif kind == 11:  # a part renamed in another letter case
        info = zipfile.ZipInfo(info.filename.replace("sheet", "Sheet"))
    elif kind == 12:  # a shared-string index LibreOffice reads differently
        index = rnd.choice([b" 0 ", b"0.0", b"9999", b"-1"])
        part = re.sub(rb'(t="s"[^>]*><v>)\d+', rb"\g<1>" + index, part, count=1)
    elif kind == 13:  # an entry cell that is a formula with a forged cached value
        cells = list(re.finditer(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><v>([^<]*)</v></c>', part))
        if cells:
            m = rnd.choice(cells)
            forged = b'<c r="' + m.group(1) + b'"><f>1+1</f><v>999</v></c>'
            part = part[: m.start()] + forged + part[m.end() :]
    else:  # damage the zip itself
        b = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    members[i] = (info, part)
    return _zip(members)


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("fuzz"), "RSJ")


@pytest.mark.slow
def test_mutated_returns__findings_never_a_crash(rs: Returns, tmp_path: Path) -> None:
    validator = Validator(open_workspace(rs.ws))
    good = rs.june("fuzz").read_bytes()
    rnd = random.Random(SEED)
    crashed = []
    for n in range(N):
        data = good
        for _ in range(rnd.randint(1, 3)):
            try:
                data = mutate(data, rnd)
            except Exception:
                break  # the zip is damaged already: validate what there is
        path = tmp_path / f"2014-06_RSJ_m{n:04d}.xlsx"
        path.write_bytes(data)
        report = validator.validate(path)  # an exception here fails the test
        for f in report.findings:
            internal = f.code is Code.READ_READER_ERROR and "internal error" in f.message
            if f.code is Code.VALIDATION_CRASHED or internal:
                crashed.append((SEED, n, f.code.value, f.message[:200]))
        path.unlink()
    assert crashed == [], crashed


LO_MUTANTS = int(os.environ.get("TIANBAO_FUZZ_LO_N", "40"))


def _recorded(report) -> dict[str, dict[str, dict]]:
    return {
        form: {row.key: row.record for row in recs.rows} for form, recs in report.records.items()
    }


@pytest.mark.slow
def test_accepted_mutants__recorded_as_libreoffice_shows_them(rs: Returns, tmp_path: Path) -> None:
    """What the ledger would record of an accepted mutant is what LibreOffice reads in it.

    Every accepted mutant goes through LibreOffice (open, save); the saved copy holds
    the values as LibreOffice sees them (formulas recalculated: the templates ask for
    it). LibreOffice unable to open one, or the copy's values differing, fails.
    """
    from lo import require_lo, run_jobs

    require_lo()
    validator = Validator(open_workspace(rs.ws))
    good = rs.june("fuzz-lo").read_bytes()
    rnd = random.Random(SEED + 1)
    accepted: list[tuple[Path, dict]] = []
    tried = 0
    while len(accepted) < LO_MUTANTS and tried < LO_MUTANTS * 20:
        tried += 1
        try:
            data = mutate(good, rnd)
        except Exception:
            continue
        path = tmp_path / "in" / f"m{tried:04d}" / "2014-06_RSJ.xlsx"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        report = validator.validate(path)
        if report.status != "rejected":
            accepted.append((path, _recorded(report)))
    assert accepted, "no mutant was accepted: the comparison would prove nothing"
    out = tmp_path / "lo"
    out.mkdir()
    pairs = [[str(p), str(out / f"{p.parent.name}.xlsx")] for p, _ in accepted]
    report = run_jobs({"roundtrip": pairs})
    differ = []
    for (path, ours), job in zip(accepted, report["roundtrip"], strict=True):
        again = out / f"{path.parent.name}.xlsx"
        if not job["ok"]:
            differ.append((path.parent.name, "LibreOffice could not open or save it", job))
            continue
        named = out / path.parent.name / path.name
        named.parent.mkdir()
        again.rename(named)
        theirs = _recorded(validator.validate(named))
        if theirs != ours:
            differ.append((path.parent.name, ours, theirs))
    assert differ == [], (SEED + 1, tried, len(accepted), differ[:3])
