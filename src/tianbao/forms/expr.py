"""A small, safe expression language for audit rules (审核公式).

Syntax is a subset of Python expressions, parsed with ``ast`` and evaluated by
walking the tree ourselves: no ``eval``, no attribute access except the fixed
namespaces ``plan.`` / ``prev.`` / ``period.``, no calls except the functions
below. Examples::

    ytd >= month_value
    implies(status == '未开工', ytd_investment == 0)
    approx(ytd, prev.ytd + month_value, 0.01)
    cumulative_investment <= plan.total_investment * 1.1
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

NAMESPACES = ("plan", "prev", "period")
MAX_EXPR_CHARS = 500


class ExprError(ValueError):
    """The expression text is not in the rule language."""


class Missing(Exception):
    """A referenced value is blank; the rule's missing-value policy decides."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _implies(a: Any, b: Any) -> bool:
    return (not a) or bool(b)


def _approx(a: float, b: float, tol: float = 0.01) -> bool:
    return abs(a - b) <= tol


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "implies": _implies,
    "approx": _approx,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
}
# sums over rows, looked up in the scope as "total.<field>" / "total.<form>.<field>":
# total(ytd) is the sum of ytd over this form's rows; form_total('projects_progress',
# 'ytd_investment') the sum over another form's rows of the same return
AGGREGATES = ("total", "form_total")
# functions that see blanks instead of raising Missing
BLANK_AWARE = {"blank": lambda v: v is None or v == "", "filled": lambda v: v not in (None, "")}

_BIN = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMP = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


@dataclass(frozen=True)
class Expr:
    text: str
    tree: ast.Expression
    names: frozenset[str]  # 'ytd', 'plan.total_investment', 'prev.ytd', ...

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """Evaluate with ``scope`` mapping names (dotted for namespaces) to values.

        Raises Missing when a needed value is None/blank, ZeroDivisionError as is.
        """
        return _eval(self.tree.body, scope)


@cache
def parse(text: str) -> Expr:
    if len(text) > MAX_EXPR_CHARS:
        raise ExprError(f"表达式过长 expression longer than {MAX_EXPR_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"语法错误 syntax error at column {exc.offset}: {exc.msg}") from None
    names: set[str] = set()
    _check(tree.body, names)
    return Expr(text, tree, frozenset(names))


def _dotted(node: ast.Attribute) -> str:
    if not isinstance(node.value, ast.Name) or node.value.id not in NAMESPACES:
        raise ExprError(
            f"只允许 {'/'.join(NAMESPACES)}.字段 形式的属性 (attribute access "
            "only as plan.x, prev.x or period.x)"
        )
    return f"{node.value.id}.{node.attr}"


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str, bool, type(None))):
            raise ExprError(f"不支持的常量 unsupported constant {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return
        if node.id in NAMESPACES:
            raise ExprError(f"{node.id} 需要接字段名 {node.id} needs a field: {node.id}.x")
        names.add(node.id)
    elif isinstance(node, ast.Attribute):
        names.add(_dotted(node))
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        _check(node.operand, names)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.Compare) and all(
        type(op) in _CMP or isinstance(op, (ast.In, ast.NotIn)) for op in node.ops
    ):
        _check(node.left, names)
        for c in node.comparators:
            _check(c, names)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for e in node.elts:
            _check(e, names)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and (node.func.id in AGGREGATES)
    ):
        names.add(_aggregate_key(node))
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or (
            node.func.id not in FUNCTIONS and node.func.id not in BLANK_AWARE
        ):
            raise ExprError(
                "只能调用这些函数 only these functions may be called: "
                + ", ".join(sorted([*FUNCTIONS, *BLANK_AWARE]))
            )
        if node.keywords:
            raise ExprError("不支持关键字参数 keyword arguments are not supported")
        for a in node.args:
            _check(a, names)
    elif isinstance(node, ast.IfExp):
        for part in (node.test, node.body, node.orelse):
            _check(part, names)
    else:
        raise ExprError(f"不支持的语法 unsupported syntax: {type(node).__name__}")


def _aggregate_key(node: ast.Call) -> str:
    """total(field) -> 'total.field'; form_total('form', 'field') -> 'total.form.field'."""
    name = node.func.id  # type: ignore[attr-defined]
    args = node.args
    if name == "total" and len(args) == 1 and isinstance(args[0], ast.Name):
        return f"total.{args[0].id}"
    if (
        name == "form_total"
        and len(args) == 2
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args)
    ):
        return f"total.{args[0].value}.{args[1].value}"  # type: ignore[attr-defined]
    raise ExprError(
        "total(字段) 或 form_total('报表', '字段') usage: total(field) or "
        "form_total('form_id', 'field')"
    )


def _lookup(name: str, scope: Mapping[str, Any], allow_blank: bool) -> Any:
    value = scope.get(name)
    if not allow_blank and (value is None or value == ""):
        raise Missing(name)
    return value


def evaluate_node(node: ast.AST, scope: Mapping[str, Any]) -> Any:
    """Evaluate one sub-tree of a parsed expression (e.g. the right side of a
    comparison, to tell a user what value a rule expected)."""
    return _eval(node, scope)


def _eval(node: ast.AST, scope: Mapping[str, Any], allow_blank: bool = False) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        return _lookup(node.id, scope, allow_blank)
    if isinstance(node, ast.Attribute):
        return _lookup(_dotted(node), scope, allow_blank)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, scope) for v in node.values)
        return any(_eval(v, scope) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        val = _eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not val
        return -val if isinstance(node.op, ast.USub) else +val
    if isinstance(node, ast.BinOp):
        return _BIN[type(node.op)](_eval(node.left, scope), _eval(node.right, scope))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, scope)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, scope)
            if isinstance(op, ast.In):
                ok = left in right
            elif isinstance(op, ast.NotIn):
                ok = left not in right
            else:
                ok = _CMP[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_eval(e, scope) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _eval(node.body, scope) if _eval(node.test, scope) else _eval(node.orelse, scope)
    if isinstance(node, ast.Call):
        name = node.func.id  # type: ignore[attr-defined]
        if name in AGGREGATES:
            return _lookup(_aggregate_key(node), scope, allow_blank)
        if name in BLANK_AWARE:
            return BLANK_AWARE[name](*[_eval(a, scope, allow_blank=True) for a in node.args])
        if name == "implies":  # only evaluate the consequence when the premise holds
            return (not _eval(node.args[0], scope)) or bool(_eval(node.args[1], scope))
        return FUNCTIONS[name](*[_eval(a, scope) for a in node.args])
    raise ExprError(f"unsupported syntax: {type(node).__name__}")  # unreachable after _check
