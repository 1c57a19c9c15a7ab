"""Form layouts checked and parsed once per change, not once per command.

Checking a layout and its record schema against their JSON Schemas took about a
fifth of a second of every command's start. A layout that passed leaves an empty
mark in the workspace's cache folder, named by a key over everything that
decides the check: the layout's bytes, its record schema's bytes, the layout
schema's bytes, tianbao's version and MARK_FORMAT (like the plan cache in
tianbao.plan.cache). Any edit misses and checks again. A mark holds no data, so
a forged one can only skip a check of files the office itself wrote; the form is
still built from the files. Every failure to read or write a mark is a miss.

Parsing the files with their line map then took most of a command's start (~8 ms for
the sample's 4 forms). A layout or record schema that was part of a form that loaded
with no problems leaves its parsed data as JSON (``ParseCache``), under a key over its
bytes, tianbao's version and PARSE_FORMAT, so the next command reads the JSON instead.
A parse from the cache has no line numbers: load_form loads again from the files when
a problem turns up with a cached parse in play, so every message still names its line.
JSON, never pickle (reading a cache must not run code); every failure to read or write
one is a miss; the key is kept inside against a file renamed onto another's name. Unlike
a mark, a parse holds data: like the plan cache it is trusted as the office's own (it
sits beside plan.yaml, which only the office writes), and one that does not fit its form
(an error while building it) is a miss too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from tianbao import __version__
from tianbao.support.atomic import write_json_atomic
from tianbao.support.yamlio import LoadedYaml, parse_yaml_bytes

MARK_FORMAT = 1
PREFIX = "form-checked-"
# Bump when what parse_yaml_bytes gives changes without a new __version__.
PARSE_FORMAT = 1
PARSED_PREFIX = "form-parsed-"


def mark_key(*parts: bytes) -> str:
    """sha256 over the length-prefixed parts, tianbao's version and MARK_FORMAT."""
    h = hashlib.sha256()
    for part in (*parts, __version__.encode(), str(MARK_FORMAT).encode()):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def _mark(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{PREFIX}{key}"


def was_checked(cache_dir: Path | None, key: str) -> bool:
    if cache_dir is None:
        return False
    try:
        return _mark(cache_dir, key).is_file()
    except OSError:
        return False


def mark_checked(cache_dir: Path | None, key: str) -> None:
    """Leave the mark; a read-only workspace or a full disk just checks next time."""
    if cache_dir is None:
        return
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        _mark(cache_dir, key).touch()


def parse_key(raw: bytes) -> str:
    """The key of a file's parse: its bytes, tianbao's version and PARSE_FORMAT."""
    return mark_key(b"parsed", str(PARSE_FORMAT).encode(), raw)


def parsed_file(cache_dir: Path, name: str, key: str) -> Path:
    """The file's name is in it so an edit can drop the parse of the file's old bytes."""
    return cache_dir / f"{PARSED_PREFIX}{name}-{key}.json"


def read_parsed(cache_dir: Path, name: str, key: str) -> dict[str, Any] | None:
    """The parsed data cached for ``key``, or None for a missing, unreadable or damaged
    file (only mappings are cached: a layout and a record schema are mappings)."""
    try:
        doc = json.loads(parsed_file(cache_dir, name, key).read_bytes())
    except (OSError, ValueError, RecursionError):  # ValueError: bad JSON, bad UTF-8
        return None
    if not isinstance(doc, dict) or doc.get("format") != PARSE_FORMAT or doc.get("key") != key:
        return None
    data = doc.get("data")
    return data if isinstance(data, dict) else None


def write_parsed(cache_dir: Path, name: str, key: str, data: dict[str, Any]) -> bool:
    """Store the parsed ``data`` of file ``name`` under ``key`` and drop the file's older
    parses; False if it could not."""
    target = parsed_file(cache_dir, name, key)
    if not write_json_atomic(target, {"format": PARSE_FORMAT, "key": key, "data": data}):
        return False
    older = re.compile(re.escape(f"{PARSED_PREFIX}{name}-") + r"[0-9a-f]{64}\.json")
    for old in cache_dir.glob(f"{PARSED_PREFIX}*.json"):
        if old.name != target.name and older.fullmatch(old.name):
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)
    return True


class ParseCache:
    """parse_yaml_bytes through the cache of one form's load. ``hits`` says whether a
    parse without line numbers is in play; ``store`` keeps the misses once the form
    loaded with no problems. ``trust=False`` parses every file (and stores them)."""

    def __init__(self, cache_dir: Path, trust: bool = True) -> None:
        self.cache_dir = cache_dir
        self.trust = trust
        self.hits = 0
        self.misses: list[tuple[str, str, LoadedYaml]] = []

    def __call__(self, raw: bytes, path: Path) -> LoadedYaml:
        key = parse_key(raw)
        data = read_parsed(self.cache_dir, path.name, key) if self.trust else None
        if data is not None:
            self.hits += 1
            return LoadedYaml(data)
        loaded = parse_yaml_bytes(raw)
        self.misses.append((path.name, key, loaded))
        return loaded

    def store(self) -> None:
        for name, key, loaded in self.misses:
            write_parsed(self.cache_dir, name, key, loaded.data)
        self.misses.clear()
