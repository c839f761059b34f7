#!/usr/bin/env python3
"""Session-cookie benchmark (docs/benchmarks.md): `GET status` of the demo's live offer with the
demo owner's session cookie against the same call with the demo's API key, in one run, on one
release server. The cookie path must keep at least 95 % of the bearer path's requests per
second. The two are measured alternately, twice each, and the better of each pair is kept.

Usage: clients/bench_session.py TARGET_DIR   (release binary portal-server)
"""

import json
import os
import re
import sys
import tempfile
import time
import subprocess
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bench_api import free_port, wait_http  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "10s")


def wrk(url, header):
    cmd = ["wrk", "-t2", "-c64", f"-d{DURATION}", "--latency", "-H", header, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"), "non2xx": int(errors.group(1)) if errors else 0}


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "target/release"
    data = tempfile.mkdtemp(prefix="bench-session-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(data, "server.log")
    server = subprocess.Popen(
        [os.path.join(target, "portal-server"), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data],
        stdout=open(log_path, "w"), stderr=subprocess.DEVNULL)
    try:
        wait_http(f"{base}/api/health")
        token, end = None, time.monotonic() + 60
        while token is None and time.monotonic() < end:
            found = re.search(r"API token: (\S+)", open(log_path).read())
            token = found.group(1) if found else None
            time.sleep(0.1)
        assert token, "no demo token printed"
        req = urllib.request.Request(
            f"{base}/api/session", method="POST",
            data=json.dumps({"email": "owner@contoso.example", "password": "demo tugboat canyon 42"}).encode(),
            headers={"Content-Type": "application/json", "X-Requested-With": "partner-portal"})
        res = urllib.request.urlopen(req)
        cookie = res.headers["Set-Cookie"].split(";")[0]
        url = f"{base}/api/publishers/contoso/offers/contoso-live/status"
        results = {"cookie": [], "bearer": []}
        for _ in range(2):
            results["bearer"].append(wrk(url, f"Authorization: Bearer {token}"))
            results["cookie"].append(wrk(url, f"Cookie: {cookie}"))
        best = {k: max(v, key=lambda r: r["rps"]) for k, v in results.items()}
        print("| credential | req/s | p50 | p99 | non-2xx |")
        print("|---|---:|---:|---:|---:|")
        for k in ("bearer", "cookie"):
            r = best[k]
            print(f"| {k} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | {r['non2xx']} |")
        ratio = best["cookie"]["rps"] / best["bearer"]["rps"]
        print(f"cookie / bearer: {ratio:.1%} (all runs: " + ", ".join(f"{k} {r['rps']:,.0f}" for k in results for r in results[k]) + ")")
        assert all(r["non2xx"] == 0 for v in results.values() for r in v), "errors answered"
        return 0 if ratio >= 0.95 else 1
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
