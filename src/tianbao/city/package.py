"""``tianbao package``: a district's signed-off period as one signed zip.

Members: ``summary.xlsx`` (the signed-off summary, made by ``api.consolidate``),
``long.csv`` (the long rows that fed it, with their provenance keys), ``rates.json``
(reporting rates, ``api.status``), ``warnings.json`` (the warnings of the counting
returns, with the departments' explanations), ``manifest.json`` (district, period,
plan and form versions, the sign-off, the indicator totals, the sha256 of every
member) and ``manifest.sig`` (Ed25519 over the manifest's bytes).

Deterministic: fixed zip times, sorted members, the day of the sign-off as the
as-of day of every part, so the same signed period gives the same bytes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tianbao import api
from tianbao.errors import Refused

PACKAGE_VERSION = 1
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
SUMMARY, LONG, RATES, WARNINGS = "summary.xlsx", "long.csv", "rates.json", "warnings.json"
CONTENT = (LONG, RATES, SUMMARY, WARNINGS)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no clock in the bytes
# the indicators form and its fields whose totals the manifest states
TOTALS_FORM = "indicators_monthly"
TOTALS_FIELDS = ("month_value", "ytd", "ytd_last_year")


@dataclass(frozen=True)
class Packaged:
    path: Path
    sha256: str
    manifest: dict[str, Any]


def number(text: str) -> Decimal | None:
    """A long-CSV value as an exact number, or None for text and blanks."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def long_rows(data: bytes) -> list[dict[str, str]]:
    """The long CSV (UTF-8 with BOM) as dicts of its columns."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def totals_of(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """{row key: {field: Σ value}} of the indicators form, summed exactly."""
    out: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        if r["form"] != TOTALS_FORM or r["field"] not in TOTALS_FIELDS:
            continue
        n = number(r["value"])
        if n is not None:
            per = out.setdefault(r["row_key"], {})
            per[r["field"]] = per.get(r["field"], Decimal(0)) + n
    return {k: {f: str(v) for f, v in sorted(d.items())} for k, d in sorted(out.items())}


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_package(
    out: Path, manifest: dict[str, Any], members: dict[str, bytes], key: Ed25519PrivateKey
) -> Packaged:
    """Seal ``members`` with a manifest naming their sha256, signed with ``key``."""
    from tianbao.support.atomic import write_atomic

    manifest = dict(manifest, members={n: _sha(b) for n, b in sorted(members.items())})
    head = manifest_bytes(manifest)
    parts = {**members, MANIFEST: head, SIGNATURE: key.sign(head)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, parts[name], compresslevel=6)
    data = buf.getvalue()
    write_atomic(Path(out), lambda tmp: tmp.write_bytes(data))
    return Packaged(Path(out), _sha(data), manifest)


def build_package(where: api.Where, period: str, out: Path) -> Packaged:
    """The package of a signed-off ``period``; ``Refused`` (exit 1) for any other."""
    from tianbao.city.keys import signing_key
    from tianbao.ledger.db import Ledger

    ws = api.workspace(where)
    plan = ws.plan
    assert plan is not None
    p = plan.period(period)
    with Ledger(ws.root, readonly=True) as ledger:
        signed = ledger.signed_off(p)
        subs = ledger.latest_accepted(p)
        seq = len(ledger.signoffs(p))  # grows with every re-sign: orders them at the city
    if signed is None:
        raise Refused(
            f"{p} 尚未签发，不能打包上报 | {p} is not signed off: no package "
            "(tianbao signoff first)"
        )
    as_of = dt.date.fromisoformat(str(signed["at"])[:10])
    with tempfile.TemporaryDirectory() as tmp:
        made = api.consolidate(ws, str(p), Path(tmp) / SUMMARY, Path(tmp) / LONG, as_of)
        summary = made.out.read_bytes()
        long_csv = Path(tmp, LONG).read_bytes()
    rates = api.status(ws, str(p), as_of).as_dict()
    warnings = [w for s in subs for w in _warnings(s.id, s.department, s.report)]
    head = api.provenance("package", ws, str(p))
    manifest = {
        "package_version": PACKAGE_VERSION,
        "district": {"code": plan.district_code, "name": plan.district_name},
        "period": str(p),
        "plan_version": head.get("plan_version"),
        "form_versions": head.get("form_versions"),
        "signoff": {
            "by": signed["by"],
            "at": signed["at"],
            "note": signed.get("note", ""),
            "seq": seq,
        },
        "totals": {TOTALS_FORM: totals_of(long_rows(long_csv))},
    }
    members = {
        SUMMARY: summary,
        LONG: long_csv,
        RATES: _json(rates),
        WARNINGS: _json(warnings),
    }
    return write_package(out, manifest, members, signing_key(ws.root))


def _warnings(sid: int, dept: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The warnings a counting return carried (the file's path on the district's
    machine left out); ``explained``: the department wrote a 说明 (quoted in the message)."""
    keep = ("code", "form", "row_key", "field", "sheet", "cell", "value", "message", "rule")
    return [
        {
            "department": dept,
            "submission_id": sid,
            **{k: f.get(k) for k in keep},
            "explained": bool(f.get("explained")) or "已说明" in str(f.get("message", "")),
        }
        for f in report.get("findings", [])
        if f.get("severity") == "warning"
    ]


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
