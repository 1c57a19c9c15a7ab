"""Rules are compiled once per loaded form (validate.rules), kept beside the form:
a form, and a report with its records, still pickle after a validation."""

from __future__ import annotations

import pickle
from pathlib import Path

from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.plan.periods import Period
from tianbao.template.content import build_content
from tianbao.template.generate import generate
from tianbao.validate.engine import Validator
from tianbao.workspace import init_workspace, open_workspace


def test_a_form_and_a_report_pickle_after_their_rules_ran(tmp_path: Path) -> None:
    ws = open_workspace(init_workspace(tmp_path / "ws", "jiefang-2014"))
    plan = ws.plan
    assert plan is not None
    made = next(
        g
        for g in generate(ws, "2014-06", out_dir=tmp_path / "t", allow_missing_previous=True)
        if g.path is not None
    )
    assert made.path is not None
    forms = [ws.forms[f] for f in plan.form_ids]
    content = build_content(plan, forms, made.department, Period.parse("2014-06"), ws.secret())
    filled = fill_workbook(made.path, tmp_path / made.path.name, plausible_fill(content))
    validator = Validator(ws)
    report = validator.validate(filled)
    assert report.records and any(r.form.rules for r in report.records.values())
    again = validator.validate(filled)  # the second file finds the rules prepared
    assert [f.code for f in again.findings] == [f.code for f in report.findings]
    for form in ws.forms.values():
        assert pickle.loads(pickle.dumps(form)).id == form.id
    assert pickle.loads(pickle.dumps(report)).records.keys() == report.records.keys()
