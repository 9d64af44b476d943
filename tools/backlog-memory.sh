#!/usr/bin/env bash
# Measures the worker's memory while it works off a backlog: EVENTS signals (default 1,000,000, over 10,000 tenants)
# are written to a standalone broker (noida-db, which keeps them all on disk; the embedded mock keeps only 5 MiB per
# partition) before the worker starts. Prints the worker's peak RSS, how long it took, and its shard backlog bound.
# Usage: tools/backlog-memory.sh [EVENTS]   (WORKER_BINARY=path picks a built binary, e.g. a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/common.sh
tools/setup.sh

events=${1:-1000000}
bin="$(autonomics_binary)"
start_noida_workspace
create_worker_topics "$brokers" 8

python3 - "$brokers" "$events" <<'PY'
import sys, time
from confluent_kafka import Producer
brokers, events = sys.argv[1], int(sys.argv[2])
producer = Producer({"bootstrap.servers": brokers, "linger.ms": 20, "queue.buffering.max.messages": 1000000})
start = int(time.time()) - 30 * 86400
for index in range(events):
    # Each tenant's signals fall in distinct 5-second windows: none is a duplicate.
    value = '{"tenant_id":"tenant-%d","metric":"cpu_utilization","value":%d,"timestamp":%d}' % (
        index % 10000, index % 101, start + index // 10000 * 5)
    while True:
        try:
            producer.produce("autonomics.events", value.encode())
            break
        except BufferError:
            producer.poll(0.1)
producer.flush(120)
PY
echo "backlog: $events events written to autonomics.events" >&2

started=$(date +%s.%N)
AUTONOMICS_LOG_LEVEL=warning "$bin" run --brokers "$brokers" --group backlog --http-port 0 >"$work/out" 2>"$work/log" &
worker=$!
watched=$worker watched_log="$work/log"
wait_until 30 "the operations server" grep -q "^operations server: " "$work/out"
http=$(sed -n 's/^operations server: //p' "$work/out")
peak=0
while true; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$worker/status")
    peak=$((rss > peak ? rss : peak))
    receipts=$(curl -sf "$http/metrics" | awk '/^autonomics_receipts_total / {print $2}')
    [ "${receipts%.*}" -ge "$events" ] 2>/dev/null && break
    kill -0 "$worker" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
    sleep 0.5
done
finished=$(date +%s.%N)
kill -TERM "$worker"
watched=""
wait "$worker"
worker=""
python3 - "$events" "$started" "$finished" "$peak" <<'PY'
import sys
events, started, finished, peak = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
seconds = finished - started
print(f"backlog of {events} events worked off in {seconds:.1f} s ({events / seconds:.0f} events/s, start-up included); "
      f"worker peak RSS {peak / 1024:.0f} MiB")
PY
