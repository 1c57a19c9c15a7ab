"""Verdict latency of ``tianbao serve`` under concurrent uploads, beside ``tianbao validate``.

    python benchmarks/bench_serve.py [--clients 1,5,20] [--rounds 4] [--hostile bomb|sst]

Makes the demo (``tianbao demo DIR`` in a temp dir), starts ``tianbao serve`` on
127.0.0.1 (its own process, as the office runs it), logs each department in (its
issued password changed), then for each number of clients: every client uploads its
department's June return ``--rounds`` times (each time with other bytes: a zip comment,
so every upload is a new version, validated and recorded) and reads the verdict page.
Latency = POST of the upload to the verdict page read. Then the same with one more
client uploading a hostile file in a loop (``bomb``: a deflate bomb whose zip headers
claim a small sheet, inflated until the guard stops it; ``sst``: a legal but huge
shared-strings part). Prints a table with the load average of the machine at the time,
and ``tianbao validate`` of the same files in the same run. Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

import httpx

PASSWORD = "bench-password-2014"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def tianbao(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tianbao.cli", *map(str, args)],
                          capture_output=True, text=True, check=check)  # fmt: skip


def june_returns(demo: Path) -> dict[str, Path]:
    """One June return per department the demo made (a department's latest)."""
    found: dict[str, Path] = {}
    for path in sorted((demo / "returns" / "2014-06").rglob("*.xlsx"), key=lambda p: -len(p.parts)):
        found[path.name.split("_")[1]] = path  # the top folder's (the later) wins
    return found


def with_comment(path: Path, tag: str) -> bytes:
    """The workbook with a zip comment: the same cells, other bytes (a new version)."""
    data = path.read_bytes()
    end = data.rfind(b"PK\x05\x06")
    comment = tag.encode()
    return data[: end + 20] + struct.pack("<H", len(comment)) + comment


def bomb(out: Path) -> Path:
    """A deflate bomb: sheet1.xml inflates to 1 GiB of spaces while the zip's headers
    claim 100 KB (a reader trusting them would inflate it all)."""
    claimed = 100_000
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    body = [z.compress(head)] + [z.compress(chunk) for _ in range(1024)] + [z.flush()]
    return _package(out, {"xl/worksheets/sheet1.xml": (b"".join(body), claimed)})


def huge_sst(out: Path) -> Path:
    """A legal package whose shared strings hold 2.5 million distinct strings."""
    n = 2_500_000
    parts = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'count="%d" uniqueCount="%d">' % (n, n)]  # fmt: skip
    parts += [b"<si><t>%x</t></si>" % (i * 2654435761 % 2**40) for i in range(n)]
    parts.append(b"</sst>")
    xml = b"".join(parts)
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _package(out, {"xl/sharedStrings.xml": (z.compress(xml) + z.flush(), len(xml))})


_CT = b"""<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""  # noqa: E501
_RELS = b"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""  # noqa: E501
_WB = b"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""  # noqa: E501
_WB_RELS = b"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""  # noqa: E501
_SHEET = b"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"""  # noqa: E501


def _package(out: Path, raw: dict[str, tuple[bytes, int]]) -> Path:
    """A zip of the plain parts plus ``raw`` ones: (deflated bytes, the size the headers
    claim); the CRC is left 0 (a reader must not get that far)."""
    plain = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS, "xl/workbook.xml": _WB,
             "xl/_rels/workbook.xml.rels": _WB_RELS, "xl/worksheets/sheet1.xml": _SHEET,
             "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"/>'}  # fmt: skip
    entries = []
    for name, data in plain.items():
        if name in raw:
            entries.append((name, *raw[name], 0))
        else:
            z = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((name, z.compress(data) + z.flush(), len(data), zlib.crc32(data)))
    blob, central = bytearray(), bytearray()
    for name, comp, size, crc in entries:
        n = name.encode()
        offset = len(blob)
        blob += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(comp), size,
                            len(n), 0) + n + comp  # fmt: skip
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc,
                               len(comp), size, len(n), 0, 0, 0, 0, 0, offset) + n  # fmt: skip
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central),
                      len(blob), 0)  # fmt: skip
    out.write_bytes(bytes(blob + central + end))
    return out


class Client:
    def __init__(self, url: str, name: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=120, follow_redirects=True)
        self.name = name

    def token(self, page: str) -> str:
        found = _CSRF.search(self.http.get(page).text)
        assert found, page
        return found.group(1)

    def login(self, password: str) -> str:
        res = self.http.post("/login", data={"name": self.name, "password": password,
                                             "csrf": self.token("/login")})  # fmt: skip
        return str(res.url.path)

    def first_login(self, issued: str) -> None:
        assert self.login(issued) == "/password"
        form = {"old": issued, "new": PASSWORD, "again": PASSWORD, "csrf": self.token("/password")}
        assert self.http.post("/password", data=form).status_code == 200

    def upload(self, name: str, data: bytes) -> tuple[float, int]:
        """(seconds from the POST to the verdict page read, the final status code)."""
        token = self.token("/upload")
        t0 = time.perf_counter()
        res = self.http.post("/upload", data={"csrf": token},
                             files={"file": (name, data, "application/octet-stream")})  # fmt: skip
        return time.perf_counter() - t0, res.status_code


def serve(ws: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tianbao.cli", "serve", "-w", str(ws),
                             "--port", str(port), "--as-of", "2014-07-03"],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # a benchmark may poll: the server takes a moment to start
        try:
            httpx.get(url + "/login", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("tianbao serve did not start")


def run(url: str, files: dict[str, Path], n: int, rounds: int, hostile: Path | None,
        counter: list[int]) -> tuple[list[float], float, int, list[float]]:  # fmt: skip
    """n clients × rounds uploads (+ one hostile client looping until they finish):
    their latencies, the wall time, the hostile uploads refused and their latencies."""
    depts = sorted(files)
    clients = [Client(url, depts[i % len(depts)]) for i in range(n)]
    for c in clients:
        c.login(PASSWORD)
    latencies: list[float] = []
    bad: list[float] = []
    done = threading.Event()
    lock = threading.Lock()

    def one(c: Client) -> None:
        for _ in range(rounds):
            with lock:
                counter[0] += 1
                tag = f"bench-{counter[0]}"
            s, code = c.upload(files[c.name].name, with_comment(files[c.name], tag))
            assert code == 200, code
            with lock:
                latencies.append(s)

    def evil(c: Client, data: bytes) -> None:
        while not done.is_set():
            s, code = c.upload("evil.xlsx", data)
            assert code == 422, code  # refused with the reader's reason
            bad.append(s)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    attacker = None
    if hostile is not None:
        evil_client = Client(url, depts[-1])
        evil_client.login(PASSWORD)
        attacker = threading.Thread(target=evil, args=(evil_client, hostile.read_bytes()))
        attacker.start()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    done.set()
    if attacker is not None:
        attacker.join()
    return latencies, wall, len(bad), bad


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its waited-for children (the guarded readers), Linux."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", default="1,5,20")
    ap.add_argument("--rounds", type=int, default=4, help="uploads per client")
    ap.add_argument("--hostile", choices=("bomb", "sst"), default="bomb")
    args = ap.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        base = Path(tmp)
        tianbao("demo", base / "demo")
        ws = base / "demo" / "workspace"
        files = june_returns(base / "demo")
        t0 = time.perf_counter()
        tianbao("validate", "-w", ws, *files.values(), check=False)
        validate_cli = time.perf_counter() - t0
        single = []
        for f in files.values():
            t0 = time.perf_counter()
            tianbao("validate", "-w", ws, f, check=False)
            single.append(time.perf_counter() - t0)
        hostile = (bomb if args.hostile == "bomb" else huge_sst)(base / f"{args.hostile}.xlsx")
        t0 = time.perf_counter()
        tianbao("validate", "-w", ws, hostile, check=False)
        validate_hostile = time.perf_counter() - t0
        issued = dict(line.split("\t")[::2] for line in
                      tianbao("accounts", "issue", "-w", ws).stdout.splitlines()[1:])  # fmt: skip
        proc, url = serve(ws)
        try:
            for dept in files:
                Client(url, dept).first_login(issued[dept])
            counter = [0]
            rows = []
            for with_hostile in (False, True):
                for n in counts:
                    load, cpu, mine = os.getloadavg()[0], cpu_seconds(proc.pid), time.process_time()
                    evil = hostile if with_hostile else None
                    lat, wall, refused, bad = run(url, files, n, args.rounds, evil, counter)
                    cpu, mine = cpu_seconds(proc.pid) - cpu, time.process_time() - mine
                    rows.append((n, with_hostile, lat, wall, refused, bad, load,
                                 os.getloadavg()[0], cpu, mine))  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(30)
        size = hostile.stat().st_size
    print(f"machine: {os.cpu_count()} cores; hostile file: {args.hostile} ({size / 1e6:.1f} MB)")
    print(f"tianbao validate, the {len(files)} June returns in one run: {validate_cli:.2f} s "
          f"({1000 * validate_cli / len(files):.0f} ms a file); one file a run: "
          f"p50 {statistics.median(single):.2f} s, max {max(single):.2f} s (process start "
          f"included); the hostile file: {validate_hostile:.2f} s")  # fmt: skip
    print(f"{'clients':>8}{'hostile':>9}{'uploads':>9}{'p50 s':>8}{'p95 s':>8}{'max s':>8}"
          f"{'uploads/s':>11}{'refused':>9}{'its p50':>9}{'server CPU':>11}{'clients':>8}"
          f"{'load':>12}")  # fmt: skip
    for n, h, lat, wall, refused, bad, l0, l1, cpu, mine in rows:
        each = 1000 / (len(lat) + len(bad))
        evil = f"{statistics.median(bad):>9.2f}" if bad else f"{'-':>9}"
        print(f"{n:>8}{'yes' if h else 'no':>9}{len(lat):>9}{pct(lat, 50):>8.2f}"
              f"{pct(lat, 95):>8.2f}{max(lat):>8.2f}{len(lat) / wall:>11.1f}{refused:>9}{evil}"
              f"{f'{cpu * each:.0f} ms':>11}{f'{mine * each:.0f} ms':>8}"
              f"{f'{l0:.1f}→{l1:.1f}':>12}")  # fmt: skip
    print("server CPU, clients: CPU time of the server (with its guarded readers) and of "
          "this process's client threads, per upload (the hostile ones counted)")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
