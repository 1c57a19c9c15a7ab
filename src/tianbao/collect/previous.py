"""Validating a file against its department's previous period: the across-period rules
(本年累计 = 上期累计 + 本月, never decreasing...) need the return that counted then.

Department and period are only certain after validation (the file's identity), so
the file name gives a first guess; when the identity says otherwise, the file is
validated again with the right previous return. ``collect`` looks the previous
return up in the ledger; so does ``validate`` by default, so that both give a file
the same findings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from tianbao.validate.history import EarlierMonths, History

if TYPE_CHECKING:
    from tianbao.forms.model import FormDef
    from tianbao.ledger.db import Ledger
    from tianbao.validate.engine import FileReport, Validator

_NAME_HINT = re.compile(r"^(\d{4}(?:-(?:\d{2}|Q[1-4]|H[12]))?)_([A-Za-z0-9]+)_")

Lookup = Callable[[str, str], History | None]  # (department, period) -> its history


class Ahead(Protocol):
    """What ``validate_with_previous`` needs of a validation made ahead (``_Ahead``
    here, ``collect.pipeline._Ahead`` on collect's workers)."""

    @property
    def report(self) -> FileReport: ...

    @property
    def previous(self) -> History | None: ...


A = TypeVar("A", bound=Ahead)


def hint(name: str) -> tuple[str, str] | None:
    """(department, period) as a template's file name says them, or None."""
    m = _NAME_HINT.match(name)
    return (m.group(2), m.group(1)) if m else None


def ledger_lookup(ledger: Ledger, forms: Iterable[FormDef]) -> Lookup:
    """The ledger's previous return of a department, with its earlier months of the
    year (the fields the forms' quality checks read), so that a worker validating
    the file judges each figure against its own months as well."""
    from tianbao.validate.quality import wanted_fields

    wanted = wanted_fields(list(forms))

    def lookup(dept: str, period: str) -> History | None:
        prev = ledger.previous_records(dept, period)
        if prev is None:
            return None
        if not wanted:
            return History(prev)
        return History(prev, EarlierMonths(tuple(ledger.earlier_months(dept, period, wanted))))

    return lookup


def validate_with_previous(
    lookup: Lookup,
    validator: Validator,
    path: Path,
    ahead: A | None = None,
    expected_period: str | None = None,
    expected_dept: str | None = None,
) -> tuple[FileReport, A | None]:
    """The file's report, validated with its previous period's return as ``previous``.

    ``ahead``: a validation done ahead on a worker (``.report``, ``.previous``), used
    when it saw the same previous return as ``lookup`` gives now; the second value is
    that validation, or None.
    """
    from tianbao.validate.batch import validate_one

    guess = hint(path.name)
    prev = lookup(*guess) if guess else None
    if ahead is not None and ahead.previous == prev:
        report = ahead.report
    else:
        ahead = None
        report = validate_one(validator, path, expected_period, expected_dept, prev)
    if report.department and report.period and (report.department, report.period) != guess:
        actual = lookup(report.department, report.period)
        if actual != prev:
            report = validate_one(validator, path, expected_period, expected_dept, actual)
            ahead = None
    return report, ahead


def validate_files_with_history(
    validator: Validator,
    files: list[Path],
    jobs: int,
    lookup: Lookup,
    period: str | None = None,
    dept: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[FileReport]:
    """Reports of ``files`` (input order), each validated with the previous return
    ``lookup`` gives for it: by the file name first, on ``jobs`` processes; a file
    whose identity names another department or period is validated again.
    ``on_progress(done, total)`` after each file."""
    from tianbao.validate.batch import validate_many

    once = functools.cache(lookup)  # a department's previous return, looked up once

    def guessed(f: Path) -> History | None:
        g = hint(f.name)
        return once(*g) if g else None

    reports = validate_many(validator, files, jobs, period, dept, previous_of=guessed)
    out = []
    for f, report in zip(files, reports, strict=True):
        ahead = _Ahead(report, guessed(f))
        out.append(validate_with_previous(once, validator, f, ahead, period, dept)[0])
        if on_progress is not None:
            on_progress(len(out), len(files))
    return out


class _Ahead(NamedTuple):
    """A validation already made, and the history it was made with."""

    report: FileReport
    previous: History | None


def ticking(
    reports: Iterable[FileReport], total: int, on_progress: Callable[[int, int], None] | None
) -> list[FileReport]:
    """The reports as a list, calling ``on_progress(done, total)`` as each comes."""
    out: list[FileReport] = []
    for report in reports:
        out.append(report)
        if on_progress is not None:
            on_progress(len(out), total)
    return out


def previous_returns(validator: Validator, where: Path) -> dict[str, dict[str, Any]]:
    """{department: records} of the returns in a file or folder given as the previous
    period's; one that cannot be read is a usage mistake, named."""
    from tianbao.errors import UsageError
    from tianbao.validate.engine import records_by_key
    from tianbao.validate.inputs import expand_paths

    found: dict[str, dict[str, Any]] = {}
    for path in expand_paths([where]):
        report = validator.validate(path)
        if not report.records:
            raise UsageError(
                f"{path}: 上期报表无法读取 cannot use as previous period "
                f"({', '.join(f.code.value for f in report.findings[:3])})"
            )
        found[report.department] = records_by_key(report)
    if not found:
        raise UsageError(f"{where}: 没有上期报表 no previous-period returns there")
    return found
