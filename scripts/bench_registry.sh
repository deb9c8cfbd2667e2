#!/usr/bin/env bash
# Registry latency with a large database, on SQLite and on PostgreSQL.
#
#   scripts/bench_registry.sh [PEOPLE] [SEED]
#
# Loads PEOPLE demo people (default 1,000,000; with households, relatives,
# sources, associations) with `kieubao demo`, starts the release server,
# signs in as a commune officer of the busiest commune and measures with
# scripts/bench_registry.py (one keep-alive connection, sequential): the
# commune's list page, a record page, an edit commit (PATCH with If-Match).
#
# Environment: BENCH_DIR keeps the databases between runs (a loaded database
# is reused: loading 1M people takes minutes); BENCH_N timed requests of each
# kind (200); BENCH_PG admin URL of a PostgreSQL server
# (postgres://postgres@127.0.0.1:5432); BENCH_ONLY=sqlite|postgres.
# Set CARGO_TARGET_DIR to keep the build away from other work in the checkout.
set -euo pipefail

people="${1:-1000000}"
seed="${2:-42}"
n="${BENCH_N:-200}"
pg="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
only="${BENCH_ONLY:-}"

cd "$(dirname "$0")/.."
cargo build --quiet --release -p kieubao
kb="$(realpath "${CARGO_TARGET_DIR:-target}/release/kieubao")"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
password="bench passphrase for the registry"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench() {
    local name="$1" url="$2" query="$3"
    export KIEUBAO_DATA_DIR="$work/$name" KIEUBAO_DATABASE_URL="$url"
    export KIEUBAO_API_REQUESTS_PER_MINUTE=0 KIEUBAO_LOG=warn
    mkdir -p "$KIEUBAO_DATA_DIR"
    if [ ! -e "$work/$name.loaded" ]; then
        echo "== $name: loading $people people" >&2
        /usr/bin/time -f "  load: wall %e s, peak RSS %M KiB" "$kb" demo --people "$people" --seed "$seed"
        echo "$people" > "$work/$name.loaded"
    fi
    if [ "$name" = postgres ]; then
        # As autovacuum would after a bulk load: statistics and the visibility
        # map (index-only scans).
        $query "VACUUM (ANALYZE)" >/dev/null
    fi
    local commune
    commune=$($query "SELECT hometown_new_code FROM persons WHERE hometown_new_code IS NOT NULL AND deleted_at IS NULL GROUP BY hometown_new_code ORDER BY COUNT(*) DESC LIMIT 1" | tr -d '[:space:]')
    echo "== $name: busiest commune $commune" >&2
    echo "$password" | "$kb" user add --username "bench.$commune" --role commune_officer --commune "$commune" >/dev/null 2>&1 || true
    local token
    token=$("$kb" token create --username "bench.$commune" --expires-days 1 --scope read --scope write)
    local port
    port=$(free_port)
    KIEUBAO_ADDR="127.0.0.1:$port" "$kb" serve &
    local pid=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.2
    done
    python3 scripts/bench_registry.py --base "http://127.0.0.1:$port" --user "bench.$commune" \
        --password "$password" --token "$token" --commune "$commune" -n "$n" \
        | sed "s/^/$name: /"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

if [ "$only" != postgres ]; then
    bench sqlite "sqlite://$work/sqlite/kieubao.db?mode=rwc" "sqlite3 $work/sqlite/kieubao.db"
fi
if [ "$only" != sqlite ]; then
    db="kb_bench_$people"
    if [ ! -e "$work/postgres.loaded" ]; then
        psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    fi
    bench postgres "$pg/$db" "psql $pg/$db -qtAc"
fi
