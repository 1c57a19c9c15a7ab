"""Reading returns: bare calamine (the floor) against tianbao.read (checks + read).

    python benchmarks/bench_read.py [--returns 200] [--big-rows 20000] [--repeat 5]

Makes N small returns (~150 rows x 20 columns, like a projects sheet, plus a
cover sheet and the veryHidden identity sheet) and one big file with xlsxwriter
in a temporary folder, then times, per file: calamine ``to_python()`` of every
sheet, our pre-scan alone (sniff + guard), and ``read_workbook`` (pre-scan +
read). Per file the best of --repeat runs, the three timed in turn. Prints a
table; not a test (timings on shared machines are noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import tempfile
import time
from pathlib import Path

import python_calamine
import xlsxwriter

from tianbao.read import Limits, guard, read_workbook
from tianbao.read.sniff import HEAD_BYTES, sniff

CATEGORIES = ("新建", "续建", "运作", "储备")


def make_return(path: Path, rows: int, seed: int = 0) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    wb.set_custom_property("tianbao_template_id", f"2014-06-D{seed:04d}", "text")
    wb.set_custom_property("tianbao_signature", "0" * 64, "text")
    head = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    grey = wb.add_format({"bg_color": "#EEEEEE", "num_format": "0.0"})
    cover = wb.add_worksheet("填报说明")
    for r, text in enumerate(("填报单位", "报告期", "报送截止日期", "联系人")):
        cover.write_string(r, 0, text)
        cover.write_string(r, 1, f"说明文字 {seed}-{r}")
    ws = wb.add_worksheet("重点项目")
    ws.merge_range(0, 0, 0, 19, "重点项目建设进度表（2014年6月）", head)
    labels = [
        "项目编号",
        "项目名称",
        "类别",
        "是否重点",
        "总投资",
        "年度计划",
        "开工日期",
        "完工日期",
        "责任领导",
        "关键词",
        "本月完成",
        "累计完成",
        "完成率",
        "形象进度",
        "存在问题",
        "下月计划",
        "联系人",
        "电话",
        "说明",
        "备注",
    ]
    for c, label in enumerate(labels):
        ws.write_string(2, c, label, head)
    for i in range(rows):
        r = 3 + i
        total = 1000 + (i * 37 + seed * 11) % 90000
        ws.write_string(r, 0, f"P{seed:04d}{i:03d}")
        ws.write_string(r, 1, f"合成项目{seed}-{i}道路改造工程")
        ws.write_string(r, 2, CATEGORIES[i % 4])
        ws.write_string(r, 3, "是" if i % 3 else "否")
        ws.write_number(r, 4, total, money)
        ws.write_number(r, 5, total // 3, money)
        ws.write_datetime(r, 6, dt.datetime(2014, 3, 1), date)
        ws.write_datetime(r, 7, dt.datetime(2015, 12, 31), date)
        ws.write_string(r, 8, f"领导{i % 9}")
        ws.write_string(r, 9, "项目建设")
        ws.write_number(r, 10, (i * 13) % 500, money)
        ws.write_number(r, 11, (i * 29) % 3000, money)
        ws.write_formula(
            r,
            12,
            f'=IF(F{r + 1}=0,"",L{r + 1}/F{r + 1}*100)',
            grey,
            ((i * 29) % 3000) / max(total // 3, 1) * 100,
        )
        ws.write_string(r, 13, "主体施工" if i % 2 else "前期手续办理")
        ws.write_string(r, 14, "" if i % 5 else "资金到位慢，拆迁协调难度大")
        ws.write_string(r, 15, "继续推进主体施工")
        ws.write_string(r, 16, f"联系人{i % 7}")
        ws.write_string(r, 17, f"0391-39{i:05d}")
        ws.write_string(r, 18, "")
        ws.write_string(r, 19, "")
    meta = wb.add_worksheet("_tianbao")
    for r in range(12):
        meta.write_string(r, 0, f"field{r}")
        meta.write_string(r, 1, f"value{seed}-{r}")
    meta.very_hidden()
    wb.close()


def calamine_floor(data: bytes) -> None:
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for i in range(len(wb.sheet_names)):
        wb.get_sheet_by_index(i).to_python(skip_empty_area=False)


def prescan(data: bytes) -> None:
    assert sniff(data[:HEAD_BYTES], len(data), lambda: data).kind == "zip"
    assert not guard.inspect(data, Limits()).blocked


def interleaved(files: list[Path], repeat: int) -> tuple[float, float, float]:
    """Per file, best of `repeat` for each of floor / pre-scan / read_workbook, timed
    in turn (the machine's load drifts; interleaving keeps the ratio honest)."""
    totals = [0.0, 0.0, 0.0]
    for path in files:
        data = path.read_bytes()
        runs: list[list[float]] = [[], [], []]
        steps = (
            lambda d=data: calamine_floor(d),
            lambda d=data: prescan(d),
            lambda p=path: read_workbook(p),
        )
        for _ in range(repeat):
            for k, fn in enumerate(steps):
                t0 = time.perf_counter()
                fn()
                runs[k].append(time.perf_counter() - t0)
        for k in range(3):
            totals[k] += min(runs[k])
    n = len(files)
    return totals[0] / n, totals[1] / n, totals[2] / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--returns", type=int, default=200)
    ap.add_argument("--rows", type=int, default=150)
    ap.add_argument("--big-rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        small = [base / f"return_{i:04d}.xlsx" for i in range(args.returns)]
        for i, p in enumerate(small):
            make_return(p, args.rows, i)
        big = base / "big.xlsx"
        make_return(big, args.big_rows, 9999)
        assert read_workbook(small[0]).book is not None
        print(
            f"{'file':<34}{'calamine ms':>12}{'pre-scan ms':>12}{'read_workbook ms':>17}"
            f"{'ratio':>7}"
        )
        for label, files in (
            (f"{args.returns} returns x {args.rows} rows (per file)", small),
            (f"1 file x {args.big_rows:,} rows", [big]),
        ):
            floor, scan, ours = interleaved(files, args.repeat)
            print(
                f"{label:<34}{1000 * floor:>12.2f}{1000 * scan:>12.2f}"
                f"{1000 * ours:>17.2f}{ours / floor:>7.2f}"
            )


if __name__ == "__main__":
    main()
