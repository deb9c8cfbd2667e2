#!/usr/bin/env bash
# Export benchmark (issue 25 §1 and its performance line: 1M people as JSON
# Lines in ≤ 30 s and < 500 MB). Release build, the machine's cores as they are.
#
#   scripts/bench_export.sh [PEOPLE]        (default 1,000,000)
#
# 1. `kieubao demo --people PEOPLE --seed 42` into SQLite.
# 2. SQLite: `kieubao export --format jsonl` against the peer, `sqlite3 -json`
#    of the same people rows (no sources, consents, households, relatives).
# 3. PostgreSQL: the same demo into a new database, `kieubao export` against
#    `psql -c "COPY (SELECT row_to_json(p) FROM persons p) TO STDOUT"`.
# Prints wall time, peak RSS (/usr/bin/time) and size of each.
# BIN=path uses a binary already built; BENCH_PG=0 skips PostgreSQL.
set -euo pipefail

people="${1:-1000000}"
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --quiet --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
kb=$(realpath "$BIN")
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/kb-bench-export.XXXXXX")
pg="${PG:-postgres://postgres@127.0.0.1:5432}"
db=kb_be_$$
cleanup() {
  if [ "${BENCH_PG:-1}" = 1 ]; then
    psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
export KIEUBAO_LOG=warn
unset KIEUBAO_DATABASE_URL KIEUBAO_CONFIG
echo "== $(date -u '+%F %T') UTC, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $("$kb" version)"

measure() {
  local label="$1" out="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "time.$label" "$@" > "$out" 2> "err.$label.txt" || {
    cat "err.$label.txt" >&2; exit 1; }
  read -r wall rss_kib < "time.$label"
  echo "$label: wall $wall s, peak RSS $((rss_kib / 1024)) MiB, output $(du -h "$out" | cut -f1), $(wc -l < "$out") lines"
}

echo "== generating $people demo people into SQLite"
/usr/bin/time -f "demo: wall %e s" "$kb" --data-dir src demo --people "$people" --seed 42 > /dev/null
sqlite3 src/kieubao.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "== SQLite"
measure kieubao_export_sqlite export.jsonl "$kb" --data-dir src export --format jsonl
tail -1 err.kieubao_export_sqlite.txt
measure sqlite3_json peer.json sqlite3 -json src/kieubao.db "SELECT * FROM persons WHERE deleted_at IS NULL ORDER BY id"
measure kieubao_export_sqlite_xlsx export.xlsx "$kb" --data-dir src export --format xlsx

if [ "${BENCH_PG:-1}" = 1 ]; then
  echo "== PostgreSQL $(psql -qtA "$pg/postgres" -c 'SHOW server_version')"
  psql -q "$pg/postgres" -c "CREATE DATABASE $db" >/dev/null
  mkdir -p pgdata
  /usr/bin/time -f "demo (PostgreSQL): wall %e s" "$kb" --data-dir pgdata --database-url "$pg/$db" demo --people "$people" --seed 42 > /dev/null
  psql -q "$pg/$db" -c "VACUUM ANALYZE" >/dev/null
  measure kieubao_export_pg export_pg.jsonl "$kb" --data-dir pgdata --database-url "$pg/$db" export --format jsonl
  tail -1 err.kieubao_export_pg.txt
  measure psql_copy peer_pg.json psql -qtA "$pg/$db" -c "COPY (SELECT row_to_json(p) FROM persons p WHERE deleted_at IS NULL ORDER BY id) TO STDOUT"
fi
