"""The office's words for its decisions: the command's verbs and the labels people read.
The states themselves are the ledger's (``ledger.records``); only their names are here."""

from __future__ import annotations

from tianbao.ledger.records import (
    ACCEPTED,
    ACCEPTED_WITH_WARNINGS,
    APPROVED,
    FORCED,
    REJECTED,
    REOPENED,
    RETURNED,
    SIGNED,
    SUPERSEDED,
    WARNINGS_EXPLAINED,
    WITHDRAWN,
    verdict_zh,
)

# ``tianbao review WORD``: the decision each word records
REVIEW_WORDS = {"return": RETURNED, "force": FORCED, "approve": APPROVED, "reopen": REOPENED}

# the decision as history, status and the notices name it
LABELS = {RETURNED: "统计局退回", FORCED: "强制受理", APPROVED: "审核通过", REOPENED: "撤销决定"}

# the decision as a refusal names it: 没有可{VERB}的报表
VERBS = {RETURNED: "退回", FORCED: "强制受理", APPROVED: "审核通过", REOPENED: "撤销决定"}

# a period's sign-off and its withdrawal, 中文 | English
SIGNOFF_LABELS = {SIGNED: "签发 | signed off", WITHDRAWN: "撤销签发 | withdrawn"}

# a submission's state as history names it (by its verdict: the accepted ones named as
# status and the summary name them, ledger.records.VERDICT_LABELS)
HISTORY_LABELS = {
    **{k: verdict_zh(k) for k in (ACCEPTED, ACCEPTED_WITH_WARNINGS, WARNINGS_EXPLAINED)},
    REJECTED: "审核未通过",  # the rules' verdict; 统计局退回 is the office's
    SUPERSEDED: "已被替代",
}
