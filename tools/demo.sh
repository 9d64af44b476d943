#!/usr/bin/env bash
# The README's run command: builds the worker, runs it on the embedded broker (librdkafka's mock cluster), sends the
# sample events, waits until every one is receipted or dead-lettered, shows the receipts, verifies the chains, and
# stops the worker with SIGTERM. `--check` (used by tools/test.sh) prints less and fails on any surprise.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/common.sh
check=false
[ "${1:-}" = "--check" ] && check=true
tools/setup.sh

bin="$(autonomics_binary)"
work="$(mktemp -d)"
worker="" fake=""
trap 'kill "$worker" "$fake" 2>/dev/null || true; rm -rf "$work"' EXIT

# Marketplace entitlement events name only an entitlement: the worker GETs it from the Procurement API. Here the
# loopback fake stands in for Google, seeded with the samples' entitlement (one sample names no provider).
"$bin" gcp-fake --port 0 --key-file "$work/gcp-key.json" >"$work/gcp" 2>"$work/gcp-log" &
fake=$!
wait_until 60 "the GCP fake" grep -q "^export GCE_METADATA_HOST=" "$work/gcp"
eval "$(grep '^export ' "$work/gcp")"
export AUTONOMICS_INTAKE_PROCUREMENT_PROVIDER_ID=acme-saas-public

AUTONOMICS_LOG_LEVEL="${AUTONOMICS_LOG_LEVEL:-notice}" "$bin" run --brokers embedded --http-port 0 >"$work/out" 2>"$work/log" &
worker=$!
watched=$worker watched_log="$work/log"

address() { sed -n "s/^$1//p" "$work/out" | head -n 1; }
wait_until 60 "the embedded broker and the operations server" grep -q "^operations server: " "$work/out"
brokers=$(address "embedded Kafka cluster: bootstrap.servers=")
http=$(address "operations server: ")
echo "worker up: brokers $brokers, operations $http"
wait_until 60 "readiness" curl -sf "$http/ready" -o /dev/null

"$bin" produce --brokers "$brokers"
produced=$("$bin" produce --list-samples | wc -l)

metric() { curl -sf "$http/metrics" | awk -v name="$1" '$1 ~ "^"name"({|$)" { sum += $2 } END { print sum + 0 }'; }
# Every event that is not invalid ends as a duplicate, a dead letter of the governor, or its own receipt followed by
# its decision's: settled once the counts stop moving with at least one receipt per event.
last=""
settled() {
    local consumed invalid receipts duplicates now
    consumed=$(metric autonomics_events_consumed_total)
    invalid=$(curl -sf "$http/metrics" | awk '/^autonomics_events_consumed_total\{.*format="invalid"/ { sum += $2 } END { print sum + 0 }')
    receipts=$(metric autonomics_receipts_total)
    duplicates=$(metric autonomics_duplicates_total)
    now="$receipts $duplicates $(metric autonomics_dlq_total)"
    [ "$now" = "$last" ] && [ "$consumed" -eq "$produced" ] && [ $((receipts + duplicates)) -ge $((consumed - invalid)) ] && return 0
    last="$now"
    sleep 1
    return 1
}
wait_until 60 "receipts for all $produced events" settled
# The metrics count receipts as they are written; wait until the last one is acknowledged on the topic too.
receipts=$(metric autonomics_receipts_total)
on_topic() { "$bin" verify --brokers "$brokers" | grep -q "^$receipts receipts"; }
wait_until 30 "$receipts receipts on the topic" on_topic

echo
echo "== receipts (autonomics verify --show) =="
if $check; then
    "$bin" verify --brokers "$brokers"
else
    "$bin" verify --brokers "$brokers" --show
    echo
    echo "== dead letters (kcat) =="
    kcat -C -b "$brokers" -t autonomics.dlq -e -q \
        -f 'key=%k value=%s\n  headers: %h\n' 2>/dev/null || true
    echo
    echo "== metrics (excerpt) =="
    curl -sf "$http/metrics" | grep -E '^autonomics_(events_consumed|receipts|duplicates|dlq)_' || true
fi

kill -TERM "$worker"
wait "$worker"
echo "worker stopped cleanly after SIGTERM"
