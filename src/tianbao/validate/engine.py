"""Validate one returned workbook, or a batch: the pipeline of stages.

read (guarded) → identify → extract (structure, plan values, typed values)
→ schema → audit rules. Each stage adds findings; none raises on bad data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tianbao.findings import Code, Finding, Severity, make
from tianbao.findings.verdict import verdict_of
from tianbao.forms.lock import older_view
from tianbao.forms.model import Column, FormDef
from tianbao.plan.archive import recall
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.read.workbook import ReadResult, read_workbook, read_workbook_guarded
from tianbao.support.visible import contrast
from tianbao.template.content import TemplateContent, build_content
from tianbao.template.writer import COVER_SHEET, LISTS_SHEET, META_SHEET, column_label_text
from tianbao.validate.extract import extract_form
from tianbao.validate.history import EarlierMonths, Records
from tianbao.validate.identify import IdentifyResult, identify
from tianbao.validate.locked import check_locked
from tianbao.validate.quality import check_quality
from tianbao.validate.records import FormRecords, SheetView
from tianbao.validate.rules import check_rules, totals, totals_wanted
from tianbao.validate.schema_check import checker_for
from tianbao.workspace import Workspace

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (
    Code.VALIDATION_CRASHED,
    Code.ID_PLAN_REVISED,
    Code.ID_FORM_OLDER,
    Code.STRUCT_EXTRA_SHEET,
    Code.RULE_NO_PREVIOUS,
)


@dataclass
class FileReport:
    path: str
    sha256: str = ""
    size: int = 0
    department: str = ""
    period: str = ""
    template_id: str = ""
    findings: list[Finding] = field(default_factory=list)
    records: dict[str, FormRecords] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(f.blocking for f in self.findings)

    @property
    def status(self) -> str:
        if not self.valid:
            return "rejected"
        # the one rule for warnings (docs/findings.md): an audit rule's warning blocks
        # until its row's 说明 explains it; every other warning (an extra row, not
        # counted; an identity copy removed...) is accepted and marked with warnings
        if any(f.severity is Severity.WARNING for f in self.findings):
            return "accepted_with_warnings"
        return "accepted"

    @property
    def verdict(self) -> str:
        """The status as a ledger.records.VERDICT_LABELS key: 有预警 or 预警已说明."""
        said = (
            {"severity": f.severity.value, "code": f.code.value, **f.extra} for f in self.findings
        )
        return verdict_of(self.status, said)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


class Validator:
    """Holds what every file of a batch shares: plan, forms, compiled schemas."""

    def __init__(self, ws: Workspace, inline_read: bool = False) -> None:
        """inline_read: read in this process (a worker that is itself the guard);
        otherwise every read runs in a limited subprocess."""
        ws.require_ok()
        self.inline_read = inline_read
        assert ws.plan is not None
        self.ws = ws
        self.plan = ws.plan
        self.secret = ws.secret()
        self.checkers = {fid: checker_for(f) for fid, f in ws.forms.items()}
        self.totals_wanted = totals_wanted(ws.forms.values())
        self.template_forms = [ws.forms[f] for f in self.plan.form_ids]  # as generate has them
        self._contents: dict[tuple[str, str, str], TemplateContent] = {}
        self._plans: dict[str, Plan | None] = {}  # earlier revisions, by fingerprint
        self._older: dict[tuple[str, int], tuple[FormDef, list[Column]] | None] = {}

    def validate(
        self,
        path: Path,
        expected_period: str | None = None,
        expected_dept: str | None = None,
        previous: Records | None = None,
        months: EarlierMonths | None = None,
    ) -> FileReport:
        """Check one file; whatever goes wrong inside is that file's finding.
        ``previous``: the department's previous-period return (the across-period
        rules); ``months``: its earlier months of the year (the quality checks)."""
        try:
            return self._validate(path, expected_period, expected_dept, previous, months)
        except MemoryError:
            raise  # the batch redoes the file behind the guarded reader
        except Exception as exc:  # a bug of ours must not stop the batch
            report = FileReport(str(path))
            detail = f"{type(exc).__name__}: {exc}"[:300]
            report.findings.append(make(Code.VALIDATION_CRASHED, detail=detail, file=str(path)))
            return report

    def _validate(
        self,
        path: Path,
        expected_period: str | None,
        expected_dept: str | None,
        previous: Records | None,
        months: EarlierMonths | None,
    ) -> FileReport:
        report = FileReport(str(path))
        read = read_workbook(path) if self.inline_read else read_workbook_guarded(path)
        report.sha256, report.size = read.sha256, read.size
        base: dict[str, Any] = {"file": str(path), "sha256": read.sha256}
        if not self._read_ok(read, report, base):
            return report
        book = read.book
        assert book is not None
        sheets = _sheet_views(book)
        idr = self._identify(book, sheets, path, expected_period, expected_dept)
        idy = idr.identity
        plan = self._plan_in_force(idy.period) if idy is not None else self.plan
        earlier = self._earlier_plan(idr, plan) if idy is not None else None
        views = self._older_forms(idr, plan)  # older form versions read as issued
        if idy is not None:
            report.department, report.period = idy.department, idy.period
            report.template_id = idy.fields.get("template_id", "")
        where: dict[str, Any] = {**base, "department": report.department, "period": report.period}
        report.findings.extend(_stamp(f, where) for f in idr.findings)
        if idy is None or idy.department not in plan.departments:
            return report
        try:
            period = Period.parse(idy.period)
        except ValueError:  # identify said so (ID_WRONG_PERIOD)
            return report
        read_as = _ReadAs(plan, earlier, views, sheets, book.date1904, where)
        claimed = self._extract(report, idy.department, idy.form_versions, read_as, previous)
        self._across(report, period, previous, months, where)
        if not any(f.code is Code.ID_OLD_PLAN for f in idr.findings):
            issued = self._issued(idy.department, period, earlier or plan, views)
            report.findings.extend(check_locked(issued, sheets, report.records, where))
        report.findings.extend(_extra_sheets(sheets, claimed, where))
        return report

    def _identify(
        self,
        book: Any,
        sheets: dict[str, SheetView],
        path: Path,
        expected_period: str | None,
        expected_dept: str | None,
    ) -> IdentifyResult:
        """Whose return for which period, from the two signed copies of its identity."""
        meta = sheets.get(META_SHEET)
        return identify(
            book.custom_properties,
            meta.rows if meta else None,
            self.secret,
            self.plan,
            self.ws.forms,
            path.name,
            expected_period,
            expected_dept,
            recall=self._recall,
            meta_state=getattr(book.sheet(META_SHEET), "state", "veryHidden"),
        )

    def _extract(
        self,
        report: FileReport,
        department: str,
        form_ids: Iterable[str],
        read_as: _ReadAs,
        previous: Records | None,
    ) -> set[str]:
        """Each form's rows as records, with the findings of reading them and the form's
        schema checks; the sheets claimed by a form."""
        claimed: set[str] = set()
        for form_id in form_ids:
            form = read_as.views.get(form_id) or self.ws.forms.get(form_id)
            if form is None:
                continue
            last = None if previous is None else dict(previous.get(form_id) or {})
            recs, found = extract_form(
                form, read_as.plan, department, read_as.sheets, claimed, read_as.date1904,
                read_as.where, read_as.earlier, last,
            )  # fmt: skip
            report.findings.extend(found)
            if recs is None:
                continue
            report.records[form_id] = recs
            report.findings.extend(self.checkers[form_id].check(recs, read_as.where))
        return claimed

    def _across(
        self,
        report: FileReport,
        period: Period,
        previous: Records | None,
        months: EarlierMonths | None,
        where: dict[str, Any],
    ) -> None:
        """The audit rules (against the previous period and the sheets' totals) and the
        data quality over the earlier months of the year."""
        sums = totals(report.records, self.totals_wanted)  # a row against a sheet's total
        for form_id, recs in report.records.items():
            prev = previous.get(form_id) if previous is not None else None
            report.findings.extend(check_rules(recs, prev, period, where, sums))
        if previous is None and period.previous() is not None:
            report.findings.append(make(Code.RULE_NO_PREVIOUS, **where))
        if months:  # the department's earlier months of the year (collect.previous)
            report.findings.extend(check_quality(report.records, months, period, where))

    def _issued(
        self,
        department: str,
        period: Period,
        plan: Plan,
        views: Mapping[str, FormDef] | None = None,
    ) -> TemplateContent:
        """What the template of this department and period was made with (kept: a
        batch holds many returns of one period): the plan in force for the period, or
        the earlier revision the template names; older form versions as issued."""
        views = views or {}
        versions = ",".join(f"{f}:{v.version}" for f, v in sorted(views.items()))
        key = (department, str(period), plan.fingerprint + versions)
        if key not in self._contents:
            forms = [views.get(f) or self.ws.forms[f] for f in plan.form_ids if f in self.ws.forms]
            self._contents[key] = build_content(plan, forms, department, period, self.secret)
        return self._contents[key]

    def _older_forms(self, idr: IdentifyResult, plan: Plan) -> dict[str, FormDef]:
        """Forms the template has in an older version: read as issued when the current
        one only added optional entry columns (ID_FORM_VERSION becomes the warning
        ID_FORM_OLDER naming them); otherwise ID_FORM_VERSION says which versions."""
        views: dict[str, FormDef] = {}
        kept: list[Finding] = []
        for f in idr.findings:
            form = self.ws.forms.get(f.form) if f.code is Code.ID_FORM_VERSION else None
            if form is None or not isinstance(f.value, int):
                kept.append(f)
                continue
            key = (form.id, f.value)
            if key not in self._older:
                self._older[key] = older_view(self.ws.state_dir, form, f.value)
            found = self._older[key]
            if found is None:  # identify's ID_FORM_VERSION already names both versions
                kept.append(f)
                continue
            view, added = found
            views[form.id] = view
            names = "、".join(f"“{column_label_text(c, plan)}”" for c in added)
            older = make(
                Code.ID_FORM_OLDER,
                title=form.title_zh,
                form_sheet=form.sheet,
                version=f.value,
                current=form.version,
                names=names,
            )
            kept.append(
                replace(
                    f,
                    code=older.code,
                    severity=older.severity,
                    message=older.message,
                    extra={**f.extra, **older.extra},
                )
            )
        idr.findings = kept
        return views

    def _recall(self, fingerprint: str) -> Plan | None:
        """An earlier plan templates were issued from (cached: one read per plan)."""
        if fingerprint not in self._plans:
            self._plans[fingerprint] = recall(self.ws.state_dir, fingerprint)
        return self._plans[fingerprint]

    def _plan_in_force(self, period_text: str) -> Plan:
        """The plan whose rows and targets apply to the return's period (a dated
        revision applies from its effective period on)."""
        try:
            return self.ws.plan_for(Period.parse(period_text))
        except ValueError:  # identify says so (ID_WRONG_PERIOD)
            return self.plan

    def _earlier_plan(self, idr: IdentifyResult, plan: Plan) -> Plan | None:
        """The earlier plan revision a template was issued from, when this workspace
        kept it (generate does): its ID_OLD_PLAN becomes the note ID_PLAN_REVISED and
        the return is judged against what the template showed. None otherwise, and
        also when the template's plan is the one in force for its period (a period
        before a dated revision): then nothing was revised for it."""
        idy = idr.identity
        if idy is None or not any(f.code is Code.ID_OLD_PLAN for f in idr.findings):
            return None
        fp = idy.fields.get("plan_fingerprint", "")
        if fp == plan.fingerprint:
            idr.findings = [f for f in idr.findings if f.code is not Code.ID_OLD_PLAN]
            return None
        earlier = self._recall(fp)
        if earlier is None or idy.department not in earlier.departments:
            return None
        idr.findings = [f for f in idr.findings if f.code is not Code.ID_OLD_PLAN]
        got, want = contrast(fp, plan.fingerprint, 12)  # cut where they differ
        idr.findings.append(
            make(
                Code.ID_PLAN_REVISED,
                value=f"v{earlier.version} {got}",
                expected=f"v{plan.version} {want}",
            )
        )
        return earlier

    def _read_ok(self, read: ReadResult, report: FileReport, base: dict[str, Any]) -> bool:
        for issue in read.issues:
            report.findings.append(
                make(
                    issue.code,
                    "detail" if issue.detail else "",
                    detail=issue.detail,
                    value=issue.reason,
                    expected="xlsx",
                    cell=issue.part,
                    **base,
                )
            )
        return read.book is not None and not any(i.blocking for i in read.issues)


def _stamp(f: Finding, where: dict[str, Any]) -> Finding:
    for k, v in where.items():
        if not getattr(f, k):
            setattr(f, k, v)
    return f


def records_by_key(report: FileReport) -> dict[str, dict[str, dict[str, Any]]]:
    """{form id: {row key: record}}: what the next period's rules see as prev."""
    return {fid: {r.key: dict(r.record) for r in recs.rows} for fid, recs in report.records.items()}


@dataclass(frozen=True)
class _ReadAs:
    """What a return's forms are read against: the plan in force (and the earlier one its
    template names), the form versions as issued, the sheets, and where findings go."""

    plan: Plan
    earlier: Plan | None
    views: Mapping[str, FormDef]
    sheets: dict[str, SheetView]
    date1904: bool
    where: dict[str, Any]


def _extra_sheets(
    sheets: dict[str, SheetView], claimed: set[str], where: dict[str, Any]
) -> list[Finding]:
    """Sheets no form claimed, beside the template's own (cover, identity, lists)."""
    known = claimed | {COVER_SHEET, META_SHEET, LISTS_SHEET}
    return [
        make(Code.STRUCT_EXTRA_SHEET, sheet=name, value=name, **where)
        for name in sheets
        if name not in known
    ]


def _sheet_views(book: Any) -> dict[str, SheetView]:
    return {
        s.name: SheetView(
            s.name,
            s.rows,
            dict(s.error_cells),
            set(s.formula_no_value),
            set(getattr(s, "percent_cells", ()) or ()),
            set(getattr(s, "formula_cells", ()) or ()),
            tuple(getattr(s, "merges", ()) or ()),
        )
        for s in book.sheets
    }
