"""The package's layers: a module imports only from its own layer or the ones below,
so the template writer never reaches up into the ledger, nor the ledger into the
summary. Lazy imports inside functions count too (they are still dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tianbao"

# lowest first; a module may import from its own layer and any layer before it
LAYERS: list[set[str]] = [
    {"__init__", "support", "errors", "problems", "schema_errors", "identity"},
    {"plan"},
    {"forms"},
    {"workspace"},
    {"read", "template"},
    {"validate"},
    {"ledger"},
    {"collect", "consolidate", "report", "planbook", "check"},
    {"api"},
    {"dev", "docs", "cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def top(module: str) -> str | None:
    """The package or module right under tianbao that ``module`` names (None: not ours)."""
    parts = module.split(".")
    if parts[0] != "tianbao":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, part of tianbao) of each import in the file, ``from tianbao import x``
    as ``x``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, t) for a in node.names if (t := top(a.name))]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tianbao":
                found += [(node.lineno, a.name) for a in node.names]
            elif t := top(node.module):
                found.append((node.lineno, t))
    return found


def upward_imports(src: Path) -> list[str]:
    bad = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src)
        here = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for line, there in imports(path):
            if there in RANK and RANK[there] > RANK[here]:
                bad.append(f"{rel}:{line}: {here} imports {there}, a layer above it")
    return bad


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in SRC.iterdir()}
    parts -= {"__pycache__", "__main__"}
    assert sorted(parts - RANK.keys()) == []


def test_no_module_imports_from_a_layer_above_it() -> None:
    assert upward_imports(SRC) == []


@pytest.mark.parametrize(
    ("where", "line", "upward"),
    [
        ("template/generate.py", "from tianbao.ledger.db import Ledger", True),
        ("template/generate.py", "    from tianbao.ledger import sqlite", True),
        ("ledger/status.py", "from tianbao import api", True),
        ("read/cells.py", "import tianbao.validate.engine", True),
        ("ledger/status.py", "from tianbao.template.content import build_content", False),
        ("api.py", "from tianbao.ledger.db import Ledger", False),
    ],
)
def test_upward_imports__found(tmp_path: Path, where: str, line: str, upward: bool) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f"def f() -> None:\n{line}\n" if line.startswith(" ") else f"{line}\n"
    path.write_text(body, encoding="utf-8")
    assert bool(upward_imports(tmp_path)) is upward
