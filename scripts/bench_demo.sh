#!/usr/bin/env bash
# Times the demo data generator (release build, one core).
#
#   scripts/bench_demo.sh [PEOPLE] [LIST_PEOPLE] [SEED]
#
# Defaults: 1,000,000 people in people mode, 100,000 people in list mode.
# Output is discarded; the example prints people/s and rows/s on stderr.
# Set CARGO_TARGET_DIR to keep the build away from other work in the checkout.
set -euo pipefail

people="${1:-1000000}"
list_people="${2:-100000}"
seed="${3:-42}"

cd "$(dirname "$0")/.."
cargo build --quiet --release -p demo --example demo_gen
bin="${CARGO_TARGET_DIR:-target}/release/examples/demo_gen"

echo "generation only:" >&2
"$bin" iter "$people" "$seed"
echo "people CSV:" >&2
"$bin" people "$people" "$seed"
echo "agency lists CSV:" >&2
"$bin" lists "$list_people" "$seed"

# The contract command, end to end (release binary, CSV to a temp file),
# and a database load for scale.
cargo build --quiet --release -p kieubao
kb="${CARGO_TARGET_DIR:-target}/release/kieubao"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "kieubao demo --people $people --seed $seed --csv:" >&2
/usr/bin/time -f "  wall %e s, peak RSS %M KiB" "$kb" demo --people "$people" --seed "$seed" --csv "$tmp/people.csv"
echo "kieubao demo --people 100000 into SQLite:" >&2
/usr/bin/time -f "  wall %e s, peak RSS %M KiB" "$kb" demo --people 100000 --seed "$seed" --data-dir "$tmp/data"
