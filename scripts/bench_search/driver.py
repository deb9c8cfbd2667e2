#!/usr/bin/env python3
"""Search benchmark driver (standard library only).

Builds >= N queries of each kind from a sample of the generated people (the
generator's record is the ground truth: the query is made from person X, so
X must come back), then measures, on the same queries:

  * kieubao: GET /api/v1/search?q=..&limit=20 over HTTP (keep-alive, one client);
  * PostgreSQL unaccent + pg_trgm: similarity (%) ordered by similarity, and
    ILIKE '%..%' (both on the trigram GIN index), run by psql with \\timing;
  * SQLite FTS5 (unicode61 remove_diacritics 2), in-process.

Recall@20: the target is among the 20 hits, or the 20 hits are all people
the query cannot tell apart from the target: the same (folded) name — for
other-name queries the same other name — or, for e-mail queries, the same
address (the generator gives common addresses to several people).
"""

import argparse
import csv
import http.client
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.parse

LIMIT = 20


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^0-9a-zA-Z]+", " ", s.lower())
    return s.strip()


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def typo(word, rng):
    letters = "abcdeghiklmnopqrstuvxy"
    i = rng.randrange(len(word))
    op = rng.choice(["del", "sub", "swap", "ins"])
    if op == "del":
        return word[:i] + word[i + 1:]
    if op == "sub":
        c = rng.choice([x for x in letters if x != word[i]])
        return word[:i] + c + word[i + 1:]
    if op == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    c = rng.choice(letters)
    return word[:i] + c + word[i:]


QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(c):
    """Keys next to c on a QWERTY keyboard (each row shifted half a key right of the one above)."""
    for r, row in enumerate(QWERTY):
        i = row.find(c)
        if i < 0:
            continue
        out = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
        if r > 0:
            out += [QWERTY[r - 1][j] for j in (i, i + 1) if j < len(QWERTY[r - 1])]
        if r < 2:
            out += [QWERTY[r + 1][j] for j in (i - 1, i) if 0 <= j < len(QWERTY[r + 1])]
        return out
    return []


TELEX_TONE = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def telex(word):
    """A syllable as its Telex keystrokes: Nguyễn -> Nguyeenx, Trường -> Truwowngf."""
    out, tone = [], ""
    for ch in unicodedata.normalize("NFD", word):
        if ch in TELEX_TONE:
            tone = TELEX_TONE[ch]
        elif ch == "\u0302":
            out.append(out[-1].lower())
        elif ch in ("\u0306", "\u031b"):
            out.append("w")
        elif ch in ("đ", "Đ"):
            out.append("dd" if ch == "đ" else "Dd")
        else:
            out.append(ch)
    return "".join(out) + tone


def random_case(s, rng):
    return rng.choice([s.lower(), s.upper(), s.title()])


def phone_format(e164, rng):
    d = e164.lstrip("+")
    style = rng.randrange(4)
    if style == 0:
        return "00" + " ".join(d[i:i + 3] for i in range(0, len(d), 3))
    if style == 1:
        return "+" + d[:2] + "-" + d[2:5] + "-" + d[5:8] + "-" + d[8:]
    if style == 2 and d.startswith("84"):
        n = "0" + d[2:]
        return n[:4] + " " + n[4:7] + " " + n[7:]
    t = d[-10:]
    return "(" + t[:3] + ") " + t[3:6] + "-" + t[6:]


def make_queries(people, per_kind, seed):
    rng = random.Random(seed)
    rng.shuffle(people)
    kinds = {}

    def take(kind, make):
        out = []
        for p in people:
            if len(out) >= per_kind:
                break
            q = make(p)
            if q:
                out.append({"kind": kind, "q": q, "id": p["id"], "name": p["full_name"]})
        kinds[kind] = out

    def syl(p):
        return fold(p["full_name"]).split()

    take("exact", lambda p: p["full_name"])
    take("no_diacritics", lambda p: random_case(fold(p["full_name"]), rng))

    def order(p):
        s = syl(p)
        if len(s) < 2:
            return None
        return random_case(" ".join(s[1:] + s[:1]), rng)

    take("name_order", order)

    def one_typo(p):
        s = syl(p)
        idx = [i for i, w in enumerate(s) if len(w) >= 4] or [i for i, w in enumerate(s) if len(w) >= 3]
        if not idx:
            return None
        i = rng.choice(idx)
        t = typo(s[i], rng)
        if t == s[i] or len(t) < 3:
            return None
        s[i] = t
        return " ".join(s)

    take("typo", one_typo)

    def missing(p):
        s = syl(p)
        if len(s) < 3:
            return None
        del s[rng.randrange(1, len(s) - 1)]
        return " ".join(s)

    take("missing_syllable", missing)

    def extra(p):
        s = syl(p)
        w = rng.choice([x for x in ["xuan", "kim", "ngoc", "bao"] if x not in s])
        s.insert(rng.randrange(1, len(s)), w)
        return " ".join(s)

    take("extra_syllable", extra)

    def alias(p):
        o = p["other_names"]
        return rng.choice(o) if o else None

    take("other_name", alias)
    take("phone", lambda p: phone_format(p["phone"], rng) if p["phone"] else None)
    take("passport", lambda p: (p["passport_no"][:1].lower() + " " + p["passport_no"][1:]) if p["passport_no"] else None)
    take("email", lambda p: p["email"].upper() if p["email"] else None)
    # Latency only: a fragment, and typing (the start of the second syllable).
    take("fragment", lambda p: syl(p)[-1])

    def typing(p):
        s = syl(p)
        if len(s) < 2 or len(s[1]) < 2:
            return None
        return s[0] + " " + s[1][: max(1, len(s[1]) - 1)]

    take("typing_prefix", typing)

    # Issue 17: substitutions the ranking was not tuned on (queries drawn
    # after every kind above, so new ones), as an official types them: the
    # name with its marks, one letter replaced by any other letter.
    def substitution(p):
        words = p["full_name"].split()
        idx = [i for i, w in enumerate(words) if len(fold(w)) >= 4] or [i for i, w in enumerate(words) if len(fold(w)) >= 3]
        if not idx:
            return None
        i = rng.choice(idx)
        chars = list(unicodedata.normalize("NFC", words[i]))
        j = rng.randrange(len(chars))
        old = fold(chars[j])
        if not old.isalpha():
            return None
        c = rng.choice([x for x in "abcdeghiklmnopqrstuvxy" if x != old])
        chars[j] = c.upper() if chars[j].isupper() else c
        words[i] = "".join(chars)
        q = " ".join(words)
        return q if fold(q) != fold(p["full_name"]) else None

    take("typo_substitution", substitution)

    # The same, folded (no marks to tell the names apart).
    def substitution_folded(p):
        q = substitution(p)
        return fold(q) if q else None

    take("typo_substitution_folded", substitution_folded)

    # How people really mistype: a neighbouring key instead of the letter
    # (marks of the other letters kept), or a syllable typed as Telex
    # keystrokes with the input method off.
    def keyboard(p):
        words = p["full_name"].split()
        idx = [i for i, w in enumerate(words) if len(fold(w)) >= 3]
        if not idx:
            return None
        i = rng.choice(idx)
        if rng.random() < 0.25:
            t = telex(words[i])
            if t == words[i]:
                return None
            words[i] = t
            return " ".join(words)
        chars = list(unicodedata.normalize("NFC", words[i]))
        j = rng.randrange(len(chars))
        old = fold(chars[j])
        near = neighbours(old)
        if not near:
            return None
        c = rng.choice(near)
        chars[j] = c.upper() if chars[j].isupper() else c
        words[i] = "".join(chars)
        q = " ".join(words)
        return q if fold(q) != fold(p["full_name"]) else None

    take("typo_keyboard", keyboard)
    return kinds


NO_RECALL = {"fragment", "typing_prefix"}


def hit(q, results):
    """results: list of (id, name as matched)."""
    ids = [r[0] for r in results]
    if q["id"] in ids:
        return True
    if q["kind"] == "email":
        target = q["q"].lower()
    elif q["kind"] == "other_name":
        target = fold(q["q"])
    else:
        target = fold(q["name"])
    same = sum(1 for r in results if fold(r[1]) == fold(target) or r[1].lower() == target)
    return same >= LIMIT


def run_kieubao(base, token, kinds):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    headers = {"Authorization": "Bearer " + token}
    out = {}
    for kind, qs in kinds.items():
        lat, ok, totals, steps = [], 0, [], {}
        for q in qs:
            path = "/api/v1/search?" + urllib.parse.urlencode({"q": q["q"], "limit": LIMIT})
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            lat.append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                raise SystemExit(f"HTTP {r.status}: {body[:200]!r}")
            # The server's own breakdown: "catchup;dur=0.12, engine;dur=1.3, ..."
            for part in (r.getheader("Server-Timing") or "").split(","):
                if ";dur=" in part:
                    name, dur = part.strip().split(";dur=", 1)
                    steps.setdefault(name, []).append(float(dur))
            v = json.loads(body)
            totals.append(v["total"])
            if q["kind"] == "email":
                matched = [(i["id"], i["email"]) for i in v["items"]]
            else:
                matched = [(i["id"], i.get("matched_other_name") or i["full_name"]) for i in v["items"]]
            if hit(q, matched):
                ok += 1
        out[kind] = summary(lat, ok, len(qs), kind)
        out[kind]["server_p50_p95_ms"] = {
            name: [round(pct(v, 50), 2), round(pct(v, 95), 2)] for name, v in steps.items()
        }
    return out


def summary(lat, ok, n, kind):
    return {
        "n": n,
        "p50_ms": round(pct(lat, 50), 2),
        "p95_ms": round(pct(lat, 95), 2),
        "recall": None if kind in NO_RECALL else round(ok / n, 3) if n else None,
    }


def sql_lit(s):
    return "'" + s.replace("'", "''") + "'"


def run_pg(psql, kinds, mode, cap=None):
    name_kinds = {k: v[:cap] for k, v in kinds.items() if k not in ("phone", "passport", "email")}
    lines = ["\\timing on", "SET pg_trgm.similarity_threshold = 0.3;"]
    order = []
    for kind, qs in name_kinds.items():
        for q in qs:
            order.append((kind, q))
            lines.append("\\echo @@Q")
            lit = sql_lit(q["q"])
            if mode == "similarity":
                lines.append(
                    "SELECT id || '|' || full_name FROM persons WHERE deleted_at IS NULL AND "
                    f"bench_f_unaccent(full_name || ' ' || other_names) % bench_f_unaccent({lit}) "
                    f"ORDER BY similarity(bench_f_unaccent(full_name || ' ' || other_names), bench_f_unaccent({lit})) DESC "
                    f"LIMIT {LIMIT};"
                )
            else:
                lines.append(
                    "SELECT id || '|' || full_name FROM persons WHERE deleted_at IS NULL AND "
                    f"bench_f_unaccent(full_name || ' ' || other_names) LIKE '%' || bench_f_unaccent({lit}) || '%' "
                    f"LIMIT {LIMIT};"
                )
    script = "\n".join(lines) + "\n"
    p = subprocess.run(psql + ["-At", "-v", "ON_ERROR_STOP=1"], input=script, capture_output=True, text=True, check=True)
    blocks = p.stdout.split("@@Q\n")[1:]
    res = {}
    for (kind, q), block in zip(order, blocks):
        rows, ms = [], None
        for line in block.splitlines():
            m = re.match(r"Time: ([0-9.]+) ms", line)
            if m:
                ms = float(m.group(1))
            elif "|" in line:
                i, n = line.split("|", 1)
                rows.append((int(i), n))
        r = res.setdefault(kind, {"lat": [], "ok": 0, "n": 0})
        r["lat"].append(ms)
        r["n"] += 1
        r["ok"] += 1 if hit(q, rows) else 0
    return {k: summary(v["lat"], v["ok"], v["n"], k) for k, v in res.items()}


def build_fts(path, names_csv):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(full_name, other_names, tokenize='unicode61 remove_diacritics 2')"
    )
    t0 = time.perf_counter()
    with open(names_csv, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        batch = []
        for row in rd:
            batch.append((int(row[0]), row[1], " ".join(json.loads(row[2] or "[]"))))
            if len(batch) >= 50000:
                db.executemany("INSERT INTO fts(rowid, full_name, other_names) VALUES (?, ?, ?)", batch)
                batch = []
        if batch:
            db.executemany("INSERT INTO fts(rowid, full_name, other_names) VALUES (?, ?, ?)", batch)
    db.commit()
    return db, time.perf_counter() - t0


def run_fts(db, kinds):
    out = {}
    for kind, qs in kinds.items():
        if kind in ("phone", "passport", "email"):
            continue
        lat, ok = [], 0
        for q in qs:
            toks = [t for t in re.split(r"\W+", q["q"]) if t]
            if not toks:
                continue
            parts = ['"' + t.replace('"', '""') + '"' for t in toks]
            parts[-1] += "*"
            expr = " AND ".join(parts)
            t0 = time.perf_counter()
            rows = db.execute(
                f"SELECT rowid, full_name FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT {LIMIT}", (expr,)
            ).fetchall()
            lat.append((time.perf_counter() - t0) * 1000)
            ok += 1 if hit(q, rows) else 0
        out[kind] = summary(lat, ok, len(qs), kind)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--names", help="id,full_name,other_names CSV of everyone (for FTS5)")
    ap.add_argument("--psql", help="psql command line (space separated) for the PostgreSQL peer")
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warmup", type=int, default=200, help="untimed queries per kind first (another seed)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--similarity-per-kind", type=int, default=10,
                    help="pg_trgm similarity takes seconds a query at 1M: only the first N of each kind")
    ap.add_argument("--engines", default="kieubao,pg,fts", help="comma list: kieubao, pg, fts")
    a = ap.parse_args()
    engines = set(a.engines.split(","))
    people = []
    with open(a.sample, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            row["id"] = int(row["id"])
            row["other_names"] = json.loads(row["other_names"] or "[]")
            people.append(row)
    kinds = make_queries(people, a.per_kind, a.seed)
    result = {}
    if os.path.exists(a.out):
        with open(a.out, encoding="utf-8") as f:
            result = json.load(f)
    result["queries"] = {k: len(v) for k, v in kinds.items()}
    if "kieubao" in engines:
        # Warm-up, untimed, with other queries (another seed): connections
        # open, the server's and PostgreSQL's caches in service, as a server
        # that has been answering for a while.
        if a.warmup > 0:
            warm = make_queries(list(people), a.warmup, a.seed + 1)
            run_kieubao(a.base, a.token, warm)
        result["kieubao"] = run_kieubao(a.base, a.token, kinds)
        print(json.dumps(result["kieubao"], indent=1), file=sys.stderr)
    if a.psql and "pg" in engines:
        psql = a.psql.split()
        result["pg_trgm_similarity"] = run_pg(psql, kinds, "similarity", a.similarity_per_kind)
        result["pg_unaccent_ilike"] = run_pg(psql, kinds, "ilike")
    if a.names and "fts" in engines:
        db, secs = build_fts(a.out + ".fts.sqlite", a.names)
        result["fts5_build_s"] = round(secs, 1)
        result["sqlite_fts5"] = run_fts(db, kinds)
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    # Markdown table.
    engines = [e for e in ("kieubao", "pg_trgm_similarity", "pg_unaccent_ilike", "sqlite_fts5") if e in result]
    print("| query kind | n | " + " | ".join(f"{e} p50 / p95 ms, recall" for e in engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for k in kinds:
        cells = []
        for e in engines:
            r = result[e].get(k)
            if not r:
                cells.append("n/a")
                continue
            rec = "—" if r["recall"] is None else f"{r['recall']:.3f}"
            cells.append(f"{r['p50_ms']} / {r['p95_ms']}, {rec} (n={r['n']})")
        print(f"| {k} | {len(kinds[k])} | " + " | ".join(cells) + " |")
    if "kieubao" in result:
        # Where a kieubao request's time went (server side, p50 / p95 ms per step).
        steps = ["catchup", "members", "engine", "readback", "audit"]
        print()
        print("| query kind | " + " | ".join(steps) + " |")
        print("|---|" + "---|" * len(steps))
        for k in kinds:
            srv = result["kieubao"].get(k, {}).get("server_p50_p95_ms", {})
            cells = [f"{srv[s][0]} / {srv[s][1]}" if s in srv else "n/a" for s in steps]
            print(f"| {k} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
