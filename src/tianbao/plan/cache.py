"""A cache of the checked plan, so a command does not parse a large plan.yaml every time.

Parsing a 20,000-project plan with its line map takes seconds; the JSON of the same data
loads in a tenth of that. A cache file holds the raw plan data of a plan that loaded with no
problems, under a key over everything that decides that data and its soundness: the plan's
bytes, the plan schema's bytes, tianbao's version and CACHE_FORMAT. Any edit misses.

JSON, never pickle: reading a cache must not be able to run code. Every failure to read or
write the cache is a miss, never an error: plan.yaml stays the truth.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from tianbao import __version__
from tianbao.support.atomic import write_atomic

# Bump when what loading accepts or produces changes without a new __version__.
CACHE_FORMAT = 2  # 2: codes plain and unique in any case, text without control characters
PREFIX = "plan-"


def cache_key(plan_bytes: bytes, schema_bytes: bytes) -> str:
    """sha256 over the length-prefixed inputs, so no two input tuples share a key."""
    h = hashlib.sha256()
    for part in (plan_bytes, schema_bytes, __version__.encode(), str(CACHE_FORMAT).encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{PREFIX}{key}.json"


def read_cached(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cached raw plan for ``key``, or None for a missing, unreadable or damaged file."""
    try:
        doc = json.loads(cache_file(cache_dir, key).read_bytes())
    except (OSError, ValueError, RecursionError):  # ValueError covers bad JSON and bad UTF-8
        return None
    # the key inside guards against a file copied or renamed onto another key's name
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT or doc.get("key") != key:
        return None
    plan = doc.get("plan")
    return plan if isinstance(plan, dict) else None


def write_cached(cache_dir: Path, key: str, plan: dict[str, Any]) -> bool:
    """Store ``plan`` under ``key`` and drop older plan caches; False if it could not."""
    try:
        data = json.dumps(
            {"format": CACHE_FORMAT, "key": key, "plan": plan},
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        ).encode("utf-8")
    except (TypeError, ValueError):  # not JSON, or a lone surrogate UTF-8 refuses: no cache
        return False
    target = cache_file(cache_dir, key)
    try:
        write_atomic(target, lambda tmp: tmp.write_bytes(data))
    except OSError:  # read-only workspace, full disk, a file where the folder should be
        return False
    # only the newest plan is worth keeping; a concurrent reader of an old one just misses
    for old in cache_dir.glob(f"{PREFIX}*.json"):
        if old.name != target.name:
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)
    return True
