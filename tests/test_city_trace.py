"""``tianbao trace``: a city figure followed down to the department's cell (issue 33), on
``tianbao demo --city --signoff`` (the two-level cycle ending with the city's own
sign-off). The chain is recomputed here from the packages (csv, zipfile) and the
archived returns (openpyxl), not through tianbao; an altered file is reported, not read."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from helpers import tianbao

pytestmark = pytest.mark.slow  # see pyproject's markers

JUNE = "2014-06"
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trace") / "run"
    res = tianbao(CliRunner(), "demo", "--city", "--signoff", root, "--json")
    assert res.exit_code == 0, res.output
    made = json.loads(res.stdout)  # the two-level demo's own --json, valid against its schema
    valid(made, "demo")
    assert made["signoff"] and made["refused"] == 0 and len(made["packages"]) == 4, made
    assert Path(made["summary"]).is_file() and Path(made["city"]).is_dir(), made
    return root


def valid(data: dict[str, Any], command: str) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    docs = [json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("cli/*.schema.json")]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    schema = json.loads((SCHEMAS / "cli" / f"{command}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=registry).validate(data)


def run(*args: str | Path, code: int = 0) -> dict[str, Any]:
    """``tianbao trace ARGS --json``, valid against schemas/cli/trace.schema.json."""
    res = tianbao(CliRunner(), "trace", *args, "--json")
    assert res.exit_code == code, res.output
    data = json.loads(res.stdout)
    valid(data, "trace")
    return data


def fai_rows(package: Path) -> list[dict[str, str]]:
    """The long rows of FAI's YTD in a package, read with csv."""
    with zipfile.ZipFile(package) as z:
        text = z.read("long.csv").decode("utf-8-sig")
    return [
        r
        for r in csv.DictReader(io.StringIO(text))
        if (r["form"], r["row_key"], r["field"]) == ("indicators_monthly", "FAI", "ytd")
    ]


def archived(ws: Path, sha256: str) -> Path:
    (found,) = [p for p in (ws / "archive" / sha256[:2]).iterdir() if p.stem == sha256]
    return found


def test_demo_city_signoff__ends_with_the_citys_own_signoff(signed: Path) -> None:
    db = sqlite3.connect(signed / "焦作市" / ".tianbao" / "ledger.sqlite")
    rows = db.execute("SELECT period, by FROM signoffs").fetchall()
    db.close()
    assert rows == [(JUNE, "焦作市统计局")]
    got = run("-w", signed / "焦作市", "-p", JUNE, "--indicator", "FAI")
    assert got["signoff"]["by"] == "焦作市统计局"  # the trace names the city's sign-off
    again = tianbao(CliRunner(), "collect", "-w", signed / "焦作市", signed / "packages")
    assert again.exit_code == 0 and "重复" in again.output  # nothing new counts


def test_trace__the_city_figure_is_the_districts_sum_each_the_sum_of_its_rows(
    signed: Path,
) -> None:
    got = run("-w", signed / "焦作市", "-p", JUNE, "--indicator", "FAI")
    parts = {p["district"]: p for p in got["parts"]}
    total = Decimal(0)
    for package in sorted((signed / "packages").glob("*.zip")):
        code = package.name.split("_")[0]
        part, rows = parts[code], fai_rows(package)
        assert rows and part["package_sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
        level = sum((Decimal(r["value"]) for r in rows), Decimal(0))
        assert Decimal(str(part["figure"])) == level == Decimal(str(part["rows_sum"])), code
        keys = ("department", "sheet", "cell", "sha256", "value")
        assert [[r[k] for k in keys] for r in rows] == [[r[k] for k in keys] for r in part["rows"]]
        assert part["signoff"]["by"].endswith("统计局") and part["findings"] == []
        assert all(r["matches"] is None for r in part["rows"])  # no archive given: not read
        total += level
    assert set(parts) == {"jiefang", "zhongzhan", "macun", "shanyang"} and got["ok"]
    assert Decimal(str(got["figure"])) == total
    wb = openpyxl.load_workbook(signed / "outputs" / f"city-summary-{JUNE}.xlsx", read_only=True)
    rows_of = wb["主要指标"].iter_rows(min_row=2, values_only=True)
    (city_row,) = [r for r in rows_of if r[0] == "FAI" and not r[3]]
    wb.close()
    assert city_row[5] == pytest.approx(float(total))  # the summary's own total


def test_trace__with_解放区s_archive__the_cells_of_the_archived_returns(
    signed: Path, tmp_path: Path
) -> None:
    ws = signed / "解放区" / "workspace"
    args = ("-w", signed / "焦作市", "-p", JUNE, "--indicator", "FAI", "--district", "jiefang")
    got = run(*args, "--archive", ws)
    (part,) = got["parts"]
    assert part["rows"] and part["archive"] == str(ws)
    for row in part["rows"]:
        path = archived(ws, row["sha256"])
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
        wb = openpyxl.load_workbook(path, data_only=True)
        cell = wb[row["sheet"]][row["cell"]].value
        wb.close()
        assert cell == pytest.approx(float(row["value"])) and row["archived"] == cell
        assert row["matches"] is True and row["findings"] == []
    text = tianbao(CliRunner(), "--lang", "en", "trace", *args, "--archive", ws)
    assert text.exit_code == 0 and f"archived {part['rows'][0]['archived']} ✓" in text.output
    # the city given a copy of the district's archive only: CODE=FOLDER
    shutil.copytree(ws / "archive", tmp_path / "given" / "archive")
    copy = run(*args, "--archive", f"jiefang={tmp_path / 'given'}")["parts"][0]
    assert [r["archived"] for r in copy["rows"]] == [r["archived"] for r in part["rows"]]
    assert all(r["matches"] for r in copy["rows"])


def test_trace__an_altered_archive_file_is_reported_not_read(signed: Path, tmp_path: Path) -> None:
    ws = Path(shutil.copytree(signed / "解放区" / "workspace", tmp_path / "jiefang"))
    args = ("-w", signed / "焦作市", "-p", JUNE, "--indicator", "FAI", "--district", "jiefang")
    (row,) = run(*args)["parts"][0]["rows"]
    path = archived(ws, row["sha256"])
    wb = openpyxl.load_workbook(path)  # still a readable workbook, with another figure
    wb[row["sheet"]][row["cell"]] = float(row["value"]) + 1
    wb.save(path)
    got = run(*args, "--archive", ws, code=1)
    (bad,) = got["parts"][0]["rows"]
    assert not got["ok"] and bad["archived"] is None and bad["matches"] is None
    assert [f["code"] for f in bad["findings"]] == ["PKG_TRACE_ALTERED"]
    assert path.name in bad["findings"][0]["place"]
    text = tianbao(CliRunner(), "--lang", "en", "trace", *args, "--archive", ws)
    assert text.exit_code == 1 and "altered, not read" in text.output
    # the city's own archived package altered: its rows are not used either
    city = Path(shutil.copytree(signed / "焦作市", tmp_path / "city"))
    package = next((city / "archive").rglob(f"{got['parts'][0]['package_sha256']}.zip"))
    package.write_bytes(package.read_bytes() + b"\0")
    broken = run("-w", city, "-p", JUNE, "--indicator", "FAI", "--district", "jiefang", code=1)
    part = broken["parts"][0]
    assert part["rows"] == [] and [f["code"] for f in part["findings"]] == ["PKG_TRACE_ALTERED"]


def test_trace__on_a_district_workspace__down_to_the_departments_cells(signed: Path) -> None:
    ws = signed / "解放区" / "workspace"
    got = run("-w", ws, "-p", JUNE, "--indicator", "FAI")
    rows = fai_rows(signed / "packages" / f"jiefang_{JUNE}.zip")
    assert got["level"] == "district" and got["plan_version"] >= 1 and got["ok"]
    assert Decimal(str(got["figure"])) == sum((Decimal(r["value"]) for r in rows), Decimal(0))
    (part,) = got["parts"]
    assert [(r["sheet"], r["cell"], r["sha256"]) for r in part["rows"]] == [
        (r["sheet"], r["cell"], r["sha256"]) for r in rows
    ]
    assert all(r["matches"] is True for r in part["rows"])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--indicator", "NOPE"), "--indicator NOPE: not in the city plan"),
        (("--indicator", "FAI", "--district", "nowhere"), "--district nowhere: not in the city"),
        (("--indicator", "FAI", "--district", "macun", "--archive", "{jiefang}"), "not in this"),
        (("--indicator", "FAI", "--archive", "{packages}"), "no readable plan"),
    ],
)
def test_trace__mistakes__one_line_exit_2(signed: Path, args: tuple[str, ...], says: str) -> None:
    where = {
        "{jiefang}": str(signed / "解放区" / "workspace"),
        "{packages}": str(signed / "packages"),
    }
    args = tuple(where.get(a, a) for a in args)
    res = tianbao(CliRunner(), "--lang", "en", "trace", "-w", signed / "焦作市", "-p", JUNE, *args)
    assert res.exit_code == 2 and says in res.output and "Traceback" not in res.output


def test_trace__a_figure_that_is_not_its_cell_or_its_rows__said_where(
    signed: Path, tmp_path: Path
) -> None:
    """A ledger edited behind the files' back: the district's own figure no longer
    what its archived return says (✗ at the cell); the city's count of a district no
    longer the sum of the package's rows."""
    ws = Path(shutil.copytree(signed / "解放区" / "workspace", tmp_path / "jiefang"))
    db = sqlite3.connect(ws / ".tianbao" / "ledger.sqlite")
    with db:
        db.execute(
            "UPDATE cell_values SET value='999.5' WHERE form='indicators_monthly' "
            "AND row_key='FAI' AND field='ytd' AND submission_id IN "
            "(SELECT id FROM submissions WHERE period=? AND status LIKE 'accepted%')",
            (JUNE,),
        )
    db.close()
    got = run("-w", ws, "-p", JUNE, "--indicator", "FAI", code=1)
    (row,) = got["parts"][0]["rows"]
    assert row["value"] == "999.5" and row["matches"] is False and row["archived"] != 999.5
    assert [f["code"] for f in row["findings"]] == ["PKG_TRACE_DIFFERS"]
    assert row["findings"][0]["place"].endswith(f"{row['sheet']}!{row['cell']}")
    city = Path(shutil.copytree(signed / "焦作市", tmp_path / "city"))
    db = sqlite3.connect(city / ".tianbao" / "ledger.sqlite")
    with db:
        db.execute(
            "UPDATE cell_values SET value='1' WHERE row_key LIKE '%:FAI' AND field='ytd' "
            "AND submission_id IN (SELECT id FROM submissions WHERE department='macun')"
        )
    db.close()
    got = run("-w", city, "-p", JUNE, "--indicator", "FAI", "--district", "macun", code=1)
    part = got["parts"][0]
    assert part["figure"] == 1 and part["rows_sum"] != 1
    assert [f["code"] for f in part["findings"]] == ["PKG_TRACE_DIFFERS"]


@pytest.mark.parametrize(
    ("counted", "cell", "unit", "percent_cell", "same"),
    [
        ("45.02", 45.02, "亿元", False, True),
        ("45.02", 45.03, "亿元", False, False),
        ("7", 7.0, "个", False, True),
        ("45.02", "４５.０２", "亿元", False, True),  # text digits, read as validate reads them
        ("12", 0.12, "%", True, True),  # a typed 12% is stored as 0.12
        ("12", 0.12, "%", False, False),
        ("45.02", None, "亿元", False, False),
    ],
)
def test_trace__a_cell_is_the_counted_value(
    counted: str, cell: object, unit: str, percent_cell: bool, same: bool
) -> None:
    from tianbao.city.trace import same as compare

    assert compare(counted, cell, unit, percent_cell) is same
