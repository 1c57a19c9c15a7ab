"""Where the standard form layouts, schemas and samples live.

In a wheel they are packaged under ``tianbao/_resources``; in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resource_root() -> Path:
    package = Path(__file__).resolve().parents[1]  # src/tianbao
    packaged = package / "_resources"
    if packaged.is_dir():
        return packaged
    return package.parents[1]


def templates_dir() -> Path:
    return resource_root() / "templates"


def schemas_dir() -> Path:
    return resource_root() / "schemas"


def samples_dir() -> Path:
    return resource_root() / "samples"
