"""The forms the plan workbook's 报表 cell can name, as the office knows them: by Chinese
name (主要指标月报) or 表号 (目标01表), and by id (indicators_monthly) for older files.

The forms are those ``plan import`` would find (a workspace's ``forms/`` first, then the
standard ones): each layout's ``id``, ``title.zh`` and ``table_no``. A layout that does
not read is still a form by its file name (``check`` reports the file), so an id typed
in the cell is recognised exactly when ``tianbao.forms.load.locate`` finds it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tianbao.forms.load import search_dirs
from tianbao.support.yamlio import YamlProblem, load_yaml

# what an inline dropdown list may hold: Excel's limit on a list typed into a rule
INLINE_LIST_MAX = 255
_PIECES = re.compile(r"[,，、;；\n]+")


@dataclass(frozen=True)
class FormName:
    id: str
    title: str  # the Chinese name; "" when the layout does not say (or does not read)
    table_no: str  # 表号, "" when none


def _fold(text: str) -> str:
    """A name as compared: NFKC, no spaces, letters in one case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


@dataclass
class Named:
    """What a 报表 cell names: form ids in its order, words that name no form, and
    (word, the earlier word) of a form named twice."""

    ids: list[str]
    unknown: list[str]
    twice: list[tuple[str, str]]


class FormNames:
    """The known forms, standard order first (by 表号), and what each is called."""

    def __init__(self, forms: list[FormName]) -> None:
        self.forms = sorted(forms, key=lambda f: (f.table_no == "", f.table_no, f.id))
        titles = Counter(_fold(f.title) for f in self.forms if f.title)
        numbers = Counter(_fold(f.table_no) for f in self.forms if f.table_no)
        self._by: dict[str, str] = {}
        for f in self.forms:  # a name two forms share names neither
            for name, seen in ((f.title, titles), (f.table_no, numbers)):
                if name and seen[_fold(name)] == 1:
                    self._by.setdefault(_fold(name), f.id)
        for f in self.forms:
            self._by[_fold(f.id)] = f.id  # an id always names its own form

    @classmethod
    def of(cls, forms_dir: Path | None = None) -> FormNames:
        """The forms of a workspace's ``forms/`` folder and the standard ones."""
        found: dict[str, FormName] = {}
        for layouts, _schemas in search_dirs(forms_dir):
            if not layouts.is_dir():
                continue
            for path in sorted(layouts.glob("*.yaml")):
                if path.stem not in found:
                    found[path.stem] = _read(path)
        return cls(list(found.values()))

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.forms]

    def resolve(self, typed: str) -> str | None:
        """The id of the form ``typed`` names, or None."""
        return self._by.get(_fold(typed))

    def read(self, text: str) -> Named:
        """What a 报表 cell names. Split at commas and the like; a piece that names no
        form is tried word by word (ids of older files are separated by spaces too)."""
        out = Named([], [], [])
        typed: dict[str, str] = {}  # id -> how the cell first named it
        for piece in _PIECES.split(unicodedata.normalize("NFKC", text)):
            whole = self.resolve(piece) if piece.strip() else None
            for word in [piece.strip()] if whole else piece.split():
                form_id = self.resolve(word)
                if form_id is None:
                    out.unknown.append(word)
                elif form_id in typed:
                    out.twice.append((word, typed[form_id]))
                else:
                    typed[form_id] = word
                    out.ids.append(form_id)
        return out

    def label(self, form_id: str) -> str:
        """What the cell shows for ``form_id``: its Chinese name when that names it alone,
        else its 表号, else the id."""
        f = next((f for f in self.forms if f.id == form_id), None)
        for name in (f.title, f.table_no) if f else ():
            if name and self.resolve(name) == form_id:
                return name
        return form_id

    def labels(self) -> list[str]:
        """The dropdown's entries: one per form."""
        return [self.label(f.id) for f in self.forms]

    def accepted(self) -> str:
        """The accepted values, as a message lists them: 主要指标月报（目标01表）、…"""
        shown = []
        for f in self.forms:
            name = self.label(f.id)
            also = f.table_no if f.table_no and f.table_no != name else ""
            shown.append(f"{name}（{also}）" if also and self.resolve(also) == f.id else name)
        return "、".join(shown)


def _read(path: Path) -> FormName:
    try:
        data: Any = load_yaml(path).data
    except YamlProblem:
        data = None
    if not isinstance(data, dict):
        return FormName(path.stem, "", "")
    title = data.get("title")
    zh = title.get("zh") if isinstance(title, dict) else None
    table_no = data.get("table_no")
    return FormName(
        path.stem,
        zh.strip() if isinstance(zh, str) else "",
        table_no.strip() if isinstance(table_no, str) else "",
    )
