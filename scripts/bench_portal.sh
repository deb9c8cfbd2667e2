#!/usr/bin/env bash
# Portal pages under load (issue 23: >= 1,000 requests/s on 2 cores with 64
# clients): a signed-in person's own record (/kieu-bao/record, the demo's
# kieubao.demo@example.org with its portal session cookie) and public portal
# pages (/kieu-bao, /gop-y), against /healthz in the same run, with wrk on
# the same machine, on a demo database (SQLite).
#
#   scripts/bench_portal.sh
#
# Environment: DURATION=20s CONNS=64 THREADS=2 PORT=18291
#   BIN=path/to/kieubao (else a release build)  WORK=/tmp/kb_portal_bench
# Prints a Markdown table (requests/s, p50, p99, non-2xx) per URL.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18291}
WORK=${WORK:-/tmp/kb_portal_bench}
PASSWORD='demo password for the benchmark'
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
rm -rf "$WORK"; mkdir -p "$WORK"
KIEUBAO_DEMO_PASSWORD="$PASSWORD" \
  "$BIN" serve --demo --data-dir "$WORK/data" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 180); do curl -sf "$base/readyz" >/dev/null && break; sleep 1; done
# Sign the demo person in (the form's CSRF token and pre-session cookie).
jar="$WORK/cookies"
csrf=$(curl -sf -c "$jar" "$base/kieu-bao/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
  --data-urlencode "email=kieubao.demo@example.org" --data-urlencode "password=$PASSWORD" \
  --data-urlencode "csrf=$csrf" "$base/kieu-bao/login")
[ "$code" = 303 ] || { echo "the demo person did not sign in ($code)" >&2; exit 1; }
cookie=$(awk '(!/^#/ || /^#HttpOnly_/) && NF >= 7 {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$jar")
curl -sf -H "Cookie: $cookie" "$base/kieu-bao/record" | grep -q 'data-testid="own-record"' \
  || { echo "the record page did not answer signed in" >&2; exit 1; }
echo "== machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kieubao $(git rev-parse --short HEAD)"
echo "| URL | requests/s | p50 | p99 | non-2xx |"
echo "| --- | ---: | ---: | ---: | ---: |"
for url in /healthz /kieu-bao /gop-y /kieu-bao/record; do
  hdr=()
  [ "$url" = /kieu-bao/record ] && hdr=(-H "Cookie: $cookie")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${hdr[@]}" "$base$url")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "| \`$url\` | $rps | $p50 | $p99 | ${bad:-0} |"
done
