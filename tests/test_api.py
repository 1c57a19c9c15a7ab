"""The library face: each command's --json is the library result's dict, so a
script and the command line see the same thing; usage mistakes are the same too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao import api
from tianbao.collect.pipeline import results_dict
from tianbao.errors import UsageError


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("api"), "RSJ")


def test_validate__json_is_the_library_result(rs: Returns) -> None:
    june = rs.june("api")
    res = tianbao(rs.runner, "validate", "-w", rs.ws, june, "--json", "--previous", rs.previous)
    run = api.validate_files(rs.ws, [june], previous=rs.previous)
    assert _body(json.loads(res.stdout)) == run.as_dict()
    assert run.valid == (res.exit_code == 0)


def test_collect_and_status__json_is_the_library_result(rs: Returns, tmp_path: Path) -> None:
    by_cli, by_api = tmp_path / "cli", tmp_path / "api"
    copy_workspace(rs.ws, by_cli)
    copy_workspace(rs.ws, by_api)
    files = [rs.previous, rs.june("api-collect")]
    at = ["--received-at", "2014-07-03T10:00"]
    res = tianbao(rs.runner, "collect", "-w", by_cli, *files, *at, "--json")
    results = api.collect(by_api, files, received_at="2014-07-03T10:00")
    mine, theirs = results_dict(results), _body(json.loads(res.stdout))
    for d in (mine, theirs):  # the archive path names each workspace's own folder
        for f in d["files"]:
            f.pop("archive_path", None)
    assert theirs == json.loads(json.dumps(mine, ensure_ascii=False, default=str))
    res = tianbao(rs.runner, "status", "-w", by_cli, "-p", "2014-06", "--json")
    report = api.status(by_api, "2014-06")
    assert _body(json.loads(res.stdout)) == json.loads(json.dumps(report.as_dict(), default=str))


_MADE = ("command", "tianbao_version", "made_at", "plan_version", "form_versions")


def _body(data: dict) -> dict:
    """The command's own fields: without what every --json says about itself."""
    assert all(k in data for k in _MADE)
    return {k: v for k, v in data.items() if k not in _MADE}


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda ws: api.validate_files(ws, ["x.xlsx"], period="2014-13"), "2014-13"),
        (lambda ws: api.validate_files(ws, ["no-such.xlsx"]), "no-such.xlsx"),
        (lambda ws: api.status(ws, "2014-06", as_of="yesterday"), "--as-of"),
        (lambda ws: api.consolidate(ws, "2014-06", Path("a.xlsx"), Path("a.xlsx")), "--csv"),
    ],
)
def test_usage_mistakes__one_usage_error_from_the_library(rs: Returns, call, says: str) -> None:
    with pytest.raises(UsageError, match=says.replace(".", r"\.")):
        call(rs.ws)
