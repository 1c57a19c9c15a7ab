"""What the templates already issued were made with: each form's version and a
fingerprint of its layout, kept in ``WS/.tianbao/forms.lock.json``.

``generate`` records the forms it used; ``check`` refuses a layout that changed
under the same version (the templates issued with it would no longer match what
validation expects: 「表头被修改」 for every return), asking for the version to be
raised instead. Audit rules are not part of the fingerprint: they change what is
checked, not the sheet a department fills.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tianbao.forms.model import FormDef
from tianbao.support.atomic import write_atomic

LOCK_FILE = "forms.lock.json"
_NOT_LAYOUT = ("rules", "version")


def fingerprint(form: FormDef) -> str:
    """sha256 of the layout as the template writer uses it (rules and version left out)."""
    layout = {k: v for k, v in form.raw.items() if k not in _NOT_LAYOUT}
    text = json.dumps(layout, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_lock(state_dir: Path) -> dict[str, dict[str, Any]]:
    """{form id: {"version": n, "fingerprint": sha}}; {} before the first generate."""
    path = state_dir / LOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(state_dir: Path, forms: list[FormDef]) -> None:
    """Remember the forms templates were issued with (a raised version replaces)."""
    lock = read_lock(state_dir)
    changed = False
    for form in forms:
        entry = lock.get(form.id)
        if not isinstance(entry, dict) or int(entry.get("version", -1)) < form.version:
            lock[form.id] = {"version": form.version, "fingerprint": fingerprint(form)}
            changed = True
    if changed:
        text = json.dumps(lock, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomic(state_dir / LOCK_FILE, lambda p: p.write_text(text, encoding="utf-8"))


def changed_without_version(state_dir: Path, forms: list[FormDef]) -> list[tuple[FormDef, int]]:
    """Forms whose layout differs from the one issued under the same version:
    (form, the version to raise it to)."""
    lock = read_lock(state_dir)
    out = []
    for form in forms:
        entry = lock.get(form.id)
        if not isinstance(entry, dict):
            continue
        same_version = int(entry.get("version", -1)) == form.version
        if same_version and entry.get("fingerprint") != fingerprint(form):
            out.append((form, form.version + 1))
    return out
