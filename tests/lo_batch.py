#!/usr/bin/python3
"""Run a batch of LibreOffice jobs in one soffice (run by Debian's python3 with UNO).

Usage: /usr/bin/python3 lo_batch.py LO_CLIENT_DIR JOBS.json
JOBS.json: {"roundtrip": [[src, out], ...], "fill": [[src, fill_dict, out, mode], ...],
            "pdf": {"outdir": D, "files": [src, ...]}, "locale": "zh-CN" (optional)}
Prints one JSON report: {"roundtrip": [{src, ok, error}], "fill": [...], "pdf": {...}}.
The tests call this through tests/lo.py; it is not part of the product.
"""

import json
import os
import shutil
import subprocess
import sys


def main() -> int:
    tools, jobs_path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, tools)
    import lo_client

    with open(jobs_path, encoding="utf-8") as fh:
        jobs = json.load(fh)
    report = {"roundtrip": [], "fill": [], "pdf": None}
    if jobs.get("roundtrip") or jobs.get("fill"):
        with lo_client.LOSession(locale=jobs.get("locale")) as lo:
            for src, out in jobs.get("roundtrip", []):
                try:
                    lo.roundtrip(src, out)
                    report["roundtrip"].append({"src": src, "ok": os.path.exists(out)})
                except Exception as exc:  # report, keep going
                    report["roundtrip"].append({"src": src, "ok": False, "error": str(exc)})
            for src, fill, out, mode in jobs.get("fill", []):
                try:
                    rep = lo.fill(src, fill, out, mode=mode)
                    report["fill"].append({"src": src, "ok": os.path.exists(out), "report": rep})
                except Exception as exc:
                    report["fill"].append({"src": src, "ok": False, "error": str(exc)})
    pdf = jobs.get("pdf")
    if pdf:
        profile, env = lo_client._new_profile()
        try:
            cmd = [
                lo_client.SOFFICE,
                f"-env:UserInstallation={lo_client._url(profile)}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                pdf["outdir"],
                *pdf["files"],
            ]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
            report["pdf"] = {
                "returncode": proc.returncode,
                "stdout": proc.stdout,
                "stderr": proc.stderr[-2000:],
            }
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
