"""The 差错清单 the city sends a district: one sheet a district reads without tianbao,
naming the package (file, sha256, sign-off), who refused it and why, when the new one
is due, and each place with its reason (an indicator with the district's figures and
provenance keys, a member or field of the package, or the package as a whole).

Written to a hidden draft first and moved into place once the refusal stands
(``review return``: inside the decision's transaction; ``collect``: after the
refusal is recorded); named ``DISTRICT_PERIOD.差错清单.xlsx``, numbered, never over
an earlier one."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path

SUFFIX = ".差错清单"
DRAFT_PREFIX = ".errorlist-"
LIST_HEAD = ("序号 no.", "位置 place", "原因 reason")
WHOLE = "整个上报包 the package as a whole"
RESEND = (
    "重新打开、更正、重新签发后再打包上报 | reopen, correct, sign off again and send the "
    "new package"
)


@dataclass(frozen=True)
class ErrorList:
    city: str
    district: str  # code and name
    period: str
    package: str  # the file's name as it came
    sha256: str
    signed_at: str
    refused: str  # who and when (review return), or that the city's checks refused it
    reason: str
    due: str
    places: tuple[tuple[str, str], ...]  # (place, reason); none: the package as a whole
    stem: str  # DISTRICT_PERIOD


def draft_list(errors: ErrorList, out: Path) -> Path:
    """The list written to a hidden file in ``out`` (made if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=DRAFT_PREFIX, suffix=".tmp", dir=out)
    os.close(fd)
    draft = Path(name)
    try:
        _write(errors, draft)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    return draft


def publish_list(draft: Path, stem: str) -> Path:
    """Move the draft into place as ``STEM.差错清单.xlsx`` (numbered)."""
    from tianbao.support.atomic import default_mode
    from tianbao.support.plaintext import safe_name_part

    stem = safe_name_part(stem) + SUFFIX  # a district's code from its package: no tricks
    for n in count(1):
        target = draft.parent / (f"{stem}.xlsx" if n == 1 else f"{stem}.{n}.xlsx")
        if not target.exists():
            break
    os.chmod(draft, default_mode())
    os.replace(draft, target)
    return target


def _write(errors: ErrorList, path: Path) -> None:
    import xlsxwriter

    from tianbao.support.xlsx import WORKBOOK_OPTIONS, write_value

    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    title = f"{errors.city} {errors.period} 差错清单"
    wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1)})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"font_color": "#C00000", "text_wrap": True})
    sheet = wb.add_worksheet("差错清单")
    head = (
        ("市 city", errors.city),
        ("区县 district", errors.district),
        ("报告期 period", errors.period),
        ("上报包 package", errors.package),
        ("sha256", errors.sha256),
        ("签发 signed off", errors.signed_at),
        ("退回 refused by", errors.refused),
        ("原因 reason", errors.reason),
        ("重报期限 due", errors.due),
        ("重报 to resend", RESEND),
    )
    for r, (label, value) in enumerate(head):
        sheet.write(r, 0, label, bold)
        write_value(sheet, r, 1, value or None, None)
    top = len(head) + 1
    sheet.write_row(top, 0, LIST_HEAD, bold)
    for i, (where, why) in enumerate(errors.places or ((WHOLE, errors.reason),), start=1):
        write_value(sheet, top + i, 0, i, None)
        write_value(sheet, top + i, 1, where, red)
        write_value(sheet, top + i, 2, why, None)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 2, 50)
    wb.close()
