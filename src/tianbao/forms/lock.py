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
from dataclasses import replace
from pathlib import Path
from typing import Any

from tianbao.forms.model import Column, FormDef
from tianbao.support.atomic import write_atomic

LOCK_FILE = "forms.lock.json"
_NOT_LAYOUT = ("rules", "quality", "version")  # what is checked, not what is filled
_LOOKS = ("width",)


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


def _layout(form: FormDef) -> dict[str, Any]:
    return json.loads(
        json.dumps({k: v for k, v in form.raw.items() if k not in _NOT_LAYOUT}, default=str)
    )


def record(state_dir: Path, forms: list[FormDef]) -> None:
    """Remember the forms templates were issued with (a raised version replaces), and
    every issued version's layout: a return on an older version can still be read
    when the newer one only added columns the clerk may leave empty."""
    lock = read_lock(state_dir)
    changed = False
    for form in forms:
        entry = lock.get(form.id)
        if not isinstance(entry, dict) or int(entry.get("version", -1)) < form.version:
            layouts = entry.get("layouts") if isinstance(entry, dict) else None
            layouts = dict(layouts) if isinstance(layouts, dict) else {}
            layouts[str(form.version)] = _layout(form)
            lock[form.id] = {
                "version": form.version,
                "fingerprint": fingerprint(form),
                "layouts": layouts,
            }
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
            layouts = entry.get("layouts")
            issued = layouts.get(str(form.version)) if isinstance(layouts, dict) else None
            if not isinstance(issued, dict) or _read_part(issued) != _read_part(_layout(form)):
                out.append((form, form.version + 1))
    return out


def _read_part(layout: dict[str, Any]) -> dict[str, Any]:
    """The layout less what only changes how a sheet looks (column widths): a template
    issued before such a change reads back the same."""
    cols = [
        {k: v for k, v in c.items() if k not in _LOOKS} if isinstance(c, dict) else c
        for c in layout.get("columns") or []
    ]
    return {**layout, "columns": cols}


def _kept_layout(state_dir: Path, form: FormDef, version: int) -> dict[str, Any] | None:
    """The layout recorded for an older ``version`` of the form, or None."""
    entry = read_lock(state_dir).get(form.id)
    layouts = entry.get("layouts") if isinstance(entry, dict) else None
    old = layouts.get(str(version)) if isinstance(layouts, dict) else None
    return old if isinstance(old, dict) and version < form.version else None


def _without_columns(layout: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in layout.items() if k != "columns"}


def _optional_entry(column: Column | None, required: set[str]) -> bool:
    """A column a department may leave blank: typed in, not prefilled, not required."""
    return (
        column is not None
        and column.entry
        and not column.prefill
        and (column.field not in required)
    )


def older_view(state_dir: Path, form: FormDef, version: int) -> tuple[FormDef, list[Column]] | None:
    """The form as issued under an older ``version``, when the current layout differs
    from it only by added optional entry columns: (the current form narrowed to the
    old columns, the columns added). None: not kept, or changed more."""
    old = _kept_layout(state_dir, form, version)
    now = _layout(form)
    if old is None or _without_columns(old) != _without_columns(now):
        return None
    old_cols = old.get("columns") or []
    added = _added_columns(form, now["columns"], old_cols)
    if added is None:
        return None
    fields = {c["field"] for c in old_cols}
    view = replace(form, version=version, columns=[c for c in form.columns if c.field in fields])
    return view, added


def _added_columns(
    form: FormDef, now_cols: list[dict[str, Any]], old_cols: list[dict[str, Any]]
) -> list[Column] | None:
    """The optional entry columns added to the old ones; None when a column changed, went,
    moved or a required one came."""
    if [c for c in now_cols if c in old_cols] != old_cols:
        return None
    required = set(form.required_fields)
    added = [form.column(c["field"]) for c in now_cols if c not in old_cols]
    if not all(_optional_entry(c, required) for c in added):
        return None
    return [c for c in added if c is not None]
