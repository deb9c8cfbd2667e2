#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a clustering against true person ids.

Usage: evaluate.py LABELLED.csv CLUSTERS.csv [--json | --row DATA ENGINE WALL_S CPU_S PEAK_MB]
LABELLED.csv has record_id and true_person_id; CLUSTERS.csv has record_id,cluster_id.
A pair of records is predicted when both share a cluster, true when both share a person.
"""
import csv
import json
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def main():
    labelled, clusters = sys.argv[1], sys.argv[2]
    truth = {}
    with open(labelled, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            truth[row["record_id"]] = row["true_person_id"]
    pred = {}
    with open(clusters, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pred[row["record_id"]] = row["cluster_id"]
    missing = len(set(truth) - set(pred))
    both = Counter((pred[r], truth[r]) for r in truth if r in pred)
    tp = sum(pairs(n) for n in both.values())
    cluster_sizes = Counter(pred[r] for r in truth if r in pred)
    person_sizes = Counter(truth.values())
    predicted = sum(pairs(n) for n in cluster_sizes.values())
    actual = sum(pairs(n) for n in person_sizes.values())
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out = {
        "records": len(truth), "missing_rows": missing, "true_pairs": actual,
        "predicted_pairs": predicted, "true_positive_pairs": tp,
        "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
        "largest_cluster": max(cluster_sizes.values()) if cluster_sizes else 0,
    }
    if "--row" in sys.argv:
        name, engine, wall, cpu, rss = sys.argv[sys.argv.index("--row") + 1:][:5]
        print(f"| {name} | {engine} | {out['records']:,} | {out['precision']:.4f} | "
              f"{out['recall']:.4f} | **{out['f1']:.4f}** | {out['largest_cluster']} | "
              f"{float(wall):.1f} | {float(cpu):.1f} | {rss} |")
    elif "--json" in sys.argv:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
