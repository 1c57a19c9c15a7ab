"""A generated template compared at the XML level with a reviewed reference.

Any change to what generate writes shows here as a readable XML diff. After a
deliberate change, review the diff, then refresh the reference with
``TIANBAO_UPDATE_GOLDEN=1 python -m pytest tests/test_generate_golden.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from tianbao.cli import main
from xlsx_xml import xml_diff

GOLDEN = Path(__file__).parent / "golden" / "2014-06_FGW.xlsx"
FIXED_SECRET = b"0" * 64 + b"\n"  # a reference needs a known key; real ones are random


def test_generate__fgw_template_matches_reviewed_reference(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = tmp_path / "ws"
    assert runner.invoke(main, ["init", str(ws), "--sample", "jiefang-2014"]).exit_code == 0
    (ws / ".tianbao" / "secret.key").write_bytes(FIXED_SECRET)
    res = runner.invoke(
        main,
        [
            "generate",
            "-w",
            str(ws),
            "--period",
            "2014-06",
            "--dept",
            "FGW",
            "-o",
            str(tmp_path / "out"),
            "--allow-missing-previous",  # no May return: the 上期 cells are blank
        ],
    )
    assert res.exit_code == 0, res.output
    (got,) = (tmp_path / "out").glob("*.xlsx")
    if os.environ.get("TIANBAO_UPDATE_GOLDEN"):
        shutil.copyfile(got, GOLDEN)
    diff = xml_diff(got, GOLDEN)
    assert diff == "", "generated template differs from tests/golden:\n" + diff
