"""``tianbao collect`` on a city workspace: verify a district's package and record it
in the city's ledger as a submission of the district (department = district code).

A refused package is archived and recorded as rejected with its findings and no
values: nothing of it counts. An accepted one brings its long rows as values, each
with the district's provenance key (sheet = DEPT#district submission id, cell =
sheet!cell in the department's return). A newer sign-off of the same district and
period supersedes the earlier package and is marked a correction (更正)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tianbao.city.package import WARNINGS, number
from tianbao.city.plan import CityPlan, load_city
from tianbao.city.verify import Opened, Refusal, open_package
from tianbao.findings import Code
from tianbao.support.pausepoint import pause_point

# the codes this module finds (the one catalog: tianbao.findings)
EMITS = (Code.PKG_STALE, Code.PKG_CLOSED)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
FORM = "package"  # the one "form" a package submission holds


@dataclass
class PackageResult:
    path: Path
    district: str
    period: str
    status: str  # accepted | accepted_with_warnings | rejected
    findings: list[Refusal] = field(default_factory=list)
    submission_id: int | None = None
    duplicate: bool = False
    correction: bool = False
    superseded: tuple[int, ...] = ()
    sha256: str = ""
    signed_at: str = ""  # the sign-off the package says it carries
    error_list: Path | None = None  # the 差错清单 written for a refused package

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "district": self.district,
            "period": self.period,
            "status": self.status,
            "submission_id": self.submission_id,
            "duplicate": self.duplicate,
            "correction": self.correction,
            "superseded": list(self.superseded),
            "findings": [f.as_dict() for f in self.findings],
            "error_list": str(self.error_list) if self.error_list else None,
        }


def collect_packages(
    root: Path, paths: list[Path], *, period: str | None = None, received_at: str | None = None
) -> list[PackageResult]:
    """Each package (a folder: its ``*.zip``) verified and recorded, in order."""
    from tianbao.errors import UsageError

    city = load_city(root)
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.glob("*.zip"))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{p}: 文件不存在 | file not found")
    when = _received(received_at)
    out = [_one(city.root, open_package(p, city, period), when) for p in files]
    for r in out:
        if not r.ok and not r.duplicate:  # the district is told why, in a workbook
            r.error_list = refused_list(city, r)
    return out


def refused_list(city: CityPlan, r: PackageResult) -> Path | None:
    """The 差错清单 of a package the city's checks refused: each finding at its place.
    None when it cannot be written (the refusal stands and is recorded all the same)."""
    import contextlib

    from tianbao.city.errorlist import ErrorList, draft_list, publish_list

    district = city.district(r.district)
    period = r.period or "unknown"
    errors = ErrorList(
        city.name,
        f"{r.district} {district.name if district else ''}".strip(),
        r.period,
        r.path.name,
        r.sha256,
        r.signed_at,
        f"市里收取时核验未通过 #{r.submission_id} | refused by the city's checks when collected",
        "上报包未通过核验，未计入 | the package did not pass the city's checks: not counted",
        "",
        tuple((f.place, " | ".join(f.text) + f" [{f.code.value}]") for f in r.findings),
        f"{r.district or r.path.stem}_{period}",
    )
    with contextlib.suppress(OSError):
        draft = draft_list(errors, city.root / "outputs" / "notices" / period)
        return publish_list(draft, errors.stem)
    return None


def _received(text: str | None) -> str | None:
    """--received-at as ISO with an offset (no offset: the city's local time)."""
    from tianbao.errors import UsageError

    if text is None:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--received-at {text}: 不是 ISO 时间 | not an ISO time") from None
    return (when if when.tzinfo else when.replace(tzinfo=TZ)).isoformat(timespec="seconds")


def _one(root: Path, got: Opened, received_at: str | None) -> PackageResult:
    from tianbao.ledger.db import ACCEPTED, ACCEPTED_WITH_WARNINGS, REJECTED, Ledger
    from tianbao.ledger.records import NewSubmission

    archive = Path("archive", got.sha256[:2], f"{got.sha256}.zip")
    target = root / archive
    if not target.exists():  # archived before the ledger names it
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(got.path.read_bytes())
    pause_point("archive")  # verified and archived; the ledger's checks are still to come
    warned = bool(got.members.get(WARNINGS, b"[]").strip() not in (b"[]", b""))
    status = REJECTED if got.findings else ACCEPTED_WITH_WARNINGS if warned else ACCEPTED
    order = signed_order((got.manifest or {}).get("signoff"))
    received = received_at or dt.datetime.now(TZ).isoformat(timespec="seconds")
    new = NewSubmission(
        # a refused package keeps no claim on its bytes: the same file may count once
        # the city's plan or round is right, so its row is keyed by the refusal
        sha256=f"{got.sha256}/refused@{received}" if got.findings else got.sha256,
        file_name=got.path.name,
        archive_path=archive.as_posix(),
        size=target.stat().st_size,
        received_at=received,
        department=got.district,
        period=got.period,
        template_id=order,  # which sign-off this package carries, in order
        forms=(FORM,),
        status=status,
        errors=len(got.findings),
        warnings=int(warned),
        notes=0,
        report_json=json.dumps(
            {
                "findings": [f.as_dict() for f in got.findings],
                "manifest": {k: v for k, v in (got.manifest or {}).items() if k != "members"},
            },
            ensure_ascii=False,
        ),
        cells=() if got.findings else tuple(_cells(got.rows)),
        received_source="option" if received_at else "now",
    )

    def check(new: NewSubmission) -> NewSubmission:
        """Inside the write: a package of a period the city signed off, or older than
        the one counting, does not count."""
        if new.status == REJECTED:
            return new
        if ledger.signed_off(new.period) is not None:  # the city's figures stay as signed
            place = "manifest.json period"
            return refuse(
                new,
                Refusal(Code.PKG_CLOSED, place, {"period": new.period, "district": new.department}),
            )
        current = ledger.latest_accepted_of(new.department, new.period)
        if current is None:  # after a return (退回) the district's next package corrects it
            came = ledger.history(new.department, new.period)
            return dataclasses.replace(new, correction=any(s.status != REJECTED for s in came))
        if current.template_id >= new.template_id:
            stale = Refusal(
                Code.PKG_STALE,
                "manifest.json signoff.at",
                {"at": signed_at(new.template_id), "current": signed_at(current.template_id)},
            )
            return refuse(new, stale)
        return dataclasses.replace(new, correction=True)

    def refuse(new: NewSubmission, why: Refusal) -> NewSubmission:
        got.findings.append(why)
        report = json.loads(new.report_json)
        report["findings"] = [f.as_dict() for f in got.findings]
        return dataclasses.replace(
            new,
            sha256=f"{new.sha256}/refused@{new.received_at}",  # no claim on its bytes
            status=REJECTED,
            cells=(),
            errors=1,
            report_json=json.dumps(report, ensure_ascii=False),
        )

    with Ledger(root) as ledger:
        added = ledger.add(new, check)
    sub = added.submission
    return PackageResult(
        got.path,
        got.district,
        got.period,
        sub.status,
        list(got.findings),
        sub.id,
        added.duplicate,
        sub.correction,
        added.superseded,
        got.sha256,
        signed_at(order),
    )


def signed_order(signoff: Any) -> str:
    """The sign-off a package carries as a sortable text: the district's count of
    sign-offs of the period (a re-sign raises it), then the time."""
    if not isinstance(signoff, dict):
        return ""
    seq = signoff.get("seq")
    return f"{int(seq) if isinstance(seq, int) else 0:04d}@{signoff.get('at', '')}"


def signed_at(order: str) -> str:
    return order.partition("@")[2] or order


def _cells(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str, str, str]]:
    """The long rows as ledger values, the district's provenance key kept."""
    out = []
    for r in rows:
        raw = r["value"]
        n = number(raw)
        value: Any = (
            raw
            if n is None
            else (int(n) if n == n.to_integral_value() and "." not in raw else float(n))
        )
        out.append(
            (
                r["form"],
                f"{r['department']}:{r['row_key']}",
                r["field"],
                json.dumps(value, ensure_ascii=False),
                f"{r['department']}#{r['submission_id']}",
                f"{r['sheet']}!{r['cell']}",
            )
        )
    return out
