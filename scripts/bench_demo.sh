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
