"""A return's verdict as people read it: one vocabulary for every place that names
it (status, history, the summary's 报送情况, the validate and collect consoles, the
validation workbook). The states are the report's and the ledger's
(``accepted``, ``accepted_with_warnings``); whether every warning is explained is
read from the findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tianbao.findings.codes import Code

WARNINGS_EXPLAINED = "warnings_explained"  # a label, not a state: every warning explained

# the verdict wherever it is named (status, history, the summary's 报送情况, the validate
# and collect consoles, the validation workbook), 中文 | English: accepted with warnings
# is 有预警 until every warning is explained in its row's 说明
VERDICT_LABELS = {
    "accepted": "通过 | accepted",
    "accepted_with_warnings": "通过（有预警） | accepted with warnings",
    WARNINGS_EXPLAINED: "通过（预警已说明） | accepted (warnings explained)",
}


def verdict_of(status: str, findings: Iterable[Mapping[str, Any]]) -> str:
    """The label key of a status: accepted with warnings, each of them explained (the
    findings as recorded, ``Finding.as_dict``), is WARNINGS_EXPLAINED."""
    if status != "accepted_with_warnings":
        return status
    warned = [f for f in findings if f.get("severity") == "warning"]
    done = Code.RULE_WARNING_EXPLAINED.value
    explained = all(f.get("code") == done or f.get("explained") for f in warned)
    return WARNINGS_EXPLAINED if warned and explained else status


def verdict_zh(key: str) -> str:
    return VERDICT_LABELS[key].split(" | ")[0]


def verdict_en(key: str) -> str:
    return VERDICT_LABELS[key].split(" | ")[1]
