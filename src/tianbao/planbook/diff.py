"""What an import changes in the plan: rows added, removed and changed, per department,
in the words of the plan workbook (its sheet names and column headers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tianbao.planbook.sheets import BASICS, SHEETS, Col

_KEYS = {"departments": "code", "indicators": "code", "projects": "id", "tasks": "id"}
_KEYS["livelihood"] = "id"
_NAMES = {"tasks": "keyword"}  # the rest are called by their name
_ACTIONS_EN = {"新增": "added", "修改": "changed", "删除": "removed"}
_FORMS_HEADER = next(c.header for c in BASICS if c.path == "reporting.forms")


@dataclass(frozen=True)
class Change:
    department: str  # the responsible department's code; "" for the plan as a whole
    action: str  # 新增 | 删除 | 修改
    sheet: str
    key: str  # the row's code or id ("" for 基本信息)
    name: str
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (column header, before, after)

    def text(self) -> str:
        """「中文 | English」: the sheet, headers and values are the workbook's own."""
        what = f"{self.sheet} {self.key}「{self.name}」" if self.key else self.sheet
        en_action = _ACTIONS_EN.get(self.action, self.action)
        if not self.fields:
            return f"{self.action} {what} | {en_action} {what}"
        details = "；".join(f"{h} {_show(a)} → {_show(b)}" for h, a, b in self.fields)
        en = "; ".join(f"{h} {_show(a, True)} → {_show(b, True)}" for h, a, b in self.fields)
        return f"{self.action} {what}：{details} | {en_action} {what}: {en}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "action": self.action,
            "sheet": self.sheet,
            "key": self.key,
            "name": self.name,
            "fields": [{"column": h, "before": a, "after": b} for h, a, b in self.fields],
        }


def plan_changes(
    old: dict[str, Any] | None, new: dict[str, Any], form: Callable[[str], str] = str
) -> list[Change]:
    """The changes from ``old`` plan data to ``new``, basics first, then sheet by sheet;
    ``form``: a form's id as the 报表 cell shows it (its Chinese name)."""
    old = old if isinstance(old, dict) else {}
    out: list[Change] = []
    basics = tuple(
        (h, *(_forms(v, form) for v in (a, b))) if h == _FORMS_HEADER else (h, a, b)
        for h, a, b in _fields(BASICS, old, new)
    )
    if basics:
        out.append(Change("", "修改", "基本信息", "", "", basics))
    cols = {s.collection: s for s in SHEETS}
    for collection, key in _KEYS.items():
        sheet = cols[collection]
        before = _by_key(old.get(collection), key)
        after = _by_key(new.get(collection), key)
        for k, row in after.items():
            if k not in before:
                out.append(_change("新增", sheet.name, collection, k, row))
            else:
                fields = _fields(sheet.cols, before[k], row)
                if collection == "projects":
                    fields += _milestones(before[k], row)
                if fields:
                    out.append(_change("修改", sheet.name, collection, k, row, fields))
        for k, row in before.items():
            if k not in after:
                out.append(_change("删除", sheet.name, collection, k, row))
    return out


def _change(
    action: str, sheet: str, collection: str, key: str, row: dict[str, Any], fields: tuple = ()
) -> Change:
    dept = str(row.get("code" if collection == "departments" else "department") or "")
    name = row.get(_NAMES.get(collection, "name"))
    if isinstance(name, dict):  # an indicator's {zh, en}
        name = name.get("zh")
    return Change(dept, action, sheet, key, str(name or ""), fields)


def _by_key(rows: Any, key: str) -> dict[str, dict[str, Any]]:
    return {str(r.get(key)): r for r in rows or [] if isinstance(r, dict)}


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _fields(cols: Sequence[Col], before: dict[str, Any], after: dict[str, Any]) -> tuple:
    out = []
    for col in cols:
        a, b = _get(before, col.path), _get(after, col.path)
        if a != b:
            out.append((col.header, col.label(a), col.label(b)))
    return tuple(out)


def _forms(value: Any, form: Callable[[str], str]) -> Any:
    return [form(str(v)) for v in value] if isinstance(value, list) else value


def _milestones(before: dict[str, Any], after: dict[str, Any]) -> tuple:
    a, b = before.get("milestones") or [], after.get("milestones") or []
    if a == b:
        return ()
    return (("里程碑", f"{len(a)} 个节点", f"{len(b)} 个节点"),)


def _show(value: Any, en: bool = False) -> str:
    if value is None:
        return "(empty)" if en else "（空）"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)
