"""Generated documentation must match its source: the finding codes page."""

from __future__ import annotations

from pathlib import Path

from tianbao.docs import cli_markdown, findings_markdown, main, stage_of
from tianbao.findings import CATALOG, Code
from tianbao.planbook.guide import plan_markdown
from tianbao.planbook.sheets import SHEETS

FINDINGS_MD = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
CLI_MD = FINDINGS_MD.with_name("cli.md")


def test_findings_md__matches_catalog() -> None:
    on_disk = FINDINGS_MD.read_text(encoding="utf-8") if FINDINGS_MD.exists() else ""
    assert on_disk == findings_markdown(), (
        "docs/findings.md is out of date with tianbao/findings/: "
        "run `python -m tianbao.docs` and commit the result"
    )


def test_findings_markdown__lists_every_code_once_under_its_stage() -> None:
    text = findings_markdown()
    for code in Code:
        assert text.count(f"`{code.value}`") == 1, code
        section = text[: text.index(f"`{code.value}`")].rsplit("\n## ", 1)[-1]
        assert section.startswith(f"{stage_of(code)}:"), code
    assert set(CATALOG) == set(Code)


def test_docs_main__writes_the_page(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "findings.md"
    cli = tmp_path / "docs" / "cli.md"
    plan = tmp_path / "docs" / "plan.md"
    args = ["--output", str(out), "--cli-output", str(cli), "--plan-output", str(plan)]
    assert main(args) == 0
    assert out.read_text(encoding="utf-8") == findings_markdown()
    assert cli.read_text(encoding="utf-8") == cli_markdown()
    assert plan.read_text(encoding="utf-8") == plan_markdown()


def test_plan_md__matches_the_workbook_layout() -> None:
    path = FINDINGS_MD.with_name("plan.md")
    on_disk = path.read_text(encoding="utf-8") if path.exists() else ""
    assert on_disk == plan_markdown(), (
        "docs/plan.md is out of date with tianbao/planbook/sheets.py: "
        "run `python -m tianbao.docs` and commit the result"
    )
    for spec in SHEETS:  # every column of every sheet is explained
        for col in spec.cols:
            assert f"| {col.header} |" in on_disk.split(f"## {spec.name}\n")[1], col.header


def test_cli_md__matches_the_commands_help() -> None:
    on_disk = CLI_MD.read_text(encoding="utf-8") if CLI_MD.exists() else ""
    assert on_disk == cli_markdown(), (
        "docs/cli.md is out of date with the commands' --help: "
        "run `python -m tianbao.docs` and commit the result"
    )
    for name in ("init", "check", "generate", "validate", "collect", "status", "consolidate"):
        assert f"## tianbao {name}" in on_disk
