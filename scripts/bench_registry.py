#!/usr/bin/env python3
"""Measures the registry through HTTP: a commune's list page, a record page
and an edit commit (PATCH with If-Match), as p50/p95 latencies.

Standard library only. One keep-alive connection, requests one after the
other (latency, not throughput). Used by scripts/bench_registry.sh.
"""

import argparse
import http.client
import json
import random
import re
import statistics
import sys
import time
import urllib.parse


class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def timed(self, method, path, body=None, headers=None, expect=(200,)):
        t0 = time.perf_counter()
        status, hdrs, data = self.request(method, path, body, headers)
        ms = (time.perf_counter() - t0) * 1000.0
        if status not in expect:
            sys.exit(f"{method} {path}: HTTP {status}: {data[:300]!r}")
        return ms, hdrs, data


def csrf(html):
    m = re.search(rb'name="csrf" value="([^"]+)"', html) or re.search(
        rb'name="csrf-token" content="([^"]+)"', html
    )
    if not m:
        sys.exit("no CSRF token on the page")
    return m.group(1).decode()


def pct(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def summary(name, xs):
    return {
        "what": name,
        "n": len(xs),
        "p50_ms": round(statistics.median(xs), 2),
        "p95_ms": round(pct(xs, 95), 2),
        "max_ms": round(max(xs), 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--commune", required=True)
    ap.add_argument("-n", type=int, default=200, help="timed requests of each kind")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    c = Client(a.base)
    # Sign in as the commune officer (browser-like: CSRF cookie and field).
    _, _, html = c.timed("GET", "/login")
    form = urllib.parse.urlencode(
        {"username": a.user, "password": a.password, "csrf": csrf(html)}
    )
    c.timed(
        "POST",
        "/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
        expect=(302, 303),
    )
    # Ids of the commune's people, through the API (not timed).
    api = Client(a.base)
    auth = {"Authorization": f"Bearer {a.token}"}
    _, _, data = api.timed(
        "GET", f"/api/v1/people?commune={a.commune}&limit=500", headers=auth
    )
    page = json.loads(data)
    ids = [p["id"] for p in page["items"]]
    total = page["total"]
    if not ids:
        sys.exit("the commune has nobody")
    pages = max(1, min(20, (total + 49) // 50))
    results = []
    # Warm-up, then the timed runs.
    for _ in range(10):
        c.timed("GET", f"/people?commune={a.commune}")
        c.timed("GET", f"/people/{rnd.choice(ids)}")
    xs = [
        c.timed("GET", f"/people?commune={a.commune}&page={rnd.randint(1, pages)}")[0]
        for _ in range(a.n)
    ]
    results.append(summary(f"list page (commune {a.commune}, {total} people, pages 1-{pages})", xs))
    xs = [c.timed("GET", f"/people?page={rnd.randint(1, pages)}")[0] for _ in range(a.n)]
    results.append(summary("list page, no filter (the officer's jurisdiction = the commune)", xs))
    xs = [c.timed("GET", f"/people/{rnd.choice(ids)}")[0] for _ in range(a.n)]
    results.append(summary("record page (audited view)", xs))
    xs = []
    for i in range(a.n):
        pid = rnd.choice(ids)
        _, hdrs, _ = api.timed("GET", f"/api/v1/people/{pid}", headers=auth)
        body = json.dumps({"city_abroad": f"Bench {i}"})
        ms, _, _ = api.timed(
            "PATCH",
            f"/api/v1/people/{pid}",
            body,
            {**auth, "If-Match": hdrs["etag"], "Content-Type": "application/merge-patch+json"},
        )
        xs.append(ms)
    results.append(summary("edit commit (PATCH with If-Match, versioned + audited)", xs))
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
