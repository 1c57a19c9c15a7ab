"""Which template is this return? Read its identity and verify the signature.

The identity lives twice in a template: custom document properties and the
hidden ``_tianbao`` sheet (see template/writer.py). Either may be lost by a
client; both must verify when present, and they must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tianbao import identity as ident
from tianbao.forms.model import FormDef
from tianbao.plan.model import Plan
from tianbao.template.writer import META_SHEET
from tianbao.validate.findings import Code, Finding, make

_FILE_NAME = re.compile(r"^(\d{4}(?:-\d{2}|-Q\d|-H\d)?)_([A-Za-z][A-Za-z0-9_-]*)_")


@dataclass
class Identity:
    fields: dict[str, str]
    signature: str
    verified: bool
    source: str  # "properties" | "sheet"

    @property
    def department(self) -> str:
        return self.fields.get("department", "")

    @property
    def period(self) -> str:
        return self.fields.get("period", "")

    @property
    def form_versions(self) -> dict[str, int]:
        return ident.parse_forms_text(self.fields.get("forms", ""))


@dataclass
class IdentifyResult:
    identity: Identity | None
    findings: list[Finding] = field(default_factory=list)


def _from_properties(props: dict[str, Any]) -> tuple[dict[str, str], str] | None:
    if ident.SIGNATURE_PROPERTY not in props:
        return None
    fields = {k: _text(props.get(ident.PROPERTY_PREFIX + k)) for k in ident.IDENTITY_FIELDS}
    return fields, _text(props[ident.SIGNATURE_PROPERTY])


def _from_sheet(rows: list[list[Any]] | None) -> tuple[dict[str, str], str] | None:
    if not rows:
        return None
    pairs: dict[str, str] = {}
    for row in rows[:40]:
        if len(row) >= 2 and isinstance(row[0], str):
            pairs.setdefault(row[0], _text(row[1]))
    if "signature" not in pairs:
        return None
    return {k: pairs.get(k, "") for k in ident.IDENTITY_FIELDS}, pairs["signature"]


def _text(v: Any) -> str:
    """Identity values are text; a client may retype '1' as the number 1.0."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def identify(
    props: dict[str, Any],
    meta_rows: list[list[Any]] | None,
    secret: bytes,
    plan: Plan,
    forms: dict[str, FormDef],
    file_name: str,
    expected_period: str | None = None,
    expected_department: str | None = None,
) -> IdentifyResult:
    found: list[Identity] = []
    for source, got in (("properties", _from_properties(props)), ("sheet", _from_sheet(meta_rows))):
        if got is not None:
            fields, sig = got
            found.append(Identity(fields, sig, ident.verify(secret, fields, sig), source))
    if not found:
        return IdentifyResult(None, [make(Code.ID_MISSING, cell=f"{META_SHEET}!A1")])
    res = IdentifyResult(next((i for i in found if i.verified), found[0]))
    idy = res.identity
    assert idy is not None
    if len(found) == 2 and (
        found[0].fields != found[1].fields or found[0].signature != found[1].signature
    ):
        res.findings.append(make(Code.ID_PROPERTIES_DIFFER))
    if not idy.verified:
        res.findings.append(make(Code.ID_SIGNATURE_INVALID, value=idy.signature[:16] + "…"))
    where = {"department": idy.department, "period": idy.period}
    if idy.fields.get("district") != plan.district_code or idy.fields.get("year") != str(plan.year):
        res.findings.append(
            make(
                Code.ID_WRONG_DISTRICT,
                value=f"{idy.fields.get('district')} {idy.fields.get('year')}",
                expected=f"{plan.district_code} {plan.year}",
                **where,
            )
        )
    if idy.department not in plan.departments:
        res.findings.append(
            make(
                Code.ID_WRONG_DEPARTMENT,
                value=idy.department,
                expected="a department of the plan",
                **where,
            )
        )
    if expected_department and idy.department != expected_department:
        res.findings.append(
            make(
                Code.ID_WRONG_DEPARTMENT,
                value=idy.department,
                expected=expected_department,
                **where,
            )
        )
    if expected_period and idy.period != expected_period:
        res.findings.append(
            make(Code.ID_WRONG_PERIOD, value=idy.period, expected=expected_period, **where)
        )
    named = _departments_named(file_name, plan)
    if named and idy.department not in named:
        signed = plan.departments.get(idy.department)
        others = "、".join(f"{plan.departments[c].name}（{c}）" for c in named)
        res.findings.append(
            make(
                Code.ID_NAME_OTHER_DEPARTMENT,
                message=(
                    f"文件名写的是 {others}，模板却是 "
                    f"{signed.name if signed else idy.department}（{idy.department}）的，"
                    "未受理：请确认是否发错了文件 the file name names "
                    f"{', '.join(named)} but the template is {idy.department}'s"
                ),
                value=file_name,
                expected=idy.department,
                **where,
            )
        )
    m = _FILE_NAME.match(file_name)
    if m and (m.group(1) != idy.period or m.group(2) != idy.department):
        res.findings.append(
            make(
                Code.ID_FILENAME_MISMATCH,
                value=file_name,
                expected=f"{idy.period}_{idy.department}_…",
                **where,
            )
        )
    if idy.fields.get("plan_fingerprint") != plan.fingerprint or idy.fields.get(
        "plan_version"
    ) != str(plan.version):
        res.findings.append(
            make(
                Code.ID_OLD_PLAN,
                value=f"v{idy.fields.get('plan_version')} "
                f"{idy.fields.get('plan_fingerprint', '')[:12]}",
                expected=f"v{plan.version} {plan.fingerprint[:12]}",
                **where,
            )
        )
    for form_id, version in idy.form_versions.items():
        current = forms.get(form_id)
        if current is None or current.version != version:
            res.findings.append(
                make(
                    Code.ID_FORM_VERSION,
                    form=form_id,
                    value=version,
                    expected=current.version if current else "form not in the plan",
                    **where,
                )
            )
    return res


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _departments_named(file_name: str, plan: Plan) -> list[str]:
    """Departments a file name names: a code as a whole token (…_GXJ_…), or a full
    or short name in the text (…工信局…). A mail client's "(1)" names nobody."""
    stem = file_name.rsplit(".", 1)[0]
    tokens = {t.upper() for t in _TOKEN.findall(stem)}
    found = []
    for code, dept in plan.departments.items():
        names = [n for n in (dept.name, dept.short) if n and len(n) >= 2]
        if code.upper() in tokens or any(n in stem for n in names):
            found.append(code)
    return found
