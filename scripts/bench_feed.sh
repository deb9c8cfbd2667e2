#!/usr/bin/env bash
# Change feed benchmark (issue 25 §3 and its performance line: the feed
# delivers ≥ 20,000 events/s to one consumer).
#
#   scripts/bench_feed.sh [PEOPLE]          (default 1,000,000)
#
# 1. `kieubao demo --people PEOPLE --seed 42` (every insert writes its event
#    from the trigger, so the feed holds at least PEOPLE events), once per
#    backend and reused by later runs.
# 2. One server, one consumer: `GET /api/v1/changes?after=CURSOR&limit=LIMIT`
#    from the start of the feed, resuming from each page's `next` until a
#    page says no more, as a subscriber catching up would. The consumer is
#    a single Python process reading the pages one after another (HTTP
#    keep-alive, JSON decoded, every event counted).
# Prints events, pages, wall time and events/s per backend, and the server's
# peak RSS.
#
# Environment:
#   BIN=path/to/kieubao        a built binary (else a release build)
#   BACKENDS=sqlite,postgres   which databases
#   LIMIT=5000                 events per page (1 to 5000)
#   PG=postgres://postgres@127.0.0.1:5432  DB=kb_feed_bench_<PEOPLE>
#   WORK=/tmp/kb_feed_bench_<PEOPLE>  PORT=18290
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
BACKENDS=${BACKENDS:-sqlite,postgres}
LIMIT=${LIMIT:-5000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-kb_feed_bench_${PEOPLE}}
WORK=${WORK:-/tmp/kb_feed_bench_${PEOPLE}}
PORT=${PORT:-18290}
mkdir -p "$WORK"
if [ -z "${BIN:-}" ]; then
  cargo build --quiet --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
BIN=$(realpath "$BIN")
unset KIEUBAO_DATABASE_URL KIEUBAO_CONFIG
export KIEUBAO_LOG=warn

echo "== $(date -u '+%F %T') UTC, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $("$BIN" version), $(git rev-parse --short HEAD)"

# No per-client API limit for the consumer.
printf 'api_requests_per_minute = 0\n' >"$WORK/bench.toml"

cat >"$WORK/consume.py" <<'PY'
import http.client, json, os, sys, time, urllib.parse
port, token, limit = int(sys.argv[1]), os.environ["TOKEN"], int(os.environ["LIMIT"])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
after, events, pages = "", 0, 0
start = time.monotonic()
while True:
    q = {"limit": str(limit)}
    if after:
        q["after"] = after
    conn.request("GET", "/api/v1/changes?" + urllib.parse.urlencode(q),
                 headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"HTTP {r.status}: {body[:300]!r}")
    page = json.loads(body)
    events += len(page["events"])
    pages += 1
    after = page["next"]
    if not page["more"]:
        break
wall = time.monotonic() - start
print(f"events {events}, pages {pages}, wall {wall:.2f} s, {events / wall:,.0f} events/s")
PY

PID=""
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.5
  done
  echo "server on $1 never ready" >&2
  exit 1
}

# run LABEL [env...]: one server, one consumer from the start of the feed.
run() {
  local label="$1"; shift
  env "$@" KIEUBAO_CONFIG="$WORK/bench.toml" KIEUBAO_ADDR="127.0.0.1:$PORT" \
    KIEUBAO_LOG=warn "$BIN" serve >"$WORK/server_$label.log" 2>&1 &
  PID=$!
  wait_ready "$PORT"
  echo "$label: $(LIMIT="$LIMIT" python3 "$WORK/consume.py" "$PORT")"
  echo "$label: server peak RSS $(grep VmHWM /proc/"$PID"/status | awk '{print $2}') KiB"
  kill "$PID"; wait "$PID" 2>/dev/null || true
  PID=""
}

if [[ "$BACKENDS" == *sqlite* ]]; then
  D="$WORK/sqlite"
  mkdir -p "$D"
  HAVE=$(sqlite3 "$D/kieubao.db" "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
  if [ "$HAVE" -lt "$PEOPLE" ]; then
    rm -rf "$D"; mkdir -p "$D"
    /usr/bin/time -f "sqlite load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42 --data-dir "$D" >/dev/null
  fi
  "$BIN" migrate --data-dir "$D" >/dev/null
  echo 'bench feed passphrase 2026' | "$BIN" user add --data-dir "$D" --username bench_feed --role province_officer >/dev/null 2>&1 || true
  export TOKEN
  TOKEN=$("$BIN" token create --data-dir "$D" --username bench_feed --scope read --name bench --expires-days 1)
  echo "sqlite: $(sqlite3 "$D/kieubao.db" "SELECT COUNT(*) FROM change_events") events in the feed"
  run sqlite KIEUBAO_DATA_DIR="$D"
fi

if [[ "$BACKENDS" == *postgres* ]]; then
  export KIEUBAO_DATABASE_URL="$PG/$DB"
  # The server, the CLI and the demo share one data directory (its audit key).
  P="$WORK/pgdata"
  mkdir -p "$P"
  psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -q "$PG/postgres" -c "CREATE DATABASE $DB"
  HAVE=$(psql "$PG/$DB" -tAc "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
  if [ "$HAVE" -lt "$PEOPLE" ]; then
    /usr/bin/time -f "postgres load: %e s" "$BIN" --data-dir "$P" demo --people "$PEOPLE" --seed 42 >/dev/null
    psql -q "$PG/$DB" -c "VACUUM (ANALYZE)"
  fi
  "$BIN" migrate --data-dir "$P" >/dev/null
  echo 'bench feed passphrase 2026' | "$BIN" user add --data-dir "$P" --username bench_feed --role province_officer >/dev/null 2>&1 || true
  export TOKEN
  TOKEN=$("$BIN" token create --data-dir "$P" --username bench_feed --scope read --name bench --expires-days 1)
  echo "postgres: $(psql "$PG/$DB" -tAc "SELECT COUNT(*) FROM change_events") events in the feed"
  run postgres KIEUBAO_DATA_DIR="$P"
fi
