"""Returns re-saved by Gnumeric, a real client, read as the originals.

Gnumeric (``ssconvert``) rewrites every part: it indents the XML, writes cells as
inline strings, drops the identity sheet's very-hidden state. Every template of
the sample, blank and filled, and a filled return collected into the ledger, must
come out of it with the same findings and the same values as before, plus one
note that the identity sheet became visible. Skips without ssconvert (Debian
package gnumeric); fails instead under CI, which installs it (.ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import SAMPLE, copy_workspace, require_or_skip, tianbao
from returns import Returns
from tianbao import api
from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.ledger.db import Ledger
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.workspace import open_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

PERIOD = "2014-06"
SHOWN = "ID_SHEET_SHOWN"


def need_ssconvert() -> None:
    require_or_skip(shutil.which("ssconvert") is not None, "ssconvert (Debian gnumeric) missing")


@pytest.fixture(scope="module", autouse=True)
def _ssconvert() -> None:
    need_ssconvert()  # before the module's fixtures make any workspace


def resave(src: Path, dst: Path, home: Path, exporter: str = "xlsx2") -> Path:
    """``src`` opened and saved as xlsx by Gnumeric (exporter xlsx2: ECMA-376 2nd
    edition, its default; xlsx: 1st edition). No display needed; GLib may warn on
    stderr (Gnumeric skips page-setup elements it does not know)."""
    need_ssconvert()
    dst.parent.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["HOME"] = str(home)  # Gnumeric keeps its settings there; never the user's own
    proc = subprocess.run(
        ["ssconvert", f"--export-type=Gnumeric_Excel:{exporter}", str(src), str(dst)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0 and dst.is_file(), proc.stderr[-2000:]
    return dst


def seen(findings: list[Any]) -> list[tuple[str, str, str, str]]:
    """What a clerk reads of each finding, but the note on the identity sheet."""
    return [(f.code.value, f.sheet, f.cell, f.message) for f in findings if f.code.value != SHOWN]


@pytest.fixture(scope="module")
def sample_templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Every department's template of the sample for June, and each filled."""
    base = tmp_path_factory.mktemp("gnumeric_templates")
    ws = base / "ws"
    api.init(ws, SAMPLE)
    made = api.generate(ws, PERIOD, out_dir=base / "blank", allow_missing_previous=True)
    w = open_workspace(ws)
    files = []
    for g in made:
        assert g.path is not None
        blank = g.path
        content = build_content(
            w.plan, [w.forms[f] for f in w.plan.form_ids], g.department, Period.parse(PERIOD),
            w.secret(),
        )  # fmt: skip
        files += [
            blank,
            fill_workbook(blank, base / "filled" / blank.name, plausible_fill(content)),
        ]
    return ws, files


def test_every_sample_template_resaved__same_findings_and_values(
    sample_templates: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    ws, files = sample_templates
    assert len(files) == 2 * len(open_workspace(ws).plan.departments)  # blank and filled
    for src in files:
        out = resave(src, tmp_path / src.parent.name / src.name, tmp_path / "home")
        before, after = (api.validate_files(ws, [p], history=False).reports[0] for p in (src, out))
        where = f"{src.parent.name}/{src.name}"
        assert seen(after.findings) == seen(before.findings), where
        assert after.records == before.records, where
        assert after.valid == before.valid and (src.parent.name != "filled" or after.valid), where
        assert [f.code.value for f in after.findings].count(SHOWN) == 1, where


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("gnumeric_return"), "RSJ")


def collected(rs: Returns, where: Path, path: Path) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """collect ``path`` into a fresh copy of the workspace: (its report, its values)."""
    ws = copy_workspace(rs.ws, where)
    res = tianbao(rs.runner, "collect", "-w", ws, rs.previous, path, "--json",
                  "--received-at", "2014-07-03T10:00")  # fmt: skip
    assert res.exit_code == 0, res.output
    june = next(f for f in json.loads(res.stdout)["files"] if f["period"] == PERIOD)
    with Ledger(ws) as ledger:
        values = [
            (v.form, v.row_key, v.field, v.value, v.sheet, v.cell)
            for v in ledger.values(june["submission_id"])
        ]
    return june, values


@pytest.mark.parametrize("exporter", ["xlsx2", "xlsx"])
def test_filled_return_resaved__collected_with_identical_values(
    rs: Returns, tmp_path: Path, exporter: str
) -> None:
    june = rs.june("to_gnumeric")
    out = resave(june, tmp_path / "gnumeric" / june.name, tmp_path / "home", exporter)
    code, report = rs.validate(out)
    assert code == 0, report["findings"]
    (note,) = [f for f in report["findings"] if f["code"] == SHOWN]
    assert note["severity"] == "note" and "其他程序" in note["message"], note
    original, values = collected(rs, tmp_path / "ws_original", june)
    resaved, values_after = collected(rs, tmp_path / "ws_gnumeric", out)
    assert values and values_after == values
    assert original["status"] == resaved["status"] == "accepted"
    res = tianbao(rs.runner, "--lang", "en", "validate", "-w", rs.ws, out, "--notes",
                  "--previous", rs.previous)  # fmt: skip
    assert res.exit_code == 0 and "re-saved by another program" in res.output, res.output


def test_resaved_return_annotated__no_stray_warnings(rs: Returns, tmp_path: Path) -> None:
    """The annotated copy of a Gnumeric file is written, and openpyxl's remarks on its
    styles ("no default style") do not reach the clerk's terminal."""
    june = rs.june("annotated")
    out = resave(june, tmp_path / "gnumeric" / june.name, tmp_path / "home")
    proc = subprocess.run(
        [sys.executable, "-m", "tianbao.cli", "validate", "-w", str(rs.ws), str(out),
         "--previous", str(rs.previous), "--annotate", str(tmp_path / "notes")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "notes").iterdir()] == [f"{out.stem}.审核意见.xlsx"]
    assert "Warning" not in proc.stderr and "openpyxl" not in proc.stderr, proc.stderr
