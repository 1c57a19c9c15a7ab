"""What the city tests share: a district's June correction made the way a clerk makes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl

JUNE = "2014-06"


def corrected_fgw(ws: Path, out: Path, more: float) -> tuple[float, float]:
    """FGW's counted June return with 固定资产投资 raised by ``more`` (本月 and 累计; 同比
    recomputed, 本年累计 = 上期 + 本月 still), saved as ``out``: (累计 before, after)."""
    db = sqlite3.connect(ws / ".tianbao" / "ledger.sqlite")
    sid, archived = db.execute(
        "SELECT id, archive_path FROM submissions WHERE department='FGW' AND period=? "
        "AND status LIKE 'accepted%'",
        (JUNE,),
    ).fetchone()
    cells = dict(
        db.execute(
            "SELECT field, sheet || '!' || cell FROM cell_values WHERE submission_id=? "
            "AND form='indicators_monthly' AND row_key='FAI'",
            (sid,),
        ).fetchall()
    )
    db.close()
    wb = openpyxl.load_workbook(ws / archived)
    at = {f: cells[f].split("!") for f in ("month_value", "ytd", "ytd_last_year", "yoy_pct")}
    old = {f: wb[s][c].value for f, (s, c) in at.items()}
    new = {"month_value": round(old["month_value"] + more, 2), "ytd": round(old["ytd"] + more, 2)}
    new["yoy_pct"] = round((new["ytd"] / old["ytd_last_year"] - 1) * 100, 1)
    for f, value in new.items():
        sheet, ref = at[f]
        wb[sheet][ref].value = value
    wb.save(out)
    return float(old["ytd"]), float(new["ytd"])
