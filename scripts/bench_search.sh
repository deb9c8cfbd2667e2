#!/usr/bin/env bash
# Search benchmark: kieubao's in-memory index through the HTTP API against
# PostgreSQL unaccent + pg_trgm (similarity and ILIKE) and SQLite FTS5, on the
# same generated people and the same queries.
#
#   scripts/bench_search.sh [PEOPLE]        # default 1000000; 6000000 for national scale
#
# Environment: PG (default postgres://postgres@127.0.0.1:5432), DB (database
# name, default kb_search_bench_<PEOPLE>), WORK (scratch dir), PER_KIND
# (queries per kind, default 200), WARMUP (untimed queries per kind first,
# made with another seed; default 200), BIN (a built kieubao; else a release build),
# ENGINES (default kieubao,pg,fts: pg_trgm similarity runs only the first
# SIMILARITY_PER_KIND=10 queries of each kind, as each takes seconds at 1M).
# Loads the people once (kieubao demo, seed 42) and reuses them on later runs.
# BACKEND=sqlite runs kieubao alone on an embedded SQLite database in
# $WORK/sqlite (the sample drawn by a hash of the id instead of md5; ENGINES
# kieubao and fts only).
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-kb_search_bench_${PEOPLE}}
BACKEND=${BACKEND:-postgres}
WORK=${WORK:-/tmp/kb_search_bench_${PEOPLE}$([ "$BACKEND" = sqlite ] && echo _sqlite)}
PER_KIND=${PER_KIND:-200}
PORT=${PORT:-18089}
mkdir -p "$WORK"
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
PSQL=(psql "$PG/$DB" -v ON_ERROR_STOP=1)

echo "== machine"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
free -g | head -2

if [ "$BACKEND" = sqlite ]; then
  ENGINES=${ENGINES:-kieubao}
  export KIEUBAO_DATA_DIR="$WORK/sqlite"
  SQL=(sqlite3 "$KIEUBAO_DATA_DIR/kieubao.db")
  echo "== data: $PEOPLE people in $KIEUBAO_DATA_DIR (SQLite)"
  HAVE=$("${SQL[@]}" "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
  if [ "$HAVE" -lt "$PEOPLE" ]; then
    rm -rf "$KIEUBAO_DATA_DIR"; mkdir -p "$KIEUBAO_DATA_DIR"
    /usr/bin/time -f "load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42
  fi
  "$BIN" migrate
  echo 'bench search passphrase 2026' | "$BIN" user add --username bench_search --role province_officer >/dev/null 2>&1 || true
  TOKEN=$("$BIN" token create --username bench_search --scope read --name bench --expires-days 1)
  [ -s "$WORK/sample.csv" ] || "${SQL[@]}" -header -csv "SELECT id, full_name, other_names, phone, email, passport_no FROM persons WHERE deleted_at IS NULL ORDER BY (id * 2654435761) % 4294967296 LIMIT 6000" >"$WORK/sample.csv"
  [ -s "$WORK/names.csv" ] || "${SQL[@]}" -csv "SELECT id, full_name, other_names FROM persons WHERE deleted_at IS NULL" >"$WORK/names.csv"
else
export KIEUBAO_DATABASE_URL="$PG/$DB"

echo "== data: $PEOPLE people in $DB"
psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || psql "$PG/postgres" -c "CREATE DATABASE $DB"
HAVE=$("${PSQL[@]}" -tAc "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
if [ "$HAVE" -lt "$PEOPLE" ]; then
  /usr/bin/time -f "load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42
fi
"$BIN" migrate
# After a bulk load PostgreSQL's own advice is VACUUM ANALYZE ("Populating a
# Database"): otherwise autovacuum works through the fresh tables (and the
# checkpointer through their pages) while the queries are timed.
/usr/bin/time -f "vacuum analyze: %e s" "${PSQL[@]}" -qc "VACUUM (ANALYZE)"
"${PSQL[@]}" -qc "CHECKPOINT"
if [[ "${ENGINES:-kieubao,pg,fts}" == *pg* ]]; then
  echo "== PostgreSQL peer: unaccent + pg_trgm GIN index"
  /usr/bin/time -f "pg_trgm index: %e s" "${PSQL[@]}" -q -f scripts/bench_search/pg_setup.sql
fi

echo "== accounts"
echo 'bench search passphrase 2026' | "$BIN" user add --username bench_search --role province_officer >/dev/null 2>&1 || true
TOKEN=$("$BIN" token create --username bench_search --scope read --name bench --expires-days 1)

echo "== sample (ground truth) and names"
"${PSQL[@]}" -qc "\\copy (SELECT id, full_name, other_names, phone, email, passport_no FROM persons WHERE deleted_at IS NULL ORDER BY md5(id::text) LIMIT 6000) TO '$WORK/sample.csv' CSV HEADER"
[ -s "$WORK/names.csv" ] || "${PSQL[@]}" -qc "\\copy (SELECT id, full_name, other_names FROM persons WHERE deleted_at IS NULL) TO '$WORK/names.csv' CSV"

fi

echo "== kieubao reindex (build from the database, in a process of its own)"
/usr/bin/time -f "reindex: %e s wall, max RSS %M KiB" "$BIN" reindex

echo "== server"
# No per-client API limit for the driver (the setting is read from the file only).
printf 'api_requests_per_minute = 0\n' >"$WORK/bench.toml"
KIEUBAO_CONFIG="$WORK/bench.toml" KIEUBAO_ADDR="127.0.0.1:$PORT" KIEUBAO_LOG_FORMAT=json \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
# Queries start once the server has finished starting: the search index is
# built first, then (in the background) the statistics columns, which keep
# one of the two cores busy for a while (42 s at 6M).
for _ in $(seq 1 900); do
  grep -qE '"statistics columns (built|build failed)"' "$WORK/server.log" 2>/dev/null && break
  sleep 1
done
grep -E '"(search index|statistics columns) built"' "$WORK/server.log" | tail -2
echo "server RSS after build: $(grep VmRSS /proc/$SERVER/status)"

echo "== queries"
python3 scripts/bench_search/driver.py --base "http://127.0.0.1:$PORT" --token "$TOKEN" \
  --sample "$WORK/sample.csv" --names "$WORK/names.csv" --psql "psql $PG/$DB" \
  --per-kind "$PER_KIND" --warmup "${WARMUP:-200}" --similarity-per-kind "${SIMILARITY_PER_KIND:-10}" \
  --engines "${ENGINES:-kieubao,pg,fts}" --out "$WORK/results.json"
echo "server RSS after queries: $(grep VmRSS /proc/$SERVER/status), peak: $(grep VmHWM /proc/$SERVER/status)"
echo "results: $WORK/results.json"
