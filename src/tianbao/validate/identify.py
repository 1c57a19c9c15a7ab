"""Which template is this return? Read its identity and verify the signature.

The identity lives twice in a template: custom document properties and the
hidden ``_tianbao`` sheet (see template/writer.py). Either may be lost by a
client; both must verify when present, and they must agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tianbao import identity as ident
from tianbao.findings import Code, Finding, make
from tianbao.forms.model import FormDef
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support.visible import contrast
from tianbao.template.content import build_content
from tianbao.template.writer import META_SHEET
from tianbao.validate.copies import copies_findings

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.ID_MISSING,
    Code.ID_SIGNATURE_INVALID,
    Code.ID_KEY_MISMATCH,
    Code.ID_WRONG_DISTRICT,
    Code.ID_WRONG_PERIOD,
    Code.ID_WRONG_DEPARTMENT,
    Code.ID_FILENAME_MISMATCH,
    Code.ID_NAME_OTHER_DEPARTMENT,
    Code.ID_OLD_PLAN,
    Code.ID_FORM_VERSION,
    Code.ID_SHEET_SHOWN,
)

_FILE_NAME = re.compile(r"^(\d{4}(?:-\d{2}|-Q\d|-H\d)?)_([A-Za-z][A-Za-z0-9-]*)_")


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
    """Identity values are text; a client may retype '1' as the number 1.0. No value
    we sign begins or ends in whitespace: whitespace there is a writer's formatting."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def identify(
    props: dict[str, Any],
    meta_rows: list[list[Any]] | None,
    secret: bytes,
    plan: Plan,
    forms: dict[str, FormDef],
    file_name: str,
    expected_period: str | None = None,
    expected_department: str | None = None,
    recall: Callable[[str], Plan | None] | None = None,
    meta_state: str = "veryHidden",
) -> IdentifyResult:
    """``recall`` finds an earlier plan by fingerprint (the one a template was made
    from), so a template of before a revision is still recognised as ours.
    ``meta_state``: the _tianbao sheet's state as the file has it."""
    found = _signed_copies(props, meta_rows, secret)
    if not found:
        return IdentifyResult(None, [make(Code.ID_MISSING, cell=f"{META_SHEET}!A1")])
    res = IdentifyResult(next((i for i in found if i.verified), found[0]))
    idy = res.identity
    assert idy is not None
    res.findings.extend(copies_findings(found, idy, props, meta_rows))
    if meta_state == "visible" and any(i.source == "sheet" and i.verified for i in found):
        res.findings.append(make(Code.ID_SHEET_SHOWN, cell=f"{META_SHEET}!A1"))
    if not idy.verified:
        own = recall(idy.fields.get("plan_fingerprint", "")) if recall else None
        res.findings.append(_unverified(idy, own or plan, forms, secret))
    where: dict[str, Any] = {"department": idy.department, "period": idy.period}
    res.findings.extend(_wrong_district(idy, plan, where))
    res.findings.extend(_wrong_department(idy, plan, expected_department, where))
    res.findings.extend(_wrong_period(idy, expected_period, where))
    res.findings.extend(_name_other_department(idy, file_name, plan, where))
    res.findings.extend(_unreadable_period(idy, where))
    res.findings.extend(_file_name_mismatch(idy, file_name, where))
    res.findings.extend(_old_plan(idy, plan, where))
    res.findings.extend(_form_versions(idy.form_versions, forms, where))
    return res


def _signed_copies(
    props: dict[str, Any], meta_rows: list[list[Any]] | None, secret: bytes
) -> list[Identity]:
    """The identity's copies the file holds (properties first), each verified or not."""
    found: list[Identity] = []
    for source, got in (("properties", _from_properties(props)), ("sheet", _from_sheet(meta_rows))):
        if got is not None:
            fields, sig = got
            found.append(Identity(fields, sig, ident.verify(secret, fields, sig), source))
    return found


def _wrong_district(idy: Identity, plan: Plan, where: dict[str, Any]) -> list[Finding]:
    if idy.fields.get("district") == plan.district_code and idy.fields.get("year") == str(
        plan.year
    ):
        return []
    return [
        make(
            Code.ID_WRONG_DISTRICT,
            value=f"{idy.fields.get('district')} {idy.fields.get('year')}",
            expected=f"{plan.district_code} {plan.year}",
            **where,
        )
    ]


def _wrong_department(
    idy: Identity, plan: Plan, expected_department: str | None, where: dict[str, Any]
) -> list[Finding]:
    """Not a department of the plan; not the department the caller expected."""
    out = []
    if idy.department not in plan.departments:
        out.append(
            make(
                Code.ID_WRONG_DEPARTMENT,
                value=idy.department,
                expected="a department of the plan",
                **where,
            )
        )
    if expected_department and idy.department != expected_department:
        out.append(
            make(
                Code.ID_WRONG_DEPARTMENT,
                value=idy.department,
                expected=expected_department,
                **where,
            )
        )
    return out


def _wrong_period(
    idy: Identity, expected_period: str | None, where: dict[str, Any]
) -> list[Finding]:
    if not expected_period or idy.period == expected_period:
        return []
    return [make(Code.ID_WRONG_PERIOD, value=idy.period, expected=expected_period, **where)]


def _name_other_department(
    idy: Identity, file_name: str, plan: Plan, where: dict[str, Any]
) -> list[Finding]:
    """The file's name names other departments than the one its identity signs."""
    named = _departments_named(file_name, plan, idy.department)
    if not named or idy.department in named:
        return []
    signed = plan.departments.get(idy.department)
    return [
        make(
            Code.ID_NAME_OTHER_DEPARTMENT,
            others="、".join(f"{plan.departments[c].name}（{c}）" for c in named),
            named=", ".join(named),
            signed=signed.name if signed else idy.department,
            signed_code=idy.department,
            value=file_name,
            expected=idy.department,
            **where,
        )
    ]


def _unreadable_period(idy: Identity, where: dict[str, Any]) -> list[Finding]:
    try:
        Period.parse(idy.period)
    except ValueError:
        return [make(Code.ID_WRONG_PERIOD, "unreadable", value=idy.period, **where)]
    return []


def _file_name_mismatch(idy: Identity, file_name: str, where: dict[str, Any]) -> list[Finding]:
    """A name of our own pattern (period_department_…) that says another return."""
    m = _FILE_NAME.match(file_name)
    if not m or (m.group(1) == idy.period and m.group(2) == idy.department):
        return []
    return [
        make(
            Code.ID_FILENAME_MISMATCH,
            value=file_name,
            expected=f"{idy.period}_{idy.department}_…",
            **where,
        )
    ]


def _old_plan(idy: Identity, plan: Plan, where: dict[str, Any]) -> list[Finding]:
    if idy.fields.get("plan_fingerprint") == plan.fingerprint and idy.fields.get(
        "plan_version"
    ) == str(plan.version):
        return []
    got_fp, want_fp = contrast(idy.fields.get("plan_fingerprint", ""), plan.fingerprint, 12)
    return [
        make(
            Code.ID_OLD_PLAN,
            value=f"v{idy.fields.get('plan_version')} {got_fp}",
            expected=f"v{plan.version} {want_fp}",
            **where,
        )
    ]


def _form_versions(
    versions: dict[str, int], forms: dict[str, FormDef], where: dict[str, Any]
) -> list[Finding]:
    """ID_FORM_VERSION for each form the template carries in another version."""
    found: list[Finding] = []
    for form_id, version in versions.items():
        current = forms.get(form_id)
        if current is None or current.version == version:
            continue
        found.append(
            make(
                Code.ID_FORM_VERSION,
                title=current.title_zh,
                form_sheet=current.sheet,
                form_id=form_id,
                version=version,
                current=current.version,
                form=form_id,
                value=version,
                expected=current.version,
                **where,
            )
        )
    return found


def _unverified(
    identity: Identity, plan: Plan, forms: dict[str, FormDef], secret: bytes
) -> Finding:
    """No copy verifies: altered, or made with another key? When every field is what
    this workspace would write for that department and period, the content is ours
    and the key is not: another workspace, or a re-created key (not the clerk's doing)."""
    shown_sig = identity.signature[:16] + "…"
    try:
        period = Period.parse(identity.period)
        ours = build_content(
            plan, [forms[f] for f in plan.form_ids], identity.department, period, secret
        ).identity
    except (ValueError, KeyError):
        return make(Code.ID_SIGNATURE_INVALID, value=shown_sig)
    same = all(identity.fields.get(k) == v for k, v in ours.items() if k != "generated_at")
    if not same:
        return make(Code.ID_SIGNATURE_INVALID, value=shown_sig)
    return make(Code.ID_KEY_MISMATCH, district=plan.district_name, year=plan.year, value=shown_sig)


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _departments_named(file_name: str, plan: Plan, signed: str = "") -> list[str]:
    """Departments a file name names: a code as a whole token (…_GXJ_…), or a full
    or short name in the text (…工信局…). A mail client's "(1)" names nobody.
    A name that names ``signed`` gives just [signed]: whoever else it names, it
    says nothing wrong, and a pass over every department per file is what made
    validating 1,000 returns of 1,000 departments grow as N²."""
    stem = file_name.rsplit(".", 1)[0]
    tokens = {t.upper() for t in _TOKEN.findall(stem)}

    def names(code: str) -> bool:
        dept = plan.departments[code]
        return code.upper() in tokens or any(
            n in stem for n in (dept.name, dept.short) if n and len(n) >= 2
        )

    if signed in plan.departments and names(signed):
        return [signed]
    return [code for code in plan.departments if names(code)]
