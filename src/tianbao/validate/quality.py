"""Data quality over the months: a return's figures against the same row's figures in
the department's earlier returns of the year (the form layout's ``quality`` checks).

* **outlier**: the month's figure among the year's months by the modified z-score
  M = 0.6745 (x − median) / MAD (Iglewicz and Hoaglin), MAD the median absolute
  deviation, but at least ``floor`` (10 %) of the median: a steady figure's small
  moves (234.0 → 240) are never outliers; |M| > ``z`` (3.5) with at least
  ``min_months`` (4) earlier months, and a month of 0 is none. The months before
  the row's first non-zero figure are not its history (a project's zeros before it
  started).
* **concentration**: from month ``from_month`` (3) on, the month's figure more than
  ``share`` (80 %) of the year to date (``of``); never in the row's first month
  with a figure (a project's first month of investment is all of its year).
* **unchanged**: the same figure in ``months`` (3) consecutive returns, this one
  included, where the plan or the return says it should move (``only_if``,
  ``if_entered``: a project 在建).
* **repeated**: every non-zero figure of ``field`` in the whole return equal to last
  month's to the cent, with at least ``min_figures`` (3) of them: last month's
  return sent again. One warning for the return, not one a row.

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
from tianbao.validate.history import EarlierMonths, Records
from tianbao.validate.records import FormRecords, RowRecord
from tianbao.validate.schema_check import row_name

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.QUALITY_OUTLIER,
    Code.QUALITY_CONCENTRATED,
    Code.QUALITY_UNCHANGED,
    Code.QUALITY_REPEATED_MONTH,
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
                if q.check == "repeated" or not _applies(q, row):
                    continue
                said = _said(q, form, row, history, period)
                if said is None:
                    continue
                code, variant, named = said
                note = row.record.get(explain.field) if explain else None
                explained = note not in (None, "")
                if explained:
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
                        extra={"explained": True} if explained else {},
                    )
                )
    out.extend(_repeated(records, months, period, where))
    return out


def _repeated(
    records: dict[str, FormRecords], months: EarlierMonths, period: Period, where: dict[str, Any]
) -> list[Finding]:
    """One warning when every non-zero figure a ``repeated`` check reads equals last
    month's (and last month's non-zero ones are all still there), at least
    ``min_figures`` of them."""
    if period.kind != "month" or not months or months.months[-1][0] != period.previous():
        return []
    pairs, need = _month_pairs(records, months.months[-1][1])
    if not pairs or len(pairs) < need or any(now != was for *_, now, was in pairs):
        return []
    recs, row, q, _, _ = pairs[0]
    return [
        make(
            Code.QUALITY_REPEATED_MONTH,
            count=len(pairs),
            month=period.index - 1,
            label=_label(recs.form, q.field, period),
            **where,
            form=recs.form.id,
            sheet=recs.sheet,
            field=q.field,
            rule="quality.repeated",
            cell=row.cell(q.field),
        )
    ]


def _month_pairs(records: dict[str, FormRecords], last: Records) -> tuple[list[Any], int]:
    """(form records, row, check, now, last month) of every figure a ``repeated`` check
    reads that is not zero in both months, and the figures the checks need."""
    pairs, need = [], 0
    for form_id, recs in records.items():
        for q in recs.form.quality:
            if q.check != "repeated" or form_id not in last:
                continue
            need = max(need, q.min_figures)
            for row in (r for r in recs.rows if _applies(q, r)):
                now = _num(row.record.get(q.field)) or 0
                was = _num(last[form_id].get(row.key, {}).get(q.field)) or 0
                if now or was:
                    pairs.append((recs, row, q, now, was))
    return pairs, need


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
    earlier = _since_first(history, q.field)
    if q.check == "outlier":
        # a month without a figure is no outlier: the project paused or finished (whether
        # it should have moved is the unchanged check's)
        if len(earlier) < q.min_months or now == 0:
            return None
        sample = [*earlier, now]
        mid = median(sample)
        mad = max(median(abs(x - mid) for x in sample), abs(mid) * Decimal(str(q.floor)))
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
        if not earlier:  # the row's first month with a figure holds all of its year
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


def _since_first(history: list[Mapping[str, Any]], name: str) -> list[Decimal]:
    """The row's figures of ``name`` from its first non-zero one on (months without a
    figure left out): the zero months before a project started are not its history."""
    figures = [x for h in history if (x := _num(h.get(name))) is not None]
    start = next((i for i, x in enumerate(figures) if x != 0), len(figures))
    return figures[start:]


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
