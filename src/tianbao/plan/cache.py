"""A cache of the checked plan, so a command does not parse a large plan.yaml every time.

Parsing a 20,000-project plan with its line map takes seconds; the JSON of the same data
loads in a tenth of that. A cache file holds the raw plan data of a plan that loaded with no
problems, under a key over everything that decides that data and its soundness: the plan's
bytes, the plan schema's bytes, tianbao's version and CACHE_FORMAT. Any edit misses.

The file also holds the plan's fingerprint (sha256 of its canonical JSON, which every
command that reads or writes a return needs): worked out once per change, not per command.

JSON, never pickle: reading a cache must not be able to run code. Every failure to read or
write the cache is a miss, never an error: plan.yaml stays the truth.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from tianbao import __version__
from tianbao.support.atomic import write_json_atomic

# Bump when what loading accepts or produces changes without a new __version__.
# 2: codes plain and unique in any case, text without control characters;
# 3: the plan's fingerprint kept beside it
CACHE_FORMAT = 3
PREFIX = "plan-"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def cache_key(plan_bytes: bytes, schema_bytes: bytes) -> str:
    """sha256 over the length-prefixed inputs, so no two input tuples share a key."""
    h = hashlib.sha256()
    for part in (plan_bytes, schema_bytes, __version__.encode(), str(CACHE_FORMAT).encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{PREFIX}{key}.json"


def read_cached(cache_dir: Path, key: str) -> tuple[dict[str, Any], str] | None:
    """(raw plan, fingerprint) cached for ``key``, or None for a missing, unreadable or
    damaged file."""
    try:
        doc = json.loads(cache_file(cache_dir, key).read_bytes())
    except (OSError, ValueError, RecursionError):  # ValueError covers bad JSON and bad UTF-8
        return None
    # the key inside guards against a file copied or renamed onto another key's name
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT or doc.get("key") != key:
        return None
    plan, fingerprint = doc.get("plan"), doc.get("fingerprint")
    if not isinstance(plan, dict) or not isinstance(fingerprint, str):
        return None
    return (plan, fingerprint) if _SHA256.fullmatch(fingerprint) else None


def write_cached(cache_dir: Path, key: str, plan: dict[str, Any], fingerprint: str) -> bool:
    """Store ``plan`` and its fingerprint under ``key`` and drop older plan caches; False
    if it could not."""
    target = cache_file(cache_dir, key)
    doc = {"format": CACHE_FORMAT, "key": key, "fingerprint": fingerprint, "plan": plan}
    if not write_json_atomic(target, doc):
        return False
    # only the newest plan is worth keeping; a concurrent reader of an old one just misses
    for old in cache_dir.glob(f"{PREFIX}*.json"):
        if old.name != target.name:
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)
    return True
