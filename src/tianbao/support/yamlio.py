"""Safe YAML loading that remembers the line of every value.

check reports problems as ``file:line: path``; PyYAML's composed node tree has
the marks, so we compose once and construct from the same nodes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Plans are the office's own files (50,000 projects is ~13 MB); the limit only refuses
# absurd ones before reading them whole.
MAX_YAML_BYTES = 256 * 1024 * 1024

Path_ = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line (1-based) of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# libyaml's parser when present: about 10x faster on a 2,000-line plan, same marks
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that refuses duplicate mapping keys (a silent overwrite otherwise)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # a list or mapping as key
                raise YamlProblem(
                    "键不能是列表或映射 a key cannot be a list or mapping",
                    key_node.start_mark.line + 1,
                ) from None
            if duplicate:
                raise YamlProblem(
                    f"重复的键 {key!r} | duplicate key {key!r}", key_node.start_mark.line + 1
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML raises bare ValueError for values like ``2014-02-30`` or ``!!int abc``;
        and ``.nan`` / ``.inf`` would pass every JSON Schema bound, so refuse them here."""
        try:
            value = super().construct_object(node, deep=deep)
        except (ValueError, TypeError) as exc:
            shown = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            raise YamlProblem(
                f"无法读取的值 {shown!r}：{exc} | invalid value {shown!r}: {exc}",
                node.start_mark.line + 1,
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise YamlProblem(
                f"不是有限的数：{node.value!r} | not a finite number: {node.value!r}",
                node.start_mark.line + 1,
            )
        return value


class _Aliased(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _walk(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], seen: set[int] | None = None
) -> None:
    """Line of every value. A node met twice is an alias (``*x``): plans need none, and
    an alias bomb (each level naming the one below ten times) expands exponentially
    in everything that walks the data, so the first one is refused."""
    seen = set() if seen is None else seen
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in seen:
            raise _Aliased(node.start_mark.line + 1)
        seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _walk(value_node, (*path, str(key_node.value)), lines, seen)
            # a key's own line is where a problem about the key should point
            key_path = (*path, str(key_node.value))  # (Python 3.10 has no *a in a subscript)
            lines[key_path] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, seen)


def load_yaml(path: Path) -> LoadedYaml:
    """Load ``path``; raise YamlProblem with a Chinese/English message on any failure."""
    return parse_yaml_bytes(read_yaml_bytes(path))


def read_yaml_bytes(path: Path) -> bytes:
    """The bytes of ``path``, refusing a missing, unreadable or absurdly large file.

    Separate from parsing so a caller can key a cache on exactly the bytes it parses."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise YamlProblem("文件不存在 file not found") from None
    except OSError as exc:
        raise YamlProblem(f"无法读取 cannot read: {exc.strerror}") from None
    if path.is_dir():
        raise YamlProblem("这是一个目录，不是文件 is a directory, not a file")
    if size > MAX_YAML_BYTES:
        raise YamlProblem(
            f"文件过大（{size} 字节，上限 {MAX_YAML_BYTES}） | "
            f"file too large ({size} bytes > {MAX_YAML_BYTES})"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise YamlProblem(f"无法读取 cannot read: {exc.strerror}") from None


def parse_yaml_bytes(raw: bytes) -> LoadedYaml:
    """Parse the bytes of a YAML file; raise YamlProblem on any failure."""
    if b"\x00" in raw:
        raise YamlProblem("不是文本文件（含二进制内容） binary file, not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(
            f"不是 UTF-8 编码（第 {exc.start} 字节） | not UTF-8 (byte {exc.start})"
        ) from None
    if not text.strip():
        raise YamlProblem("文件为空 file is empty")
    try:
        loader = _UniqueKeyLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise YamlProblem("文件为空 file is empty")
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise YamlProblem(f"YAML 语法错误 syntax error: {exc.problem}", line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlProblem(f"YAML 错误 error: {exc}") from None
    lines: dict[Path_, int] = {}
    try:
        _walk(node, (), lines)
        return LoadedYaml(_jsonable(data), lines)
    except _Aliased as exc:
        raise YamlProblem(
            "不支持 YAML 别名（*名称），请把内容直接写出 YAML aliases are not supported: "
            "write the values out",
            exc.line,
        ) from None
    except RecursionError:  # an alias inside its own anchor: `a: &x [*x]`
        raise YamlProblem("循环引用或嵌套过深 recursive alias or nesting too deep") from None


def _jsonable(value: Any) -> Any:
    """YAML gives dates and non-string keys; JSON Schema wants JSON types."""
    import datetime as dt

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
