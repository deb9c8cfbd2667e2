#!/usr/bin/env python3
"""Deduplicates a list with Splink (DuckDB backend), for comparison with the Kiều Bào engine.

Usage: splink_dedupe.py INPUT.csv OUT.csv [--threshold 0.97] [--threads 2]

Same input layout as `kieubao dedupe`; writes record_id,cluster_id for every row.
The model is configured the way a careful user would, on the same normalisation the
engine applies (folded names split into family/middle/given with family-name-last
detection, phones in +84 form, ISO dates, hometown commune first):
- blocking: family+given, given+birth year, birth date, commune+birth date,
  passport, phone, email, given+commune;
- comparisons: Jaro-Winkler on family/given/middle/father names (term-frequency
  adjusted), date of birth levels, Levenshtein on passport, exact phone/email/
  gender/country/city, commune with term frequencies;
- training: prior from deterministic rules, u by random sampling, m by EM sessions
  blocked on birth date and on name;
- clustering: connected components at the threshold (Splink's method).
"""
import argparse
import re
import time
import unicodedata

import duckdb
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

SURNAMES = set("""nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly truong
dinh dao trinh luong luu doan ta thai kieu quach trieu tang chu khuc khong phung diep tieu vuong
mac nghiem ong ton tong giang dam au lu than banh lai cao lam mai ha la to thach chau bach quan""".split())
ADMIN = ["thi tran", "thi xa", "thanh pho", "xa", "phuong", "tt", "huyen", "quan", "tx", "tp", "tinh"]


def fold(s):
    s = str(s or "").replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", s.lower()).strip()


def split_name(s):
    toks = fold(s).split()
    if not toks:
        return None, None, None
    if len(toks) >= 2 and toks[-1] in SURNAMES and toks[0] not in SURNAMES:
        toks = [toks[-1]] + toks[1:-1] + [toks[0]]
    if len(toks) == 1:
        return None, None, toks[0]
    return toks[0], " ".join(toks[1:-1]) or None, toks[-1]


def phone(s):
    s = str(s or "").strip()
    plus = s.startswith("+")
    d = re.sub(r"\D", "", s)
    if len(d) < 6:
        return None
    if plus:
        return "+" + d
    if d.startswith("00"):
        return "+" + d[2:]
    if d.startswith("0"):
        return "+84" + d[1:]
    return d


def iso_date(s):
    s = str(s or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
        if not m:
            return None, (s[:4] if re.fullmatch(r"\d{4}", s[:4] or "") else None)
        d, mo, y = m.groups()
    try:
        mo, d = int(mo), int(d)
        if mo > 12 and d <= 12:
            mo, d = d, mo
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return None, y
        return "%s-%02d-%02d" % (y, mo, d), y
    except ValueError:
        return None, y


def commune(s):
    first = str(s or "").split(",")[0]
    f = fold(first)
    changed = True
    while changed:
        changed = False
        for w in ADMIN:
            if f.startswith(w + " "):
                f, changed = f[len(w) + 1:], True
    return f or None


def prepare(df):
    out = pd.DataFrame({"unique_id": df["record_id"].astype(str)})
    names = df["full_name"].map(split_name)
    out["family"] = names.map(lambda t: t[0])
    out["middle"] = names.map(lambda t: t[1])
    out["given"] = names.map(lambda t: t[2])
    dates = df["birth_date"].map(iso_date)
    out["dob"] = dates.map(lambda t: t[0])
    out["birth_year"] = dates.map(lambda t: t[1])
    out["gender"] = df["gender"].map(lambda g: {"nam": "m", "m": "m", "male": "m", "nu": "f", "f": "f",
                                                 "female": "f"}.get(fold(g)))
    out["passport"] = df["passport_no"].map(lambda p: re.sub(r"[^0-9A-Z]", "", str(p or "").upper()) or None)
    out["phone"] = df["phone"].map(phone)
    out["email"] = df["email"].map(lambda e: str(e or "").strip().lower() or None)
    out["commune"] = df["hometown"].map(commune)
    out["country"] = df["country"].map(lambda c: fold(c) or None)
    out["city"] = df["city_abroad"].map(lambda c: fold(c) or None)
    out["father"] = df["father_name"].map(lambda c: fold(c) or None)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--threshold", type=float, default=0.97)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    raw = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    for c in ["record_id", "full_name", "gender", "birth_date", "country", "city_abroad", "hometown",
              "passport_no", "phone", "email", "father_name"]:
        if c not in raw.columns:
            raw[c] = ""
    df = prepare(raw)
    con = duckdb.connect()
    con.execute(f"SET threads TO {args.threads}")
    db_api = DuckDBAPI(connection=con)
    blocking = [
        block_on("family", "given"),
        block_on("given", "birth_year"),
        block_on("dob"),
        block_on("commune", "dob"),
        block_on("passport"),
        block_on("phone"),
        block_on("email"),
        block_on("given", "commune"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.JaroWinklerAtThresholds("family", [0.92]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("given", [0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("middle", [0.9]),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("gender"),
            cl.LevenshteinAtThresholds("passport", [1]),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.ExactMatch("commune").configure(term_frequency_adjustments=True),
            cl.ExactMatch("country"),
            cl.JaroWinklerAtThresholds("city", [0.9]),
            cl.JaroWinklerAtThresholds("father", [0.9]),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    table = db_api.register(df)
    linker = Linker(table, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("family", "given", "dob"), block_on("passport")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family", "given"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=args.threshold)
    c = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    c.columns = ["record_id", "cluster_id"]
    c.to_csv(args.out, index=False)
    print(f"splink: {len(df)} records, {c['cluster_id'].nunique()} clusters, {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
