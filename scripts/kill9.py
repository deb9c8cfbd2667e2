#!/usr/bin/env python3
"""kill -9 of a server at random moments during imports, merges and exports
(issue 26, "longer runs"), then restart and check that nothing is half done:

- every committed import has exactly one source row per valid row, every
  import that is not committed has none (a commit is one transaction; an
  interrupted one goes back to "validated" at start-up);
- every merge recorded has both records at or past the versions it wrote
  (the merge row and the records changed together);
- `kieubao audit verify` passes (the keyed chain is whole).

    scripts/kill9.py --bin target/release/kieubao [--backend sqlite|postgres] [--rounds 20]

Standard library only. Prints one line per round and a summary; exits 1 on
any finding.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PG = "postgres://postgres@127.0.0.1:5432"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--rows", type=int, default=4000)
    ap.add_argument("--port", type=int, default=18391)
    ap.add_argument("--seed", type=int, default=26)
    a = ap.parse_args()
    random.seed(a.seed)
    work = tempfile.mkdtemp(prefix="kb_kill9_")
    env = dict(os.environ, KIEUBAO_DATA_DIR=os.path.join(work, "data"), KIEUBAO_LOG="warn")
    with open(os.path.join(work, "kieubao.toml"), "w") as f:
        f.write("api_requests_per_minute = 0\n")
    env["KIEUBAO_CONFIG"] = os.path.join(work, "kieubao.toml")
    db = f"kb_kill9_{os.getpid()}"
    if a.backend == "postgres":
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
        env["KIEUBAO_DATABASE_URL"] = f"{PG}/{db}"

    def cli(*args, stdin=None):
        return subprocess.run([a.bin, *args], env=env, input=stdin, capture_output=True, text=True)

    def sql(q):
        if a.backend == "sqlite":
            out = subprocess.run(["sqlite3", "-json", os.path.join(work, "data", "kieubao.db"), q],
                                 capture_output=True, text=True, check=True).stdout
            return json.loads(out) if out.strip() else []
        out = subprocess.run(["psql", f"{PG}/{db}", "-tAc", f"SELECT COALESCE(json_agg(t), '[]') FROM ({q}) t"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    r = cli("demo", "--people", str(a.people), "--seed", "42")
    assert r.returncode == 0, r.stderr
    cli("user", "add", "--username", "kill9", "--role", "province_officer", stdin="kill nine passphrase 2026\n")
    token = cli("token", "create", "--username", "kill9", "--scope", "read", "--scope", "write",
                "--name", "kill9", "--expires-days", "1").stdout.strip().splitlines()[-1]
    base = f"http://127.0.0.1:{a.port}"

    def call(method, path, body=None, ctype="application/json", timeout=60):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except Exception:  # the server was killed under us
            return None, b""

    def start():
        p = subprocess.Popen([a.bin, "serve", "--addr", f"127.0.0.1:{a.port}"], env=env,
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "a"))
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return p
            except Exception:
                pass
            time.sleep(0.1)
        raise SystemExit("server never ready")

    names = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
    given = ["An", "Bình", "Cường", "Dung", "Hà", "Hiền", "Lan", "Minh", "Nam", "Thảo"]

    def csv(n):
        lines = ["Họ và tên,Nước,Năm sinh,Loại"]
        for _ in range(n):
            lines.append(f"{random.choice(names)} Văn {random.choice(given)},Hàn Quốc,{random.randint(1950, 2005)},Lao động")
        return ("\n".join(lines) + "\n").encode()

    findings = []
    stats = {"import_commits_started": 0, "merges_sent": 0, "exports_sent": 0, "recovered_commits": 0}
    proc = start()
    for rnd in range(1, a.rounds + 1):
        # An import validated and ready to commit.
        st, body = call("POST", "/api/v1/imports?source=police&file_name=kill9.csv", csv(a.rows), "text/csv")
        imp = json.loads(body)["id"] if st == 202 else None
        for _ in range(600):
            st, body = call("GET", f"/api/v1/imports/{imp}")
            if st == 200 and json.loads(body)["status"] not in ("queued", "reading", "validating"):
                break
            time.sleep(0.1)
        stop = threading.Event()

        def committer():
            stats["import_commits_started"] += 1
            call("POST", f"/api/v1/imports/{imp}/commit?auto_merge=false", b"", timeout=120)

        def merger():
            while not stop.is_set():
                st, body = call("GET", f"/api/v1/people?limit=2&after={random.randint(0, a.people)}")
                if st != 200:
                    continue
                items = json.loads(body).get("items") or []
                if len(items) < 2:
                    continue
                k, m = items[0], items[1]
                stats["merges_sent"] += 1
                call("POST", "/api/v1/merges", {"kept_id": k["id"], "merged_id": m["id"],
                                                "kept_version": k["version"], "merged_version": m["version"],
                                                "choices": {}})

        def exporter():
            while not stop.is_set():
                stats["exports_sent"] += 1
                call("GET", "/api/v1/reconcile/visits.xlsx?round=2026")

        threads = [threading.Thread(target=f, daemon=True) for f in (committer, merger, exporter)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.05, 2.5))
        proc.kill()
        proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=5)
        proc = start()
        # Checks.
        bad_imports = sql(
            "SELECT i.id, i.status, i.valid_rows, (SELECT COUNT(*) FROM person_sources s WHERE s.import_id = i.id) AS n "
            "FROM imports i")
        for row in bad_imports:
            want = row["valid_rows"] if row["status"] == "committed" else 0
            if row["n"] != want:
                findings.append(f"round {rnd}: import {row['id']} {row['status']} has {row['n']} source rows, expected {want}")
        this = [r for r in bad_imports if r["id"] == imp]
        if this and this[0]["status"] == "validated":
            stats["recovered_commits"] += 1
        bad_merges = sql(
            "SELECT m.id FROM merges m JOIN persons k ON k.id = m.kept_id JOIN persons d ON d.id = m.merged_id "
            "WHERE m.undone_at IS NULL AND (k.version < m.kept_version_after OR d.version < m.merged_version_after)")
        for row in bad_merges:
            findings.append(f"round {rnd}: merge {row['id']} recorded without its records' change")
        v = cli("audit", "verify")
        if v.returncode != 0:
            findings.append(f"round {rnd}: audit verify failed: {v.stdout.strip()[-300:]} {v.stderr.strip()[-300:]}")
        status = this[0]["status"] if this else "?"
        print(f"round {rnd:2}: import {imp} after restart: {status:10} merges so far: "
              f"{sql('SELECT COUNT(*) AS n FROM merges')[0]['n']:4}  audit: {'intact' if v.returncode == 0 else 'BROKEN'}",
              flush=True)
    proc.terminate()
    proc.wait()
    audit_rows = sql("SELECT COUNT(*) AS n FROM audit_log")[0]["n"]
    print(f"\nbackend {a.backend}: {a.rounds} kill -9 rounds, {stats['import_commits_started']} commits started, "
          f"{stats['recovered_commits']} found interrupted and back to validated, {stats['merges_sent']} merges and "
          f"{stats['exports_sent']} exports sent, {audit_rows} audit rows; findings: {len(findings)}")
    for f in findings:
        print("FINDING:", f)
    if a.backend == "postgres":
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"])
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
