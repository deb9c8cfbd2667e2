#!/usr/bin/env bash
# Import benchmark (issue: agencies' lists). Release build, 2 cores.
#
#   scripts/bench_import.sh [XLSX_ROWS] [CSV_ROWS]
#
# Defaults: a 100,000-row xlsx (validated, then committed) and a
# 1,000,000-row csv (streamed, committed) into SQLite; the same csv into
# PostgreSQL; and, as the floor, PostgreSQL COPY of the same csv into a
# plain table (no validation). Prints wall time and peak RSS of each.
# Needs: python3 (installs openpyxl from PyPI into a temp venv if missing),
# PostgreSQL on 127.0.0.1:5432 (trust, user postgres).
set -euo pipefail

xlsx_rows="${1:-100000}"
csv_rows="${2:-1000000}"
cd "$(dirname "$0")/.."
root=$(pwd)
cargo build --quiet --release -p kieubao
kb="${CARGO_TARGET_DIR:-target}/release/kieubao"
kb=$(realpath "$kb")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# The demo CSV carries 43 columns (~470 bytes a row): above the default file limit.
export KIEUBAO_IMPORT_MAX_FILE_MB=2048
export KIEUBAO_LOG=warn

py=python3
if ! python3 -c "import openpyxl" 2>/dev/null; then
  python3 -m venv venv >/dev/null
  venv/bin/pip install -q openpyxl==3.1.5
  py=venv/bin/python
fi

echo "== generating $csv_rows demo people (csv) and a $xlsx_rows-row xlsx"
"$kb" demo --people "$csv_rows" --seed 7 --csv people.csv >/dev/null
$py "$root/scripts/import/csv_to_xlsx.py" people.csv list.xlsx "$xlsx_rows"
ls -l people.csv list.xlsx | awk '{print $5, $9}'

measure() { # label, command...
  local label="$1"; shift
  /usr/bin/time -f "$label: wall %e s, peak RSS %M KiB" "$@" > "out.$label.txt" 2> "err.$label.txt" || {
    cat "err.$label.txt" >&2; exit 1; }
  grep -E '^(read|validate|import|commit):' "err.$label.txt" | tail -3 || true
  tail -1 "err.$label.txt"
  head -1 "out.$label.txt"
}

echo "== SQLite: ${xlsx_rows}-row xlsx (validate, then commit; phases from the progress lines)"
measure xlsx_sqlite "$kb" import list.xlsx --source survey --round bench --data-dir sqlite-xlsx

echo "== SQLite: ${csv_rows}-row csv (streamed, one transaction)"
measure csv_sqlite "$kb" import people.csv --source survey --round bench --data-dir sqlite-csv

pg="postgres://postgres@127.0.0.1:5432"
db="kb_bench_import_$$"
psql -q "$pg/postgres" -c "CREATE DATABASE $db" >/dev/null
trap 'psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$tmp"' EXIT
echo "== PostgreSQL: ${csv_rows}-row csv through kieubao import"
measure csv_postgres "$kb" import people.csv --source survey --round bench --database-url "$pg/$db"

echo "== PostgreSQL COPY of the same csv into a plain table (no validation): the floor"
cols=$(head -1 people.csv | tr ',' '\n' | sed 's/.*/"&" text/' | paste -sd, -)
psql -q "$pg/$db" -c "CREATE TABLE copy_floor ($cols)"
/usr/bin/time -f "copy_postgres: wall %e s" psql -q "$pg/$db" -c "\\copy copy_floor FROM '$tmp/people.csv' WITH (FORMAT csv, HEADER true)"
psql -qtA "$pg/$db" -c "SELECT COUNT(*) FROM copy_floor"
