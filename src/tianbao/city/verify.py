"""What the city checks in a district's package before anything of it counts. Each
refusal is a finding with a stable code and its place (member, manifest field, row);
their templates are in the findings catalog (the PKG codes)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tianbao.city.keys import verifies
from tianbao.city.package import (
    LONG,
    MANIFEST,
    SIGNATURE,
    TOTALS_FORM,
    long_rows,
    number,
    totals_of,
)
from tianbao.city.plan import CityPlan
from tianbao.findings import Code, fill
from tianbao.plan.periods import Period

# a package is six small members: anything far larger is not one (nor read whole)
MAX_MEMBERS, MAX_BYTES = 64, 512 * 1024 * 1024

# the codes this module finds (their templates: tianbao.findings, the one catalog)
EMITS = (
    Code.PKG_UNREADABLE,
    Code.PKG_MISSING,
    Code.PKG_DISTRICT,
    Code.PKG_SIGNATURE,
    Code.PKG_EDITED,
    Code.PKG_EXTRA,
    Code.PKG_UNSIGNED,
    Code.PKG_PERIOD,
    Code.PKG_PLAN_VERSION,
    Code.PKG_TOTALS,
)


@dataclass(frozen=True)
class Refusal:
    """Why a package does not count: a catalog code, its place in the package (member,
    manifest field, row) and the fields its template names."""

    code: Code
    place: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> tuple[str, str]:
        return fill(self.code, **self.details)

    def line(self) -> str:
        zh, en = self.text
        return f"{self.place}：{zh} | {self.place}: {en} [{self.code.value}]"

    def as_dict(self) -> dict[str, Any]:
        zh, en = self.text
        return {"code": self.code.value, "place": self.place, "zh": zh, "en": en}


@dataclass
class Opened:
    """A package as read: its manifest (when readable), members, long rows, findings."""

    path: Path
    sha256: str
    manifest: dict[str, Any] | None = None
    members: dict[str, bytes] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)
    findings: list[Refusal] = field(default_factory=list)

    @property
    def district(self) -> str:
        d = (self.manifest or {}).get("district")
        return str(d.get("code", "")) if isinstance(d, dict) else ""

    @property
    def period(self) -> str:
        return str((self.manifest or {}).get("period", ""))


def open_package(path: Path, city: CityPlan, wanted: str | None = None) -> Opened:
    """Read and check a package; ``wanted``: the period being collected (default: any
    month of the city's year). Checks stop at the first that makes the rest moot."""
    data = Path(path).read_bytes()
    got = Opened(Path(path), hashlib.sha256(data).hexdigest())
    name = Path(path).name
    try:
        with zipfile.ZipFile(Path(path)) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_BYTES:
                raise ValueError(f"more than {MAX_MEMBERS} members or {MAX_BYTES} bytes")
            got.members = {i.filename: z.read(i) for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        got.findings.append(Refusal(Code.PKG_UNREADABLE, name, {"why": str(exc)}))
        return got
    for member in (MANIFEST, SIGNATURE):
        if member not in got.members:
            got.findings.append(Refusal(Code.PKG_MISSING, name, {"member": member}))
    if got.findings:
        return got
    try:
        got.manifest = json.loads(got.members[MANIFEST])
        assert isinstance(got.manifest, dict)
    except (ValueError, AssertionError) as exc:
        got.manifest = None
        got.findings.append(Refusal(Code.PKG_UNREADABLE, MANIFEST, {"why": str(exc)}))
        return got
    district = city.district(got.district)
    if district is None:
        got.findings.append(
            Refusal(Code.PKG_DISTRICT, f"{MANIFEST} district.code", {"district": got.district})
        )
        return got
    if not verifies(district.public_key, got.members[SIGNATURE], got.members[MANIFEST]):
        got.findings.append(Refusal(Code.PKG_SIGNATURE, SIGNATURE, {"district": district.code}))
        return got  # nothing else in it can be trusted
    got.findings += _members(got)
    if got.findings:
        return got
    got.findings += _period(got.manifest, city, wanted)
    if (
        district.plan_version is not None
        and got.manifest.get("plan_version") != district.plan_version
    ):
        got.findings.append(
            Refusal(
                Code.PKG_PLAN_VERSION,
                f"{MANIFEST} plan_version",
                {"got": got.manifest.get("plan_version"), "want": district.plan_version},
            )
        )
    got.rows = long_rows(got.members[LONG])
    got.findings += _rows(got)
    return got


def _members(got: Opened) -> list[Refusal]:
    assert got.manifest is not None
    listed = got.manifest.get("members") or {}
    out = []
    for member, sha in sorted(listed.items()):
        if member not in got.members:
            out.append(Refusal(Code.PKG_MISSING, member, {"member": member}))
        elif hashlib.sha256(got.members[member]).hexdigest() != sha:
            out.append(Refusal(Code.PKG_EDITED, member, {"member": member}))
    for member in sorted(set(got.members) - set(listed) - {MANIFEST, SIGNATURE}):
        out.append(Refusal(Code.PKG_EXTRA, member, {"member": member}))
    if LONG not in listed and not out:
        out.append(Refusal(Code.PKG_MISSING, MANIFEST, {"member": LONG}))
    return out


def _period(manifest: dict[str, Any], city: CityPlan, wanted: str | None) -> list[Refusal]:
    p = str(manifest.get("period", ""))
    out = []
    signoff = manifest.get("signoff")
    if not isinstance(signoff, dict) or not signoff.get("at"):
        out.append(Refusal(Code.PKG_UNSIGNED, f"{MANIFEST} signoff", {"period": p}))
    try:
        ok = Period.parse(p).year == city.year and (wanted is None or p == wanted)
    except ValueError:
        ok = False
    if not ok:
        want = wanted or f"{city.year} 年内 within {city.year}"
        out.append(Refusal(Code.PKG_PERIOD, f"{MANIFEST} period", {"period": p, "wanted": want}))
    return out


def _rows(got: Opened) -> list[Refusal]:
    """The long rows are of the package's period, and the stated totals are their sums."""
    assert got.manifest is not None
    out = []
    for i, r in enumerate(got.rows, start=2):  # row 1 is the header
        if r.get("period") != got.period:
            details = {"period": r.get("period"), "wanted": got.period}
            out.append(Refusal(Code.PKG_PERIOD, f"{LONG} 第 {i} 行 row {i}", details))
            break
    stated = (got.manifest.get("totals") or {}).get(TOTALS_FORM) or {}
    summed = totals_of(got.rows)
    for key in sorted(set(stated) | set(summed)):
        for name in sorted(set(stated.get(key, {})) | set(summed.get(key, {}))):
            total, rows = stated.get(key, {}).get(name), summed.get(key, {}).get(name)
            if _differ(total, rows):
                out.append(
                    Refusal(
                        Code.PKG_TOTALS,
                        f"{MANIFEST} totals.{TOTALS_FORM}.{key}.{name}",
                        {"total": total, "rows": rows},
                    )
                )
    return out


def _differ(a: Any, b: Any) -> bool:
    x, y = number(str(a)) if a is not None else None, number(str(b)) if b is not None else None
    return x is None or y is None or abs(x - y) > Decimal("1e-9")
