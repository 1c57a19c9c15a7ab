"""退回通知: the file the office emails back when it sends a return back
(``tianbao review return``).

It is the annotated copy of the return as archived (its findings marked on their
cells) with the correction notice in front, headed by the office's reason, who
decided and when, and the date the corrected return is due: by default the period's
deadline, or three days after the decision when that has passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

from tianbao.plan.periods import Period
from tianbao.report import notice
from tianbao.report.annotate import annotated_copy
from tianbao.support.plaintext import safe_name_part
from tianbao.validate.findings import Finding

if TYPE_CHECKING:
    from tianbao.ledger.records import Submission
    from tianbao.workspace import Workspace

SUFFIX = ".退回通知"
GRACE_DAYS = 3


def due_date(ws: Workspace, period: str, decided: dt.date) -> dt.date:
    """When the corrected return is due unless the office says: the period's deadline,
    or ``GRACE_DAYS`` after the decision once that has passed."""
    p = Period.parse(period)
    deadline = p.deadline(ws.plan_for(p).deadline_days)
    return max(deadline, decided + dt.timedelta(days=GRACE_DAYS))


def write_return_notice(
    ws: Workspace,
    sub: Submission,
    returned: notice.Returned,
    out_dir: Path | None = None,
) -> Path | None:
    """Write the notice for ``sub`` into ``out_dir`` (default WS/outputs/notices/PERIOD)
    as ``<原文件名>.退回通知.xlsx`` (numbered, never over an earlier one). None when the
    archived bytes are gone or changed, or cannot be copied safely."""
    plan = ws.plan_for(Period.parse(sub.period))
    try:
        data = (ws.root / sub.archive_path).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != sub.sha256:
        return None
    ctx = notice.context_for(plan, sub.file_name, sub.department, sub.period, returned)
    findings = [Finding.from_dict(d) for d in sub.report.get("findings", [])]
    out = Path(out_dir) if out_dir is not None else ws.root / "outputs" / "notices" / sub.period
    out.mkdir(parents=True, exist_ok=True)
    target = _free(out, Path(sub.file_name).name)
    return target if annotated_copy(data, findings, target, ctx) else None


def _free(out: Path, name: str) -> Path:
    stem = name[:-5] if name.lower().endswith((".xlsx", ".xlsm")) else name
    stem = safe_name_part(stem)  # the department's file name: no bidi tricks in ours
    for n in count(1):
        candidate = out / (f"{stem}{SUFFIX}.xlsx" if n == 1 else f"{stem}{SUFFIX}.{n}.xlsx")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")
