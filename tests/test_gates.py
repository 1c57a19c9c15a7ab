"""The structure gates of scripts/gates.py: each fails on a small tree made to breach it, and the
project's own tree passes them all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from helpers import ROOT


def _gates() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gates", ROOT / "scripts" / "gates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gates", module)
    spec.loader.exec_module(module)
    return module


gates = _gates()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "tianbao"
    for name, text in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return 1", 1),
        ("if a:\n        return 1\n    return 2", 2),
        ("if a and b and c:\n        return 1", 4),  # ruff's C901 counts this as 2
        ("return [x for x in a if x if not x]", 4),
        ("return a or b", 2),
        ("while a:\n        pass", 2),
        ("try:\n        pass\n    except A:\n        pass\n    except B:\n        pass", 3),
        ("match a:\n        case 1:\n            pass\n        case _:\n            pass", 3),
        ("def inner():\n        if a:\n            pass\n    return inner", 1),
        ("return 1 if a else 2", 2),
    ],
)
def test_complexity__counts_branches_and_boolean_operators(
    tmp_path: Path, body: str, expected: int
) -> None:
    src = _tree(tmp_path, {"m.py": f"def f(a, b, c):\n    {body}\n"})
    assert gates.function_complexities(src)["m.py:f"] == expected


def _branchy(n: int) -> str:
    return "def f(a):\n" + "".join(f"    if a == {i}:\n        return {i}\n" for i in range(n))


def test_complexity__over_the_limit_fails_unless_listed_with_a_ceiling(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"m.py": _branchy(16)})  # 17
    assert gates.complexity_breaches(src, {}) == [
        "m.py:f: complexity 17 (boolean operators counted), over 15: split it into steps with names"
    ]
    assert gates.complexity_breaches(src, {"m.py:f": (17, "why")}) == []
    assert "over 16" in gates.complexity_breaches(src, {"m.py:f": (16, "why")})[0]


def test_complexity__an_exception_no_longer_needed_must_leave_the_list(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"m.py": _branchy(3)})
    assert "drop its exception" in gates.complexity_breaches(src, {"m.py:f": (20, "why")})[0]
    assert "no longer exists" in gates.complexity_breaches(src, {"m.py:g": (20, "why")})[0]


def test_size__a_module_over_400_lines_fails(tmp_path: Path) -> None:
    src = _tree(tmp_path, {"ok.py": "x = 1\n" * 400, "big.py": "x = 1\n" * 401})
    assert gates.size_breaches(src) == ["big.py: 401 lines, over 400: split it along a seam"]


LAYERS = [{"__init__", "support"}, {"read"}, {"ledger"}]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"read/a.py": "from tianbao.support import x\n"}, []),
        (
            {"read/a.py": "from tianbao.ledger.db import x\n", "ledger/b.py": ""},
            ["read/a.py: imports ledger from the floor above read: an upward arrow"],
        ),
        (  # an import inside a function counts as much as one at the top
            {"support/a.py": "def f():\n    from ..read import x\n", "read/b.py": ""},
            ["support/a.py: imports read from the floor above support: an upward arrow"],
        ),
        (
            {"extra/a.py": ""},
            ["extra: a room on no floor: place it in LAYERS of scripts/gates.py"],
        ),
    ],
)
def test_layers__upward_arrows_and_unplaced_rooms_fail(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    src = _tree(tmp_path, files)
    assert gates.layer_breaches(src, LAYERS) == expected


def test_layers__a_cycle_on_one_floor_fails(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {"read/a.py": "from tianbao.ledger import x\n", "ledger/b.py": "from tianbao import read"},
    )
    breaches = gates.layer_breaches(src, [{"__init__"}, {"read", "ledger"}])
    assert breaches == ["import cycle: ledger → read → ledger"]


@pytest.mark.slow
def test_the_project_passes_its_gates() -> None:
    src = ROOT / "src" / "tianbao"
    assert (
        gates.size_breaches(src) + gates.complexity_breaches(src) + gates.layer_breaches(src) == []
    )
