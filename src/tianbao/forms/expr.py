"""A small, safe expression language for audit rules (审核公式).

Syntax is a subset of Python expressions, parsed with ``ast``, checked node by
node, and evaluated from the checked tree (one function written from it by
``forms.expr_code``, never from the typed text; nested closures when Python
refuses that): no ``eval`` of what was typed, no attribute access except the
fixed namespaces ``plan.`` / ``prev.`` / ``period.``, no calls except the
functions below. Examples::

    ytd >= month_value
    implies(status == '未开工', ytd_investment == 0)
    approx(ytd, prev.ytd + month_value, 0.01)
    cumulative_investment <= plan.total_investment * 1.1
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NoReturn

from tianbao.forms.expr_code import compile_expr

NAMESPACES = ("plan", "prev", "period")
MAX_EXPR_CHARS = 500


class ExprError(ValueError):
    """The expression text is not in the rule language."""


class Missing(Exception):
    """A referenced value is blank; the rule's missing-value policy decides.

    Raised for every blank a rule reads, on every row (90,000 times for a 20,000-row
    return): no __init__ of its own, the name is the exception's one argument, which
    halves the cost of making one."""

    @property
    def name(self) -> str:
        return str(self.args[0])


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
    fn: Callable[[Mapping[str, Any]], Any] = field(compare=False, repr=False, default=None)  # type: ignore[assignment]

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        """Evaluate with ``scope`` mapping names (dotted for namespaces) to values.

        Raises Missing when a needed value is None/blank, ZeroDivisionError as is.
        """
        return self.fn(scope)


@cache
def parse(text: str) -> Expr:
    if len(text) > MAX_EXPR_CHARS:
        raise ExprError(
            f"表达式超过 {MAX_EXPR_CHARS} 个字符 | "
            f"expression longer than {MAX_EXPR_CHARS} characters"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(
            f"语法错误（第 {exc.offset} 列）：{exc.msg} | syntax error at column {exc.offset}: "
            f"{exc.msg}"
        ) from None
    names: set[str] = set()
    _check(tree.body, names)
    return Expr(text, tree, frozenset(names), _function(tree.body))


def _function(node: ast.AST) -> Fn:
    """The whole expression as one compiled function (expr_code), else closures."""
    fast = compile_expr(node, _key_of, _raise_missing, FUNCTIONS, BLANK_AWARE, AGGREGATES)
    return fast if fast is not None else _compile(node)


def _key_of(node: ast.AST) -> str:
    return _aggregate_key(node) if isinstance(node, ast.Call) else _dotted(node)  # type: ignore[arg-type]


def _raise_missing(name: str) -> NoReturn:
    raise Missing(name)


def _dotted(node: ast.Attribute) -> str:
    if not isinstance(node.value, ast.Name) or node.value.id not in NAMESPACES:
        raise ExprError(
            f"只允许 {'/'.join(NAMESPACES)}.字段 形式的属性 (attribute access "
            "only as plan.x, prev.x or period.x)"
        )
    return f"{node.value.id}.{node.attr}"


def _check(node: ast.AST, names: set[str]) -> None:
    """Refuse what the expression language does not have; collect the names it reads."""
    if isinstance(node, (ast.Constant, ast.Name, ast.Attribute)):
        _check_leaf(node, names)
    elif isinstance(node, ast.Call):
        _check_call(node, names)
    else:
        for child in _operands(node):
            _check(child, names)


def _check_leaf(node: ast.Constant | ast.Name | ast.Attribute, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float, str, bool, type(None))):
            raise ExprError(f"不支持的常量 {node.value!r} | unsupported constant {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id in ("True", "False", "None"):
            return
        if node.id in NAMESPACES:
            raise ExprError(f"{node.id} 需要接字段名 {node.id} needs a field: {node.id}.x")
        names.add(node.id)
    else:
        names.add(_dotted(node))


def _check_call(node: ast.Call, names: set[str]) -> None:
    if isinstance(node.func, ast.Name) and node.func.id in AGGREGATES:
        names.add(_aggregate_key(node))
        return
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


def _operands(node: ast.AST) -> list[ast.AST]:
    """The operands of an operator the language has; anything else is refused."""
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        return [node.operand]
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        return [node.left, node.right]
    if isinstance(node, ast.Compare) and all(
        type(op) in _CMP or isinstance(op, (ast.In, ast.NotIn)) for op in node.ops
    ):
        return [node.left, *node.comparators]
    if isinstance(node, (ast.Tuple, ast.List)):
        return list(node.elts)
    if isinstance(node, ast.IfExp):
        return [node.test, node.body, node.orelse]
    kind = type(node).__name__
    raise ExprError(f"不支持的语法：{kind} | unsupported syntax: {kind}")


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


Fn = Callable[[Mapping[str, Any]], Any]


def evaluate_node(node: ast.AST, scope: Mapping[str, Any]) -> Any:
    """Evaluate one sub-tree of a parsed expression (e.g. the right side of a
    comparison, to tell a user what value a rule expected)."""
    return _compile(node)(scope)


def _lookup(name: str, allow_blank: bool) -> Fn:
    if allow_blank:
        return lambda s: s.get(name)

    def get(s: Mapping[str, Any]) -> Any:
        value = s.get(name)
        if value is None or value == "":
            raise Missing(name)
        return value

    return get


def _const(value: Any) -> Fn:
    return lambda s: value


# Rules run for every row of every return: the tree is turned once into nested
# closures, several times faster than walking it for each row.
def _compile(node: ast.AST, allow_blank: bool = False) -> Fn:
    compile_node = _COMPILERS.get(type(node))
    if compile_node is None:  # unreachable after _check
        raise ExprError(f"unsupported syntax: {type(node).__name__}")
    return compile_node(node, allow_blank)


def _name(node: Any, allow_blank: bool) -> Fn:
    if node.id in ("True", "False", "None"):
        return _const({"True": True, "False": False, "None": None}[node.id])
    return _lookup(node.id, allow_blank)


def _bool_op(node: Any, allow_blank: bool) -> Fn:
    parts = [_compile(v) for v in node.values]
    if isinstance(node.op, ast.And):
        return lambda s: all(p(s) for p in parts)
    return lambda s: any(p(s) for p in parts)


def _unary(node: Any, allow_blank: bool) -> Fn:
    operand = _compile(node.operand)
    if isinstance(node.op, ast.Not):
        return lambda s: not operand(s)
    if isinstance(node.op, ast.USub):
        return lambda s: -operand(s)
    return lambda s: +operand(s)


def _bin_op(node: Any, allow_blank: bool) -> Fn:
    op, left, right = _BIN[type(node.op)], _compile(node.left), _compile(node.right)
    return lambda s: op(left(s), right(s))


def _sequence(node: Any, allow_blank: bool) -> Fn:
    elts = [_compile(e) for e in node.elts]
    return lambda s: tuple(e(s) for e in elts)


def _if_exp(node: Any, allow_blank: bool) -> Fn:
    test, body, orelse = _compile(node.test), _compile(node.body), _compile(node.orelse)
    return lambda s: body(s) if test(s) else orelse(s)


# one compiler per node type that _check lets through
_COMPILERS: dict[type, Callable[[Any, bool], Fn]] = {
    ast.Constant: lambda node, _blank: _const(node.value),
    ast.Name: _name,
    ast.Attribute: lambda node, blank: _lookup(_dotted(node), blank),
    ast.BoolOp: _bool_op,
    ast.UnaryOp: _unary,
    ast.BinOp: _bin_op,
    ast.Compare: lambda node, _blank: _compare(node),
    ast.Tuple: _sequence,
    ast.List: _sequence,
    ast.IfExp: _if_exp,
    ast.Call: lambda node, blank: _call(node, blank),
}


def _compare(node: ast.Compare) -> Fn:
    left = _compile(node.left)
    steps = []
    for op, comp in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.In):
            fn: Callable[[Any, Any], bool] = lambda a, b: a in b  # noqa: E731
        elif isinstance(op, ast.NotIn):
            fn = lambda a, b: a not in b  # noqa: E731
        else:
            fn = _CMP[type(op)]
        steps.append((fn, _compile(comp)))
    if len(steps) == 1:
        ((fn, right),) = steps
        return lambda s: bool(fn(left(s), right(s)))

    def chain(s: Mapping[str, Any]) -> bool:
        a = left(s)
        for fn, right in steps:
            b = right(s)
            if not fn(a, b):
                return False
            a = b
        return True

    return chain


def _call(node: ast.Call, allow_blank: bool) -> Fn:
    name = node.func.id  # type: ignore[attr-defined]
    if name in AGGREGATES:
        return _lookup(_aggregate_key(node), allow_blank)
    if name in BLANK_AWARE:
        fn, args = BLANK_AWARE[name], [_compile(a, allow_blank=True) for a in node.args]
        return lambda s: fn(*[a(s) for a in args])
    args = [_compile(a) for a in node.args]
    if name == "implies":  # only evaluate the consequence when the premise holds
        premise, consequence = args
        return lambda s: (not premise(s)) or bool(consequence(s))
    fn = FUNCTIONS[name]
    return lambda s: fn(*[a(s) for a in args])
