"""The one code enum of every finding tianbao makes, and what a catalog entry holds.

A code's value never changes (reports, the ledger and schemas/ store it); its stage
is its prefix (READ, ID, STRUCT, PLAN, VALUE, SCHEMA, RULE, QUALITY, VALIDATION),
or CHECK for the workspace problems ``tianbao check`` finds, whose values have none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"  # blocks acceptance
    WARNING = "warning"  # accepted only when the row's 说明 explains it
    NOTE = "note"  # recorded (a normalisation, an explained warning); never blocks


@dataclass(frozen=True)
class Entry:
    """One code in the catalog: its severity, short name (zh, en) and the message
    templates by variant ("" the usual one), each a (zh, en) pair with named fields.
    Without templates the message is the short name."""

    severity: Severity
    zh: str
    en: str
    texts: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def text(self, variant: str = "") -> tuple[str, str]:
        if variant:
            return self.texts[variant]
        return self.texts.get("", (self.zh, self.en))


class Code(str, Enum):
    """Stable finding codes, in pipeline order."""

    # reading: one code per reason the guarded reader refuses a file (tianbao.read)
    READ_NOT_FOUND = "READ_NOT_FOUND"
    READ_EMPTY_FILE = "READ_EMPTY_FILE"
    READ_TOO_LARGE = "READ_TOO_LARGE"
    READ_NOT_A_ZIP = "READ_NOT_A_ZIP"
    READ_ENCRYPTED = "READ_ENCRYPTED"
    READ_LEGACY_XLS = "READ_LEGACY_XLS"
    READ_XLSB = "READ_XLSB"
    READ_ODS = "READ_ODS"
    READ_CSV_OR_TEXT = "READ_CSV_OR_TEXT"
    READ_HTML = "READ_HTML"
    READ_SPREADSHEETML_2003 = "READ_SPREADSHEETML_2003"
    READ_MACRO_ENABLED = "READ_MACRO_ENABLED"
    READ_ZIP_BOMB = "READ_ZIP_BOMB"
    READ_TOO_MANY_ENTRIES = "READ_TOO_MANY_ENTRIES"
    READ_BAD_ZIP_NAME = "READ_BAD_ZIP_NAME"
    READ_CORRUPT_ZIP = "READ_CORRUPT_ZIP"
    READ_NOT_XLSX = "READ_NOT_XLSX"
    READ_XML_ENTITIES = "READ_XML_ENTITIES"
    READ_XML_ERROR = "READ_XML_ERROR"
    READ_SHEET_TOO_LARGE = "READ_SHEET_TOO_LARGE"
    READ_TOO_MANY_SHEETS = "READ_TOO_MANY_SHEETS"
    READ_STYLES_TOO_LARGE = "READ_STYLES_TOO_LARGE"
    READ_CELL_TOO_LONG = "READ_CELL_TOO_LONG"
    READ_MISSING_PART = "READ_MISSING_PART"
    READ_BAD_RELATIONSHIP = "READ_BAD_RELATIONSHIP"
    READ_DUPLICATE_SHEET_NAME = "READ_DUPLICATE_SHEET_NAME"
    READ_EXTERNAL_LINKS = "READ_EXTERNAL_LINKS"
    READ_READER_CRASHED = "READ_READER_CRASHED"
    READ_READER_ERROR = "READ_READER_ERROR"
    READ_SYMLINK = "READ_SYMLINK"
    # a fault of ours while checking one file: that file's finding, never the batch's
    VALIDATION_CRASHED = "VALIDATION_CRASHED"
    # identity
    ID_MISSING = "ID_MISSING"
    ID_SIGNATURE_INVALID = "ID_SIGNATURE_INVALID"
    ID_KEY_MISMATCH = "ID_KEY_MISMATCH"
    ID_WRONG_DISTRICT = "ID_WRONG_DISTRICT"
    ID_WRONG_PERIOD = "ID_WRONG_PERIOD"
    ID_WRONG_DEPARTMENT = "ID_WRONG_DEPARTMENT"
    ID_FILENAME_MISMATCH = "ID_FILENAME_MISMATCH"
    ID_NAME_OTHER_DEPARTMENT = "ID_NAME_OTHER_DEPARTMENT"
    ID_OLD_PLAN = "ID_OLD_PLAN"
    ID_PLAN_REVISED = "ID_PLAN_REVISED"
    ID_FORM_VERSION = "ID_FORM_VERSION"
    ID_FORM_OLDER = "ID_FORM_OLDER"
    ID_PROPERTIES_DIFFER = "ID_PROPERTIES_DIFFER"
    ID_COPY_MISSING = "ID_COPY_MISSING"
    ID_COPY_FORGED = "ID_COPY_FORGED"
    ID_SHEET_SHOWN = "ID_SHEET_SHOWN"
    # one department and period twice in one collected batch: which copy counts
    ID_TWICE_IN_BATCH = "ID_TWICE_IN_BATCH"
    # structure
    STRUCT_SHEET_MISSING = "STRUCT_SHEET_MISSING"
    STRUCT_SHEET_RENAMED = "STRUCT_SHEET_RENAMED"
    STRUCT_EXTRA_SHEET = "STRUCT_EXTRA_SHEET"
    STRUCT_HEADER_CHANGED = "STRUCT_HEADER_CHANGED"
    STRUCT_ROW_MISSING = "STRUCT_ROW_MISSING"
    STRUCT_ROW_DUPLICATE = "STRUCT_ROW_DUPLICATE"
    STRUCT_EXTRA_ROW = "STRUCT_EXTRA_ROW"
    STRUCT_ROW_MOVED = "STRUCT_ROW_MOVED"
    STRUCT_LOCKED_CHANGED = "STRUCT_LOCKED_CHANGED"
    # plan integrity
    PLAN_VALUE_CHANGED = "PLAN_VALUE_CHANGED"
    PLAN_REVISED = "PLAN_REVISED"
    PLAN_PREVIOUS_DIFFERS = "PLAN_PREVIOUS_DIFFERS"
    PLAN_CARRIED_CHANGED = "PLAN_CARRIED_CHANGED"
    PLAN_NOT_APPLICABLE_FILLED = "PLAN_NOT_APPLICABLE_FILLED"
    # values as typed
    VALUE_NORMALISED = "VALUE_NORMALISED"
    VALUE_IMPLAUSIBLE = "VALUE_IMPLAUSIBLE"
    VALUE_UNIT_CONVERTED = "VALUE_UNIT_CONVERTED"
    VALUE_UNPARSEABLE = "VALUE_UNPARSEABLE"
    VALUE_UNIT_MISMATCH = "VALUE_UNIT_MISMATCH"
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
    VALUE_EXCEL_ERROR = "VALUE_EXCEL_ERROR"
    VALUE_FORMULA_IN_ENTRY = "VALUE_FORMULA_IN_ENTRY"
    # schema
    SCHEMA_REQUIRED = "SCHEMA_REQUIRED"
    SCHEMA_TYPE = "SCHEMA_TYPE"
    SCHEMA_RANGE = "SCHEMA_RANGE"
    SCHEMA_ENUM = "SCHEMA_ENUM"
    SCHEMA_FORMAT = "SCHEMA_FORMAT"
    SCHEMA_LENGTH = "SCHEMA_LENGTH"
    SCHEMA_OTHER = "SCHEMA_OTHER"
    # audit rules
    RULE_FAILED = "RULE_FAILED"
    RULE_WARNING = "RULE_WARNING"
    RULE_WARNING_EXPLAINED = "RULE_WARNING_EXPLAINED"
    RULE_MISSING_VALUE = "RULE_MISSING_VALUE"
    QUALITY_OUTLIER = "QUALITY_OUTLIER"
    QUALITY_CONCENTRATED = "QUALITY_CONCENTRATED"
    QUALITY_UNCHANGED = "QUALITY_UNCHANGED"
    QUALITY_REPEATED_MONTH = "QUALITY_REPEATED_MONTH"
    RULE_NO_PREVIOUS = "RULE_NO_PREVIOUS"
    # the workspace (tianbao check, plan import): the plan and the forms
    FILE_UNREADABLE = "FILE_UNREADABLE"
    SCHEMA = "SCHEMA"
    DUPLICATE_ID = "DUPLICATE_ID"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    UNKNOWN_DEPARTMENT = "UNKNOWN_DEPARTMENT"
    ANNUAL_PLAN_ABOVE_TOTAL = "ANNUAL_PLAN_ABOVE_TOTAL"
    DATE_ORDER = "DATE_ORDER"
    BASE_YEAR = "BASE_YEAR"
    UNKNOWN_FORM = "UNKNOWN_FORM"
    FORM_FIELD_MISSING = "FORM_FIELD_MISSING"
    FORM_PREFILL_UNKNOWN = "FORM_PREFILL_UNKNOWN"
    FORM_RULE_INVALID = "FORM_RULE_INVALID"
    FORM_ID_MISMATCH = "FORM_ID_MISMATCH"
    MILESTONE_OUTSIDE = "MILESTONE_OUTSIDE"
    UNKNOWN_TIMEZONE = "UNKNOWN_TIMEZONE"
    UNKNOWN_PROJECT = "UNKNOWN_PROJECT"
    WORKBOOK_UNREADABLE = "WORKBOOK_UNREADABLE"
    SHEET_MISSING = "SHEET_MISSING"
    HEADER_CHANGED = "HEADER_CHANGED"
    MERGED_CELLS = "MERGED_CELLS"
    HIDDEN_ROW = "HIDDEN_ROW"
    CELL_VALUE = "CELL_VALUE"
    REQUIRED_EMPTY = "REQUIRED_EMPTY"
    REVISION_PERIOD = "REVISION_PERIOD"
    FORM_VERSION_NOT_RAISED = "FORM_VERSION_NOT_RAISED"
    CODE_NOT_PLAIN = "CODE_NOT_PLAIN"
    CONTROL_CHARS = "CONTROL_CHARS"
    # a district's package, as the city collects it (tianbao.city)
    PKG_UNREADABLE = "PKG_UNREADABLE"
    PKG_MISSING = "PKG_MISSING"
    PKG_DISTRICT = "PKG_DISTRICT"
    PKG_SIGNATURE = "PKG_SIGNATURE"
    PKG_EDITED = "PKG_EDITED"
    PKG_EXTRA = "PKG_EXTRA"
    PKG_UNSIGNED = "PKG_UNSIGNED"
    PKG_PERIOD = "PKG_PERIOD"
    PKG_PLAN_VERSION = "PKG_PLAN_VERSION"
    PKG_STALE = "PKG_STALE"
    PKG_TOTALS = "PKG_TOTALS"

    @property
    def stage(self) -> str:
        """READ, ID, STRUCT, PLAN, VALUE, SCHEMA, RULE, QUALITY, VALIDATION, PKG or CHECK."""
        return _STAGE_OF[self]

    @property
    def label(self) -> str:
        return self.name


_PREFIXES = (
    "READ",
    "VALIDATION",
    "ID",
    "STRUCT",
    "PLAN",
    "VALUE",
    "SCHEMA",
    "RULE",
    "QUALITY",
    "PKG",
)
_STAGE_OF = {c: next((p for p in _PREFIXES if c.value.startswith(p + "_")), "CHECK") for c in Code}
