"""Why a returned file could not be read (or what to note about it): a READ_* code of
the findings catalog (tianbao.findings, where its texts are), the reader's technical
detail and the package part it concerns."""

from __future__ import annotations

from dataclasses import dataclass

from tianbao.findings import CATALOG, Code, Severity


@dataclass(frozen=True)
class ReadIssue:
    code: Code
    detail: str = ""
    part: str = ""

    @property
    def blocking(self) -> bool:
        """False for notes: the workbook was read and can still be checked."""
        return CATALOG[self.code].severity is Severity.ERROR

    @property
    def reason(self) -> str:
        """The reader's name for it: the code without its stage (NOT_FOUND)."""
        return self.code.value.removeprefix("READ_")

    @property
    def message(self) -> str:
        """What the clerk is told, Chinese then English."""
        zh, en = CATALOG[self.code].text()
        return f"{zh} {en}"

    def one_line(self) -> str:
        text = f"[{self.reason}] {self.message}"
        if self.part:
            text += f" ({self.part})"
        if self.detail:
            text += f" — {self.detail}"
        return text


def issue(code: Code, detail: str = "", part: str = "") -> ReadIssue:
    return ReadIssue(code, detail, part)


def show(text: str, limit: int = 60) -> str:
    """A name from the file, safe to put in a message: control characters escaped, shortened."""
    out = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 1] + "…"
