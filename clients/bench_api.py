#!/usr/bin/env python3
"""API benchmark driver (docs/benchmarks.md). Starts a release portal-server on a fresh data
dir, seeds 10,000 offers through the API, measures publish → sign-off wall time, then runs wrk
against GET status, the offers list, and a bare axum handler serving the same bytes.

Usage: clients/bench_api.py TARGET_DIR [REGIONS]   (release binaries portal-server and
examples/bare; REGIONS is passed to --regions)
"""

import concurrent.futures as cf
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from cpp_flow import Client, offer_body  # noqa: E402

OFFERS = int(os.environ.get("BENCH_OFFERS", "10000"))
DURATION = os.environ.get("BENCH_DURATION", "10s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def wrk(url, token=None):
    cmd = ["wrk", "-t2", "-c64", f"-d{DURATION}", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": lat.get("50"), "p90": lat.get("90"), "p99": lat.get("99"), "non2xx": int(errors.group(1)) if errors else 0}


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "target/release"
    server_bin = os.path.join(target, "portal-server")
    bare_bin = os.path.join(target, "examples", "bare")
    data = tempfile.mkdtemp(prefix="bench-api-")
    port, bare_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    # A demo server: it builds and serves real sample images (a passing 1 GiB Linux VHD).
    log_path = os.path.join(data, "server.log")
    log = open(log_path, "w")
    # Optional second argument: the --regions spec (default: the server's three local regions;
    # each publish copies the 1 GiB sample image to every region).
    regions = ["--regions", sys.argv[2]] if len(sys.argv) > 2 else []
    server = subprocess.Popen([server_bin, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data, *regions], stdout=log, stderr=subprocess.DEVNULL)
    procs = [server]
    try:
        wait_http(f"{base}/api/health")
        token = None
        end = time.monotonic() + 60
        while token is None and time.monotonic() < end:
            found = re.search(r"API token: (\S+)", open(log_path).read())
            token = found.group(1) if found else None
            time.sleep(0.1)
        assert token, "no demo token printed"
        client = Client(base, token)
        # Seed offers through the API, 8 at a time.
        t0 = time.monotonic()

        def put(i):
            oid = f"bench-{i:05d}"
            status, _, _ = client.call("PUT", f"/api/publishers/contoso/offers/{oid}", offer_body("contoso", oid, f"{base}/demo"))
            assert status == 201, status

        with cf.ThreadPoolExecutor(8) as pool:
            list(pool.map(put, range(OFFERS)))
        seed_s = time.monotonic() - t0

        # Publish → sign-off wall time for a valid offer (images on loopback, 1 MiB each).
        samples = []
        for i in range(5):
            oid = f"bench-{i:05d}"
            t1 = time.monotonic()
            status, headers, _ = client.call("POST", f"/api/publishers/contoso/offers/{oid}/publish", {"metadata": {"notification-emails": "bench@contoso.com"}})
            assert status == 202, status
            while True:
                _, _, op = client.call("GET", headers["Location"])
                steps = {s["id"]: s["status"] for s in op["steps"]}
                if steps["publisher-signoff"] == "waitingForPublisherReview":
                    break
                assert op["status"] == "running", json.dumps(op)[:500]
                time.sleep(0.005)
            samples.append(time.monotonic() - t1)

        status_url = f"{base}/api/publishers/contoso/offers/bench-00000/status"
        list_url = f"{base}/api/publishers/contoso/offers"
        files = {}
        for name, url in [("status", status_url), ("list", list_url)]:
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            body = urllib.request.urlopen(req, timeout=60).read()
            path = os.path.join(data, f"{name}.json")
            open(path, "wb").write(body)
            files[name] = (path, len(body))

        results = {}
        results["status"] = wrk(status_url, token)
        results["list"] = wrk(list_url, token)
        for name in ["status", "list"]:
            bare = subprocess.Popen([bare_bin, f"127.0.0.1:{bare_port}", files[name][0]], stdout=subprocess.DEVNULL)
            procs.append(bare)
            wait_http(f"http://127.0.0.1:{bare_port}/")
            results[f"bare-{name}"] = wrk(f"http://127.0.0.1:{bare_port}/")
            bare.kill()
            bare.wait()

        print(f"seeded {OFFERS} offers through PUT in {seed_s:.1f} s")
        print(f"publish → sign-off (5 runs): " + ", ".join(f"{s * 1000:.0f} ms" for s in samples))
        print(f"status body {files['status'][1]} bytes; list body {files['list'][1]} bytes")
        print(f"{'target':<14}{'req/s':>10}{'p50':>10}{'p90':>10}{'p99':>10}{'non-2xx':>9}")
        for name, r in results.items():
            print(f"{name:<14}{r['rps']:>10.0f}{r['p50']:>10}{r['p90']:>10}{r['p99']:>10}{r['non2xx']:>9}")
        print(f"status / bare: {results['status']['rps'] / results['bare-status']['rps']:.0%}; list / bare: {results['list']['rps'] / results['bare-list']['rps']:.0%}")
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
