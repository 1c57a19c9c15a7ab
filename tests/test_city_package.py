"""The level above, first half: a district packages its signed-off period; the city
refuses every package whose signature, sign-off, period, plan version or totals do
not hold, at the finding's place, and counts nothing of it."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from helpers import tianbao

JUNE = "2014-06"


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, demo_into: Callable[[Path], Path]) -> Path:
    """解放区's demo workspace with June signed off."""
    root = demo_into(tmp_path_factory.mktemp("district") / "run")
    runner = CliRunner()
    ws = root / "workspace"
    signed = ("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", "六月月报")
    res = tianbao(runner, *signed)
    assert res.exit_code == 0, res.output
    return ws


@pytest.fixture(scope="module")
def june(district: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "jiefang_2014-06.zip"
    res = tianbao(CliRunner(), "package", "-w", district, "-p", JUNE, "-o", out)
    assert res.exit_code == 0, res.output
    return out


def public_key(district: Path) -> str:
    res = tianbao(CliRunner(), "package", "-w", district, "--public-key")
    assert res.exit_code == 0, res.output
    return res.output.strip()


def make_city(tmp: Path, district: Path, **entry: object) -> Path:
    city = tmp / "焦作市"
    res = tianbao(CliRunner(), "init", city, "--level", "city")
    assert res.exit_code == 0, res.output
    plan = yaml.safe_load((city / "plan.yaml").read_text(encoding="utf-8"))
    plan["districts"] = [
        {"code": "jiefang", "name": "解放区", "public_key": public_key(district), **entry}
    ]
    (city / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return city


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_package__signed_verifiable_with_the_public_key_and_byte_identical(
    district: Path, june: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.zip"
    assert tianbao(CliRunner(), "package", "-w", district, "-p", JUNE, "-o", again).exit_code == 0
    assert again.read_bytes() == june.read_bytes()
    parts = members(june)
    assert sorted(parts) == [
        "long.csv", "manifest.json", "manifest.sig", "rates.json", "summary.xlsx", "warnings.json",
    ]  # fmt: skip
    raw = base64.b64decode(public_key(district))
    Ed25519PublicKey.from_public_bytes(raw).verify(parts["manifest.sig"], parts["manifest.json"])
    manifest = json.loads(parts["manifest.json"])
    assert manifest["district"] == {"code": "jiefang", "name": "解放区"}
    assert manifest["period"] == JUNE and manifest["plan_version"] == 1
    assert manifest["signoff"]["by"] == "王局长" and manifest["signoff"]["note"] == "六月月报"
    for name, sha in manifest["members"].items():
        assert hashlib.sha256(parts[name]).hexdigest() == sha, name
    rows = list(csv.DictReader(io.StringIO(parts["long.csv"].decode("utf-8-sig"))))
    assert {"submission_id", "sheet", "cell"} <= set(rows[0])  # the provenance keys
    assert json.loads(parts["rates.json"])["period"] == JUNE
    warnings = json.loads(parts["warnings.json"])
    assert warnings and all("file" not in w and "submission_id" in w for w in warnings)
    assert all(isinstance(w["explained"], bool) for w in warnings)
    assert any(w["explained"] for w in warnings if w["department"] == "ZJJ")  # its over-budget
    key = district / ".tianbao" / "package_signing.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_package__of_a_period_not_signed_off__refused(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "may.zip"
    res = tianbao(
        CliRunner(), "--lang", "en", "package", "-w", district, "-p", "2014-05", "-o", out
    )
    assert res.exit_code == 1
    assert "2014-05 is not signed off" in res.output and len(res.output.splitlines()) == 1
    assert not out.exists()


def _resign(district: Path, package: Path, out: Path, change: Callable[[dict], None]) -> Path:
    """The same package with its manifest changed, signed again with the district's own
    key: what a district tool gone wrong would send."""
    from tianbao.city.keys import signing_key
    from tianbao.city.package import write_package

    parts = members(package)
    manifest = json.loads(parts.pop("manifest.json"))
    parts.pop("manifest.sig")
    manifest.pop("members")
    change(manifest)
    return write_package(out, manifest, parts, signing_key(district)).path


def _edited(district: Path, june: Path, out: Path) -> Path:
    parts = members(june)
    parts["long.csv"] = parts["long.csv"].replace(b",45.02,", b",95.02,", 1)
    assert parts["long.csv"] != members(june)["long.csv"]
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def _unsigned(district: Path, june: Path, out: Path) -> Path:
    return _resign(district, june, out, lambda m: m.update(signoff=None))


def _totals(district: Path, june: Path, out: Path) -> Path:
    return _resign(
        district, june, out, lambda m: m["totals"]["indicators_monthly"]["FAI"].update(ytd="50")
    )


def _other_key(district: Path, june: Path, out: Path) -> Path:
    from tianbao.city.package import write_package

    parts = members(june)
    manifest = json.loads(parts.pop("manifest.json"))
    parts.pop("manifest.sig")
    return write_package(out, manifest, parts, Ed25519PrivateKey.generate()).path


def _as_is(district: Path, june: Path, out: Path) -> Path:
    return Path(shutil.copy(june, out))


# (case, package made, collect options, city plan entry, finding code, its place)
REFUSED = [
    ("edited after signing", _edited, (), {}, "PKG_EDITED", "long.csv"),
    ("of an unsigned period", _unsigned, (), {}, "PKG_UNSIGNED", "manifest.json signoff"),
    ("for the wrong period", _as_is, ("-p", "2014-05"), {}, "PKG_PERIOD", "manifest.json period"),
    (
        "totals disagree with its rows",
        _totals,
        (),
        {},
        "PKG_TOTALS",
        "manifest.json totals.indicators_monthly.FAI.ytd",
    ),
    ("signed by another key", _other_key, (), {}, "PKG_SIGNATURE", "manifest.sig"),
    (
        "of another plan version",
        _as_is,
        (),
        {"plan_version": 2},
        "PKG_PLAN_VERSION",
        "plan_version",
    ),
]


@pytest.mark.parametrize(("case", "make", "options", "entry", "code", "place"), REFUSED)
def test_collect_package__refused_at_its_place_and_nothing_counted(
    district: Path,
    june: Path,
    tmp_path: Path,
    case: str,
    make: Callable[[Path, Path, Path], Path],
    options: tuple[str, ...],
    entry: dict[str, object],
    code: str,
    place: str,
) -> None:
    city = make_city(tmp_path, district, **entry)
    bad = make(district, june, tmp_path / "bad.zip")
    runner = CliRunner()
    res = tianbao(runner, "--lang", "en", "collect", "-w", city, bad, *options)
    assert res.exit_code == 1, res.output
    lines = [x for x in res.output.splitlines() if f"[{code}]" in x]
    assert lines and place in lines[0], res.output
    # the district is sent a 差错清单 with the finding at its place
    listed = sorted((city / "outputs" / "notices").rglob("*.差错清单.xlsx"))
    assert len(listed) == 1 and str(listed[0]) in res.output, res.output
    wb = openpyxl.load_workbook(listed[0], read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    head = {r[0]: r[1] for r in rows if r and isinstance(r[0], str)}
    assert head["sha256"] == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert head["上报包 package"] == bad.name
    found = [r for r in rows if r and isinstance(r[0], int)]
    assert any(place in r[1] and f"[{code}]" in r[2] for r in found), found
    db = sqlite3.connect(city / ".tianbao" / "ledger.sqlite")
    assert db.execute("SELECT status FROM submissions").fetchall() == [("rejected",)]
    assert db.execute("SELECT count(*) FROM cell_values").fetchone() == (0,)
    db.close()
    status = tianbao(runner, "--lang", "en", "status", "-w", city, "-p", JUNE)
    assert "jiefang 解放区: refused" in status.output and "0/1 districts" in status.output
    if entry:  # the city's own plan refused it: nothing to prove with the good package
        return
    good = tianbao(runner, "collect", "-w", city, june)  # the fixture itself was sound
    assert good.exit_code == 0, good.output
    assert "1/1" in tianbao(runner, "--lang", "en", "status", "-w", city, "-p", JUNE).output


def test_collect_package__an_earlier_signoff_does_not_replace_the_one_counting(
    district: Path, june: Path, tmp_path: Path
) -> None:
    city = make_city(tmp_path, district)
    runner = CliRunner()
    assert tianbao(runner, "collect", "-w", city, june).exit_code == 0
    older = _resign(district, june, tmp_path / "older.zip", lambda m: m["signoff"].update(seq=0))
    res = tianbao(runner, "--lang", "en", "collect", "-w", city, older)
    assert res.exit_code == 1 and "[PKG_STALE]" in res.output, res.output
    db = sqlite3.connect(city / ".tianbao" / "ledger.sqlite")
    rows = db.execute("SELECT status, correction FROM submissions ORDER BY id").fetchall()
    db.close()
    assert rows == [("accepted_with_warnings", 0), ("rejected", 0)]


def _main_row(summary: Path, indicator: str, district: str) -> tuple[object, ...]:
    wb = openpyxl.load_workbook(summary, read_only=True)
    rows = list(wb["主要指标"].iter_rows(min_row=2, values_only=True))
    wb.close()
    return next(r for r in rows if r[0] == indicator and (r[3] or "") == district)


def test_city_review_return__the_package_stops_counting(
    district: Path, june: Path, tmp_path: Path
) -> None:
    """The city sends a package back (the quick selection's city review and summary:
    test_city_review runs on the city demo, a slow one)."""
    city, out = make_city(tmp_path, district), tmp_path / "city.xlsx"
    runner = CliRunner()
    assert tianbao(runner, "collect", "-w", city, june).exit_code == 0
    assert tianbao(runner, "consolidate", "-w", city, "-p", JUNE, "-o", out).exit_code == 0
    assert isinstance(_main_row(out, "FAI", "jiefang")[5], float)
    res = tianbao(runner, "--lang", "en", "review", "return", "-w", city, "-p", JUNE,
                  "--dept", "解放区", "--reason", "请核实", "--row", "FAI")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (city / "outputs" / "notices" / JUNE / "jiefang_2014-06.差错清单.xlsx").is_file()
    status = tianbao(runner, "--lang", "en", "status", "-w", city, "-p", JUNE).output
    assert "jiefang 解放区: returned" in status and "0/1 districts reported" in status, status
    assert tianbao(runner, "consolidate", "-w", city, "-p", JUNE, "-o", out).exit_code == 0
    row = _main_row(out, "FAI", "jiefang")
    assert row[5] is None and row[10] == "退回 returned", row
