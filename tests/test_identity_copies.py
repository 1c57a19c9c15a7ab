"""The two signed copies of a return's identity (document properties and the hidden
_tianbao sheet), and the one rule for warnings, as an auditor reads them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from helpers import copy_workspace, tianbao
from returns import Returns
from tianbao.ledger.db import Ledger

DEPT = "RSJ"


@pytest.fixture(scope="module")
def rs(tmp_path_factory: pytest.TempPathFactory) -> Returns:
    return Returns(tmp_path_factory.mktemp("copies"), DEPT)


def findings(rs: Returns, path: Path) -> tuple[int, list[dict[str, Any]]]:
    res = tianbao(rs.runner, "validate", "-w", rs.ws, path, "--json", "--previous", rs.previous)
    return res.exit_code, json.loads(res.stdout)["files"][0]["findings"]


def _meta_department(wb: openpyxl.Workbook, r: Returns) -> None:
    for row in wb["_tianbao"].iter_rows(min_row=1, max_row=40):
        if row[0].value == "department":
            row[1].value = "GXJ"


def _meta_removed(wb: openpyxl.Workbook, r: Returns) -> None:
    del wb["_tianbao"]


def _meta_signature_cleared(wb: openpyxl.Workbook, r: Returns) -> None:
    for row in wb["_tianbao"].iter_rows(min_row=1, max_row=40):
        if row[0].value == "signature":
            row[0].value = row[1].value = None


@pytest.mark.slow
def test_copy_edited__names_the_field_both_values_and_the_copy_believed(rs: Returns) -> None:
    code, found = findings(rs, rs.june("meta_dept", _meta_department))
    (f,) = [x for x in found if x["code"] == "ID_COPY_FORGED"]
    assert "单位" in f["message"] and "“GXJ”" in f["message"] and f"“{DEPT}”" in f["message"]
    assert "以已验证的文档属性" in f["message"]
    assert code == 1  # an edited copy beside a verified one blocks


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "mutate", "says"),
    [
        ("removed", _meta_removed, "被删除"),
        ("signature_cleared", _meta_signature_cleared, "签名被清除"),
    ],
)
def test_copy_removed_or_cleared__a_warning_of_its_own_the_other_decides(
    rs: Returns, case: str, mutate: Any, says: str
) -> None:
    code, found = findings(rs, rs.june(f"meta_{case}", mutate))
    (f,) = [x for x in found if x["code"] == "ID_COPY_MISSING"]
    assert says in f["message"] and f["severity"] == "warning"
    assert code == 0  # the properties copy verifies: accepted, with the warning seen


def test_extra_row__accepted_with_warnings_and_not_counted(rs: Returns, tmp_path: Path) -> None:
    def extra(wb: openpyxl.Workbook, r: Returns) -> None:
        sh = wb[r.sheet("projects_progress")]
        sh["A20"].value = "P999"
        sh["I20"].value = 5

    ws = tmp_path / "ws"
    copy_workspace(rs.ws, ws)
    res = tianbao(
        rs.runner,
        "collect",
        "-w",
        ws,
        rs.previous,
        rs.june("extra", extra),
        "--json",
        "--received-at",
        "2014-07-03T10:00",
    )
    assert res.exit_code == 0, res.output
    june = next(f for f in json.loads(res.stdout)["files"] if f["period"] == "2014-06")
    assert june["status"] == "accepted_with_warnings"
    assert "STRUCT_EXTRA_ROW" in [x["code"] for x in june["report"]["findings"]]
    with Ledger(ws) as ledger:
        keys = {v.row_key for v in ledger.values(june["submission_id"])}
    assert "P999" not in keys


def test_other_key__said_as_a_key_problem_not_as_tampering(rs: Returns, tmp_path: Path) -> None:
    """A workspace whose key was re-created (or another workspace of the same plan)
    cannot verify the templates it did not sign; the return was not altered, and the
    message says so instead of accusing the department."""
    other = copy_workspace(rs.ws, tmp_path / "ws")
    (other / ".tianbao" / "secret.key").write_text(os.urandom(32).hex())  # as init writes one
    june = rs.june("other-key")
    res = tianbao(rs.runner, "validate", "-w", other, june, "--json", "--no-history")
    found = json.loads(res.stdout)["files"][0]["findings"]
    codes = {f["code"] for f in found}
    assert "ID_KEY_MISMATCH" in codes and "ID_SIGNATURE_INVALID" not in codes, found
    (f,) = [x for x in found if x["code"] == "ID_KEY_MISMATCH"]
    assert "密钥" in f["message"] and "备份" in f["message"]
    assert res.exit_code == 1
    # an identity edited to another department is still tampering, whatever the key
    from test_validate import _forge_department

    forged = rs.june("forged-other-key", _forge_department)
    res = tianbao(rs.runner, "validate", "-w", other, forged, "--json", "--no-history")
    assert res.stdout.startswith("{"), res.output[-2000:]
    codes = {f["code"] for f in json.loads(res.stdout)["files"][0]["findings"]}
    assert "ID_SIGNATURE_INVALID" in codes and "ID_KEY_MISMATCH" not in codes


def test_copies_differ_with_neither_verified__said_as_differing_not_forged(
    rs: Returns, tmp_path: Path
) -> None:
    """Under another key neither copy verifies: an edited copy is not called forged
    beside a verified one, the two are said to differ (field and both values)."""
    other = copy_workspace(rs.ws, tmp_path / "ws")
    (other / ".tianbao" / "secret.key").write_text(os.urandom(32).hex())
    edited = rs.june("meta_dept_other_key", _meta_department)
    res = tianbao(rs.runner, "validate", "-w", other, edited, "--json", "--no-history")
    found = json.loads(res.stdout)["files"][0]["findings"]
    codes = [f["code"] for f in found]
    assert "ID_COPY_FORGED" not in codes, found
    (f,) = [x for x in found if x["code"] == "ID_PROPERTIES_DIFFER"]
    assert "单位" in f["message"] and "“GXJ”" in f["message"], f["message"]
