"""A workspace: one year's reporting setup in one folder.

plan.yaml            the plan (schemas/plan.schema.json)
forms/<id>.yaml      form layouts used by the plan, frozen at init
forms/<id>.schema.json
.tianbao/secret.key  HMAC key for template signatures; never leaves this folder
.tianbao/cache/      the checked plan as JSON (tianbao.plan.cache), marks and parses of
                     the forms' files (tianbao.forms.cache); safe to delete
outputs/             generated templates, reports, summaries
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tianbao.errors import EnvironmentFault, UsageError, WorkspaceError
from tianbao.findings import Code
from tianbao.forms.load import load_form, locate
from tianbao.forms.model import FormDef
from tianbao.plan.archive import in_force
from tianbao.plan.load import load_plan
from tianbao.plan.model import Plan
from tianbao.plan.periods import Period
from tianbao.problems import Problem, json_path, said
from tianbao.support.resources import samples_dir

# the codes of the findings this module makes (tests/test_findings_catalog.py)
EMITS = (Code.UNKNOWN_FORM,)

PLAN_FILE = "plan.yaml"
FORMS_DIR = "forms"
STATE_DIR = ".tianbao"
SECRET_FILE = "secret.key"
CACHE_DIR = "cache"


@dataclass
class Workspace:
    root: Path
    plan: Plan | None = None
    forms: dict[str, FormDef] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    _in_force: dict[str, Plan] = field(default_factory=dict, repr=False)

    @property
    def plan_path(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def forms_dir(self) -> Path:
        return self.root / FORMS_DIR

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / CACHE_DIR

    def plan_for(self, period: Period) -> Plan:
        """The plan in force for ``period``: plan.yaml, or the plan kept from before a
        dated revision that begins later (``tianbao.plan.archive.in_force``)."""
        assert self.plan is not None
        key = f"{self.plan.fingerprint}:{period}"
        if key not in self._in_force:
            self._in_force[key] = in_force(self.state_dir, self.plan, period)
        return self._in_force[key]

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.problems

    def secret(self) -> bytes:
        """The workspace's signing key. Only ``init`` creates one: a new key would
        make every template already issued fail as altered, so a lost key is a
        fault to repair from a backup, never silently replaced."""
        path = self.state_dir / SECRET_FILE
        if not path.exists():
            raise EnvironmentFault(
                f"找不到工作区密钥 {STATE_DIR}/{SECRET_FILE}：请从备份恢复"
                f"（已发出的模板都用它签名）; workspace key {path} is missing: restore it "
                "from a backup (every template issued is signed with it)"
            )
        data = path.read_bytes().strip()
        if len(data) < 32:
            raise WorkspaceError(f"{path}: 签名密钥无效 signing key is too short")
        return data

    def require_ok(self) -> Workspace:
        """For commands that need a sound workspace: raise with the first problems."""
        if self.ok:
            return self
        lines = [p.one_line() for p in self.problems[:5]]
        more = len(self.problems) - 5
        if more > 0:
            lines.append(f"… 另有 {more} 个问题 (and {more} more; run tianbao check)")
        raise WorkspaceError("工作区有问题 workspace has problems:\n  " + "\n  ".join(lines))


def _write_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")


def open_workspace(root: Path, *, use_cache: bool = True) -> Workspace:
    """Load plan and forms, collecting problems; raise only if there is no workspace.

    ``use_cache=False`` (tianbao check) checks plan.yaml in full instead of trusting the
    plan cache in .tianbao/cache, and refreshes it."""
    root = Path(root)
    if not root.exists():
        raise WorkspaceError(f"{root}: 工作区目录不存在 workspace folder does not exist")
    if not root.is_dir():
        raise WorkspaceError(f"{root}: 不是目录 not a folder")
    ws = Workspace(root)
    result = load_plan(ws.plan_path, PLAN_FILE, ws.cache_dir, trust_cache=use_cache)
    ws.problems.extend(result.problems)
    if result.plan is None:
        return ws
    ws.plan = result.plan
    for i, form_id in enumerate(result.plan.form_ids):
        found = locate(form_id, ws.forms_dir)
        if found is None:
            path = ("reporting", "forms", i)
            ws.problems.append(
                Problem(
                    Code.UNKNOWN_FORM,
                    PLAN_FILE,
                    said(Code.UNKNOWN_FORM),
                    json_path(path),
                    result.line_of(path),
                    form_id,
                    f"{FORMS_DIR}/{form_id}.yaml or a standard form",
                )
            )
            continue
        layout, schemas = found
        shown = root if layout.is_relative_to(root) else None
        fr = load_form(layout, schemas, shown, ws.cache_dir if use_cache else None)
        ws.problems.extend(fr.problems)
        if fr.form is not None:
            ws.forms[form_id] = fr.form
    return ws


def init_workspace(target: Path, sample: str | None = None) -> Path:
    """Create a workspace at ``target`` (empty skeleton or a copy of a sample)."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            f"{target}: 目录已存在且不为空，不会覆盖 exists and is not empty; "
            "nothing was overwritten"
        )
    plan_text = SKELETON_PLAN if sample is None else _sample_plan(sample)
    if target.exists():  # an empty folder, maybe ".": build inside it, then move up
        tmp = target / ".tianbao-init-tmp"
    else:
        tmp = target.with_name(f".{target.name}.init-tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        (tmp / PLAN_FILE).write_text(plan_text, encoding="utf-8")
        (tmp / FORMS_DIR).mkdir()
        (tmp / "outputs").mkdir()
        ws = Workspace(tmp)
        _copy_forms(_forms_named_in(plan_text), tmp / FORMS_DIR)
        _write_secret(ws.state_dir / SECRET_FILE)
        if tmp.parent == target:
            for child in tmp.iterdir():
                child.rename(target / child.name)
            tmp.rmdir()
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _sample_plan(sample: str) -> str:
    """The plan text of a bundled sample; a usage mistake naming the known ones."""
    src = samples_dir() / sample
    if not (src / PLAN_FILE).is_file():
        known = sorted(p.name for p in samples_dir().iterdir() if (p / PLAN_FILE).is_file())
        names = ", ".join(known)
        raise UsageError(
            f"未知的样例 {sample!r}（已有：{names}） | unknown sample {sample!r}; known: {names}"
        )
    return (src / PLAN_FILE).read_text(encoding="utf-8")


def _copy_forms(form_ids: list[str], forms_dir: Path) -> None:
    """The bundled layout of each form and its record schema (a form not bundled is left
    for the user to add)."""
    for form_id in form_ids:
        found = locate(form_id, None)
        if found is None:
            continue
        layout, schemas = found
        shutil.copyfile(layout, forms_dir / layout.name)
        fr = load_form(layout, schemas)
        if fr.form is not None:
            shutil.copyfile(fr.form.schema_path, forms_dir / fr.form.schema_path.name)


def _forms_named_in(plan_text: str) -> list[str]:
    import yaml

    try:  # libyaml when present: the sample plan takes ~0.1 s in pure Python
        data = yaml.load(plan_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return list(data["reporting"]["forms"])
    except Exception:  # a sample is ours and valid; the skeleton too
        return []


SKELETON_PLAN = """\
# tianbao 计划文件 (plan). Edit, then run: tianbao check
# 也可以在 Excel 里写计划：tianbao plan template 计划.xlsx，填好后 tianbao plan import 计划.xlsx
# （工作簿“说明”页逐列说明填法）。金额单位：项目投资为万元。
plan_version: 1
district: {code: district, name: 某区}
year: 2026
base_year: 2025
reporting:
  frequency: month
  deadline_days_after_period_end: 5
  forms: [indicators_monthly, projects_progress, livelihood_progress, tasks_progress]
departments:
  - code: TJJ
    name: 统计局
    contact: {name: 联系人, phone: "0000-0000000"}
indicators:
  - code: GDP
    name: {zh: 地区生产总值, en: Gross domestic product}
    unit: 亿元
    department: TJJ
    accumulation: ytd
    growth_basis: real
    base: {value: 100.0}
    target: {kind: growth, rate_pct: 8}
projects: []
tasks: []
livelihood: []
"""


def usable(where: Path | str | Workspace) -> Workspace:
    """An open workspace, checked usable (its plan and forms load)."""
    ws = where if isinstance(where, Workspace) else open_workspace(Path(where))
    return ws.require_ok()
