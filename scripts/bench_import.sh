#!/usr/bin/env bash
# Import benchmark (issue 7; issue 17 §5). Release build, 2 cores.
#
#   scripts/bench_import.sh [XLSX_ROWS] [CSV_ROWS]
#
# Defaults: a 100,000-row xlsx (validated, then committed) and a
# 1,000,000-row csv (streamed, committed) into SQLite; the same csv into
# PostgreSQL. The floors, measured in the same run on the same file: the
# `sqlite3` shell's `.import` into a plain table (no validation, no index)
# just before the SQLite import, and PostgreSQL `\copy` into a plain table.
# Prints wall time and peak RSS of each, and each import's ratio to its
# floor (issue 17 §5: ≤ 3× on SQLite, peak RSS < 1 GB).
# XLSX_ROWS=0 skips the xlsx; BENCH_PG=0 skips PostgreSQL; BIN=path uses
# a binary already built.
# Needs: python3 (installs openpyxl from PyPI into a temp venv if missing),
# sqlite3 (Debian's `sqlite3`), PostgreSQL on 127.0.0.1:5432 (trust, user
# postgres).
set -euo pipefail

xlsx_rows="${1:-100000}"
csv_rows="${2:-1000000}"
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "${BIN:-}" ]; then
  cargo build --quiet --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
kb=$(realpath "$BIN")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# The demo CSV carries 43 columns (~470 bytes a row): above the default file limit.
export KIEUBAO_IMPORT_MAX_FILE_MB=2048
export KIEUBAO_LOG=warn
echo "== $(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$kb" version)"

echo "== generating $csv_rows demo people (csv)"
"$kb" demo --people "$csv_rows" --seed 7 --csv people.csv >/dev/null
ls -l people.csv | awk '{print $5, $9}'

# measure LABEL COMMAND...: runs it under /usr/bin/time; sets $wall and $rss_kib.
measure() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "time.$label" "$@" > "out.$label.txt" 2> "err.$label.txt" || {
    cat "err.$label.txt" >&2; exit 1; }
  read -r wall rss_kib < "time.$label"
  grep -E '^(read|validate|import|index|commit):' "err.$label.txt" | tail -3 || true
  head -1 "out.$label.txt"
  echo "$label: wall $wall s, peak RSS $((rss_kib / 1024)) MiB"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

if [ "$xlsx_rows" -gt 0 ]; then
  py=python3
  if ! python3 -c "import openpyxl" 2>/dev/null; then
    python3 -m venv venv >/dev/null
    venv/bin/pip install -q openpyxl==3.1.5
    py=venv/bin/python
  fi
  $py "$root/scripts/import/csv_to_xlsx.py" people.csv list.xlsx "$xlsx_rows"
  echo "== SQLite: ${xlsx_rows}-row xlsx (validate, then commit; phases from the progress lines)"
  measure xlsx_sqlite "$kb" import list.xlsx --source survey --round bench --data-dir sqlite-xlsx
fi

echo "== floor: sqlite3 .import of the same csv into a plain table (no validation, no index)"
measure floor_sqlite sqlite3 floor.sqlite ".import --csv people.csv floor" "SELECT COUNT(*) FROM floor"
floor_sqlite=$wall
rm -f floor.sqlite

echo "== SQLite: ${csv_rows}-row csv (streamed, one transaction)"
measure csv_sqlite "$kb" import people.csv --source survey --round bench --data-dir sqlite-csv
echo "SQLite csv: $(ratio "$wall" "$floor_sqlite")× the sqlite3 floor ($wall s / $floor_sqlite s; target ≤ 3×), peak RSS $((rss_kib / 1024)) MiB (target < 1024)"
rm -rf sqlite-csv

if [ "${BENCH_PG:-1}" = 1 ]; then
  pg="postgres://postgres@127.0.0.1:5432"
  db="kb_bench_import_$$"
  psql -q "$pg/postgres" -c "CREATE DATABASE $db" >/dev/null
  trap 'psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$tmp"' EXIT

  echo "== floor: PostgreSQL COPY of the same csv into a plain table (no validation)"
  cols=$(head -1 people.csv | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -)
  psql -q "$pg/$db" -c "CREATE TABLE copy_floor ($cols)"
  measure floor_postgres psql -qtA "$pg/$db" -c "\\copy copy_floor FROM '$tmp/people.csv' WITH (FORMAT csv, HEADER true)" -c "SELECT COUNT(*) FROM copy_floor"
  floor_pg=$wall
  psql -q "$pg/$db" -c "DROP TABLE copy_floor"

  echo "== PostgreSQL: ${csv_rows}-row csv through kieubao import"
  measure csv_postgres "$kb" import people.csv --source survey --round bench --database-url "$pg/$db"
  echo "PostgreSQL csv: $(ratio "$wall" "$floor_pg")× the COPY floor ($wall s / $floor_pg s), peak RSS $((rss_kib / 1024)) MiB"
fi
