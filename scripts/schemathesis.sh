#!/usr/bin/env bash
# Schemathesis against the OpenAPI document of a demo server (issue 26), in CI.
# For each database (SQLite in a temporary directory; PostgreSQL on a fresh
# database when KIEUBAO_TEST_PG_URL is set), starts `kieubao serve --demo`
# with the API rate limit off and runs every check with a token of each
# role: the province officer (read+write, 20 examples an operation, every
# phase), then a commune officer, a mission, an agency and a leader
# (read+write where the role may write; 5 generated examples an operation:
# their answers are mostly refusals and data outside their jurisdiction,
# which must still match the document).
# Configuration, and what the document cannot state: scripts/schemathesis.toml.
# BACKENDS="sqlite postgres" (default) picks the databases.
#   scripts/schemathesis.sh [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kieubao-target}"
command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.5'
cargo build -q --bin kieubao
bin="$CARGO_TARGET_DIR/debug/kieubao"
port=${PORT:-8099}
extra=("$@")
pid=""
dirs=()
cleanup() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  for d in "${dirs[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT

# One backend: $1 = label, $2 = database URL ("" for SQLite in the data dir).
run_backend() {
  local label=$1 url=$2 dir
  dir=$(mktemp -d); dirs+=("$dir")
  printf 'api_requests_per_minute = 0\n' > "$dir/kieubao.toml"
  local db=(--config "$dir/kieubao.toml" --data-dir "$dir/data")
  [ -n "$url" ] && db+=(--database-url "$url")
  KIEUBAO_DEMO_PASSWORD='demo password for schemathesis' \
    "$bin" serve --demo "${db[@]}" --addr "127.0.0.1:$port" > "$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  for who in sonv:20 canbo.xa:5 daisu.jp:5 congan:5 lanhdao:5; do
    local user=${who%%:*} examples=${who##*:} token scopes=(--scope read --scope write)
    local phases=(--phases coverage,fuzzing,stateful)
    [ "$user" = lanhdao ] && scopes=(--scope read)
    # The other roles: generated cases only (the coverage phase's edge cases
    # of every parameter are the officer's run's, and take the longest).
    [ "$user" != sonv ] && phases=(--phases fuzzing,stateful)
    token=$("$bin" token create --username "$user" --expires-days 1 "${scopes[@]}" "${db[@]}" | tail -1)
    echo "== schemathesis: $label, $user"
    # One worker: CPython 3.11's ast.parse is not safe across Hypothesis'
    # threads ("AST constructor recursion depth mismatch").
    schemathesis --config-file scripts/schemathesis.toml run \
      "http://127.0.0.1:$port/api/openapi.json" \
      -H "Authorization: Bearer $token" --checks all --max-examples "$examples" --workers 1 "${phases[@]}" \
      --exclude-method DELETE "${extra[@]}"
  done
  if grep -E ' (ERROR|panicked)' "$dir/server.log" >&2; then
    echo "schemathesis.sh: the server logged errors ($label)" >&2
    exit 1
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

backends=${BACKENDS:-sqlite postgres}
[[ " $backends " == *" sqlite "* ]] && run_backend SQLite ""
if [ -n "${KIEUBAO_TEST_PG_URL:-}" ] && [[ " $backends " == *" postgres "* ]]; then
  base=${KIEUBAO_TEST_PG_URL%/*}
  name="kieubao_schemathesis_$$"
  psql "$KIEUBAO_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  run_backend PostgreSQL "$base/$name"
  psql "$KIEUBAO_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $name"
fi
echo "schemathesis.sh: every run passed"
