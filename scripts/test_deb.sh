#!/usr/bin/env bash
# Builds the .deb (cargo-deb), installs it on this machine (as root; use a
# throwaway container or VM), runs the service's command lines as the unit
# does (no systemd needed) and checks that the server answers /readyz.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kieubao-target}"
cargo deb --version 2>/dev/null | grep -q "3\.8\.0" || cargo install --locked cargo-deb@3.8.0
cargo deb -p kieubao
deb=$(ls -t "$CARGO_TARGET_DIR"/debian/kieubao_*.deb | head -1)
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
[ "$(id -u)" = 0 ] || { echo "test_deb.sh: install needs root" >&2; exit 1; }
apt-get install -y -qq "$deb" >/dev/null
id kieubao
test -f /lib/systemd/system/kieubao.service || test -f /usr/lib/systemd/system/kieubao.service
test "$(stat -c %U:%a /var/lib/kieubao)" = "kieubao:750"
unit=$(ls /lib/systemd/system/kieubao.service /usr/lib/systemd/system/kieubao.service 2>/dev/null | head -1)
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
start=$(sed -n 's/^ExecStart=//p' "$unit")
export KIEUBAO_CONFIG=/etc/kieubao/kieubao.toml
runuser -u kieubao -- env KIEUBAO_CONFIG="$KIEUBAO_CONFIG" $pre
runuser -u kieubao -- env KIEUBAO_CONFIG="$KIEUBAO_CONFIG" $start &
pid=$!
for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:8080/readyz >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS http://127.0.0.1:8080/readyz && echo
curl -fsS -o /dev/null -w "home page: %{http_code}\n" http://127.0.0.1:8080/
kill -TERM "$pid"; wait "$pid" || true
echo "test_deb.sh: installed, migrated, served and stopped"
