#!/usr/bin/env bash
# Builds the upgrade fixture of crates/kieubao/tests/backup.rs (issue 25 §8):
# a registry made by an earlier schema, with people in it.
#
#   scripts/make_upgrade_fixture.sh [VERSION]     (default 6)
#
# The program generates demo people at today's schema, then reverts the
# migrations after VERSION (`kieubao migrate --down-to VERSION`), which is
# what a database left by the program of that schema looks like. Two files
# are committed under crates/kieubao/tests/fixtures/upgrade/:
#   registry.sqlite  the SQLite file itself (the SQLite test opens and migrates it);
#   backup/     the same rows as a backup (`kieubao backup`, which does not
#               migrate), which the PostgreSQL test restores at VERSION and
#               then migrates.
# Synthetic people only (demo generator, fixed seed).
set -euo pipefail
VERSION=${1:-6}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/crates/kieubao/tests/fixtures/upgrade
BIN=${KIEUBAO_BIN:-}
if [ -z "$BIN" ]; then
    (cd "$ROOT" && cargo build -q -p kieubao)
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/kieubao
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export KIEUBAO_LOG=warn
unset KIEUBAO_DATABASE_URL KIEUBAO_CONFIG
"$BIN" --data-dir "$TMP/data" demo --people 150 --seed 2025
"$BIN" --data-dir "$TMP/data" migrate --down-to "$VERSION"
"$BIN" --data-dir "$TMP/data" migrate --status
rm -rf "$OUT"
mkdir -p "$OUT"
"$BIN" --data-dir "$TMP/data" backup --out "$OUT/backup"
# One file, no write-ahead log beside it, no free pages.
sqlite3 "$TMP/data/kieubao.db" "VACUUM INTO '$OUT/registry.sqlite'"
echo "fixture at schema version $VERSION written to $OUT"
