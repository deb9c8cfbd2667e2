#!/usr/bin/env bash
# HTTP throughput under load: audited record reads, search, the public
# statistics and /healthz (the floor: what the machine serves when a request
# does nothing), back to back, with wrk (Debian's package) on the same machine.
#
#   scripts/bench_http.sh [PEOPLE]          # default 1000000
#
# Environment:
#   BACKENDS=sqlite,postgres   which databases (PostgreSQL runs TWO servers on one database,
#                              each loaded by its own wrk with half the connections)
#   DURATION=20s  CONNS=64  THREADS=2      wrk settings (per backend, per endpoint)
#   PG=postgres://postgres@127.0.0.1:5432  DB=kb_http_bench_<PEOPLE>  (PostgreSQL)
#   WORK=/tmp/kb_http_bench_<PEOPLE>        data directory of the SQLite run, scratch files
#   BIN=path/to/kieubao                     a built binary (else a release build)
# The people are loaded once per backend (kieubao demo, seed 42) and reused.
# Prints a Markdown table (requests/s, p50, p99, non-2xx, errors) per endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-1000000}
BACKENDS=${BACKENDS:-sqlite,postgres}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-kb_http_bench_${PEOPLE}}
WORK=${WORK:-/tmp/kb_http_bench_${PEOPLE}}
PORT=${PORT:-18190}
mkdir -p "$WORK"
command -v wrk >/dev/null || {
  echo "bench_http: installing Debian's wrk"
  apt-get install -y -qq wrk >/dev/null
}
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi

echo "== machine"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
free -g | head -2
echo "kieubao $(git rev-parse --short HEAD), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

# No per-client API limit for the load generator.
printf 'api_requests_per_minute = 0\n' >"$WORK/bench.toml"

cat >"$WORK/read.lua" <<'EOF'
local token = os.getenv("TOKEN")
local maxid = tonumber(os.getenv("MAXID"))
local n = 0
request = function()
  n = n + 1
  -- A spread of ids (a multiplicative walk), the same in every run.
  local id = (n * 7919) % maxid + 1
  return wrk.format("GET", "/api/v1/people/" .. id, {["Authorization"] = "Bearer " .. token})
end
EOF
cat >"$WORK/search.lua" <<'EOF'
local token = os.getenv("TOKEN")
local names = {"nguyen van an", "tran thi lan", "le van hung", "pham thi mai", "hoang van nam",
  "nguyen thi hoa", "vo van tuan", "dang thi thu", "bui van long", "do thi huong",
  "nguyen van minh", "tran van duc", "ngo thi hien", "duong van son", "ly thi nga"}
local n = 0
request = function()
  n = n + 1
  local q = names[(n % #names) + 1]:gsub(" ", "%%20")
  return wrk.format("GET", "/api/v1/search?q=" .. q, {["Authorization"] = "Bearer " .. token})
end
EOF

# wrk_run NAME URL [LUA]: prints "rps p50_ms p99_ms non2xx errors"
wrk_once() {
  local url="$1" lua="${2:-}" conns="$3" out="$4"
  if [ -n "$lua" ]; then
    wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency -s "$lua" "$url" >"$out" 2>&1
  else
    wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "$url" >"$out" 2>&1
  fi
}
to_ms() { # 1.23ms | 456.00us | 1.20s -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
summary() { # file -> rps p50 p99 non2xx errors
  local f="$1"
  local rps p50 p99 non2xx errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$f")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$f"); non2xx=${non2xx:-0}
  errs=$(awk '/Socket errors/ {s = 0; for (i = 3; i <= NF; i += 2) s += $(i+1); print s}' "$f" | tr -d ,); errs=${errs:-0}
  echo "$rps $p50 $p99 $non2xx $errs"
}

wait_ready() {
  local port="$1"
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && return 0
    sleep 0.5
  done
  echo "server on $port never ready" >&2
  return 1
}

RESULTS="$WORK/results.md"
echo "| backend | endpoint | requests/s | p50 ms | p99 ms | non-2xx | socket errors |" | tee "$RESULTS"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |" | tee -a "$RESULTS"

run_backend() {
  local backend="$1"; shift
  local ports=("$@")
  local endpoints=("healthz|/healthz|" "read|/api/v1/people/|$WORK/read.lua"
    "search|/api/v1/search|$WORK/search.lua" "public statistics|/api/v1/public/statistics|")
  for e in "${endpoints[@]}"; do
    IFS='|' read -r name path lua <<<"$e"
    local n=${#ports[@]} per=$((CONNS / ${#ports[@]})) i=0 files=()
    for p in "${ports[@]}"; do
      files+=("$WORK/wrk_${backend}_${name// /_}_$i.txt")
      wrk_once "http://127.0.0.1:$p$path" "$lua" "$per" "${files[$i]}" &
      i=$((i + 1))
    done
    wait
    # Sum the rates, keep the worse percentiles.
    local rps=0 p50=0 p99=0 non2xx=0 errs=0
    for f in "${files[@]}"; do
      read -r r a b c d <<<"$(summary "$f")"
      rps=$(awk -v x="$rps" -v y="$r" 'BEGIN {printf "%.0f", x + y}')
      p50=$(awk -v x="$p50" -v y="$a" 'BEGIN {print (y > x) ? y : x}')
      p99=$(awk -v x="$p99" -v y="$b" 'BEGIN {print (y > x) ? y : x}')
      non2xx=$((non2xx + c)); errs=$((errs + d))
    done
    echo "| $backend ($n server$([ "$n" -gt 1 ] && echo s)) | $name | $rps | $p50 | $p99 | $non2xx | $errs |" | tee -a "$RESULTS"
  done
}

start_server() { # port log [env...]
  local port="$1" log="$2"; shift 2
  env "$@" KIEUBAO_CONFIG="$WORK/bench.toml" KIEUBAO_ADDR="127.0.0.1:$port" \
    KIEUBAO_LOG=warn "$BIN" serve >"$log" 2>&1 &
  echo $!
}

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ "$BACKENDS" == *sqlite* ]]; then
  D="$WORK/sqlite"
  mkdir -p "$D"
  HAVE=$(sqlite3 "$D/kieubao.db" "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
  if [ "$HAVE" -lt "$PEOPLE" ]; then
    rm -rf "$D"; mkdir -p "$D"
    /usr/bin/time -f "sqlite load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42 --data-dir "$D"
  fi
  "$BIN" migrate --data-dir "$D"
  echo 'bench http passphrase 2026' | "$BIN" user add --data-dir "$D" --username bench_http --role province_officer >/dev/null 2>&1 || true
  export TOKEN
  TOKEN=$("$BIN" token create --data-dir "$D" --username bench_http --scope read --name bench --expires-days 1)
  export MAXID="$PEOPLE"
  PID=$(start_server "$PORT" "$WORK/server_sqlite.log" KIEUBAO_DATA_DIR="$D")
  PIDS+=("$PID")
  wait_ready "$PORT"
  run_backend sqlite "$PORT"
  echo "server RSS: $(grep VmRSS /proc/"$PID"/status | awk '{print $2}') KiB"
  kill "$PID"; wait "$PID" 2>/dev/null || true
fi

if [[ "$BACKENDS" == *postgres* ]]; then
  export KIEUBAO_DATABASE_URL="$PG/$DB"
  psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql -q "$PG/postgres" -c "CREATE DATABASE $DB"
  HAVE=$(psql "$PG/$DB" -tAc "SELECT COUNT(*) FROM persons" 2>/dev/null || echo 0)
  if [ "$HAVE" -lt "$PEOPLE" ]; then
    /usr/bin/time -f "postgres load: %e s" "$BIN" demo --people "$PEOPLE" --seed 42
    psql -q "$PG/$DB" -c "VACUUM (ANALYZE)"
  fi
  "$BIN" migrate
  echo 'bench http passphrase 2026' | "$BIN" user add --username bench_http --role province_officer >/dev/null 2>&1 || true
  export TOKEN
  TOKEN=$("$BIN" token create --username bench_http --scope read --name bench --expires-days 1)
  export MAXID="$PEOPLE"
  P1=$(start_server "$PORT" "$WORK/server_pg1.log")
  P2=$(start_server "$((PORT + 1))" "$WORK/server_pg2.log")
  PIDS+=("$P1" "$P2")
  wait_ready "$PORT"; wait_ready "$((PORT + 1))"
  run_backend postgres "$PORT" "$((PORT + 1))"
  kill "$P1" "$P2"; wait "$P1" "$P2" 2>/dev/null || true
  unset KIEUBAO_DATABASE_URL
fi
echo "results: $RESULTS"
