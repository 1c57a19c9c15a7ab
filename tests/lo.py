"""Drive LibreOffice from the tests: the real spreadsheet client we can run here.

LibreOffice's Python (Debian python3-uno) is not the test interpreter, so the
jobs run in a subprocess through tests/lo_batch.py and ../shared/tools/lo_client.py.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
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


def fill(
    jobs: list[tuple[Path, dict[str, Any], Path]], mode: str = "value", locale: str | None = None
) -> list[dict]:
    """Fill and save each (template, {sheet: {cell: value}}, out); ``mode="keyboard"``
    types each value as a clerk would (automatic formats; ``locale`` e.g. zh-CN)."""
    if mode != "keyboard" and any(_typed_by_keys(j[1]) and _plain(j[1]) for j in jobs):
        # LO 7.4 aborts the longer a session types: the plain values first, in a session
        # of their own (stable), then the typed cells on that file
        stage = Path(tempfile.mkdtemp(prefix="tianbao-values-"))  # not beside the outputs
        staged = [(src, _plain(spec), stage / f"{n}.xlsx")
                  for n, (src, spec, _out) in enumerate(jobs)]  # fmt: skip
        first = _fill_retried(staged, mode, locale)
        if not all(r["ok"] for r in first):
            return first
        typed = [
            (mid, _typed(spec), out)
            for (_, spec, out), (_, _, mid) in zip(jobs, staged, strict=True)
        ]
        return _fill_retried(typed, mode, locale)
    return _fill_retried(jobs, mode, locale)


def _plain(spec: dict[str, Any]) -> dict[str, Any]:
    return {s: {c: v for c, v in cells.items() if not (isinstance(v, dict) and "keyboard" in v)}
            for s, cells in spec.items()}  # fmt: skip


def _typed(spec: dict[str, Any]) -> dict[str, Any]:
    return {s: {c: v for c, v in cells.items() if isinstance(v, dict) and "keyboard" in v}
            for s, cells in spec.items()}  # fmt: skip


def _fill_retried(
    jobs: list[tuple[Path, dict[str, Any], Path]], mode: str, locale: str | None
) -> list[dict]:
    results: list[dict] = [{} for _ in jobs]
    todo = list(range(len(jobs)))
    # LO 7.4 headless aborts at random after keyboard input (1 run in 3 to 6 here, see
    # LO_FINDINGS.md): a failed fill is run again in a fresh soffice, up to 10 times
    for _attempt in range(
        10 if mode == "keyboard" or any(_typed_by_keys(j[1]) for j in jobs) else 1
    ):
        for i in todo:  # never mistake an earlier attempt's file for this one's
            Path(jobs[i][2]).unlink(missing_ok=True)
        batch = [[str(jobs[i][0]), jobs[i][1], str(jobs[i][2]), mode] for i in todo]
        report = run_jobs({"fill": batch, "locale": locale})
        for i, rep in zip(todo, report["fill"], strict=True):
            results[i] = rep
        todo = [i for i in todo if not results[i]["ok"]]
        if not todo:
            break
    return results


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


@dataclass(frozen=True)
class Page:
    """One printed page: its size in points, its text, and the scale its body text
    prints at (None: too little table text to tell, a page of charts)."""

    width: float
    height: float
    scale: float | None
    text: str
    smallest: float = 0.0  # the smallest text printed, in points (see printed_pages)

    @property
    def paper(self) -> str:
        long_side = max(self.width, self.height)
        return (
            "A3" if abs(long_side - 1190.55) < 2 else "A4" if abs(long_side - 841.89) < 2 else "?"
        )


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
# a word's box is as tall as its font's ascent and descent: 1.30 em for the CJK fonts
# that print 宋体 and 黑体 here (Noto), measured on the Han text; a Latin font's box is
# smaller (Carlito's 1.22 em), so its size is read at most 6 % small, never large
LINE_EM = 1.30
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


def printed_pages(pdf: Path, body_pt: float = 10.0, least: int = 12) -> list[Page]:
    """The pages of a PDF with the scale each prints at. A Han character is as wide
    as its font size, so the median width of the page's Han characters over the body
    text's size in points is the scale the sheet was shrunk to (the unscaled page
    header and footer and the larger titles are too few to move the median). The
    smallest text of a page: its lowest word box over ``LINE_EM``."""
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) not installed")
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for m in _PAGE.finditer(xml):
        widths, words, sizes = [], [], []
        for w in _WORD.finditer(m.group(3)):
            x0, y0, x1, y1 = (float(w.group(i)) for i in range(1, 5))
            text = html.unescape(w.group(5))
            words.append(text)
            sizes.append((y1 - y0) / LINE_EM)
            if _HAN.fullmatch(text):
                widths.append((x1 - x0) / len(text))
        scale = statistics.median(widths) / body_pt if len(widths) >= least else None
        page = Page(float(m.group(1)), float(m.group(2)), scale, " ".join(words))
        pages.append(dataclasses.replace(page, smallest=min(sizes, default=0.0)))
    return pages


def _typed_by_keys(spec: dict[str, Any]) -> bool:
    return any(
        isinstance(v, dict) and "keyboard" in v for cells in spec.values() for v in cells.values()
    )
