#!/usr/bin/env python3
"""Data for the in-process search benchmark (crates/search/examples/search_bench.rs).

    kieubao demo --people N --seed 42 --csv people.csv
    scripts/bench_search/make_inprocess.py people.csv OUTDIR

Writes OUTDIR/names.csv (id, full_name, other_names JSON, phone, email,
passport_no; no header) and OUTDIR/queries.tsv (kind, query, target id, what
the page must be full of when the target is not on it), with the queries of
driver.py's make_queries (200 per kind, from a random 6,000-person sample).
Other names are made as the demo loader makes them (foreign given name +
family name, spouse's family name + given name); the id is the person key.
"""

import csv
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from driver import fold, make_queries  # noqa: E402

SAMPLE = 6000


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(42)
    sample = []
    n = 0
    with open(src, newline="", encoding="utf-8") as f, open(
        os.path.join(out, "names.csv"), "w", newline="", encoding="utf-8"
    ) as g:
        w = csv.writer(g)
        for row in csv.DictReader(f):
            other = []
            if row["foreign_given_name"]:
                other.append(f"{row['foreign_given_name']} {row['family_name']}")
            if row["spouse_family_name"]:
                other.append(f"{row['spouse_family_name']} {row['given_name']}")
            p = {
                "id": int(row["person_key"]),
                "full_name": row["full_name"],
                "other_names": other,
                "phone": row["phone"],
                "email": row["email"],
                "passport_no": row["passport_no"],
            }
            w.writerow([p["id"], p["full_name"], json.dumps(other, ensure_ascii=False),
                        p["phone"], p["email"], p["passport_no"]])
            n += 1
            if len(sample) < SAMPLE:
                sample.append(p)
            else:
                j = rng.randrange(n)
                if j < SAMPLE:
                    sample[j] = p
    kinds = make_queries(sample, 200, 7)
    with open(os.path.join(out, "queries.tsv"), "w", encoding="utf-8") as g:
        for kind, qs in kinds.items():
            for q in qs:
                if kind == "email":
                    target = q["q"].lower()
                elif kind == "other_name":
                    target = fold(q["q"])
                else:
                    target = fold(q["name"])
                g.write(f"{kind}\t{q['q']}\t{q['id']}\t{target}\n")
    print(f"{n} people, {sum(len(v) for v in kinds.values())} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
