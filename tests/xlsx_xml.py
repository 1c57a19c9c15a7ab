"""Compare xlsx files at the XML level (after XlsxWriter's own test helpers).

Unzip both, compare the part lists, split each XML part into one element per
line, sort .rels parts, and report a readable unified diff.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path


def xml_lines(data: bytes, name: str) -> list[str]:
    text = data.decode("utf-8")
    lines = re.sub(r">\s*<", ">\n<", text).splitlines()
    if name.endswith(".rels"):
        lines = sorted(lines)
    return lines


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in sorted(zf.namelist())}


def xml_diff(got: Path, expected: Path, limit: int = 200) -> str:
    """'' when equal; otherwise a readable diff of parts and their XML."""
    a, b = parts(got), parts(expected)
    out: list[str] = []
    if sorted(a) != sorted(b):
        out.append(
            f"parts differ: only in got {sorted(set(a) - set(b))}, "
            f"only in expected {sorted(set(b) - set(a))}"
        )
    for name in sorted(set(a) & set(b)):
        if a[name] == b[name]:
            continue
        if not name.endswith((".xml", ".rels", ".vml")):
            out.append(f"{name}: binary part differs")
            continue
        diff = difflib.unified_diff(
            xml_lines(b[name], name),
            xml_lines(a[name], name),
            f"expected/{name}",
            f"got/{name}",
            lineterm="",
            n=2,
        )
        out.extend(list(diff)[:limit])
    return "\n".join(out)
