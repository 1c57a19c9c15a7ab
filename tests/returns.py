"""Returns made from generated templates, filled by code, for the validate tests.

``Returns`` generates a department's templates for May and June 2014 from the
sample, fills them with plausible, rule-abiding values, and lets a test apply
one mutation (what a clerk might do) before saving the June return.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from xlsxwriter.utility import xl_rowcol_to_cell

from helpers import SAMPLE, tianbao
from tianbao.dev.simulate import fill_workbook, plausible_fill
from tianbao.plan.periods import Period
from tianbao.template.content import HEADER_ROWS, build_content
from tianbao.workspace import open_workspace

Mutation = Callable[[openpyxl.Workbook, "Returns"], None]


# Where one department's May and June are made once per session (per worker under
# xdist) and copied into each fresh base instead of made again: set by conftest.
MADE_ONCE: Path | None = None


class Returns:
    def __init__(self, base: Path, dept: str, *, reuse: bool = True) -> None:
        self.base = base
        self.dept = dept
        self.runner = CliRunner()
        self.ws = base / "ws"
        self._filled: dict[str, bytes] = {}
        made = reuse and MADE_ONCE is not None and not self.ws.exists()
        if made:
            self._copy_made_once()
        elif not self.ws.exists():
            assert tianbao(self.runner, "init", self.ws, "--sample", SAMPLE).exit_code == 0
        w = open_workspace(self.ws)
        self.plan = w.plan
        self.forms = w.forms
        self.secret = w.secret()
        self.templates: dict[str, Path] = {}
        self.fills: dict[str, dict[str, dict[str, Any]]] = {}
        for period in ("2014-05", "2014-06"):
            out = base / "templates" / period
            if not made:
                args: list[str | Path] = ["generate", "-w", self.ws, "--period", period]
                args += ["--dept", dept, "-o", out]
                if period == "2014-05":
                    args.append("--allow-missing-previous")  # no April: 上期 cells blank
                res = tianbao(self.runner, *args)
                assert res.exit_code == 0, res.output
            (self.templates[period],) = out.glob(f"{period}_{dept}_*.xlsx")
            content = build_content(
                self.plan,
                [self.forms[f] for f in self.plan.form_ids],
                dept,
                Period.parse(period),
                self.secret,
            )
            self.fills[period] = plausible_fill(content)
            if period == "2014-05":  # May counts, so June's template shows its figures
                self.previous = base / "returns" / self.templates["2014-05"].name
                if not made:
                    fill_workbook(self.templates["2014-05"], self.previous, self.fills["2014-05"])
                    res = tianbao(self.runner, "collect", "-w", self.ws, self.previous,
                                  "--received-at", "2014-06-03T10:00:00")  # fmt: skip
                    assert res.exit_code == 0, res.output
        self.content = build_content(
            self.plan,
            [self.forms[f] for f in self.plan.form_ids],
            dept,
            Period.parse("2014-06"),
            self.secret,
        )

    def _copy_made_once(self) -> None:
        """The workspace, templates and May return as made once for this department
        (init, generate twice, fill, collect: ~0.3 s a module), copied into ``base``."""
        assert MADE_ONCE is not None
        once = MADE_ONCE / self.dept
        if not once.exists():
            making = MADE_ONCE / f".{self.dept}.making"  # a failed making is never copied
            shutil.rmtree(making, ignore_errors=True)
            Returns(making, self.dept, reuse=False)
            making.rename(once)
        shutil.copytree(once, self.base, dirs_exist_ok=True)

    def cell(self, form_id: str, key: str, field: str) -> str:
        for fr in self.content.forms:
            if fr.form.id == form_id:
                r = [it.key for it in fr.items].index(key)
                c = [col.field for col in fr.form.columns].index(field)
                return xl_rowcol_to_cell(HEADER_ROWS + r, c)
        raise KeyError(form_id)

    def keys(self, form_id: str) -> list[str]:
        return next(
            [it.key for it in fr.items] for fr in self.content.forms if fr.form.id == form_id
        )

    def sheet(self, form_id: str) -> str:
        return self.forms[form_id].sheet

    def validate(self, path: Path) -> tuple[int, dict[str, Any]]:
        """Exit code and file report of ``validate --json`` on ``path``, May as previous."""
        import json

        res = tianbao(self.runner, "validate", "-w", self.ws, path, "--json",
                      "--previous", self.previous)  # fmt: skip
        return res.exit_code, json.loads(res.stdout)["files"][0]

    def june(self, name: str, mutate: Mutation | None = None, file_name: str | None = None) -> Path:
        """The June return, filled correctly, then mutated; saved under a fresh folder."""
        src = self.templates["2014-06"]
        dst = self.base / "cases" / name / (file_name or src.name)
        self._fill(src, dst, self.fills["2014-06"])
        if mutate is not None:
            wb = openpyxl.load_workbook(dst)
            mutate(wb, self)
            wb.save(dst)
        return dst

    def _fill(self, template: Path, dst: Path, fills: dict[str, dict[str, Any]]) -> None:
        """``fill_workbook`` (a load and a save, ~0.05 s) once per template and fills; the
        bytes kept and written again after: what a fill within the same second gives."""
        key = hashlib.sha256(template.read_bytes())
        key.update(json.dumps(fills, sort_keys=True, default=str).encode())
        made = self._filled.get(key.hexdigest())
        if made is None:
            self._filled[key.hexdigest()] = fill_workbook(template, dst, fills).read_bytes()
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(made)

    def fresh_copy(self, name: str) -> Path:
        dst = self.base / "cases" / name / self.templates["2014-06"].name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.templates["2014-06"], dst)
        return dst
