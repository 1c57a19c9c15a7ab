"""Template identity and its signature.

Every generated workbook carries who it is for (department, period), what it
was built from (plan version and fingerprint, form versions) and a digest of
every pre-filled value; an HMAC over all of that with the workspace secret
proves at validation time that the identity and the pre-filled cells were not
forged or edited. The secret itself is never written into a workbook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

FORMAT = "tianbao-template/1"
# the fields signed, in this order; also the custom document property names
# (prefixed with "tianbao_") — one property each, as Excel caps a text
# property at 255 characters
IDENTITY_FIELDS = (
    "format",
    "template_id",
    "district",
    "year",
    "period",
    "department",
    "plan_version",
    "plan_fingerprint",
    "forms",
    "generated_at",
    "prefill_digest",
)
PROPERTY_PREFIX = "tianbao_"
SIGNATURE_PROPERTY = "tianbao_signature"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def prefill_digest(prefill: dict[str, list[tuple[str, dict[str, Any]]]]) -> str:
    """sha256 over {form id: [(row key, {field: value})...]} of the pre-filled cells."""
    return hashlib.sha256(canonical(prefill)).hexdigest()


def sign(secret: bytes, identity: dict[str, str]) -> str:
    payload = canonical({k: str(identity.get(k, "")) for k in IDENTITY_FIELDS})
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def verify(secret: bytes, identity: dict[str, str], signature: str) -> bool:
    return hmac.compare_digest(sign(secret, identity), signature.strip().lower())


def forms_text(versions: dict[str, int]) -> str:
    """'indicators_monthly:1,projects_progress:1' (sorted, stable)."""
    return ",".join(f"{k}:{v}" for k, v in sorted(versions.items()))


def parse_forms_text(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in text.split(","):
        if ":" in part:
            name, _, ver = part.partition(":")
            try:
                out[name.strip()] = int(float(ver))
            except ValueError:
                continue
    return out
