#!/usr/bin/env bash
# Schemathesis against the OpenAPI document of a demo server (issue 26):
# starts `kieubao serve --demo` on SQLite in a temporary directory with the
# API rate limit off, makes a read+write token for the province officer, and
# runs every check. Not in CI yet (the run still finds schema-valid requests
# the domain refuses; see docs/SECURITY.md).
#   scripts/schemathesis.sh [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kieubao-target}"
command -v schemathesis >/dev/null || python3 -m pip install -q 'schemathesis==4.32.5'
cargo build -q --bin kieubao
bin="$CARGO_TARGET_DIR/debug/kieubao"
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
printf 'api_requests_per_minute = 0\n' > "$dir/kieubao.toml"
port=${PORT:-8099}
KIEUBAO_DEMO_PASSWORD='demo password for schemathesis' \
  "$bin" serve --demo --config "$dir/kieubao.toml" --data-dir "$dir/data" --addr "127.0.0.1:$port" \
  > "$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 1; done
token=$("$bin" token create --username sonv --expires-days 1 --scope read --scope write \
  --config "$dir/kieubao.toml" --data-dir "$dir/data" | tail -1)
schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $token" --checks all --max-examples 20 --workers 2 \
  --exclude-method DELETE "$@"
