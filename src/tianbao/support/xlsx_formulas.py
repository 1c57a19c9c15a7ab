"""An xlsxwriter worksheet that prepares ordinary formulas without rewriting them.

xlsxwriter runs some thirty regular-expression rewrites on every formula (for
functions Excel stores as ``_xlfn.``). Our templates and summaries write a
formula per row that calls none of those functions: for such a formula the
rewrites change nothing, so they are skipped. The bytes are the same (the
golden template test and consolidate's byte-equality test compare them).
"""

from __future__ import annotations

import re

from xlsxwriter.worksheet import Worksheet

# functions our formulas call; none is one xlsxwriter rewrites as _xlfn.
PLAIN_FUNCTIONS = frozenset(
    {"SUM", "SUMIF", "COUNT", "COUNTA", "COUNTIF", "COUNTIFS", "IF", "AND", "ISNUMBER", "LEFT", "N"}
    | {"SUMIFS", "SUMPRODUCT", "NA"}  # the summary's subtotals, 重点任务's 已完成, charts' gaps
)
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9._]*)\(")


def plain_formula(formula: str) -> bool:
    """True when the formula calls only PLAIN_FUNCTIONS (or nothing)."""
    return all(name in PLAIN_FUNCTIONS for name in _CALL.findall(formula))


class PlainFormulaSheet(Worksheet):
    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if plain_formula(formula) and not formula.startswith("{"):  # {…}: an array formula
            return formula[1:] if formula.startswith("=") else formula
        return str(super()._prepare_formula(formula, expand_future_functions))
