#!/usr/bin/env bash
# Server memory under hostile uploads (issue 26, finding 3): four uploads of
# 60 MiB at once, of each kind below, through `POST /api/v1/imports`, while
# the server's resident memory is sampled every 20 ms. Target: the server
# stays under +100 MiB over its resident memory before the uploads.
#
#   scripts/bench_uploads.sh
#
# Kinds (each 60 MiB, four at once):
#   one_line   a CSV header, then one line of 60 MiB (refused as it arrives:
#              the line passes the longest line a list can have)
#   binary     random bytes named .csv (spooled to disk, refused from there
#              as not a spreadsheet, never read whole)
#   zip        a zip of random data named .xlsx, no workbook in it (refused
#              from the zip's directory on disk)
#   junk_rows  60 MiB of short lines of junk (a text file the server must
#              read: it waits for a reading slot, then is read and refused or
#              reported row by row; shown for comparison, not a hostile file
#              the spool can refuse)
# Environment: BIN=path/to/kieubao (else a release build), WORK=/tmp/kb_uploads.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/tmp/kb_uploads}
PORT=${PORT:-18290}
SIZE_MB=${SIZE_MB:-60}
mkdir -p "$WORK"
if [ -z "${BIN:-}" ]; then
  cargo build --release -p kieubao
  BIN="${CARGO_TARGET_DIR:-target}/release/kieubao"
fi
echo "== machine"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "kieubao $(git rev-parse --short HEAD), curl $(curl --version | head -1 | awk '{print $2}')"

# The files.
if [ ! -f "$WORK/one_line.csv" ]; then
  { printf 'Họ và tên,Nước\n'; head -c "$((SIZE_MB * 1024 * 1024))" /dev/zero | tr '\0' x; } >"$WORK/one_line.csv"
  head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom >"$WORK/binary.csv"
  head -c "$((SIZE_MB * 1024 * 1024))" /dev/urandom >"$WORK/random.bin"
  (cd "$WORK" && rm -f zip.xlsx && python3 -c "
import zipfile
with zipfile.ZipFile('zip.xlsx', 'w', zipfile.ZIP_STORED) as z:
    z.write('random.bin', 'word/media/image1.bin')
")
  python3 -c "
import random, sys
random.seed(7)
out = open('$WORK/junk_rows.csv', 'w')
out.write('Họ và tên,Nước,Năm sinh\n')
n = 0
limit = $SIZE_MB * 1024 * 1024
while n < limit:
    line = ''.join(random.choice('abcdefghijklmnopqrstuvwxyz ') for _ in range(30)) + ',Wakanda,năm xưa\n'
    out.write(line)
    n += len(line.encode())
"
fi

D="$WORK/data"
rm -rf "$D"; mkdir -p "$D"
"$BIN" demo --people 2000 --seed 42 --data-dir "$D" >/dev/null
echo 'bench uploads passphrase 2026' | "$BIN" user add --data-dir "$D" --username bench_up --role province_officer >/dev/null 2>&1
TOKEN=$("$BIN" token create --data-dir "$D" --username bench_up --scope read --scope write --name bench --expires-days 1)
printf 'api_requests_per_minute = 0\n' >"$WORK/bench.toml"
KIEUBAO_DATA_DIR="$D" KIEUBAO_CONFIG="$WORK/bench.toml" KIEUBAO_ADDR="127.0.0.1:$PORT" KIEUBAO_LOG=warn \
  "$BIN" serve >"$WORK/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
# Warm up: a few reads and a small import, so the baseline is a server at work.
for i in 1 2 3 4 5; do curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/people/$i" >/dev/null; done
printf 'Họ và tên,Nước,Năm sinh\nNguyễn Văn An,Nhật Bản,1980\n' >"$WORK/small.csv"
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" --data-binary @"$WORK/small.csv" \
  "http://127.0.0.1:$PORT/api/v1/imports?source=police&file_name=small.csv"
sleep 2

rss() { awk '/VmRSS/ {print $2}' /proc/"$PID"/status; }
echo
echo "| kind | 4 × ${SIZE_MB} MiB | RSS before (MiB) | peak (MiB) | increase (MiB) | after 5 s (MiB) | answers | wall (s) |"
echo "|---|---|---:|---:|---:|---:|---|---:|"
for kind in one_line binary zip junk_rows; do
  case $kind in
    one_line) f=one_line.csv ;; binary) f=binary.csv ;; zip) f=zip.xlsx ;; junk_rows) f=junk_rows.csv ;;
  esac
  before=$(rss)
  peak=$before
  start=$(date +%s.%N)
  pids=()
  for i in 1 2 3 4; do
    curl -s -o "$WORK/answer_${kind}_$i.json" -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
      --data-binary @"$WORK/$f" \
      "http://127.0.0.1:$PORT/api/v1/imports?source=police&file_name=$f" >"$WORK/status_${kind}_$i" &
    pids+=($!)
  done
  while :; do
    r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.02
  done
  # A text file accepted for reading is read in the background: sample until
  # every import of this kind has left "queued" and "reading".
  for _ in $(seq 1 600); do
    busy=0
    for i in 1 2 3 4; do
      id=$(python3 -c "import json,sys
try: print(json.load(open('$WORK/answer_${kind}_$i.json')).get('id', ''))
except Exception: print('')")
      [ -z "$id" ] && continue
      st=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/imports/$id" \
        | python3 -c "import json,sys; print(json.load(sys.stdin).get('status',''))")
      case $st in queued|reading|validating|uploaded) busy=1 ;; esac
    done
    r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
    [ "$busy" = 0 ] && break
    sleep 0.1
  done
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  sleep 5
  after=$(rss)
  answers=$(cat "$WORK"/status_"${kind}"_* | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
  printf '| %s | %s | %d | %d | %+d | %d | %s| %.1f |\n' "$kind" "$f" "$((before / 1024))" "$((peak / 1024))" \
    "$(((peak - before) / 1024))" "$((after / 1024))" "$answers" "$wall"
done
echo
echo "answers of the last kind:"; head -c 400 "$WORK/answer_junk_rows_1.json"; echo
