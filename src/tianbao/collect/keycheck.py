"""A wrong workspace key is the office's fault, not fifteen departments': when the key
verifies none of the templates in a collect, nothing is recorded and the office is
told to restore its key (exit 3), instead of every return going in as rejected and
every 催报 blaming the department.

The returns are held, unrecorded, until one verifies with this workspace's key; from
then on they stream as before (the first return usually verifies: nothing waits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tianbao.errors import EnvironmentFault

if TYPE_CHECKING:
    from tianbao.validate.engine import FileReport

KEY_MISMATCH = "ID_KEY_MISMATCH"  # the template's content is ours, the key is not
UNVERIFIED = (KEY_MISMATCH, "ID_SIGNATURE_INVALID", "ID_MISSING")
A = TypeVar("A")


class KeyFault(EnvironmentFault):
    """The workspace key verifies none of the returns' templates."""

    code = "KEY"


def key_state(report: FileReport | None) -> str:
    """'verified' (this key signed its template), 'mismatch' (our template, another
    key) or 'other' (no template identity, unreadable...)."""
    if report is None:
        return "other"
    codes = {f.code.value for f in report.findings}
    if KEY_MISMATCH in codes:
        return "mismatch"
    return "verified" if report.template_id and not codes & set(UNVERIFIED) else "other"


def until_verified(
    items: Iterator[tuple[Path, A | None]],
    validate_here: Callable[[Path], A],
    report_of: Callable[[A], Any],
) -> Iterator[tuple[Path, A | None]]:
    """``items`` as they come once one verifies; before that each is validated
    (``validate_here`` when no worker did) and held. None verifies and some are
    signed with another key: ``KeyFault``, nothing having been recorded."""
    held: list[tuple[Path, A | None]] = []
    mismatched, streaming = 0, False
    for path, ahead in items:
        if streaming:  # a return verified: the key is right
            yield path, ahead
            continue
        done = ahead if ahead is not None else validate_here(path)
        state = key_state(report_of(done))
        mismatched += state == "mismatch"
        held.append((path, done))
        if state == "verified":
            yield from held
            held, streaming = [], True
    if mismatched and not streaming:
        raise KeyFault(
            f"工作区密钥无法验证任何一份模板（{mismatched} 份报表的模板都是用另一密钥签发的），"
            "未记录任何报表：请确认工作区无误，并从备份恢复 .tianbao/secret.key 后重新收取 | "
            f"the workspace key verifies none of the templates ({mismatched} signed with "
            "another key): nothing recorded; check the workspace and restore "
            ".tianbao/secret.key from backup, then collect again"
        )
    yield from held
