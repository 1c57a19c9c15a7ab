"""Form definitions as objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

# Excel number formats by unit; values are stored in the unit itself (percent
# points for % and ‰, so 3.1 means 3.1%).
UNIT_FORMATS: dict[str, str] = {
    "亿元": "#,##0.00##",
    "万元": "#,##0.00",
    "元": "#,##0",
    "万美元": "#,##0.00",
    "%": "0.00",
    "‰": "0.00",
    "人": "#,##0",
    "个": "#,##0",
    "家": "#,##0",
    "所": "#,##0",
    "条": "#,##0",
    "项": "#,##0",
    "处": "#,##0",
    "亩": "#,##0.0",
    "平方米": "#,##0",
    "万平方米": "#,##0.00",
    "公里": "#,##0.00",
    "吨标准煤": "#,##0.00",
}
DEFAULT_NUMBER_FORMAT = "#,##0.00"
# units held in percent points; their entry cells are General in the templates
RATIO_UNITS = ("%", "‰")
# the forms shipped in templates/ and schemas/forms/, in the order a plan lists them
STANDARD_FORMS = (
    "indicators_monthly",
    "projects_progress",
    "livelihood_progress",
    "tasks_progress",
)


def field_kind(schema: dict[str, Any]) -> str:
    """What a field holds: enum, date, text, number, integer or any (no schema)."""
    if "enum" in schema:
        return "enum"
    t = schema.get("type")
    if isinstance(t, list):  # ["number", "null"]
        t = next((x for x in t if x != "null"), None)
    if t == "string":
        return "date" if schema.get("format") == "date" else "text"
    return t if t in ("number", "integer") else "any"


PREVIOUS_PREFIX = "previous."  # a prefill from the ledger, not the plan


@dataclass(frozen=True)
class Column:
    field: str
    label_zh: str
    label_en: str
    prefill: str | None = None
    entry: bool = False
    formula: str | None = None
    number_format: str | None = None
    unit: str | None = None
    width: float | None = None
    role: str | None = None
    only_if: dict[str, Any] | None = None
    # usual range of an entered number (min, max, warn on a bare fraction)
    plausible: tuple[float, float, bool] | None = None
    # an entry cell issued with a formula: the sum of these fields once the last is
    # filled (本年累计 = 上期累计 + 本月); the clerk may type over it
    default_sum: tuple[str, ...] | None = None
    # an entry cell issued with the row's value in last period's counting return (still
    # editable): "value", or "fact" for one that does not change (a move is a warning)
    carry: str = ""

    # cached: asked for every pre-filled cell of every row (480,000 times for one
    # 20,000-row return); a column does not change once loaded
    @cached_property
    def previous_field(self) -> str | None:
        """For ``prefill: previous.<field>``: the field of last period's return shown."""
        if self.prefill and self.prefill.startswith(PREVIOUS_PREFIX):
            return self.prefill[len(PREVIOUS_PREFIX) :]
        return None

    def applies_to(self, plan_values: dict[str, Any]) -> bool:
        if not self.only_if:
            return True
        return all(plan_values.get(k) == v for k, v in self.only_if.items())

    def format_for(self, row_unit: str | None) -> str | None:
        if self.number_format == "unit":
            return UNIT_FORMATS.get(row_unit or "", DEFAULT_NUMBER_FORMAT)
        return self.number_format


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # error | warning
    expr: str
    message_zh: str
    message_en: str
    when: str | None = None
    missing: str = "skip"
    cell: str | None = None


@dataclass(frozen=True)
class QualityCheck:
    """A check of a figure against the row's own months (``quality:`` in a layout):
    ``outlier`` (modified z-score of the month's figure among the year's months,
    |M| > ``z`` with at least ``min_months`` earlier months), ``concentration``
    (the month's figure more than ``share`` of year-to-date ``of``, from month
    ``from_month``), ``unchanged`` (the same figure in ``months`` consecutive
    returns), ``repeated`` (every non-zero figure of the return equal to last
    month's, with at least ``min_figures`` of them: one warning for the return).
    ``floor``: the least spread an outlier is measured with, as a share of the
    median (small moves of a steady figure are never outliers). ``only_if``: plan
    attributes the row must have; ``if_entered``: values the return's own fields
    must have (a project 在建 should move)."""

    check: str
    field: str
    z: float = 3.5
    min_months: int = 4
    share: float = 0.8
    of: str = ""
    from_month: int = 3
    months: int = 3
    floor: float = 0.1
    min_figures: int = 3
    only_if: tuple[tuple[str, Any], ...] = ()
    if_entered: tuple[tuple[str, Any], ...] = ()


@dataclass
class FormDef:
    id: str
    version: int
    title_zh: str
    title_en: str
    sheet: str
    rows: str
    key: str
    columns: list[Column]
    rules: list[Rule]
    record_schema: dict[str, Any]
    layout_path: Path
    schema_path: Path
    instructions: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    table_no: str = ""  # 表号, printed in the sub-title
    quality: list[QualityCheck] = field(default_factory=list)  # over the months

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)

    # cached: asked for every row of every return; a form does not change once loaded
    @cached_property
    def entry_columns(self) -> list[Column]:
        return [c for c in self.columns if c.entry]

    @cached_property
    def prefill_columns(self) -> list[Column]:
        return [c for c in self.columns if c.prefill]

    @cached_property
    def plan_prefills(self) -> list[tuple[str, str]]:
        """(field, plan attribute) of the columns pre-filled from the plan (not from
        the ledger's ``previous.*``), for prefill_values of every row."""
        cols = self.prefill_columns
        return [(c.field, c.prefill or "") for c in cols if c.previous_field is None]

    @cached_property
    def rate_columns(self) -> list[Column]:
        """Entry columns that can hold a rate: in % or ‰, or in the row's unit."""
        return [c for c in self.entry_columns if c.unit == "row" or c.unit in RATIO_UNITS]

    @cached_property
    def plausible_columns(self) -> list[Column]:
        """Entry columns with a usual range (validate.entries.check_plausible)."""
        return [c for c in self.entry_columns if c.plausible is not None]

    @cached_property
    def carried_columns(self) -> list[Column]:
        return [c for c in self.columns if c.entry and c.carry]

    @property
    def shows_previous(self) -> bool:
        """A ``previous.<field>`` column: the template needs last period's return."""
        return any(c.previous_field is not None for c in self.columns)

    @property
    def explanation_column(self) -> Column | None:
        return next((c for c in self.columns if c.role == "explanation"), None)

    def field_schema(self, name: str) -> dict[str, Any]:
        return dict((self.record_schema.get("properties") or {}).get(name) or {})

    def field_kind(self, name: str) -> str:
        """field_kind of the field's schema, worked out once per field."""
        kinds = self.__dict__.setdefault("_kinds", {})
        if name not in kinds:
            kinds[name] = field_kind(self.field_schema(name))
        return kinds[name]

    @property
    def required_fields(self) -> list[str]:
        return list(self.record_schema.get("required") or [])
