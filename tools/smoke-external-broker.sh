#!/usr/bin/env bash
# Runs the worker against a broker started separately — noida-db, a standalone Kafka-protocol broker from PyPI —
# with events produced by kcat, and checks the receipts and the dead letter. Part of tools/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/common.sh
tools/setup.sh

bin="$(autonomics_binary)"
start_noida_workspace
create_worker_topics "$brokers" 4

AUTONOMICS_LOG_LEVEL=warning "$bin" run --brokers "$brokers" --group smoke --http-port 0 >"$work/out" 2>"$work/log" &
worker=$!
watched=$worker watched_log="$work/log"
wait_until 30 "the operations server" grep -q "^operations server: " "$work/out"
http=$(sed -n 's/^operations server: //p' "$work/out")
wait_until 30 "readiness" curl -sf "$http/ready"

# Three tenants, two signals each in different 5-second windows, then one line that is not JSON.
now=$(date -u +%s)
for tenant in a b c; do
    for step in 0 1; do
        echo "{\"tenant_id\":\"kcat-$tenant\",\"metric\":\"error_rate\",\"value\":$((step * 10 + 5)),\"timestamp\":$((now - 60 + step * 10))}"
    done
done >"$work/events"
echo "not json" >>"$work/events"
kcat -b "$brokers" -t autonomics.events -P -l "$work/events"

# Each signal has its own receipt and its decision's: a refusal, as these tenants have no entitlement.
intact() { "$bin" verify --brokers "$brokers" | grep -q "^12 receipts of 3 tenants checked: all chains intact"; }
wait_until 30 "12 verified receipts" intact
"$bin" verify --brokers "$brokers"
dead=$(kcat -b "$brokers" -t autonomics.dlq -C -e -q -f '%s %h\n')
echo "$dead" | grep -q "^not json .*autonomics.dlq.error.code=invalid_json" || { echo "smoke: no dead letter: $dead" >&2; exit 1; }

kill -TERM "$worker"
watched=""
wait "$worker"
worker=""
echo "smoke: external broker OK (12 receipts verified, 1 dead letter, clean SIGTERM)"
