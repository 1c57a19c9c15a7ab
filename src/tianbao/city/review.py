"""``tianbao review`` and ``signoff`` on a city workspace: the city's decisions on a
district's package go through the same workflow as a department's return
(``review.workflow``, ``review.signoff``); only what the workflow asks of its units
(``review.units``: the period, the unit's code, the places named, the notice, what
is open) comes from here. A return sends the district a 差错清单 (its package
refused, with the city's reasons, at an indicator or at the package as a whole); the
district's next signed package supersedes it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tianbao.city.errorlist import ErrorList, draft_list, publish_list
from tianbao.city.plan import CityPlan, load_city
from tianbao.errors import UsageError
from tianbao.review.units import Units

if TYPE_CHECKING:
    from tianbao.ledger.db import Ledger
    from tianbao.ledger.records import Submission
    from tianbao.plan.periods import Period
    from tianbao.report.notice import Pointed, Returned

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
GRACE_DAYS = 3  # the corrected package is due this long after the decision, by default


@dataclass(frozen=True)
class CityUnits:
    """What the review workflow asks of a plan, answered by the city's: the period
    (a month of the city's year) and the unit (a district, by code or name)."""

    city: CityPlan
    tz: dt.tzinfo = TZ

    def period(self, text: str) -> Period:
        from tianbao.plan.periods import Period

        return Period.parse(self.city.month(text))

    def department_code(self, text: str) -> str:
        d = next((d for d in self.city.districts if text in (d.code, d.name)), None)
        if d is None:
            known = "、".join(d.code for d in self.city.districts) or "-"
            raise UsageError(
                f"--dept {text}：市里没有此区县（有：{known}） | --dept {text}: no such "
                f"district in the city ({known})"
            )
        return d.code


class CityScope(Units):
    """A city workspace as the review workflow and the sign-off read one."""

    not_forceable = (
        "上报包不能强制受理：请区县改正后重新签发上报 | a refused package cannot be "
        "forced (nothing of it was recorded): the district corrects, signs off again "
        "and re-sends it"
    )

    def __init__(self, city: CityPlan) -> None:
        self.root = city.root
        self.plan = self.units = CityUnits(city)

    def due(self, p: Period, decided: dt.date) -> dt.date:
        """``GRACE_DAYS`` after the decision (not before the month after the period)."""
        return max(p.end + dt.timedelta(days=1), decided + dt.timedelta(days=GRACE_DAYS))

    def pointed(
        self, ledger: Ledger, sub: Submission, cells: tuple[str, ...], rows: tuple[str, ...]
    ) -> list[Pointed]:
        return pointed(ledger, sub, cells, rows)

    def draft(self, sub: Submission, returned: Returned, out_dir: Path | None) -> Path:
        out = out_dir if out_dir is not None else self.root / "outputs" / "notices" / sub.period
        return draft_list(returned_list(self.units.city, sub, returned), Path(out))

    def publish(self, draft: Path, sub: Submission) -> Path:
        return publish_list(draft, f"{sub.department}_{sub.period}")

    def outstanding(self, ledger: Ledger, p: Period) -> list[dict[str, Any]]:
        from tianbao.city.status import outstanding

        return outstanding(ledger, self.units.city, str(p))


def city_scope(where: Path) -> CityScope | None:
    """The city workspace at ``where``, or None when it is a district's."""
    from tianbao.city.plan import is_city

    return CityScope(load_city(Path(where))) if is_city(Path(where)) else None


def pointed(
    ledger: Ledger, sub: Submission, cells: tuple[str, ...], rows: tuple[str, ...]
) -> list[Pointed]:
    """The indicators the city names (``--row FAI`` or ``--row FAI.ytd``), each with the
    district's figure and its provenance key; a package has no cells of the city's."""
    from tianbao.city.package import TOTALS_FORM
    from tianbao.report.notice import Pointed

    if cells:
        raise UsageError(
            "市级工作区按指标退回：--row 指标代码（如 --row FAI 或 --row FAI.ytd） | on a city "
            "workspace name an indicator: --row FAI (or --row FAI.ytd)"
        )
    values = [v for v in ledger.values(sub.id) if v.form == TOTALS_FORM and v.field != "code"]
    out = []
    for given in rows:
        code, _, name = given.strip().partition(".")
        mine = [
            v
            for v in values
            if v.row_key.split(":", 1)[-1] == code and (not name or v.field == name)
        ]
        if not mine:
            raise UsageError(
                f"--row {given}：#{sub.id} 没有此指标 | --row {given}: no such indicator "
                f"in package #{sub.id}"
            )
        figures = "；".join(f"{v.field} = {v.value}（{v.sheet} {v.cell}）" for v in mine)
        out.append(Pointed(code, tuple(v.field for v in mine), f"{code}：{figures}"))
    return out


def returned_list(city: CityPlan, sub: Submission, returned: Returned) -> ErrorList:
    """The 差错清单 of a package the city sends back (``review return``)."""
    from tianbao.city.collect import signed_at

    district = city.district(sub.department)
    return ErrorList(
        city.name,
        f"{sub.department} {district.name if district else ''}".strip(),
        sub.period,
        sub.file_name,
        sub.sha256,
        signed_at(sub.template_id),
        f"{returned.by}，{returned.at.isoformat()}",
        returned.reason,
        returned.due.isoformat(),
        tuple((p.where, returned.reason) for p in returned.pointed),
        f"{sub.department}_{sub.period}",
    )
