#!/usr/bin/env bash
# The whole test suite: unit tests, then integration tests against real
# SQLite and a real PostgreSQL, and browser flows in Debian's Chromium.
# Starts PostgreSQL and installs Chromium + chromedriver when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# PostgreSQL (trust auth on 127.0.0.1:5432, user postgres).
export KIEUBAO_TEST_PG_URL="${KIEUBAO_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "test.sh: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "test.sh: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }

# Chromium and chromedriver for the browser tests.
if ! command -v chromedriver >/dev/null 2>&1 || ! [ -x /usr/bin/chromium ]; then
  echo "test.sh: installing Debian's chromium and chromium-driver"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# A real SMTP server for the portal's e-mail tests (Python's aiosmtpd,
# started by the tests themselves; never a mock transport).
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install -q 'aiosmtpd==1.4.6'

# Doctests first, so that the run closes on the main runner's summary.
cargo test --workspace --doc
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-targets --no-fail-fast "$@"
else
  cargo test --workspace --all-targets --no-fail-fast "$@"
fi
