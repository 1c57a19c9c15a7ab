"""Data quality over the months: a return's figures against the same row's figures in
the department's earlier returns of the year (the form layout's ``quality`` checks).

* **outlier**: the month's figure among the year's months by the modified z-score
  M = 0.6745 (x − median) / MAD (Iglewicz and Hoaglin), MAD the median absolute
  deviation; |M| > ``z`` (3.5) with at least ``min_months`` (4) earlier months. A
  history without spread (MAD 0) gives no score.
* **concentration**: from month ``from_month`` (3) on, the month's figure more than
  ``share`` (80 %) of the year to date (``of``).
* **unchanged**: the same figure in ``months`` (3) consecutive returns, this one
  included, where the plan or the return says it should move (``only_if``,
  ``if_entered``: a project 在建).

Each is a warning with its figures and parameters in the message, to be explained
in the row's 说明 (the explanation is quoted); it never blocks: a figure can be right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from statistics import median
from typing import Any

from tianbao.findings import Code, Finding, make
from tianbao.forms.model import FormDef, QualityCheck
from tianbao.plan.periods import Period
from tianbao.validate.history import EarlierMonths
from tianbao.validate.records import FormRecords, RowRecord
from tianbao.validate.schema_check import row_name

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.QUALITY_OUTLIER,
    Code.QUALITY_CONCENTRATED,
    Code.QUALITY_UNCHANGED,
)
CONSISTENCY = 0.6745  # makes MAD comparable with a standard deviation


def wanted_fields(forms: Sequence[FormDef]) -> dict[str, tuple[str, ...]]:
    """{form: the fields its quality checks read}: what to fetch of earlier months."""
    out = {}
    for form in forms:
        names = {q.field for q in form.quality} | {q.of for q in form.quality if q.of}
        if names:
            out[form.id] = tuple(sorted(names))
    return out


def check_quality(
    records: dict[str, FormRecords],
    months: EarlierMonths,
    period: Period,
    where: dict[str, Any],
) -> list[Finding]:
    out: list[Finding] = []
    for form_id, recs in records.items():
        form = recs.form
        if not form.quality:
            continue
        explain = form.explanation_column
        for row in recs.rows:
            history = months.of_row(form_id, row.key)
            for q in form.quality:
                if not _applies(q, row):
                    continue
                said = _said(q, form, row, history, period)
                if said is None:
                    continue
                code, variant, named = said
                note = row.record.get(explain.field) if explain else None
                if note not in (None, ""):
                    variant = "_".join(filter(None, (variant, "explained")))
                out.append(
                    make(
                        code,
                        variant,
                        row=row_name(row),
                        note=note,
                        label=_label(form, q.field, period),
                        now=_shown(named.pop("now")),
                        **named,
                        value=row.record.get(q.field),
                        **where,
                        form=form_id,
                        sheet=recs.sheet,
                        row_key=row.key,
                        field=q.field,
                        rule=f"quality.{q.check}",
                        cell=row.cell(q.field),
                    )
                )
    return out


def _applies(q: QualityCheck, row: RowRecord) -> bool:
    plan_ok = all(row.item.values.get(k) == v for k, v in q.only_if)
    return plan_ok and all(row.record.get(k) == v for k, v in q.if_entered)


def _said(
    q: QualityCheck,
    form: FormDef,
    row: RowRecord,
    history: list[Mapping[str, Any]],
    period: Period,
) -> tuple[Code, str, dict[str, Any]] | None:
    """The code, its template's variant and the figures it names, when the check fails."""
    now = _num(row.record.get(q.field))
    if now is None:
        return None
    if q.check == "outlier":
        earlier = [x for h in history if (x := _num(h.get(q.field))) is not None]
        if len(earlier) < q.min_months:
            return None
        sample = [*earlier, now]
        mid = median(sample)
        mad = median(abs(x - mid) for x in sample)
        if mad == 0:
            return None
        score = float(Decimal(CONSISTENCY) * (now - mid) / mad)
        if abs(score) <= q.z:
            return None
        figures = {"now": now, "months": len(earlier), "median": _shown(mid), "score": score}
        return Code.QUALITY_OUTLIER, "" if score > 0 else "low", {**figures, "z": q.z}
    if q.check == "concentration":
        total = _num(row.record.get(q.of))
        if period.last_month < q.from_month or total is None or total <= 0 or now <= 0:
            return None
        share = now / total
        if share <= Decimal(str(q.share)):
            return None
        return (
            Code.QUALITY_CONCENTRATED,
            "",
            {
                "now": now,
                "of_label": _label(form, q.of, period),
                "of": q.of,
                "total": _shown(total),
                "share": float(share) * 100,
                "limit": q.share * 100,
            },
        )
    if q.check == "unchanged":
        last = [_num(h.get(q.field)) for h in history[-(q.months - 1) :]]
        if len(last) < q.months - 1 or any(x != now for x in last):
            return None
        return Code.QUALITY_UNCHANGED, "", {"now": now, "months": q.months}
    return None


def _label(form: FormDef, name: str, period: Period) -> str:
    col = form.column(name)
    if col is None:
        return name
    return col.label_zh.format(year=period.year, base_year=period.year - 1)


def _num(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return Decimal(str(value))


def _shown(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
