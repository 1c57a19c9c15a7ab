"""The generated templates in a real spreadsheet client: LibreOffice.

Every sample template opens, renders to PDF with its Chinese text, and after a
plain LibreOffice re-save still carries identity, protection and validations.
Skips without LibreOffice or ../shared; fails instead under CI.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import pdf_text, roundtrip, to_pdf
from tianbao import identity as ident
from tianbao.cli import main
from tianbao.workspace import open_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

PERIOD = "2014-06"


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> tuple[Path, list[Path]]:
    base = tmp_path_factory.mktemp("lo")
    runner = CliRunner()
    assert (
        runner.invoke(main, ["init", str(base / "ws"), "--sample", "jiefang-2014"]).exit_code == 0
    )
    res = runner.invoke(
        main,
        [
            "generate",
            "-w",
            str(base / "ws"),
            "--period",
            PERIOD,
            "-o",
            str(base / "out"),
            "--allow-missing-previous",
        ],
    )
    assert res.exit_code == 0, res.output
    return base / "ws", sorted((base / "out").glob("*.xlsx"))


def test_libreoffice__renders_every_template_with_chinese_text(templates, tmp_path) -> None:
    ws, files = templates
    plan = open_workspace(ws).plan
    assert plan is not None
    pdfs = to_pdf(files, tmp_path / "pdf")
    for xlsx, pdf in zip(files, pdfs, strict=True):
        assert pdf.is_file() and pdf.stat().st_size > 1000, xlsx.name
        text = pdf_text(pdf)
        dept = plan.departments[xlsx.name.split("_")[1]]
        assert dept.name in text, xlsx.name
        assert "报送截止日期" in text and "2014年6月" in text
        assert plan.office is not None and plan.office.name in text  # where it goes
        assert "\ufffd" not in text  # no replacement characters: Chinese intact


def test_libreoffice__resave_keeps_identity_protection_validations(templates, tmp_path) -> None:
    ws, files = templates
    secret = open_workspace(ws).secret()
    saved = roundtrip(files, tmp_path / "resaved")
    for orig, again in zip(files, saved, strict=True):
        before, after = openpyxl.load_workbook(orig), openpyxl.load_workbook(again)
        props = {p.name: str(p.value) for p in after.custom_doc_props.props}
        identity = {k: props[ident.PROPERTY_PREFIX + k] for k in ident.IDENTITY_FIELDS}
        assert ident.verify(secret, identity, props[ident.SIGNATURE_PROPERTY]), again.name
        assert after["_tianbao"].sheet_state in ("hidden", "veryHidden")
        for name in before.sheetnames:
            if name.startswith("_"):
                continue
            b, a = before[name], after[name]
            assert a.protection.sheet, (again.name, name)
            bdv = sorted((dv.type, str(dv.sqref)) for dv in b.data_validations.dataValidation)
            adv = sorted((dv.type, str(dv.sqref)) for dv in a.data_validations.dataValidation)
            assert adv == bdv, (again.name, name)
