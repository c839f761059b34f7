#!/usr/bin/env python3
"""An independent client of the Cloud Partner Portal REST API (api-version 2017-10-31).

Written only from the documented CPP request shapes (Microsoft's CPP API pages, summarised in
docs/api.md), with the Python standard library, so it shares no code with Partner Portal. It runs the whole publishing flow of a new VM offer:

  PUT offer (201) -> PUT with If-Match (200) -> POST publish (202 + Location)
  -> poll the operation until publisher sign-off -> GET status -> POST golive (202)
  -> poll until completed -> GET slot/Production -> GET submissions.

Usage:
  cpp_flow.py --server PATH/TO/portal-server      start a fresh server (temp data dir) and run
  cpp_flow.py --url http://127.0.0.1:8080 --token TOKEN [--publisher contoso]
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

API_VERSION = "2017-10-31"


class Client:
    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, headers=None):
        sep = "&" if "?" in path else "?"
        url = path if path.startswith("http") else f"{self.base}{path}"
        if "api-version=" not in url:
            url = f"{url}{sep}api-version={API_VERSION}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
                return resp.status, resp.headers, (json.loads(text) if text else None)
        except urllib.error.HTTPError as err:
            text = err.read().decode()
            return err.code, err.headers, (json.loads(text) if text else None)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"  ok  {what}")


def wait_for(what, fn, deadline_s=60):
    """Polls fn() until it returns a truthy value, or fails after the deadline."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = fn()
        if value:
            print(f"  ok  {what}")
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


def offer_body(publisher, offer_id, image_base):
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    st = (now - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    se = (now + dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sas = f"sp=rl&st={st}&se={se}&sr=c&sig=dGVzdA%3D%3D"
    m = "microsoft-azure-marketplace."
    v = "microsoft-azure-virtualmachines."
    return {
        "publisherId": publisher,
        "offerTypeId": "microsoft-azure-virtualmachines",
        "id": offer_id,
        "offerTypeVersions": {"microsoft-azure-virtualmachines": 1, "microsoft-azure-marketplace": 1},
        "definition": {
            "displayText": "Independent Client VM",
            "offer": {
                m + "title": "Independent Client VM",
                m + "summary": "Published by a script that only knows the CPP API",
                m + "longSummary": "An offer created and published through the documented REST calls.",
                m + "description": "<p>Created by <b>cpp_flow.py</b>.</p>",
                m + "offerMarketingUrlIdentifier": offer_id,
                m + "allowedSubscriptions": ["0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"],
                m + "usefulLinks": [{"linkTitle": "Docs", "linkUrl": "https://contoso.com/docs"}],
                m + "categories": ["devService"],
                # The portal's own demo images: step 1 and Packaging fetch and check every logo.
                m + "smallLogo": f"{image_base}/assets/logo-40.png",
                m + "mediumLogo": f"{image_base}/assets/logo-90.png",
                m + "largeLogo": f"{image_base}/assets/logo-115.png",
                m + "wideLogo": f"{image_base}/assets/logo-255x115.png",
                m + "leadDestination": "None",
                m + "privacyURL": "https://contoso.com/privacy",
                m + "termsOfUse": "Terms.",
                m + "engineeringContactName": "Eng",
                m + "engineeringContactEmail": "eng@contoso.com",
                m + "engineeringContactPhone": "+1 425 555 0100",
                m + "supportContactName": "Support",
                m + "supportContactEmail": "support@contoso.com",
                m + "supportContactPhone": "+1 425 555 0101",
                m + "publicAzureSupportUrl": "",
                m + "fairfaxSupportUrl": "",
            },
            "plans": [
                {
                    "planId": "standard",
                    v + "skuTitle": "Standard",
                    v + "skuSummary": "The standard SKU",
                    v + "skuDescription": "Standard SKU of the independent client offer.",
                    v + "hideSKUForSolutionTemplate": False,
                    v + "cloudAvailability": ["PublicAzure"],
                    "virtualMachinePricing": {"isByol": True, "freeTrialDurationInMonths": 0},
                    v + "operatingSystemFamily": "Linux",
                    v + "operationSystem": "Ubuntu 22.04",
                    v + "recommendedVMSizes": ["a1-standard", "a2-standard"],
                    v + "openPorts": [],
                    v + "vmImages": {
                        "1.0.0": {"osVhdUrl": f"{image_base}/vhds/linux-pass.vhd?{sas}", "lunVhdDetails": []}
                    },
                    "regions": ["US", "KR"],
                }
            ],
        },
    }


def run_flow(client, publisher):
    offer_id = f"cpp-client-{int(time.time())}"
    base = f"/api/publishers/{publisher}/offers"
    print(f"offer {publisher}/{offer_id}")

    status, _, offers = client.call("GET", base)
    expect(status == 200 and isinstance(offers, list), "GET offers lists the publisher's offers")

    body = offer_body(publisher, offer_id, f"{client.base}/demo")
    status, headers, created = client.call("PUT", f"{base}/{offer_id}", body)
    expect(status == 201, f"PUT creates the offer (201, got {status})")
    etag = headers.get("ETag")
    expect(bool(etag), "the answer carries an ETag")
    expect(created["definition"]["offer"]["microsoft-azure-marketplace.title"] == "Independent Client VM", "the stored offer is returned")

    body["definition"]["offer"]["microsoft-azure-marketplace.summary"] = "Changed by the independent client"
    status, headers, _ = client.call("PUT", f"{base}/{offer_id}", body, {"If-Match": etag})
    expect(status == 200, f"PUT with If-Match modifies it (200, got {status})")
    status, _, _ = client.call("PUT", f"{base}/{offer_id}", body, {"If-Match": etag})
    expect(status == 412, f"PUT with a stale If-Match is refused (412, got {status})")

    status, headers, _ = client.call("POST", f"{base}/{offer_id}/publish", {"metadata": {"notification-emails": "jdoe@contoso.com"}})
    expect(status == 202, f"POST publish is accepted (202, got {status})")
    location = headers.get("Location")
    expect(bool(location) and "/operations/" in location, f"publish returns the operation's Location ({location})")

    def at_signoff():
        s, _, op = client.call("GET", location)
        if s != 200:
            raise AssertionError(f"GET operation answered {s}: {op}")
        if op.get("status") == "failed":
            raise AssertionError(f"publish failed: {json.dumps(op, indent=1)[:2000]}")
        steps = {st["id"]: st["status"] for st in op.get("steps", [])}
        return steps.get("publisher-signoff") == "waitingForPublisherReview"

    wait_for("the operation reaches publisher sign-off", at_signoff, 120)

    status, _, st = client.call("GET", f"{base}/{offer_id}/status")
    ids = [s["id"] for s in st["steps"]]
    expect(status == 200 and ids[:4] == ["displaydummycertify", "displaycertify", "displayprovision", "displaypackage"], "GET status lists the CPP steps")
    expect(all({"id", "stepName", "status", "estimatedTimeFrame", "progressPercentage", "messages"} <= set(s) for s in st["steps"]), "every step has the CPP fields")
    expect(st["notificationEmails"] == "jdoe@contoso.com", "status carries the notification e-mails")

    status, headers, _ = client.call("POST", f"{base}/{offer_id}/golive")
    expect(status == 202, f"POST golive is accepted (202, got {status})")
    live_location = headers.get("Location") or location

    def completed():
        s, _, op = client.call("GET", live_location)
        return s == 200 and op.get("status") == "completed"

    wait_for("the operation completes (live)", completed, 120)

    status, _, prod = client.call("GET", f"{base}/{offer_id}/slot/Production")
    expect(status == 200 and prod["definition"]["offer"]["microsoft-azure-marketplace.summary"] == "Changed by the independent client", "GET slot/Production returns the published version")

    status, _, subs = client.call("GET", f"{base}/{offer_id}/submissions?status=running")
    expect(status == 200 and subs == [], "no operation is running any more")
    status, _, subs = client.call("GET", f"{base}/{offer_id}/submissions")
    expect(status == 200 and len(subs) == 1 and subs[0]["submissionType"] == "publish", "the publish is in the operations list")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary):
    data = tempfile.mkdtemp(prefix="cpp-flow-")
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w+")
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", os.path.join(data, "data")], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    token = None
    while time.monotonic() < deadline and token is None:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited:\n{log.read()}")
        log.seek(0)
        found = re.search(r"API token: (\S+)", log.read())
        token = found.group(1) if found else None
        time.sleep(0.1)
    if token is None:
        proc.kill()
        raise RuntimeError("server printed no demo token")
    return proc, data, f"http://127.0.0.1:{port}", token


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", help="portal-server binary to start fresh")
    parser.add_argument("--url")
    parser.add_argument("--token")
    parser.add_argument("--publisher", default="contoso")
    args = parser.parse_args()
    proc = data = None
    try:
        if args.server:
            proc, data, url, token = start_server(args.server)
        elif args.url and args.token:
            url, token = args.url, args.token
        else:
            parser.error("give --server, or --url and --token")
        run_flow(Client(url, token), args.publisher)
        print("cpp-client: 1 passed, 0 failed")
        return 0
    except AssertionError as err:
        print(f"  FAIL {err}")
        print("cpp-client: 0 passed, 1 failed")
        return 1
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        if data is not None:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
