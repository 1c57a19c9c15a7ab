"""Every command's --json: valid against its schema under schemas/cli/, and saying which
tianbao made it, when, from which plan and form versions.

The commands run through the CLI on the demo's workspace, as a script of the office
would run them; a command added without --json or without a schema fails here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tianbao import __version__
from tianbao.cli import main
from tianbao.workspace import open_workspace

pytestmark = pytest.mark.slow  # see pyproject's markers

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


def _registry() -> Registry:
    resources = []
    for path in [*SCHEMAS.glob("cli/*.schema.json"), SCHEMAS / "validation-report.schema.json"]:
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _commands(group: click.Group = main, prefix: str = "") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix}{name} ")
        else:
            out.append((f"{prefix}{name}", command))
    return out


# commands that print no result to give as JSON, and why
NO_JSON = {"serve": "a server: it runs until stopped"}


def _with_json() -> list[tuple[str, click.Command]]:
    return [(name, command) for name, command in _commands() if name not in NO_JSON]


@pytest.mark.parametrize(("name", "command"), _with_json(), ids=lambda v: str(v))
def test_every_command__has_json_and_a_schema(name: str, command: click.Command) -> None:
    assert "--json" in {o for p in command.params for o in getattr(p, "opts", [])}, name
    path = SCHEMAS / "cli" / f"{name.replace(' ', '-')}.schema.json"
    assert path.is_file(), path
    Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("json") / "demo"
    data = _run("demo", str(root))
    return root, data


def _run(*args: str, code: int | None = 0) -> dict[str, Any]:
    res = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    if code is not None:
        assert res.exit_code == code, res.output
    data = json.loads(res.stdout)  # stdout is the JSON alone: the rest went to stderr
    name = data["command"]
    schema = json.loads((SCHEMAS / "cli" / f"{name.replace(' ', '-')}.schema.json").read_text())
    Draft202012Validator(schema, registry=REGISTRY).validate(data)
    return data


def _cases(root: Path) -> list[tuple[list[str], int | None]]:
    ws = str(root / "workspace")
    june = str(root / "returns" / "2014-06")
    return [
        (["check", "-w", ws], 0),
        (["generate", "-w", ws, "-p", "2014-07", "--dept", "FGW", "-o", str(root / "t7")], 0),
        (["validate", "-w", ws, june], None),
        (["collect", "-w", ws, june, "--received-at", "2014-07-04T10:00"], None),
        (["status", "-w", ws, "-p", "2014-06", "--as-of", "2014-07-10"], 0),
        (["review", "approve", "-w", ws, "-p", "2014-06", "--dept", "FGW", "--by", "王审核"], 0),
        (["signoff", "-w", ws, "-p", "2014-05", "--by", "张局长", "--anyway", "--note", "先签"], 0),
        (["package", "-w", ws, "-p", "2014-05", "-o", str(root / "p5.zip")], 0),
        (["history", "-w", ws, "--dept", "ZJJ"], 0),
        (["trace", "-w", ws, "-p", "2014-06", "--indicator", "FAI"], 0),
        (["consolidate", "-w", ws, "-p", "2014-06", "-o", str(root / "s.xlsx")], 0),
        (["plan", "export", "-w", ws, str(root / "plan.xlsx")], 0),
        (["plan", "import", str(root / "plan.xlsx"), "-w", ws, "--dry-run"], 0),
        (["plan", "template", str(root / "blank.xlsx")], 0),
        (["init", str(root / "another"), "--sample", "jiefang-2014"], 0),
        (["accounts", "issue", "-w", ws], 0),
        (["accounts", "reset", "admin", "-w", ws], 0),
        (["accounts", "list", "-w", ws], 0),
    ]


def test_every_command__json_valid_and_says_who_made_it(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    root, first = demo
    ws = open_workspace(root / "workspace")
    assert ws.plan is not None
    forms = {f: ws.forms[f].version for f in ws.plan.form_ids}
    outputs = [first] + [_run(*args, code=code) for args, code in _cases(root)]
    assert {o["command"] for o in outputs} == {name for name, _ in _with_json()}
    for out in outputs:
        assert out["tianbao_version"] == __version__
        made = dt.datetime.fromisoformat(out["made_at"])
        assert made.tzinfo is not None
        if out["command"] == "plan template":  # no workspace: no plan to name
            assert "plan_version" not in out
            continue
        assert made.utcoffset() == dt.timedelta(hours=8), out["command"]  # the district's
        assert out["plan_version"] == ws.plan.version, out["command"]
        assert out["form_versions"] == forms, out["command"]


def test_json__a_period_before_a_revision_names_the_plan_then_in_force(tmp_path: Path) -> None:
    from helpers import read_yaml, write_yaml

    root = tmp_path / "ws"
    _run("init", str(root), "--sample", "jiefang-2014")
    _run("generate", "-w", str(root), "-p", "2014-06", "-o", str(tmp_path / "t"),
         "--allow-missing-previous")  # fmt: skip
    plan = read_yaml(root / "plan.yaml")
    plan["plan_version"] = 2
    plan["revision"] = {"effective": "2014-07", "reason": "年中调整"}
    plan["projects"][0]["annual_plan"] = float(plan["projects"][0]["annual_plan"]) + 1
    write_yaml(root / "plan.yaml", plan)
    june = _run("status", "-w", str(root), "-p", "2014-06", "--as-of", "2014-07-10")
    july = _run("status", "-w", str(root), "-p", "2014-07", "--as-of", "2014-08-10")
    assert (june["plan_version"], july["plan_version"]) == (1, 2)


def test_provenance__the_library_s_head_is_what_json_starts_with(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    from tianbao import api

    root, _ = demo
    ws = root / "workspace"
    out = _run("status", "-w", str(ws), "-p", "2014-06", "--as-of", "2014-07-10")
    head = api.provenance("status", ws, "2014-06")
    assert list(out)[: len(head)] == list(head)
    assert {k: out[k] for k in head if k != "made_at"} == {
        k: v for k, v in head.items() if k != "made_at"
    }
    assert dt.datetime.fromisoformat(head["made_at"]).utcoffset() == dt.timedelta(hours=8)
    # no workspace there: it still says who made it and when, nothing more
    assert set(api.provenance("plan template", root / "nowhere")) == {
        "command",
        "tianbao_version",
        "made_at",
    }
