#!/usr/bin/env bash
# Long fuzzing runs of crates/app/tests/fuzz.rs (proptest, stable Rust): each
# target in turn for FUZZ_SECONDS (default 1800 = 30 minutes), release-optimised.
# A failure writes its case to crates/app/tests/fuzz-corpus/<target>.txt.
#   scripts/fuzz.sh [target-name-filter]
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-1800}
export FUZZ_CASES=${FUZZ_CASES:-2000}
filter=${1:-}
for t in csv_reader_never_panics xlsx_reader_never_panics_on_damaged_workbooks \
  upload_spool_refuses_or_gives_back_what_it_got hometown_resolver_never_panics \
  name_folding_is_stable dates_read_or_refuse_but_never_invent search_queries_never_panic; do
  [ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
  start=$(date +%s)
  cargo test --release -q -p app --test fuzz -- --exact "$t" --nocapture 2>&1 | grep -E "cases|panicked|FAILED|minimal" || true
  echo "$t: $(( $(date +%s) - start )) s"
done
