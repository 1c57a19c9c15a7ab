"""Drive LibreOffice from the tests: the real spreadsheet client we can run here.

LibreOffice's Python (Debian python3-uno) is not the test interpreter, so the
jobs run in a subprocess through tests/lo_batch.py and ../shared/tools/lo_client.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from helpers import require_or_skip as need

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"
LO_CLIENT_DIR = SHARED / "tools"
SYSTEM_PYTHON = "/usr/bin/python3"


def lo_available() -> tuple[bool, str]:
    if not (LO_CLIENT_DIR / "lo_client.py").is_file():
        return False, f"{LO_CLIENT_DIR / 'lo_client.py'} not found (../shared missing)"
    if not shutil.which("soffice"):
        return False, "LibreOffice (soffice) not installed"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return False, "python3-uno not installed for /usr/bin/python3"
    return True, ""


def require_lo() -> None:
    ok, reason = lo_available()
    need(ok, reason)


def run_jobs(jobs: dict[str, Any], timeout: int = 900) -> dict[str, Any]:
    require_lo()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(jobs, fh, ensure_ascii=False)
        path = fh.name
    try:
        proc = subprocess.run(
            [SYSTEM_PYTHON, str(HERE / "lo_batch.py"), str(LO_CLIENT_DIR), path],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        os.unlink(path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def roundtrip(files: list[Path], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = [[str(f), str(out_dir / f.name)] for f in files]
    report = run_jobs({"roundtrip": pairs})
    bad = [r for r in report["roundtrip"] if not r["ok"]]
    assert not bad, bad
    return [Path(p[1]) for p in pairs]


def fill(jobs: list[tuple[Path, dict[str, Any], Path]], mode: str = "value") -> list[dict]:
    report = run_jobs({"fill": [[str(s), f, str(o), mode] for s, f, o in jobs]})
    return report["fill"]


def to_pdf(files: list[Path], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = run_jobs({"pdf": {"outdir": str(out_dir), "files": [str(f) for f in files]}})
    assert report["pdf"]["returncode"] == 0, report["pdf"]
    return [out_dir / (f.stem + ".pdf") for f in files]


def pdf_text(pdf: Path) -> str:
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
