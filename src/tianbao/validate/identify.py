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
from tianbao.findings import Code, Finding, fill, make
from tianbao.forms.model import FormDef
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support.visible import contrast
from tianbao.template.content import build_content
from tianbao.template.writer import META_SHEET

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
    Code.ID_PROPERTIES_DIFFER,
    Code.ID_COPY_MISSING,
    Code.ID_COPY_FORGED,
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
    res.findings.extend(_copies(found, idy, props, meta_rows))
    if meta_state == "visible" and any(i.source == "sheet" and i.verified for i in found):
        res.findings.append(make(Code.ID_SHEET_SHOWN, cell=f"{META_SHEET}!A1"))
    if not idy.verified:
        own = recall(idy.fields.get("plan_fingerprint", "")) if recall else None
        res.findings.append(_unverified(idy, own or plan, forms, secret))
    where: dict[str, Any] = {"department": idy.department, "period": idy.period}
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
    named = _departments_named(file_name, plan, idy.department)
    if named and idy.department not in named:
        signed = plan.departments.get(idy.department)
        res.findings.append(
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
        )
    try:
        Period.parse(idy.period)
    except ValueError:
        res.findings.append(make(Code.ID_WRONG_PERIOD, "unreadable", value=idy.period, **where))
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
        got_fp, want_fp = contrast(idy.fields.get("plan_fingerprint", ""), plan.fingerprint, 12)
        res.findings.append(
            make(
                Code.ID_OLD_PLAN,
                value=f"v{idy.fields.get('plan_version')} {got_fp}",
                expected=f"v{plan.version} {want_fp}",
                **where,
            )
        )
    res.findings.extend(_form_versions(idy.form_versions, forms, where))
    return res


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


_SOURCE_ZH = {"properties": "文档属性（文件›属性）", "sheet": "隐藏的身份表 _tianbao"}
_FIELD_ZH = {
    "department": "单位",
    "period": "报告期",
    "district": "区县",
    "year": "年度",
    "template_id": "模板编号",
    "plan_version": "计划版本",
    "plan_fingerprint": "计划指纹",
    "forms": "报表版本",
    "generated_at": "生成时间",
    "prefill_digest": "预填内容摘要",
}


def _copies(
    found: list[Identity], believed: Identity, props: dict[str, Any], meta_rows: Any
) -> list[Finding]:
    """What an auditor must see about the two signed copies of the identity: one
    removed or its signature cleared (the other decides: a warning), the two
    differing (which fields, both values, which was believed), or a copy that does
    not verify beside one that does (someone edited it: an error)."""
    out: list[Finding] = []
    sources = {i.source for i in found}
    for source in ("properties", "sheet"):
        if source in sources:
            continue
        cleared = (source == "sheet" and meta_rows) or (
            source == "properties" and any(k.startswith(ident.PROPERTY_PREFIX) for k in props)
        )
        out.append(
            make(
                Code.ID_COPY_MISSING,
                "cleared" if cleared else "removed",
                source_zh=_SOURCE_ZH[source],
                source=source,
                believed_zh=_SOURCE_ZH[believed.source],
                believed=believed.source,
                value=source,
                cell=f"{META_SHEET}!A1" if source == "sheet" else "",
            )
        )
    if len(found) < 2:
        return out
    a, b = found
    diff = [k for k in ident.IDENTITY_FIELDS if a.fields.get(k) != b.fields.get(k)]
    if not diff and a.signature == b.signature:
        return out
    shown = {k: contrast(a.fields.get(k, ""), b.fields.get(k, "")) for k in diff}
    part = Code.ID_PROPERTIES_DIFFER
    parts = [
        fill(part, "part", field=_FIELD_ZH.get(k, k), field_id=k, a_zh=_SOURCE_ZH[a.source],
             a=shown[k][0], b_zh=_SOURCE_ZH[b.source], b=shown[k][1])
        for k in diff
    ] or [fill(part, "sign", a=contrast(a.signature, b.signature, 16)[0],
               b=contrast(a.signature, b.signature, 16)[1])]  # fmt: skip
    forged = [i for i in found if not i.verified and i is not believed]
    code = Code.ID_COPY_FORGED if forged and believed.verified else Code.ID_PROPERTIES_DIFFER
    out.append(
        make(
            code,
            parts="；".join(zh for zh, _ in parts),
            fields=", ".join(en for _, en in parts),
            forged_zh=_SOURCE_ZH[forged[0].source] if forged else "",
            believed_zh=_SOURCE_ZH[believed.source],
            believed=believed.source,
            value={k: a.fields.get(k, "") for k in diff} or a.signature,
            expected={k: b.fields.get(k, "") for k in diff} or b.signature,
            cell=f"{META_SHEET}!A1",
        )
    )
    return out
