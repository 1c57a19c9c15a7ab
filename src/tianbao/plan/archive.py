"""Every plan templates were issued from, kept by its fingerprint in
``WS/.tianbao/plans/<fingerprint>.json``, with which periods and departments got one.

A template names the plan it was made from (its fingerprint). When the office revises
the plan (the mid-year adjustment, a contact's phone), validation finds the template's
own plan here and judges the return against what that template showed: a department
whose pre-filled rows did not change is not affected at all, and a figure the office
revised reads 「计划已调整：1800 → 1500」, not as the clerk's edit. A template older
than the archive (or from another workspace) is still ID_OLD_PLAN.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.support.atomic import write_atomic

PLANS_DIR = "plans"
ISSUED_FILE = "issued.json"
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
MAX_PLAN_BYTES = 64 * 1024 * 1024  # our own files; a bound all the same


def remember(state_dir: Path, plan: Plan, period: str, departments: list[str]) -> None:
    """Keep ``plan`` (once per fingerprint) and note the templates issued from it."""
    folder = state_dir / PLANS_DIR
    path = folder / f"{plan.fingerprint}.json"
    if not path.exists():
        text = json.dumps(plan.raw, ensure_ascii=False, sort_keys=True, indent=1)
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    issued = read_issued(state_dir)
    entry = {"version": plan.version, "periods": {}, "order": len(issued) + 1}
    periods = issued.setdefault(plan.fingerprint, entry)
    codes = set(periods["periods"].get(period, [])) | set(departments)
    if codes != set(periods["periods"].get(period, [])):
        periods["periods"][period] = sorted(codes)
        text = json.dumps(issued, ensure_ascii=False, sort_keys=True, indent=1)
        write_atomic(folder / ISSUED_FILE, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def recall(state_dir: Path, fingerprint: str) -> Plan | None:
    """The plan of that fingerprint, if templates were issued from it here; else None
    (also for a damaged or altered file: its content must have that fingerprint)."""
    if not _FINGERPRINT.fullmatch(fingerprint or ""):
        return None
    path = state_dir / PLANS_DIR / f"{fingerprint}.json"
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            return None
        plan = Plan.from_raw(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return plan if plan.fingerprint == fingerprint else None


def read_issued(state_dir: Path) -> dict[str, Any]:
    """{fingerprint: {"version": n, "periods": {period: [department, ...]}}}."""
    try:
        data = json.loads((state_dir / PLANS_DIR / ISSUED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def in_force(state_dir: Path, plan: Plan, period: Period) -> Plan:
    """The plan whose rows and targets apply to ``period``: ``plan`` itself unless its
    dated revision (``revision.effective``) begins after ``period``; then the latest
    kept plan of a lower version that applies to ``period`` (what that period's
    templates were issued from). With none kept, ``plan`` (check says so)."""
    if plan.applies_to(period):
        return plan
    best: tuple[tuple[int, int], Plan] | None = None
    for fp, entry in read_issued(state_dir).items():
        if not isinstance(entry, dict) or fp == plan.fingerprint:
            continue
        old = recall(state_dir, fp)
        if old is None or old.year != plan.year or old.version >= plan.version:
            continue
        if not old.applies_to(period):
            continue
        order = entry.get("order")
        rank = (old.version, order if isinstance(order, int) else 0)
        if best is None or rank > best[0]:
            best = (rank, old)
    return plan if best is None else best[1]
