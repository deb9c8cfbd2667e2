#!/usr/bin/env bash
# Soak: MINUTES of mixed traffic on one server — audited record reads and
# searches (wrk), clients that hang up mid-request, an agency list imported
# and committed through the API, and a duplicate scan — then checks that
# nothing failed, that memory stayed flat, and that the audit chain verifies.
#
#   scripts/soak.sh [MINUTES]                # default 10
#
# Environment: PEOPLE (default 1000000; the data of scripts/bench_http.sh is
# reused when present), BACKEND=sqlite|postgres, IMPORT_ROWS (default 20000),
# READ_CONNS and SEARCH_CONNS (wrk connections, default 16 and 8), SERVERS
# (PostgreSQL: 2 runs a second server on PORT+1, which takes the searches and
# half the hang-ups), PG, DB, WORK, BIN as in bench_http.sh.
# Issue 26's load run: READ_CONNS=48 SEARCH_CONNS=16 IMPORT_ROWS=100000, on
# SQLite and on PostgreSQL with SERVERS=2.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
PEOPLE=${PEOPLE:-1000000}
BACKEND=${BACKEND:-sqlite}
IMPORT_ROWS=${IMPORT_ROWS:-20000}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-kb_http_bench_${PEOPLE}}
WORK=${WORK:-/tmp/kb_http_bench_${PEOPLE}}
PORT=${PORT:-18290}
READ_CONNS=${READ_CONNS:-16}
SEARCH_CONNS=${SEARCH_CONNS:-8}
SERVERS=${SERVERS:-1}
SECS=$((MINUTES * 60))
mkdir -p "$WORK/soak"
S="$WORK/soak"
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null

if [ "$BACKEND" = sqlite ]; then
  export KIEUBAO_DATA_DIR="$WORK/sqlite"
  mkdir -p "$KIEUBAO_DATA_DIR"
  HAVE=$(sqlite3 "$KIEUBAO_DATA_DIR/kieubao.db" "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
else
  export KIEUBAO_DATABASE_URL="$PG/$DB"
  psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -q "$PG/postgres" -c "CREATE DATABASE $DB"
  HAVE=$(psql "$PG/$DB" -tAc "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
fi
if [ "$HAVE" -lt "$PEOPLE" ]; then
  /usr/bin/time -f "load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42
fi
"$BIN" migrate
echo 'soak passphrase 2026 kb' | "$BIN" user add --username soak --role province_officer >/dev/null 2>&1 || true
export TOKEN MAXID="$PEOPLE"
TOKEN=$("$BIN" token create --username soak --scope write --name soak --expires-days 1)
# An agency's list: people of another seed, as the police would send them.
[ -s "$S/list.csv" ] || "$BIN" demo --people "$IMPORT_ROWS" --seed 4242 --csv "$S/list.csv" >/dev/null

printf 'api_requests_per_minute = 0\n' >"$S/soak.toml"
KIEUBAO_CONFIG="$S/soak.toml" KIEUBAO_ADDR="127.0.0.1:$PORT" KIEUBAO_LOG=warn \
  "$BIN" serve >"$S/server.log" 2>&1 &
SERVER=$!
SERVER2=""
PORT2=$PORT
if [ "$SERVERS" = 2 ] && [ "$BACKEND" = postgres ]; then
  PORT2=$((PORT + 1))
  KIEUBAO_CONFIG="$S/soak.toml" KIEUBAO_ADDR="127.0.0.1:$PORT2" KIEUBAO_LOG=warn \
    "$BIN" serve >"$S/server2.log" 2>&1 &
  SERVER2=$!
fi
trap 'kill $SERVER $SERVER2 2>/dev/null || true' EXIT
for p in $PORT $PORT2; do
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/readyz")" = 200 ] && break
    sleep 0.5
  done
done
BASE="http://127.0.0.1:$PORT"
BASE2="http://127.0.0.1:$PORT2"
live_people() {
  if [ "$BACKEND" = sqlite ]; then
    sqlite3 "$KIEUBAO_DATA_DIR/kieubao.db" "SELECT COUNT(*) FROM persons WHERE deleted_at IS NULL"
  else
    psql "$KIEUBAO_DATABASE_URL" -tAc "SELECT COUNT(*) FROM persons WHERE deleted_at IS NULL"
  fi
}
LIVE_BEFORE=$(live_people)
AUDIT_BEFORE=$("$BIN" audit verify 2>&1 | tail -1)
echo "audit before: $AUDIT_BEFORE"

# Memory, every 10 s.
( while kill -0 "$SERVER" 2>/dev/null; do
    echo "$(date +%s) $(awk '/VmRSS/ {print $2}' /proc/$SERVER/status 2>/dev/null)"
    sleep 10
  done ) >"$S/rss.txt" &

cat >"$S/read.lua" <<'EOF'
local token, maxid, n = os.getenv("TOKEN"), tonumber(os.getenv("MAXID")), 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/people/" .. ((n * 7919) % maxid + 1), {["Authorization"] = "Bearer " .. token})
end
EOF
cat >"$S/search.lua" <<'EOF'
local token, n = os.getenv("TOKEN"), 0
local names = {"nguyen van an", "tran thi lan", "le van hung", "pham thi mai", "hoang van nam", "hien 1979"}
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/search?q=" .. names[(n % #names) + 1]:gsub(" ", "%%20"), {["Authorization"] = "Bearer " .. token})
end
EOF
wrk -t1 -c"$READ_CONNS" -d"${SECS}s" --latency -s "$S/read.lua" "$BASE" >"$S/wrk_read.txt" 2>&1 &
W1=$!
wrk -t1 -c"$SEARCH_CONNS" -d"${SECS}s" --latency -s "$S/search.lua" "$BASE2" >"$S/wrk_search.txt" 2>&1 &
W2=$!
# Clients that hang up at random moments.
python3 - "$PORT" "$TOKEN" "$SECS" "$PEOPLE" "$PORT2" >"$S/aborts.txt" 2>&1 <<'EOF' &
import random, socket, sys, time
ports, token, secs, people = (int(sys.argv[1]), int(sys.argv[5])), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng, end, n = random.Random(7), time.time() + secs, 0
while time.time() < end:
    path = rng.choice([f"/api/v1/people/{rng.randint(1, people)}", "/api/v1/search?q=nguyen%20van", "/api/v1/public/statistics"])
    try:
        s = socket.create_connection(("127.0.0.1", rng.choice(ports)))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        time.sleep(rng.random() * 0.004)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        n += 1
    except OSError:
        pass
    time.sleep(0.005)
print(f"aborted requests: {n}")
EOF
A=$!

api() { curl -s -H "Authorization: Bearer $TOKEN" "$@"; }
sleep 30
echo "== import of $IMPORT_ROWS rows"
IMP=$(api -X POST --data-binary @"$S/list.csv" "$BASE/api/v1/imports?source=police&survey_round=2025&file_name=list.csv")
ID=$(echo "$IMP" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
status() { api "$BASE/api/v1/imports/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
wait_while() { # states to wait through
  local st
  for _ in $(seq 1 1200); do
    st=$(status)
    case " $* " in *" $st "*) sleep 1 ;; *) echo "$st"; return ;; esac
  done
  echo "$st"
}
echo "validated: $(wait_while uploaded reading validating)"
T0=$(date +%s.%N)
echo "commit request: $(curl -s -o "$S/commit.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -X POST "$BASE/api/v1/imports/$ID/commit")"
echo "commit: $(wait_while validated committing) after $(echo "$(date +%s.%N) - $T0" | bc) s"
echo "== duplicate scan"
# A background job (202 with its status URL): wait until it is no longer running.
T0=$(date +%s.%N)
echo "scan request: $(curl -s -o "$S/scan.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -X POST "$BASE/api/v1/linkage/scan")"
SCAN_URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status_url"])' "$S/scan.json")
for _ in $(seq 1 3600); do
  SCAN_STATUS=$(api "$BASE$SCAN_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$SCAN_STATUS" = running ] || break
  sleep 1
done
echo "scan: $SCAN_STATUS after $(echo "$(date +%s.%N) - $T0" | bc) s"
CREATED=$(api "$BASE/api/v1/imports/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("created_persons") or 0)')
wait "$W1" "$W2" "$A"
LIVE_AFTER=$(live_people)
kill "$SERVER" $SERVER2; wait "$SERVER" $SERVER2 2>/dev/null || true

echo "== results"
for f in wrk_read wrk_search; do
  echo "$f: $(awk '/Requests\/sec/ {print $2 " req/s"}' "$S/$f.txt"), p99 $(awk '$1 == "99%" {print $2}' "$S/$f.txt"), \
non-2xx $(awk '/Non-2xx/ {print $NF}' "$S/$f.txt" | grep . || echo 0), socket errors: $(grep 'Socket errors' "$S/$f.txt" || echo none)"
done
cat "$S/aborts.txt"
echo "server errors logged: $(cat "$S"/server*.log | grep -c '"ERROR"\|ERROR' || true)"
echo "live people: $LIVE_BEFORE before, $LIVE_AFTER after, $CREATED created by the import: \
$([ "$LIVE_AFTER" = $((LIVE_BEFORE + CREATED)) ] && echo 'nothing lost' || echo 'MISMATCH')"
python3 - "$S/rss.txt" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
kb = [int(r[1]) for r in rows]
half = kb[len(kb) // 2:]
print(f"RSS MiB: start {kb[0] / 1024:.0f}, min {min(kb) / 1024:.0f}, max {max(kb) / 1024:.0f}, "
      f"end {kb[-1] / 1024:.0f}; second half {min(half) / 1024:.0f}–{max(half) / 1024:.0f} ({len(kb)} samples)")
EOF
echo "audit after: $("$BIN" audit verify 2>&1 | tail -1)"
