#!/usr/bin/env bash
# sqlmap (level 3, risk 1) over the parameters of the API's read and search
# routes and of the people page, against a demo server on SQLite (or
# PostgreSQL with PG=...). Issue 26, "longer runs". Expects: 0 injectable.
#   BIN=target/release/kieubao scripts/sqlmap.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlmap >/dev/null || python3 -m pip install -q 'sqlmap==1.9.12'
BIN=${BIN:-target/release/kieubao}
PORT=${PORT:-18491}
LEVEL=${LEVEL:-3}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'api_requests_per_minute = 0\n' >"$work/kieubao.toml"
export KIEUBAO_DATA_DIR="$work/data" KIEUBAO_CONFIG="$work/kieubao.toml" KIEUBAO_LOG=warn
if [ -n "${PG:-}" ]; then export KIEUBAO_DATABASE_URL="$PG"; fi
"$BIN" demo --people 2000 --seed 42 >/dev/null 2>&1
echo 'sqlmap passphrase 2026 long' | "$BIN" user add --username sqlmap --role province_officer >/dev/null 2>&1
token=$("$BIN" token create --username sqlmap --scope read --scope write --scope admin --name sqlmap --expires-days 1 | tail -1)
"$BIN" serve --addr "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$PORT"
# Views of a record for the audit route's filter below to answer (the
# first once the API answers: it may say 503 while its index loads).
views=0
for _ in $(seq 1 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/people/1")
  [ "$code" = 200 ] && views=$((views + 1))
  [ "$views" = 3 ] && break
  sleep 0.2
done
# The audit route first, while its log is short: its answer is a page of
# the log, and after the other routes' thousands of audited requests that
# page is large enough to slow sqlmap's page comparisons to a crawl (a run
# with it last did not finish in 15 minutes). Its parameters are the
# route's own (actor, action, entity, entity_id, before).
urls=(
  "$base/api/v1/audit?actor=sqlmap&action=person.view&entity=person&entity_id=1&before=1000000"
  "$base/api/v1/people?q=an&country=KR&category=contract_labour&commune=18073&status=active&verification=unverified&generation=1&tag=expert&survey_round=2025&limit=5&after=1"
  "$base/api/v1/search?q=nguyen&country=KR&category=contract_labour&commune=18073&limit=5"
  "$base/api/v1/people/1"
  "$base/api/v1/statistics/pivot?rows=country&cols=category&country=KR&commune=18073"
  "$base/api/v1/linkage/pairs?status=pending&commune=18073&source=police&found_by=scan&limit=5&offset=0"
)
total=0; injectable=0
for u in "${urls[@]}"; do
  out=$(sqlmap -u "$u" -H "Authorization: Bearer $token" --level "$LEVEL" --risk 1 --batch \
    --threads 4 --disable-coloring --flush-session --output-dir "$work/sqlmap" 2>&1 || true)
  n=$(printf '%s\n' "$out" | grep -c "is vulnerable\|sqlmap identified the following injection" || true)
  codes=$(printf '%s\n' "$out" | grep -A3 "HTTP error codes detected" | tail -n +2 | tr -s ' \n' ' ' || true)
  tested=$(printf '%s\n' "$out" | grep -c "testing '" || true)
  echo "$(echo "$u" | sed "s|$base||" | cut -c1-60): $tested tests, injectable findings: $n; answers other than 2xx: ${codes:-none}"
  total=$((total + tested)); injectable=$((injectable + n))
done
echo "sqlmap level $LEVEL: $total tests over ${#urls[@]} routes, injectable: $injectable"
echo "server errors or panics in the log: $(grep -c 'panicked\|status=500' "$work/server.log" || true)"
[ "$injectable" = 0 ]
