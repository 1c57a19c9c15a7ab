"""What goes into one department's workbook, before any Excel is written.

Pure data: which forms, which rows, the pre-filled values, the identity and
its signature. The writer turns this into xlsx; validation re-derives the same
content from the plan to check a return against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tianbao import identity as ident
from tianbao.forms.model import Column, FormDef
from tianbao.plan.model import Department, Office, Plan, PlanItem
from tianbao.plan.periods import Period

HEADER_ROWS = 3  # title, sub-title, column labels; data starts on the 4th row
TEMPLATE_VERSION = 1


@dataclass
class FormRows:
    form: FormDef
    items: list[PlanItem]
    # row key -> the department's counting return of the previous period (the ledger's)
    previous: dict[str, dict[str, Any]] = field(default_factory=dict)
    _prefill: list[tuple[str, dict[str, Any]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def prefill(self) -> list[tuple[str, dict[str, Any]]]:
        """(row key, {field: value}) for every cell pre-filled from the plan, in row order
        (what the identity's digest covers: the plan's part of the template). Made once:
        the digest and the writer both ask."""
        if self._prefill is None:
            self._prefill = [(it.key, prefill_values(self.form, it)) for it in self.items]
        return self._prefill

    def previous_values(self, key: str) -> dict[str, Any]:
        """{field: value} of the ``previous.<field>`` columns of a row; None where last
        period has no figure (the first period of the year, or no counting return)."""
        record = self.previous.get(key) or {}
        return {
            c.field: record.get(c.previous_field)
            for c in self.form.prefill_columns
            if c.previous_field is not None
        }

    def carried_values(self, key: str) -> dict[str, Any]:
        """{field: value} of the ``carry`` entry columns of a row: what the department
        gave last period (status, start date, running total), pre-filled and editable."""
        record = self.previous.get(key) or {}
        return {
            c.field: _typed(record[c.field], c)
            for c in self.form.carried_columns
            if record.get(c.field) not in (None, "")
        }


@dataclass
class TemplateContent:
    plan: Plan
    department: Department
    period: Period
    forms: list[FormRows]
    generated_at: str
    identity: dict[str, str] = field(default_factory=dict)
    signature: str = ""
    previous_pending: bool = False  # last period's return still to come: 上期 cells marked

    @property
    def deadline(self) -> dt.date:
        return self.period.deadline(self.plan.deadline_days)


def prefill_values(form: FormDef, item: PlanItem) -> dict[str, Any]:
    """The plan's pre-filled values of a row (``previous.*`` columns come from the ledger)."""
    values = item.values
    out = {f: values.get(attr) for f, attr in form.plan_prefills}
    got = out.values()
    if True in got or False in got:  # a quick look in C (1 and 0 pass it too): rare
        for f, v in out.items():
            if isinstance(v, bool):
                out[f] = _cell_value(v)
    return out


def _typed(value: Any, col: Column) -> Any:
    """A carried value as the clerk would have typed it: a date column's ISO text a date."""
    if col.number_format == "yyyy-mm-dd" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def default_generated_at(period: Period) -> str:
    """A pinned time so the same inputs give the same bytes: the period's end, 00:00 UTC."""
    return f"{period.end.isoformat()}T00:00:00Z"


def template_id(plan: Plan, period: Period, dept: str) -> str:
    return f"{plan.district_code}-{period}-{dept}"


def build_content(
    plan: Plan,
    forms: list[FormDef],
    dept_code: str,
    period: Period,
    secret: bytes,
    generated_at: str | None = None,
    previous: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> TemplateContent:
    """``previous``: the department's counting return of the previous period,
    ``{form: {row key: record}}``, for the ``previous.<field>`` columns."""
    dept = plan.departments[dept_code]
    prev = previous or {}
    rows = [
        FormRows(
            f,
            plan.rows_for(f.rows, dept_code),
            {k: dict(v) for k, v in (prev.get(f.id) or {}).items()},
        )
        for f in forms
    ]
    rows = [r for r in rows if r.items]
    content = TemplateContent(
        plan, dept, period, rows, generated_at or default_generated_at(period)
    )
    prefill = {r.form.id: r.prefill() for r in rows}
    content.identity = {
        "format": ident.FORMAT,
        "template_id": template_id(plan, period, dept_code),
        "district": plan.district_code,
        "year": str(plan.year),
        "period": str(period),
        "department": dept_code,
        "plan_version": str(plan.version),
        "plan_fingerprint": plan.fingerprint,
        "forms": ident.forms_text({r.form.id: r.form.version for r in rows}),
        "generated_at": content.generated_at,
        "prefill_digest": ident.prefill_digest(prefill),
    }
    content.signature = ident.sign(secret, content.identity)
    return content


def cover_title(content: TemplateContent) -> str:
    return f"{content.plan.district_name}{content.plan.year}年目标任务填报表"


def cover_lines(content: TemplateContent) -> list[tuple[str, str]]:
    """(label, text) of the cover's rows, from its third row down."""
    plan, dept, period = content.plan, content.department, content.period
    lines: list[tuple[str, str]] = [
        ("填报单位", dept.name),
        ("单位代码", dept.code),
        ("报告期", f"{period.label_zh}（{period}）"),
        (
            "报送截止日期",
            f"{content.deadline.isoformat()}（报告期结束后 {plan.deadline_days} 天内）",
        ),
        ("本单位联系人", f"{dept.contact_name}  {dept.contact_phone}".strip()),
        *_office_lines(plan.office),
        (
            "需填报的工作表",
            "；".join(f"{fr.form.sheet}（{len(fr.items)} 行）" for fr in content.forms),
        ),
        (
            "计量单位",
            "按各表“计量单位”列或列标题中的单位填写；只填数字，不要带单位、逗号或空格。"
            "百分比、千分比填数字（3.1 表示 3.1%）。日期格式 2014-03-01。",
        ),
        (
            "如何说明预警",
            "审核时出现的“预警”不影响报送，但须在该行“说明”列写明原因"
            "（例如：项目集中付款）；未说明的预警将被退回。“错误”须改正后重新报送。",
        ),
        (
            "注意事项",
            "请勿插入或删除工作表、修改表名、修改灰色单元格；"
            "可以调整列宽和格式。报送时请直接回传本文件（xlsx 格式）。",
        ),
        (
            "模板编号",
            f"{content.identity['template_id']}  计划版本 {plan.version}  "
            f"模板格式 {TEMPLATE_VERSION}",
        ),
    ]
    lines += [(fr.form.sheet, note) for fr in content.forms for note in fr.form.instructions]
    return lines


def _office_lines(office: Office | None) -> list[tuple[str, str]]:
    """Where the return goes and whom to ask (the plan's ``reporting.office``)."""
    if office is None:
        return []
    lines = [("收表单位", office.name)]
    if office.submit_to:
        lines.append(("报送方式", office.submit_to))
    ask = "  ".join(p for p in (office.contact, office.phone, office.email) if p)
    if ask:
        lines.append(("咨询电话", f"{ask}（填报中有疑问请与统计局联系）"))
    return lines


def form_titles(content: TemplateContent, fr: FormRows, legacy: bool = False) -> tuple[str, str]:
    """The title and sub-title rows of a form's sheet: 表号 and 制表机关 first, as on a
    Chinese statistical form; ``legacy``: the sub-title templates had before them."""
    title = f"{fr.form.title_zh}（{content.period.label_zh}）"
    sub = (
        f"填报单位：{content.department.name}    报告期：{content.period}    "
        f"报送截止：{content.deadline.isoformat()}"
    )
    if legacy:
        return title, sub
    office = content.plan.office
    head = [f"表号：{fr.form.table_no}"] if fr.form.table_no else []
    head += [f"制表机关：{office.name}"] if office is not None and office.name else []
    return title, "    ".join([*head, sub])


# the signature block at a form's foot: (label, width in characters of its value)
SIGNATURE = ("单位负责人", "统计负责人", "填表人", "联系电话", "报出日期")
SIGNATURE_LABELS = frozenset(f"{label}：" for label in SIGNATURE)


def cover_texts(content: TemplateContent) -> dict[tuple[int, int], str]:
    """Every text the cover holds, by 0-based (row, column): what validation compares."""
    cells = {(0, 0): cover_title(content)}
    row = 2
    for key, value in cover_lines(content):
        cells[(row, 0)], cells[(row, 1)] = key, value
        row += 1
    return cells
