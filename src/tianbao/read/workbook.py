"""Read a returned workbook safely: sniff, check, then let calamine read it.

``read_workbook`` never raises for a bad file: it returns a ``ReadResult`` whose
``book`` is None when a blocking issue was found. The checks in `sniff` and
`guard` refuse every file known to crash or exhaust the reader before it runs;
``read_workbook_guarded`` additionally runs the whole read in a subprocess with
a memory and time limit, for files nobody has thought of yet.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from tianbao.findings import Code
from tianbao.read import cells, guard
from tianbao.read.issues import ReadIssue, issue, show
from tianbao.read.limits import Limits
from tianbao.read.sniff import HEAD_BYTES, sniff
from tianbao.support.guarded import Refused, call_guarded
from tianbao.support.pausepoint import pause_point

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.READ_NOT_FOUND,
    Code.READ_TOO_LARGE,
    Code.READ_ENCRYPTED,
    Code.READ_CORRUPT_ZIP,
    Code.READ_XML_ERROR,
    Code.READ_READER_CRASHED,
    Code.READ_READER_ERROR,
    Code.READ_SYMLINK,
)

try:  # POSIX only; elsewhere the guarded reader relies on its timeout
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

Cell = tuple[int, int]


@dataclass
class RawSheet:
    """One sheet as stored. Rows and columns are 0-based; empty cells are None.

    Error values (#DIV/0!, #N/A...) read as None in ``rows``; ``error_cells``
    holds their codes as the file has them.
    """

    name: str
    state: str  # visible | hidden | veryHidden
    rows: list[list[Any]]
    error_cells: dict[Cell, str] = field(default_factory=dict)
    formula_no_value: set[Cell] = field(default_factory=set)  # <f> without a cached value
    percent_cells: set[Cell] = field(default_factory=set)  # valued cells in a percent format
    kind: str = "worksheet"  # or chartsheet / dialogsheet (no rows)
    formula_cells: set[Cell] = field(default_factory=set)  # cells holding a formula
    merges: tuple[str, ...] = ()  # merged ranges as written (A1:B2)
    hidden_rows: frozenset[int] = frozenset()  # 0-based rows marked hidden

    def value(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class RawWorkbook:
    sheets: list[RawSheet]
    custom_properties: dict[str, str]
    date1904: bool

    def sheet(self, name: str) -> RawSheet | None:
        for s in self.sheets:
            if s.name == name:
                return s
        return None


@dataclass
class ReadResult:
    book: RawWorkbook | None
    issues: list[ReadIssue]
    sha256: str
    size: int

    @property
    def blocking(self) -> list[ReadIssue]:
        return [i for i in self.issues if i.blocking]

    @property
    def ok(self) -> bool:
        return self.book is not None


class _Symlink(Exception):
    pass


def read_workbook(path: Path, limits: Limits = Limits()) -> ReadResult:  # noqa: B008
    """Read a returned file; every problem becomes a ReadIssue, never an exception."""
    path = Path(path)
    try:
        size, data = _load(path, limits)
    except _Symlink:
        return ReadResult(None, [issue(Code.READ_SYMLINK)], "", 0)
    except OSError as exc:
        return ReadResult(None, [issue(Code.READ_NOT_FOUND, exc.strerror or str(exc))], "", 0)
    sha = hashlib.sha256(data).hexdigest() if data is not None else ""
    try:
        return _read(data, limits, size, sha)
    except MemoryError:
        return ReadResult(None, [issue(Code.READ_READER_CRASHED, "out of memory")], sha, size)
    except Exception as exc:  # a bug of ours must not take the whole batch down
        detail = f"internal error: {type(exc).__name__}: {exc}"
        return ReadResult(None, [issue(Code.READ_READER_ERROR, detail[:300])], sha, size)


def _load(path: Path, limits: Limits) -> tuple[int, bytes | None]:
    """(size, content); content is None above the size limit (never read)."""
    if path.is_symlink():  # it may point anywhere (/etc/passwd): never followed
        raise _Symlink(str(path))
    if not path.is_file():
        raise FileNotFoundError(2, "not a file", str(path))
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return size, None
    with path.open("rb") as fh:
        data = fh.read(limits.max_file_bytes + 1)
    return len(data), data


def _read(data: bytes | None, limits: Limits, size: int, sha: str) -> ReadResult:
    if data is None or size > limits.max_file_bytes:
        detail = f"{size / 1048576:,.1f} MiB (limit {limits.max_file_bytes / 1048576:,.0f} MiB)"
        return ReadResult(None, [issue(Code.READ_TOO_LARGE, detail)], sha, size)
    found = sniff(data[:HEAD_BYTES], size, lambda: data)
    if found.kind != "zip":
        assert found.issue is not None
        return ReadResult(None, [found.issue], sha, size)
    pkg = guard.inspect(data, limits)
    if pkg.blocked:
        return ReadResult(None, pkg.issues, sha, size)
    issues = list(pkg.issues)
    book = _calamine(data, pkg, issues)
    return ReadResult(book, issues, sha, size)


def _calamine(data: bytes, pkg: guard.Package, issues: list[ReadIssue]) -> RawWorkbook | None:
    try:
        source = _patched(data, pkg.patch_parts) if pkg.patch_parts else io.BytesIO(data)
        # from a file object calamine detects the format from the content, not the name
        wb = python_calamine.CalamineWorkbook.from_filelike(source)
        with wb:
            names = list(wb.sheet_names)
            expected = [s.name for s in pkg.sheets]
            if names != expected:
                issues.append(
                    issue(
                        Code.READ_READER_ERROR,
                        f"the reader lists sheets {[show(n) for n in names][:5]}, "
                        f"the workbook {[show(n) for n in expected][:5]}",
                    )
                )
                return None
            sheets = []
            for i, entry in enumerate(pkg.sheets):
                facts = pkg.facts.get(entry.part, guard.SheetFacts())
                rows: list[list[Any]] = []
                if entry.kind == "worksheet":
                    rows = _nones(wb.get_sheet_by_index(i).to_python(skip_empty_area=False))
                c = facts.cells
                sheets.append(
                    RawSheet(
                        entry.name,
                        entry.state,
                        rows,
                        dict(c.error_cells),
                        set(c.formula_no_value),
                        set(c.percent_cells),
                        entry.kind,
                        set(c.formula_cells),
                        facts.merges,
                        facts.hidden_rows,
                    )
                )
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException(BaseException)
        issues.append(_reader_issue(exc))
        return None
    return RawWorkbook(sheets, dict(pkg.custom_properties), pkg.date1904)


def _nones(rows: list[list[Any]]) -> list[list[Any]]:
    """calamine gives '' for empty cells (and for error values); we give None."""
    out = []
    for row in rows:
        if "" in row:
            row = [None if v == "" else v for v in row]
        out.append(row)
    return out


def _reader_issue(exc: BaseException) -> ReadIssue:
    text = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, python_calamine.PasswordError):
        return issue(Code.READ_ENCRYPTED, text)
    if isinstance(exc, python_calamine.ZipError):
        return issue(Code.READ_CORRUPT_ZIP, text)
    if isinstance(exc, python_calamine.XmlError):
        return issue(Code.READ_XML_ERROR, text)
    return issue(Code.READ_READER_ERROR, text)


# an error cell's value: the cell's start tag (not self-closing), then up to its <v>
# without crossing into another cell's tag or past its own end, so every character
# is looked at a bounded number of times (a lazy scan that could run on past a
# self-closing cell went quadratic: 4,000 such cells took 22 s)
_ERROR_V = re.compile(
    rb"(<(?:[^\s<>/=:]+:)?c\s[^<>]*?(?<![\w:.-])t\s*=\s*[\"']e[\"'][^<>]*(?<!/)>"
    rb"[^<]*(?:<(?!(?:[^\s<>/=:]+:)?v[\s>]|/?(?:[^\s<>/=:]+:)?c[\s/>])[^<]*)*"
    rb"<(?:[^\s<>/=:]+:)?v(?:\s[^>]*)?>)([^<]*)(<)",
)
_KNOWN_ERRORS = {e.encode() for e in cells.CALAMINE_ERRORS}


def _patched(data: bytes, parts: set[str]) -> io.BytesIO:
    """A copy of the package where error values calamine rejects (#SPILL!, #CALC!...)
    read #N/A; it returns every error as empty anyway and error_cells keeps the real code."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst,
    ):
        for zi in src.infolist():
            data = src.read(zi)
            if zi.filename in parts:
                data = _ERROR_V.sub(
                    lambda m: (
                        m.group(0)
                        if m.group(2).strip() in _KNOWN_ERRORS
                        else m.group(1) + b"#N/A" + m.group(3)
                    ),
                    data,
                )
            dst.writestr(zi.filename, data)
    out.seek(0)
    return out


# -- the guarded reader ----------------------------------------------------------------
def limit_process(limits: Limits = Limits()) -> None:  # noqa: B008
    """Cap this process's address space at its current size + limits.memory_bytes.

    Use it as a process-pool initializer; worker_read calls it too. Only ever
    lowers the limit, so repeated calls keep the first cap.
    """
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = _address_space() + limits.memory_bytes
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft == resource.RLIM_INFINITY or soft > want:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _address_space() -> int:
    """Virtual size of this process in bytes (Linux; 0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def worker_read(path: str, limits: Limits = Limits()) -> ReadResult:  # noqa: B008
    """read_workbook for a worker process: limits itself, turns exhaustion into an issue."""
    limit_process(limits)
    try:
        return read_workbook(Path(path), limits)
    except MemoryError:
        return ReadResult(None, [issue(Code.READ_READER_CRASHED, "memory limit reached")], "", 0)


def _guarded_read(path: str, limits: Limits) -> ReadResult:
    pause_point("read")
    return worker_read(path, limits)


def read_workbook_guarded(path: Path, limits: Limits = Limits()) -> ReadResult:  # noqa: B008
    """read_workbook in a subprocess capped at limits.memory_bytes (on top of what
    it starts with) and limits.time_seconds; a crash, kill or timeout becomes
    READER_CRASHED. The file is still identified (sha256, size) then."""
    path = Path(path)
    try:
        size, data = _load(path, limits)
    except _Symlink:
        return ReadResult(None, [issue(Code.READ_SYMLINK)], "", 0)
    except OSError as exc:
        return ReadResult(None, [issue(Code.READ_NOT_FOUND, exc.strerror or str(exc))], "", 0)
    sha = hashlib.sha256(data).hexdigest() if data is not None else ""
    del data
    result = call_guarded(_guarded_read, os.fspath(path), limits, time_seconds=limits.time_seconds)
    if isinstance(result, Refused):
        why = result.reason.replace("the process", "the reader process")
        return ReadResult(None, [issue(Code.READ_READER_CRASHED, why)], sha, size)
    return result
