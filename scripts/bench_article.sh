#!/usr/bin/env bash
# An article page of the public site under load (issue 24: >= 2,000 req/s
# on 2 cores with 64 clients, p99 < 50 ms), against /healthz in the same run
# (the floor: what the machine serves when a request does nothing), with wrk
# on the same machine, on a demo database (SQLite).
#
#   scripts/bench_article.sh
#
# Environment: DURATION=20s CONNS=64 THREADS=2 PORT=18290
#   BIN=path/to/kieubao (else a release build)  WORK=/tmp/kb_article_bench
# Prints a Markdown table (requests/s, p50, p99, non-2xx) per URL.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18290}
WORK=${WORK:-/tmp/kb_article_bench}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
rm -rf "$WORK"; mkdir -p "$WORK"
KIEUBAO_DEMO_PASSWORD='demo password for the benchmark' \
  "$BIN" serve --demo --data-dir "$WORK/data" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done
# The newest news article, as the home page links it.
article=$(curl -sf "http://127.0.0.1:$PORT/tin-tuc" | grep -o 'href="/tin-tuc/[0-9]*/[0-9]*/[a-z0-9-]*"' | head -1 | cut -d'"' -f2)
[ -n "$article" ] || { echo "no article found" >&2; exit 1; }
echo "== machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kieubao $(git rev-parse --short HEAD)"
echo "| URL | requests/s | p50 | p99 | non-2xx |"
echo "| --- | ---: | ---: | ---: | ---: |"
for url in /healthz "$article"; do
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$url")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "| \`$url\` | $rps | $p50 | $p99 | ${bad:-0} |"
done
