#!/usr/bin/env bash
# A PostgreSQL cluster for benchmarks, on port 5433, set up as PostgreSQL's
# documentation advises for a dedicated server ("Resource Consumption":
# shared_buffers about 25 % of memory; effective_cache_size half to three
# quarters), beside the machine's default cluster (5432, 128 MB of shared
# buffers, used by the tests). Durability stays as shipped (fsync,
# synchronous_commit on). Idempotent: creates, configures and starts it.
#
#   scripts/bench_pg_cluster.sh        # then PG=postgres://postgres@127.0.0.1:5433
set -euo pipefail
VER=$(ls /etc/postgresql | sort -n | tail -1)
NAME=${NAME:-kbbench}
PORT=${PORT:-5433}
MEM_MB=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$NAME"; then
  pg_createcluster "$VER" "$NAME" --port "$PORT" >/dev/null
fi
CONF=/etc/postgresql/$VER/$NAME
cat >"$CONF/conf.d/kieubao-bench.conf" <<CONFEOF
listen_addresses = '127.0.0.1'
port = $PORT
max_connections = 200
shared_buffers = $((MEM_MB / 4))MB
effective_cache_size = $((MEM_MB * 3 / 4))MB
maintenance_work_mem = 1GB
work_mem = 16MB
wal_buffers = 16MB
max_wal_size = 8GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1
huge_pages = try
CONFEOF
# Huge pages for the shared buffers ("Managing Kernel Resources"): without
# them every backend faults the buffers it touches into its own page table.
PAGES=$(( (MEM_MB / 4 + 256) / 2 ))
sysctl -qw vm.nr_hugepages="$PAGES" || echo "bench_pg_cluster: no huge pages (sysctl refused)" >&2
# Trust on the loopback, as the default cluster of these machines.
grep -q "kieubao-bench" "$CONF/pg_hba.conf" || \
  sed -i '1i host all all 127.0.0.1/32 trust # kieubao-bench' "$CONF/pg_hba.conf"
pg_ctlcluster --skip-systemctl-redirect "$VER" "$NAME" restart
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p "$PORT" -q && break; sleep 1; done
psql "postgres://postgres@127.0.0.1:$PORT/postgres" -tAc "SHOW shared_buffers"
