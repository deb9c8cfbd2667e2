#!/usr/bin/env bash
# cargo deny check advisories bans licenses sources (deny.toml), offline,
# against the RustSec advisory database snapshot in ../shared/advisory-db
# (or $KIEUBAO_ADVISORY_SNAPSHOT). cargo-deny wants a git clone at a path it
# derives from the database's URL: the snapshot is copied into a throwaway
# git repository there. Installs cargo-deny (pinned) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny@0.20.2
# The snapshot: as given, beside the project, or where these machines keep it.
SNAPSHOT=${KIEUBAO_ADVISORY_SNAPSHOT:-}
for d in ../shared/advisory-db /work/shared/advisory-db; do
  [ -z "$SNAPSHOT" ] && [ -d "$d/crates" ] && SNAPSHOT=$d
done
if [ -z "$SNAPSHOT" ]; then
  # Offline, advisories cannot be checked without the database: say so,
  # and check the rest.
  echo "deny.sh: no RustSec snapshot found (set KIEUBAO_ADVISORY_SNAPSHOT): advisories NOT checked" >&2
  exec cargo deny --offline check bans licenses sources
fi
[ -d "$SNAPSHOT" ] || { echo "deny.sh: no advisory snapshot at $SNAPSHOT" >&2; exit 1; }
dbs=$(mktemp -d)
trap 'rm -rf "$dbs"' EXIT
export KIEUBAO_ADVISORY_DBS="$dbs"
# Where cargo-deny looks for the clone (its name is derived from the URL).
probe=$(cargo deny --offline check advisories 2>&1 || true)
clone=$(printf '%s\n' "$probe" | grep -o "cannot change to '[^']*'" | head -1 | sed "s/cannot change to '\(.*\)'/\1/")
if [ -z "$clone" ]; then
  clone=$(printf '%s\n' "$probe" | grep -o "$dbs/[A-Za-z0-9._-]*" | head -1)
fi
[ -n "$clone" ] || { echo "deny.sh: cannot tell where cargo-deny wants the database:" >&2; echo "$probe" >&2; exit 1; }
mkdir -p "$clone"
cp -r "$SNAPSHOT"/. "$clone"/
(
  cd "$clone"
  git init -q
  git add -A
  GIT_AUTHOR_NAME=snapshot GIT_AUTHOR_EMAIL=snapshot@localhost \
  GIT_COMMITTER_NAME=snapshot GIT_COMMITTER_EMAIL=snapshot@localhost \
    git commit -qm "RustSec advisory database snapshot ($(cat SNAPSHOT 2>/dev/null | head -1))"
)
cargo deny --offline check advisories bans licenses sources
