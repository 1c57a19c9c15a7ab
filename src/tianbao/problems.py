"""Problems found by ``tianbao check`` in a workspace (plan and form files).

Each problem has a stable code of the findings catalog (its CHECK stage); tests
refer to codes, never to wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tianbao.findings import Code, fill


def said(code: Code, variant: str = "", **named: Any) -> str:
    """A workspace problem's message: the code's template filled, Chinese then English."""
    zh, en = fill(code, variant, **named)
    return f"{zh} {en}"


@dataclass(frozen=True)
class Problem:
    code: Code
    file: str
    message: str
    path: str = "$"
    line: int | None = None
    found: Any = None
    expected: Any = None

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: [{self.code.name}] {self.message}"
        if self.found is not None:
            text += f"; 实际 found: {_short(self.found)}"
        if self.expected is not None:
            text += f"; 应为 expected: {_short(self.expected)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.name,
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "found": self.found,
            "expected": self.expected,
        }


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_path(path: tuple[str | int, ...] | list[str | int]) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
