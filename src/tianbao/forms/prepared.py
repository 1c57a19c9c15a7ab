"""What a loaded form's checks work out once and use for every row of every return
(compiled rules, the quick test of each field), kept beside the form, not in it: a
form must stay picklable (workers send records back), and these are functions."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from tianbao.forms.model import FormDef

T = TypeVar("T")

# (id(form), what) -> (the form, weakly, so that an id used again is never mistaken; the value)
_KEPT: dict[tuple[int, str], tuple[weakref.ref[FormDef], Any]] = {}


def prepared(form: FormDef, what: str, build: Callable[[FormDef], T]) -> T:
    """``build(form)``, worked out once per loaded form and ``what``."""
    key = (id(form), what)
    kept = _KEPT.get(key)
    if kept is not None and kept[0]() is form:
        return kept[1]
    value = build(form)
    _KEPT[key] = (weakref.ref(form, _forget(key)), value)
    return value


def _forget(key: tuple[int, str]) -> Callable[[weakref.ref[FormDef]], None]:
    """Drops a form's entry when the form goes (before its id can be used again)."""

    def drop(_: weakref.ref[FormDef]) -> None:
        _KEPT.pop(key, None)

    return drop
