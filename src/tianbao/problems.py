"""Problems found by ``tianbao check`` in a workspace (plan and form files).

Each problem has a stable code of the findings catalog (its CHECK stage); tests
refer to codes, never to wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tianbao.findings import Code, fill
from tianbao.support.lang import halves


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
        """「中文 | English」, each half whole (place, message, found, expected): the
        language picked keeps every datum of the line."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        head = f"{where}: {self.path}: [{self.code.name}] "
        zh, en = halves(self.message)
        zh, en = head + zh, head + (en or zh)
        if self.found is not None:
            zh, en = f"{zh}；实际：{_short(self.found)}", f"{en}; found: {_short(self.found)}"
        if self.expected is not None:
            zh += f"；应为：{_short(self.expected)}"
            en += f"; expected: {_short(self.expected)}"
        return f"{zh} | {en}"

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
