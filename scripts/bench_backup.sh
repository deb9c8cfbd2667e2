#!/usr/bin/env bash
# Backup and restore benchmark (issue 25 §7 and its performance line).
# Release build, the machine's cores as they are.
#
#   scripts/bench_backup.sh [PEOPLE]        (default 1,000,000)
#
# 1. `kieubao demo --people PEOPLE --seed 42` into SQLite (persons, their
#    first versions, sources, households, relatives, associations).
# 2. SQLite: `kieubao backup` against `sqlite3 .backup` of the same file,
#    `kieubao backup verify`, and `kieubao restore` into a new SQLite file
#    against copying the `.backup` file back (what restoring that is).
# 3. PostgreSQL: the SQLite backup restored into PostgreSQL (a province that
#    moves), then `kieubao backup` of that database against `pg_dump -Fc`,
#    and `kieubao restore` into a new database against `pg_restore` of the
#    dump into another (with `--jobs 2`: the cores there are).
# Prints wall time, peak RSS and size of each; target ≤ 60 s for each
# kieubao step at 1M people.
# BIN=path uses a binary already built; BENCH_PG=0 skips PostgreSQL.
# Needs: sqlite3, PostgreSQL on 127.0.0.1:5432 (trust, user postgres) with
# pg_dump/pg_restore of the same version.
set -euo pipefail

people="${1:-1000000}"
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --quiet --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
kb=$(realpath "$BIN")
tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/kb-bench-backup.XXXXXX")
pg="${PG:-postgres://postgres@127.0.0.1:5432}"
suffix=$$
dbs=(kb_bb_a_$suffix kb_bb_b_$suffix kb_bb_c_$suffix)
cleanup() {
  if [ "${BENCH_PG:-1}" = 1 ]; then
    for d in "${dbs[@]}"; do psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
export KIEUBAO_LOG=warn
unset KIEUBAO_DATABASE_URL KIEUBAO_CONFIG
echo "== $(date -u '+%F %T') UTC, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $("$kb" version)"

# measure LABEL COMMAND...: runs it under /usr/bin/time; prints wall and peak RSS.
measure() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "time.$label" "$@" > "out.$label.txt" 2> "err.$label.txt" || {
    cat "out.$label.txt" "err.$label.txt" >&2; exit 1; }
  read -r wall rss_kib < "time.$label"
  head -1 "out.$label.txt"
  echo "$label: wall $wall s, peak RSS $((rss_kib / 1024)) MiB"
}
size() { du -sh "$1" | cut -f1; }

echo "== generating $people demo people into SQLite"
measure demo "$kb" --data-dir src demo --people "$people" --seed 42
sqlite3 src/kieubao.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
echo "database: $(size src/kieubao.db); rows: $(sqlite3 src/kieubao.db "SELECT (SELECT COUNT(*) FROM persons) || ' persons, ' || (SELECT COUNT(*) FROM person_versions) || ' versions, ' || (SELECT COUNT(*) FROM person_sources) || ' sources, ' || (SELECT COUNT(*) FROM relatives) || ' relatives, ' || (SELECT COUNT(*) FROM households) || ' households'")"

# The audit key file travels apart from the backup (see manifest.json).
mkdir -p dst pgdata && cp src/audit.key dst/ && cp src/audit.key pgdata/
echo "== SQLite"
measure sqlite3_backup sqlite3 src/kieubao.db ".backup copy.db"
echo "sqlite3 .backup file: $(size copy.db)"
measure kieubao_backup_sqlite "$kb" --data-dir src backup --out b_sqlite
echo "kieubao backup: $(size b_sqlite)"
measure kieubao_verify "$kb" backup verify b_sqlite
measure copy_back cp copy.db copied-back.db
measure kieubao_restore_sqlite "$kb" --data-dir dst restore b_sqlite

if [ "${BENCH_PG:-1}" = 1 ]; then
  echo "== PostgreSQL $(psql -qtA "$pg/postgres" -c 'SHOW server_version')"
  for d in "${dbs[@]}"; do psql -q "$pg/postgres" -c "CREATE DATABASE $d" >/dev/null; done
  a="$pg/${dbs[0]}"; b="$pg/${dbs[1]}"; c="$pg/${dbs[2]}"
  measure kieubao_restore_sqlite_to_pg "$kb" --data-dir pgdata --database-url "$a" restore b_sqlite
  psql -q "$a" -c "VACUUM ANALYZE" >/dev/null
  echo "database: $(psql -qtA "$a" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
  measure pg_dump pg_dump -Fc -f dump.pgc "$a"
  echo "pg_dump -Fc file: $(size dump.pgc)"
  measure kieubao_backup_pg "$kb" --data-dir pgdata --database-url "$a" backup --out b_pg
  echo "kieubao backup: $(size b_pg)"
  measure pg_restore pg_restore --jobs 2 --no-owner -d "$c" dump.pgc
  measure kieubao_restore_pg "$kb" --data-dir pgdata --database-url "$b" restore b_pg
fi
echo "== done"
