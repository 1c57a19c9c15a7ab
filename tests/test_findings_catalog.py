"""One findings catalog (tianbao.findings): every code has complete zh and en
templates whose fields its callers give, is declared by the modules that make it
(their ``EMITS``) and by one stage only, and no message is assembled elsewhere."""

from __future__ import annotations

import ast
import importlib
import re
import string
from dataclasses import astuple, fields

import pytest

from helpers import ROOT
from tianbao.findings import CATALOG, Code, Finding, Where, fill, make

SRC = ROOT / "src" / "tianbao"
CJK = re.compile(r"[\u4e00-\u9fff]")
# the finding's own fields: given where it is made (often through a where-dict)
OWN = {f.name for f in fields(Finding)}
# the dicts of where-fields (file, sheet, row_key, …) callers spread into make()
WHERE_SPLATS = {"at", "where", "here", "ctx", "base"}
# modules of the workspace check (plan and forms); the reader's are under read/
CHECK_MODULES = {"api.py", "check.py", "workspace.py"}
CHECK_DIRS = ("plan/", "forms/", "planbook/")
# fields that carry Chinese words of their own: the form's rule message, another code's
# filled template, the schema translator's (schema_errors.py) words
WORDED_ELSEWHERE = {"rule_zh", "reason", "what"}
EMITS_LINE = re.compile(r"^EMITS = \(.*?\)\n", re.M | re.S)


def _named(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _modules() -> dict[str, str]:
    return {
        str(p.relative_to(SRC)): p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        if not str(p.relative_to(SRC)).startswith("findings/")
    }


def _emits() -> dict[str, tuple[Code, ...]]:
    out = {}
    for rel, text in _modules().items():
        if EMITS_LINE.search(text):
            name = "tianbao." + rel.removesuffix(".py").replace("/", ".")
            out[rel] = importlib.import_module(name).EMITS
    return out


@pytest.mark.parametrize("code", list(Code), ids=lambda c: c.value)
def test_every_code__complete_zh_and_en_templates(code: Code) -> None:
    entry = CATALOG[code]
    assert CJK.search(entry.zh) and entry.en and not CJK.search(entry.en.replace("说明", ""))
    for variant in ["", *entry.texts]:
        zh, en = entry.text(variant)
        assert CJK.search(zh) or _named(zh) & WORDED_ELSEWHERE, (code, variant)
        assert en and not CJK.search(en.replace("说明", "")), (code, variant, en)


def test_every_code__declared_by_the_modules_that_make_it_one_stage_each() -> None:
    emits = _emits()
    use = re.compile(r"(?<!is )(?<!is not )\bCode\.([A-Z][A-Z_0-9]+)\b")
    for rel, text in _modules().items():
        named = {Code[n] for n in use.findall(EMITS_LINE.sub("", text))}
        assert named == set(emits.get(rel, ())), (rel, "EMITS must list the codes it makes")
    by_code: dict[Code, list[str]] = {c: [] for c in Code}
    for rel, codes in emits.items():
        for c in codes:
            by_code[c].append(rel)
    for code, where in by_code.items():
        assert where, (code, "emitted nowhere: drop it from the catalog")
        if code.stage == "READ":
            assert all(m.startswith("read/") for m in where), (code, where)
        elif code.stage == "CHECK":
            assert all(m in CHECK_MODULES or m.startswith(CHECK_DIRS) for m in where), where
        else:
            assert len(where) == 1, (code, where)


def _make_calls() -> list[tuple[str, ast.Call]]:
    out = []
    for rel, text in _modules().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("make", "fill"):
                out.append((rel, node))
    return out


def _variants(node: ast.Call) -> list[str] | None:
    if len(node.args) < 2:
        return [""]
    arg = node.args[1]
    if isinstance(arg, ast.Constant):
        return [arg.value]
    if (
        isinstance(arg, ast.IfExp)
        and isinstance(arg.body, ast.Constant)
        and isinstance(arg.orelse, ast.Constant)
    ):
        return [arg.body.value, arg.orelse.value]
    return None  # worked out at run time: the behaviour tests fill it


def test_every_template__its_fields_given_where_the_finding_is_made() -> None:
    checked = 0
    for rel, call in _make_calls():
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Attribute) and getattr(first.value, "id", "") == "Code"):
            continue
        splats = {getattr(k.value, "id", "?") for k in call.keywords if k.arg is None}
        variants = _variants(call)
        if variants is None or splats - WHERE_SPLATS:
            continue  # fields spread from a dict of the template's own: run-time checked
        given = {k.arg for k in call.keywords if k.arg}
        for variant in variants:
            zh, en = CATALOG[Code[first.attr]].text(variant)
            missing = (_named(zh) | _named(en)) - given - OWN
            assert not missing, (rel, call.lineno, first.attr, variant, missing)
            checked += 1
    assert checked > 30


def test_no_finding_message_assembled_outside_the_catalog() -> None:
    """make() takes fields, not sentences: no message=, no text passed, and no
    Finding(...) built or re-worded by hand outside tianbao/findings/."""
    for rel, call in _make_calls():
        assert not any(k.arg in ("message", "severity") for k in call.keywords), (rel, call.lineno)
        for arg in call.args[1:]:  # the variant: a name from the catalog, never a text
            variant = isinstance(arg, ast.Attribute) and arg.attr == "variant"  # a Said's
            assert variant or isinstance(arg, (ast.Constant, ast.IfExp, ast.Name)), (
                rel,
                call.lineno,
            )
            if isinstance(arg, ast.Constant):
                assert re.fullmatch(r"[a-z_]*", arg.value), (rel, call.lineno, arg.value)
    emitters = _emits()
    for rel, text in _modules().items():
        assert not re.search(r"(?<![\w.])Finding\(", text), (rel, "use findings.make()")
        if rel in emitters:  # a module making findings sets no message from a text
            assert not re.search(r"\bmessage=\s*f?[\"']", text), (rel, "a text as message")


def test_make__fills_the_template_from_fields() -> None:
    f = make(Code.STRUCT_EXTRA_ROW, "removed", key="P9", cell="B9", row_key="P9", value="P9")
    assert f.message == "B9 所在行“P9”已在计划调整中删除，本期不再统计（模板是调整前生成的）"
    assert f.extra["message_en"] == (
        "row P9 at B9 removed from the plan after the template was issued; not counted"
    )
    assert (f.code, f.cell, f.where.row) == (Code.STRUCT_EXTRA_ROW, "B9", "P9")
    zh, en = fill(Code.ID_WRONG_PERIOD, "unreadable", period="2014-13")
    assert zh == "模板身份中的报告期“2014-13”无法识别，请用统计局下发的本期模板填报"
    assert en == "the template's period '2014-13' is not a period"


def test_make__placed_by_a_where() -> None:
    at = Where(file="a.xlsx", sheet="重点项目", cell="F12", row="P001", column="annual_plan")
    f = make(Code.PLAN_NOT_APPLICABLE_FILLED, at=at, value=3)
    assert f.where == at and (f.file, f.sheet, f.cell, f.row_key, f.field) == astuple(at)
    assert f.as_dict()["cell"] == "F12" and "where" not in f.as_dict()


def test_make__a_missing_field_is_a_bug_not_a_blank() -> None:
    with pytest.raises(KeyError):
        make(Code.STRUCT_EXTRA_ROW, "removed", cell="B9")


def test_reading_codes__each_reason_raised_by_the_reader() -> None:
    read_src = "".join(
        p.read_text(encoding="utf-8") for p in (SRC / "read").glob("*.py") if p.name != "issues.py"
    )
    for code in (c for c in Code if c.stage == "READ"):
        assert re.search(rf"Code\.{code.name}\b", EMITS_LINE.sub("", read_src)), code


def _literal_text(node: ast.AST) -> str:
    """The literal parts of a string or f-string argument."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    return ""


def test_workspace_problems__no_chinese_wording_outside_the_catalog() -> None:
    """A workspace problem's message is a template's (problems.said, planbook's zh): no
    Chinese sentence written where the problem is made."""
    emits = _emits()
    for rel, text in _modules().items():
        if not any(c.stage == "CHECK" for c in emits.get(rel, ())):
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name not in ("Problem", "P", "at", "add"):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                assert not CJK.search(_literal_text(arg)), (rel, node.lineno)
