"""The level above, second half: ``tianbao demo --city`` runs the two-level cycle; the
city's summary is recomputed here from the districts' own long rows (read from the
packages with csv, not through tianbao); a district's correction after sign-off
reaches the city as 更正."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from citykit import corrected_fgw
from helpers import tianbao
from tianbao.cli import main

pytestmark = pytest.mark.slow  # see pyproject's markers

JUNE = "2014-06"
ADDITIVE = {"GDP", "REVENUE", "FAI", "RETAIL", "DOMESTIC_CAPITAL", "FOREIGN_CAPITAL", "NEW_JOBS"}
DISTRICTS = ["jiefang", "zhongzhan", "macun", "shanyang"]


@pytest.fixture(scope="module")
def two_levels(
    tmp_path_factory: pytest.TempPathFactory, city_demo_into: Callable[[Path], Path]
) -> Path:
    return city_demo_into(tmp_path_factory.mktemp("city") / "run")


def summary_rows(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    """主要指标 by (indicator, district code; '' for the city's total)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["主要指标"].iter_rows(min_row=2, values_only=True))
    wb.close()
    return {(r[0], r[3] or ""): r for r in rows}


def long_rows(package: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    with zipfile.ZipFile(package) as z:
        manifest = json.loads(z.read("manifest.json"))
        text = z.read("long.csv").decode("utf-8-sig")
    return manifest, list(csv.DictReader(io.StringIO(text)))


def indicator_figures(rows: list[dict[str, str]]) -> dict[str, dict[str, dict[str, str]]]:
    """{indicator: {field: row}} of the indicators form."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        if r["form"] == "indicators_monthly":
            out.setdefault(r["row_key"], {})[r["field"]] = r
    return out


def test_city_demo__every_district_counted_and_listed(two_levels: Path) -> None:
    city = two_levels / "焦作市"
    res = tianbao(CliRunner(), "--lang", "en", "status", "-w", city, "-p", JUNE)
    assert res.exit_code == 0 and "4/4 districts reported" in res.output
    plan = (city / "plan.yaml").read_text(encoding="utf-8")
    assert plan.count("illustrative: true") == 3 and "level: city" in plan


def test_city_summary__recomputed_from_the_districts_long_rows(two_levels: Path) -> None:
    got = summary_rows(two_levels / "outputs" / f"city-summary-{JUNE}.xlsx")
    sums: dict[str, list[float]] = {}
    seen = set()
    for package in sorted((two_levels / "packages").glob("*.zip")):
        manifest, rows = long_rows(package)
        code = manifest["district"]["code"]
        seen.add(code)
        sha = hashlib.sha256(package.read_bytes()).hexdigest()
        for ind, fields in indicator_figures(rows).items():
            row = got[(ind, code)]
            assert row[11] == sha, (ind, code)  # the package it came from
            if ind not in ADDITIVE or "ytd" not in fields:
                continue
            level, last = float(fields["ytd"]["value"]), float(fields["ytd_last_year"]["value"])
            assert row[5] == pytest.approx(level) and row[6] == pytest.approx(last), (ind, code)
            assert row[7] == pytest.approx((level / last - 1) * 100), (ind, code)
            y = fields["ytd"]
            assert row[12] == f"{y['department']}#{y['submission_id']} {y['sheet']}!{y['cell']}"
            total = sums.setdefault(ind, [0.0, 0.0, 0])
            total[0] += level
            total[1] += last
            total[2] += 1
    assert seen == set(DISTRICTS)
    for ind, (level, last, n) in sums.items():
        row = got[(ind, "")]
        assert row[5] == pytest.approx(level) and row[6] == pytest.approx(last), ind
        assert row[7] == pytest.approx((level / last - 1) * 100), ind  # from sums, not a mean
        assert (row[10] or "") == ("" if n == len(DISTRICTS) else "有区县未报，合计不全 incomplete")
    assert got[("UNEMPLOYMENT", "")][5] is None  # a rate is never summed


def test_city_summary__a_district_correction_after_signoff_shows_as_更正(
    two_levels: Path, tmp_path: Path
) -> None:
    ws = Path(shutil.copytree(two_levels / "解放区" / "workspace", tmp_path / "jiefang"))
    city = Path(shutil.copytree(two_levels / "焦作市", tmp_path / "city"))
    corrected = tmp_path / "2014-06_FGW_更正.xlsx"
    old_ytd, _ = corrected_fgw(ws, corrected, 1.5)

    runner = CliRunner()
    steps = [
        ("review", "reopen", "-w", ws, "-p", JUNE, "--dept", "FGW", "--reason", "固投漏统一项"),
        ("collect", "-w", ws, corrected, "--received-at", "2014-07-20T09:00"),
        ("signoff", "-w", ws, "-p", JUNE, "--by", "王局长", "--anyway", "--note", "更正后重新签发"),
        ("package", "-w", ws, "-p", JUNE, "-o", tmp_path / "resigned.zip"),
        ("collect", "-w", city, tmp_path / "resigned.zip"),
        ("consolidate", "-w", city, "-p", JUNE, "-o", tmp_path / "city.xlsx"),
    ]
    for step in steps:
        res = tianbao(runner, *step)
        assert res.exit_code == 0, (step, res.output)
    row = summary_rows(tmp_path / "city.xlsx")[("FAI", "jiefang")]
    assert row[5] == pytest.approx(old_ytd + 1.5)
    assert row[10] == "更正 corrected"
    before = summary_rows(two_levels / "outputs" / f"city-summary-{JUNE}.xlsx")
    assert row[5] - before[("FAI", "jiefang")][5] == pytest.approx(1.5)
    assert summary_rows(tmp_path / "city.xlsx")[("FAI", "macun")][10] == ""
    status = tianbao(runner, "--lang", "en", "status", "-w", city, "-p", JUNE).output
    assert "jiefang 解放区: received (corrected)" in status
    # the earlier package, sent again, does not replace the correction
    again = tianbao(runner, "collect", "-w", city, two_levels / "packages" / "jiefang_2014-06.zip")
    assert again.exit_code == 0 and "重复" in again.output  # the same bytes: recorded once


def _registry() -> Any:
    from referencing import Registry, Resource

    docs = [json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("cli/*.schema.json")]
    return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)


SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def city_json(*args: str | Path, code: int = 0) -> dict[str, Any]:
    """``tianbao ARGS --json`` on a city, valid against the command's schema."""
    from jsonschema import Draft202012Validator

    res = CliRunner().invoke(main, [*map(str, args), "--json"], catch_exceptions=False)
    assert res.exit_code == code, res.output
    data = json.loads(res.stdout)
    path = SCHEMAS / "cli" / f"{data['command']}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=_registry()).validate(data)
    return data


def test_city_json__collect_status_consolidate_valid_against_their_schemas(
    two_levels: Path, tmp_path: Path
) -> None:
    from jsonschema import ValidationError

    city = Path(shutil.copytree(two_levels / "焦作市", tmp_path / "city"))
    package = two_levels / "packages" / "macun_2014-06.zip"
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(package) as z, zipfile.ZipFile(bad, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            out.writestr(name, data + b"\n" if name == "rates.json" else data)
    got = city_json("collect", "-w", city, package, bad, code=1)
    assert got["level"] == "city"
    assert [(p["status"], p["duplicate"]) for p in got["packages"]] == [
        ("accepted", True), ("rejected", False)
    ]  # fmt: skip
    assert got["packages"][1]["findings"][0]["code"] == "PKG_EDITED"
    assert Path(got["packages"][1]["error_list"]).is_file()
    assert got["packages"][0]["error_list"] is None
    status = city_json("status", "-w", city, "-p", JUNE)
    assert (status["received"], status["expected"]) == (4, 4)
    assert {d["district"] for d in status["districts"]} == set(DISTRICTS)
    done = city_json("consolidate", "-w", city, "-p", JUNE, "-o", tmp_path / "s.xlsx")
    assert done["summary"] == str(tmp_path / "s.xlsx") and done["districts_reported"] == 4
    # the schemas hold: a city status without its districts is not valid
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMAS / "cli" / "status.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError):
        Draft202012Validator(schema, registry=_registry()).validate(
            {**status, "districts": [{"district": "jiefang"}]}
        )


def test_city_overview__recomputed_from_the_packages_and_the_citys_targets(
    two_levels: Path,
) -> None:
    import yaml

    path = two_levels / "outputs" / f"city-summary-{JUNE}.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "总览"
    sheet = wb["总览"]
    # one page: fit to a page (1 × 1 is the default, left out of the file), landscape
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert {sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight} <= {None, 1}
    assert sheet.page_setup.orientation == "landscape"
    rows = list(sheet.iter_rows(values_only=True))
    wb.close()
    head = rows[1]
    col = {h: i for i, h in enumerate(head)}
    shown = {r[0] or "": r for r in rows[2:]}
    city = yaml.safe_load((two_levels / "焦作市" / "plan.yaml").read_text(encoding="utf-8"))
    units = {i["code"]: f"{i['name']} {i['unit']}" for i in city["indicators"]}
    targets = {d["code"]: d.get("targets") or {} for d in city["districts"]}
    sums: dict[str, list[float]] = {}
    main = summary_rows(path)
    for package in sorted((two_levels / "packages").glob("*.zip")):
        manifest, rows_ = long_rows(package)
        code = manifest["district"]["code"]
        row = shown[code]
        assert row[2] == "已报 received" and row[3] == manifest["signoff"]["at"]
        for ind, fields in indicator_figures(rows_).items():
            if ind not in ADDITIVE:
                if "month_value" in fields and "ytd" not in fields:
                    value = float(fields["month_value"]["value"])
                    assert row[col[units[ind]]] == pytest.approx(value), (code, ind)
                continue
            level = float(fields["ytd"]["value"])
            assert row[col[units[ind]]] == pytest.approx(level), (code, ind)
            target = targets[code].get(ind)
            assert main[(ind, code)][8] == target  # the city's target beside the figure
            done = row[col[f"{ind} 完成% of target"]]
            if target:
                assert done == pytest.approx(level / target * 100), (code, ind)
            else:
                assert done is None, (code, ind)
            sums.setdefault(ind, [0.0, 0.0])[0] += level
    city_row = shown[""]
    assert city_row[1] == "焦作市合计 total" and city_row[2] == "4/4 已报 reported"
    for ind, (level, _) in sums.items():
        assert city_row[col[units[ind]]] == pytest.approx(level), ind
        # the city's target: the sum of what it issued every district
        target = sum(t.get(ind, 0.0) for t in targets.values())
        if target:
            assert city_row[col[f"{ind} 完成% of target"]] == pytest.approx(level / target * 100)
    assert city_row[col[units["UNEMPLOYMENT"]]] is None  # a rate is never summed
