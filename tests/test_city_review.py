"""The city's decisions on its districts' packages: ``review return`` sends a district a
差错清单 (at an indicator or at the package as a whole) and the district's next signed
package supersedes the one sent back; ``signoff`` names the districts still open and
keeps the city's summary byte for byte what was signed; ``history`` lists it all."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from citykit import corrected_fgw
from helpers import tianbao

# the city demo these run on takes ~17 s of CPU, and one test races a process: the
# quick selection meets the city through test_city_package (on the district demo)
pytestmark = pytest.mark.slow  # see pyproject's markers

JUNE = "2014-06"


@pytest.fixture(scope="module")
def two_levels(
    tmp_path_factory: pytest.TempPathFactory, city_demo_into: Callable[[Path], Path]
) -> Path:
    return city_demo_into(tmp_path_factory.mktemp("cityreview") / "run")


@pytest.fixture
def run(two_levels: Path, tmp_path: Path) -> Path:
    """A copy of the two-level demo for one test: 焦作市, its districts, the packages."""
    return Path(shutil.copytree(two_levels, tmp_path / "run"))


def en(*args: str | Path) -> Any:
    return tianbao(CliRunner(), "--lang", "en", *args)


SCHEMAS = Path(__file__).resolve().parents[1] / "schemas" / "cli"


def valid(res: Any) -> dict[str, Any]:
    """A command's --json on the city, valid against the command's own schema."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    docs = [json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.schema.json")]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    data = json.loads(res.stdout)
    name = data["command"].replace(" ", "-")
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=registry).validate(data)
    return data


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def package_rows(package: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(package) as z:
        text = z.read("long.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def main_row(summary: Path, indicator: str, district: str) -> tuple[Any, ...]:
    wb = openpyxl.load_workbook(summary, read_only=True)
    rows = list(wb["主要指标"].iter_rows(min_row=2, values_only=True))
    wb.close()
    return next(r for r in rows if r[0] == indicator and (r[3] or "") == district)


def ledger_rows(city: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(city / ".tianbao" / "ledger.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_review_return__writes_the_差错清单_at_the_indicators_named(run: Path) -> None:
    city, package = run / "焦作市", run / "packages" / "jiefang_2014-06.zip"
    why = "固投增速偏高，请核实"
    res = en("review", "return", "-w", city, "-p", JUNE, "--dept", "解放区",
             "--reason", why, "--row", "FAI", "--row", "REVENUE.ytd")  # fmt: skip
    assert res.exit_code == 0, res.output
    listed = city / "outputs" / "notices" / JUNE / "jiefang_2014-06.差错清单.xlsx"
    assert listed.is_file(), res.output
    rows = sheet_rows(listed)
    head = {r[0]: r[1] for r in rows[:10]}
    assert head["区县 district"] == "jiefang 解放区" and head["报告期 period"] == JUNE
    assert head["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert head["原因 reason"] == "固投增速偏高，请核实"
    places = [r for r in rows if isinstance(r[0], int)]
    assert [p[0] for p in places] == [1, 2]
    # each place names the district's figure and its own provenance key, from long.csv
    for (_, where, said), code, fields in zip(
        places, ("FAI", "REVENUE"), (("ytd", "ytd_last_year"), ("ytd",)), strict=True
    ):
        assert where.startswith(f"{code}："), where
        assert said == why
        for r in package_rows(package):
            if r["form"] == "indicators_monthly" and r["row_key"] == code and r["field"] in fields:
                at = f"{r['department']}#{r['submission_id']} {r['sheet']}!{r['cell']}"
                assert f"{r['field']} = " in where and at in where, (where, at)
    assert "REVENUE：ytd = " in places[1][1] and "month_value" not in places[1][1]
    # the package no longer counts: the city's status and summary say so
    status = en("status", "-w", city, "-p", JUNE).output
    assert "jiefang 解放区: returned" in status and "3/4 districts reported" in status
    out = run / "after.xlsx"
    assert en("consolidate", "-w", city, "-p", JUNE, "-o", out).exit_code == 0
    assert main_row(out, "FAI", "jiefang")[5] is None
    assert main_row(out, "FAI", "jiefang")[10] == "退回 returned"
    wb = openpyxl.load_workbook(out, read_only=True)
    overview = {r[0] or "": r for r in wb["总览"].iter_rows(min_row=3, values_only=True)}
    wb.close()
    assert overview["jiefang"][2] == "退回 returned" and overview["macun"][2] == "已报 received"
    assert overview[""][2] == "3/4 已报 reported"
    assert main_row(out, "FAI", "")[10] == "有区县未报，合计不全 incomplete"


def test_review_return__of_the_whole_package(run: Path) -> None:
    city = run / "焦作市"
    why = "报送单位章缺失"
    res = en("review", "return", "-w", city, "-p", JUNE, "--dept", "macun", "--reason", why)
    assert res.exit_code == 0, res.output
    rows = sheet_rows(city / "outputs" / "notices" / JUNE / "macun_2014-06.差错清单.xlsx")
    assert [r for r in rows if isinstance(r[0], int)] == [
        (1, "整个上报包 the package as a whole", why)
    ]


# (case, review arguments, words of the one-line message)
MISTAKES = [
    ("an indicator not in it", ("return", "--row", "NOPE", "--reason", "x"), "--row NOPE"),
    ("a cell of a department", ("return", "--cell", "主要指标!I4", "--reason", "x"), "--row FAI"),
    ("forcing a package", ("force", "--reason", "x"), "cannot be forced"),
    ("a district not the city's", ("return", "--reason", "x", "--dept", "xiuwu"), "no such"),
    ("a return with no reason", ("return",), "--reason is required"),
]


@pytest.mark.parametrize(("case", "args", "said"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_review__mistakes_on_a_city__one_line_nothing_written(
    run: Path, case: str, args: tuple[str, ...], said: str
) -> None:
    city = run / "焦作市"
    dept = () if "--dept" in args else ("--dept", "jiefang")
    res = en("review", args[0], "-w", city, "-p", JUNE, *dept, *args[1:])
    assert res.exit_code == 2, res.output
    assert said in res.output and len(res.output.strip().splitlines()) == 1, res.output
    assert ledger_rows(city, "SELECT count(*) FROM reviews") == [(0,)]
    assert not (city / "outputs" / "notices").exists()


def test_review_approve__recorded_on_the_package(run: Path) -> None:
    city = run / "焦作市"
    res = en("review", "approve", "-w", city, "-p", JUNE, "--dept", "shanyang", "--json")
    assert res.exit_code == 0, res.output
    assert valid(res)["action"] == "approved"
    log = valid(en("history", "-w", city, "-p", JUNE, "--json"))
    decided = {s["department"]: [r["action"] for r in s["reviews"]] for s in log["submissions"]}
    assert decided["shanyang"] == ["approved"] and decided["jiefang"] == []
    mine = valid(en("history", "-w", city, "-p", "2014-Q2", "--dept", "山阳区", "--json"))
    assert [s["department"] for s in mine["submissions"]] == ["shanyang"]  # named, or a quarter


def _resign(ws: Path, out: Path) -> Path:
    """The district takes its sign-off back and signs again: a newer package."""
    for step in (
        ("signoff", "-w", ws, "-p", JUNE, "--withdraw", "--note", "市里退回，重新签发"),
        ("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", "重新签发"),
        ("package", "-w", ws, "-p", JUNE, "-o", out),
    ):
        res = en(*step)
        assert res.exit_code == 0, (step, res.output)
    return out


def test_review_return__the_districts_next_package_supersedes_it(run: Path) -> None:
    city = run / "焦作市"
    assert en("review", "return", "-w", city, "-p", JUNE, "--dept", "jiefang",
              "--reason", "请核实").exit_code == 0  # fmt: skip
    again = _resign(run / "解放区" / "workspace", run / "again.zip")
    res = en("collect", "-w", city, again)
    assert res.exit_code == 0 and "(correction)" in res.output, res.output
    status = en("status", "-w", city, "-p", JUNE).output
    assert "jiefang 解放区: received (corrected)" in status and "4/4" in status
    out = run / "city.xlsx"
    assert en("consolidate", "-w", city, "-p", JUNE, "-o", out).exit_code == 0
    row = main_row(out, "FAI", "jiefang")
    assert row[10] == "更正 corrected"
    assert row[11] == hashlib.sha256(again.read_bytes()).hexdigest()


def _add_district(city: Path, code: str, name: str) -> None:
    """A district the city expects that never sends anything (a key of nobody's)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    plan = yaml.safe_load((city / "plan.yaml").read_text(encoding="utf-8"))
    plan["districts"].append(
        {"code": code, "name": name, "public_key": base64.b64encode(key).decode()}
    )
    (city / "plan.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")


def test_signoff__the_open_list_names_districts_not_in_and_returned(run: Path) -> None:
    city = run / "焦作市"
    _add_district(city, "xiuwu", "修武县")
    assert en("review", "return", "-w", city, "-p", JUNE, "--dept", "jiefang",
              "--reason", "请核实").exit_code == 0  # fmt: skip
    res = en("signoff", "-w", city, "-p", JUNE, "--by", "市统计局")
    assert res.exit_code == 1, res.output
    assert "2 departments open: jiefang returned, xiuwu missing" in res.output
    assert ledger_rows(city, "SELECT count(*) FROM signoffs") == [(0,)]
    res = en("signoff", "-w", city, "-p", JUNE, "--by", "市统计局", "--anyway",
             "--note", "修武县未报", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    done = valid(res)
    assert [(x["department"], x["state"]) for x in done["outstanding"]] == [
        ("jiefang", "returned"), ("xiuwu", "missing")
    ]  # fmt: skip
    status = valid(en("status", "-w", city, "-p", JUNE, "--json"))
    assert status["signed_off"]["by"] == "市统计局" and status["signed_off"]["note"] == "修武县未报"
    assert "2014-06 signed off by the city (市统计局" in en("status", "-w", city, "-p", JUNE).output


def test_signoff__the_city_summary_stays_what_was_signed_until_the_city_reopens(
    run: Path,
) -> None:
    city, ws = run / "焦作市", run / "解放区" / "workspace"
    signed = ("signoff", "-w", city, "-p", JUNE, "--by", "市统计局")
    assert en(*signed).exit_code == 0
    first, again = run / "signed.xlsx", run / "again.xlsx"
    assert en("consolidate", "-w", city, "-p", JUNE, "-o", first).exit_code == 0
    # the district reopens June, corrects FGW's return, re-signs and re-sends
    _, fixed = corrected_fgw(ws, run / "2014-06_FGW_更正.xlsx", 1.5)
    for step in (
        ("review", "reopen", "-w", ws, "-p", JUNE, "--dept", "FGW", "--reason", "固投漏统一项"),
        ("collect", "-w", ws, run / "2014-06_FGW_更正.xlsx", "--received-at", "2014-07-20T09:00"),
        ("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", "更正后重签"),
        ("package", "-w", ws, "-p", JUNE, "-o", run / "resigned.zip"),
    ):
        res = en(*step)
        assert res.exit_code == 0, (step, res.output)
    # the city has signed June off: the package is refused, nothing of it counts
    res = en("collect", "-w", city, run / "resigned.zip")
    assert res.exit_code == 1 and "[PKG_CLOSED]" in res.output, res.output
    assert "manifest.json period" in res.output
    assert en("consolidate", "-w", city, "-p", JUNE, "-o", again).exit_code == 0
    assert again.read_bytes() == first.read_bytes()  # byte for byte what was signed
    closed = en("review", "return", "-w", city, "-p", JUNE, "--dept", "macun", "--reason", "x")
    assert closed.exit_code == 2 and "reopen it first" in closed.output
    # the city reopens June for 解放区: the package counts, marked 更正
    res = en("review", "reopen", "-w", city, "-p", JUNE, "--dept", "jiefang",
             "--reason", "解放区更正固投")  # fmt: skip
    assert res.exit_code == 0, res.output
    res = en("collect", "-w", city, run / "resigned.zip")
    assert res.exit_code == 0 and "(correction)" in res.output, res.output
    assert en(*signed, "--note", "解放区更正后重新签发").exit_code == 0
    now = run / "now.xlsx"
    assert en("consolidate", "-w", city, "-p", JUNE, "-o", now).exit_code == 0
    row = main_row(now, "FAI", "jiefang")
    assert row[5] == pytest.approx(fixed) and row[10] == "更正 corrected"
    assert main_row(first, "FAI", "jiefang")[5] == pytest.approx(fixed - 1.5)
    # history: both sign-offs, the withdrawal, the refused package and the correction
    log = valid(en("history", "-w", city, "-p", JUNE, "--json"))
    assert [s["action"] for s in log["signoffs"]] == ["signed", "withdrawn", "signed"]
    mine = [s for s in log["submissions"] if s["department"] == "jiefang"]
    assert [(s["status"], s["correction"]) for s in mine] == [
        ("superseded", False), ("rejected", False), ("accepted_with_warnings", True)
    ]  # fmt: skip
    assert mine[-1]["after_signoff"] is True
    text = en("history", "-w", city, "-p", JUNE).output
    assert "resigned.zip" in text and "解放区更正固投" in text


@pytest.mark.skipif(sys.platform == "win32", reason="SIGUSR1 resumes a pause")
def test_collect_paused_after_verifying__the_city_signs_off_meanwhile__refused(
    run: Path,
) -> None:
    """The package verified and archived, the city signs June off before it is
    recorded: the check made inside the write refuses it (PKG_CLOSED)."""
    from tianbao.support.pausepoint import ENV

    city, ws = run / "焦作市", run / "解放区" / "workspace"
    again = _resign(ws, run / "again.zip")
    marker = run / "paused"
    env = dict(os.environ, **{ENV: f"archive:1:{marker}"})
    src = Path(__file__).resolve().parents[1] / "src"
    env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.Popen(
        [sys.executable, "-m", "tianbao.cli", "--lang", "en", "collect", "-w", str(city),
         str(again)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        limit = time.monotonic() + 120  # only turns a hang into a failure
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < limit, "collect never paused"
            time.sleep(0.01)
        assert en("signoff", "-w", city, "-p", JUNE, "--by", "市统计局").exit_code == 0
    finally:
        os.kill(proc.pid, signal.SIGUSR1)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "[PKG_CLOSED]" in err, out + err
    sql = (
        "SELECT count(*) FROM cell_values v JOIN submissions s ON s.id = v.submission_id "
        "WHERE s.file_name = 'again.zip'"
    )
    assert ledger_rows(city, sql) == [(0,)]
