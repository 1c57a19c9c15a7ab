"""A checked rule expression as one Python function, for the rows of every return.

Nested closures (``expr._compile``) cost a Python call per node and per name, for
every rule of every row. Here the tree, already checked by ``expr._check`` (only
the language's operators, its functions, names and plain constants), is written
once as the text of one lambda over the scope ``s`` and compiled: same order of
evaluation, same short-circuits, same results, same ``Missing``. The text is made
from the tree, never from what the user typed: names are written with repr(),
constants and functions are bound by name in the lambda's globals. When Python
refuses the text (nesting too deep), ``compile_expr`` returns None and the
caller keeps its closures.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMP = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_UNARY = {ast.Not: "not ", ast.USub: "-", ast.UAdd: "+"}
_NAMED = {"True": True, "False": False, "None": None}


class _Writer:
    """The lambda's text, and the globals it names (constants, functions)."""

    def __init__(
        self,
        key_of: Callable[[ast.AST], str],
        functions: Mapping[str, Callable[..., Any]],
        blank_aware: Mapping[str, Callable[..., Any]],
        aggregates: tuple[str, ...],
    ) -> None:
        self.key_of, self.functions = key_of, functions
        self.blank_aware, self.aggregates = blank_aware, aggregates
        self.names: dict[str, Any] = {}

    def bind(self, value: Any) -> str:
        name = f"_g{len(self.names)}"
        self.names[name] = value
        return name

    def const(self, value: Any) -> str:
        if type(value) in (int, str, bool, type(None)) or (
            type(value) is float and math.isfinite(value)
        ):
            return repr(value)  # reads back as the same value
        return self.bind(value)

    def lookup(self, key: str, blank: bool) -> str:
        if blank:
            return f"s.get({key!r})"
        # expr._lookup: a blank (None or '') raises Missing(key)
        return f"(_v if (_v := s.get({key!r})) is not None and _v != '' else _missing({key!r}))"

    def write(self, node: ast.AST, blank: bool = False) -> str:
        writer = _WRITERS.get(type(node))
        if writer is None:  # unreachable after expr._check
            raise ValueError(f"unsupported syntax: {type(node).__name__}")
        return writer(self, node, blank)

    def name(self, node: ast.Name, blank: bool) -> str:
        if node.id in _NAMED:
            return repr(_NAMED[node.id])
        return self.lookup(node.id, blank)

    def bool_op(self, node: ast.BoolOp, _blank: bool) -> str:
        joint = " and " if isinstance(node.op, ast.And) else " or "
        return f"(True if {joint.join(f'({self.write(v)})' for v in node.values)} else False)"

    def compare(self, node: ast.Compare, _blank: bool) -> str:
        chain = [f"({self.write(node.left)})"]
        for op, right in zip(node.ops, node.comparators, strict=True):
            chain += [_CMP[type(op)], f"({self.write(right)})"]
        return f"(True if {' '.join(chain)} else False)"

    def if_exp(self, node: ast.IfExp, _blank: bool) -> str:
        test, body, orelse = (self.write(n) for n in (node.test, node.body, node.orelse))
        return f"(({body}) if ({test}) else ({orelse}))"

    def call(self, node: ast.Call, blank: bool) -> str:
        name = node.func.id  # type: ignore[attr-defined]
        if name in self.aggregates:
            return self.lookup(self.key_of(node), blank)
        if name in self.blank_aware:
            args = ", ".join(f"({self.write(a, blank=True)})" for a in node.args)
            return f"{self.bind(self.blank_aware[name])}({args})"
        if name == "implies":  # only evaluate the consequence when the premise holds
            premise, consequence = (self.write(a) for a in node.args)
            return f"((not ({premise})) or (True if ({consequence}) else False))"
        args = ", ".join(f"({self.write(a)})" for a in node.args)
        return f"{self.bind(self.functions[name])}({args})"


_WRITERS: dict[type, Callable[[_Writer, Any, bool], str]] = {
    ast.Constant: lambda w, node, _blank: w.const(node.value),
    ast.Name: _Writer.name,
    ast.Attribute: lambda w, node, blank: w.lookup(w.key_of(node), blank),
    ast.BoolOp: _Writer.bool_op,
    ast.UnaryOp: lambda w, node, _blank: f"({_UNARY[type(node.op)]}({w.write(node.operand)}))",
    ast.BinOp: lambda w, node, _blank: (
        f"(({w.write(node.left)}) {_BIN[type(node.op)]} ({w.write(node.right)}))"
    ),
    ast.Compare: _Writer.compare,
    # a tuple either way, as the closures give
    ast.Tuple: lambda w, node, _blank: "(" + "".join(f"({w.write(e)}), " for e in node.elts) + ")",
    ast.List: lambda w, node, _blank: "(" + "".join(f"({w.write(e)}), " for e in node.elts) + ")",
    ast.IfExp: _Writer.if_exp,
    ast.Call: _Writer.call,
}


def compile_expr(
    node: ast.AST,
    key_of: Callable[[ast.AST], str],
    missing: Callable[[str], Any],
    functions: Mapping[str, Callable[..., Any]],
    blank_aware: Mapping[str, Callable[..., Any]],
    aggregates: tuple[str, ...],
) -> Callable[[Mapping[str, Any]], Any] | None:
    """The checked tree as one function of the scope; None when Python refuses the text.

    ``key_of``: the scope key of a name in a namespace (``plan.x``) or of an aggregate
    call (``total.x``); ``missing(key)`` raises the language's Missing."""
    writer = _Writer(key_of, functions, blank_aware, aggregates)
    try:
        text = "lambda s: " + writer.write(node)
        code = compile(text, "<rule>", "eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    scope: dict[str, Any] = {"__builtins__": {}, "_missing": missing, **writer.names}
    fn: Callable[[Mapping[str, Any]], Any] = eval(code, scope)  # text made from the checked tree
    return fn
