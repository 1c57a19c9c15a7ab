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

from tianbao.forms.model import FormDef, QualityCheck
from tianbao.plan.periods import Period
from tianbao.validate.extract import FormRecords, RowRecord
from tianbao.validate.findings import Code, Finding, make
from tianbao.validate.history import EarlierMonths
from tianbao.validate.schema_check import row_name

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
                code, text = said
                note = row.record.get(explain.field) if explain else None
                explained = note not in (None, "")
                text += f"（已说明：{note}）" if explained else "（请核实，或在“说明”栏解释）"
                out.append(
                    make(
                        code,
                        message=f"{row_name(row)}：{text}",
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
) -> tuple[Code, str] | None:
    now = _num(row.record.get(q.field))
    if now is None:
        return None
    label = _label(form, q.field, period)
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
        way = "高于" if score > 0 else "低于"
        return Code.QUALITY_OUTLIER, (
            f"{label} {_shown(now)} 远{way}本年以往 {len(earlier)} 个月（中位数 "
            f"{_shown(mid)}，修正Z值 {score:.1f}，超过 ±{q.z:g}）"
        )
    if q.check == "concentration":
        total = _num(row.record.get(q.of))
        if period.last_month < q.from_month or total is None or total <= 0 or now <= 0:
            return None
        share = now / total
        if share <= Decimal(str(q.share)):
            return None
        return Code.QUALITY_CONCENTRATED, (
            f"{label} {_shown(now)} 占{_label(form, q.of, period)} {_shown(total)} 的 "
            f"{float(share) * 100:.0f}%（超过 {q.share * 100:g}%，全年进度集中在本月）"
        )
    if q.check == "unchanged":
        last = [_num(h.get(q.field)) for h in history[-(q.months - 1) :]]
        if len(last) < q.months - 1 or any(x != now for x in last):
            return None
        return Code.QUALITY_UNCHANGED, (
            f"{label} 连续 {q.months} 个月都是 {_shown(now)}，没有变化（按计划应有进展）"
        )
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
