"""The identity's two signed copies (document properties and the hidden _tianbao
sheet) side by side: one missing, or the two differing or one forged (validate.identify
reads and verifies them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tianbao import identity as ident
from tianbao.findings import Code, Finding, fill, make
from tianbao.support.visible import contrast
from tianbao.template.writer import META_SHEET

if TYPE_CHECKING:  # identify imports this module
    from tianbao.validate.identify import Identity

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.ID_PROPERTIES_DIFFER,
    Code.ID_COPY_MISSING,
    Code.ID_COPY_FORGED,
)

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


def copies_findings(
    found: list[Identity], believed: Identity, props: dict[str, Any], meta_rows: Any
) -> list[Finding]:
    """What an auditor must see about the two signed copies of the identity: one
    removed or its signature cleared (the other decides: a warning), the two
    differing (which fields, both values, which was believed), or a copy that does
    not verify beside one that does (someone edited it: an error)."""
    out = _missing_copies(found, believed, props, meta_rows)
    if len(found) < 2:
        return out
    return out + _differing_copies(found, believed)


def _missing_copies(
    found: list[Identity], believed: Identity, props: dict[str, Any], meta_rows: Any
) -> list[Finding]:
    """A copy absent: removed, or its signature cleared (its traces still there)."""
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
    return out


def _differing_copies(found: list[Identity], believed: Identity) -> list[Finding]:
    """Both copies there but not the same: which fields differ (or only the signature),
    and whether the one not believed was forged beside a verified one."""
    a, b = found
    diff = [k for k in ident.IDENTITY_FIELDS if a.fields.get(k) != b.fields.get(k)]
    if not diff and a.signature == b.signature:
        return []
    parts = _parts(a, b, diff)
    code, forged_zh = _forged(found, believed)
    return [
        make(
            code,
            parts="；".join(zh for zh, _ in parts),
            fields=", ".join(en for _, en in parts),
            forged_zh=forged_zh,
            believed_zh=_SOURCE_ZH[believed.source],
            believed=believed.source,
            value={k: a.fields.get(k, "") for k in diff} or a.signature,
            expected={k: b.fields.get(k, "") for k in diff} or b.signature,
            cell=f"{META_SHEET}!A1",
        )
    ]


def _parts(a: Identity, b: Identity, diff: list[str]) -> list[tuple[str, str]]:
    """Each differing field with both values (zh, en); the signatures when no field differs."""
    shown = {k: contrast(a.fields.get(k, ""), b.fields.get(k, "")) for k in diff}
    part = Code.ID_PROPERTIES_DIFFER
    return [
        fill(part, "part", field=_FIELD_ZH.get(k, k), field_id=k, a_zh=_SOURCE_ZH[a.source],
             a=shown[k][0], b_zh=_SOURCE_ZH[b.source], b=shown[k][1])
        for k in diff
    ] or [fill(part, "sign", a=contrast(a.signature, b.signature, 16)[0],
               b=contrast(a.signature, b.signature, 16)[1])]  # fmt: skip


def _forged(found: list[Identity], believed: Identity) -> tuple[Code, str]:
    """COPY_FORGED when a copy fails beside a verified one believed (the failing copy's
    place); else the copies merely differ."""
    forged = [i for i in found if not i.verified and i is not believed]
    code = Code.ID_COPY_FORGED if forged and believed.verified else Code.ID_PROPERTIES_DIFFER
    return code, _SOURCE_ZH[forged[0].source] if forged else ""
