# Shared by the tools/ scripts: sourced, not run.
export PATH="/opt/swift/usr/bin:$PATH"

# Prints the path of the autonomics binary, building it unless WORKER_BINARY names one already built
# (tools/test.sh passes the binary its test build made, which saves a second compilation).
autonomics_binary() {
    if [ -n "${WORKER_BINARY:-}" ]; then
        echo "$WORKER_BINARY"
        return
    fi
    swift build --product autonomics >&2
    echo "$(swift build --show-bin-path)/autonomics"
}

# wait_until SECONDS DESCRIPTION COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails after SECONDS,
# or at once if the process $watched (when set) has exited, printing the log file $watched_log.
wait_until() {
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq $((seconds * 10))); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        if [ -n "${watched:-}" ] && ! kill -0 "$watched" 2>/dev/null; then
            echo "${0##*/}: the worker exited while waiting for $what" >&2
            cat "${watched_log:-/dev/null}" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "${0##*/}: timed out waiting for $what" >&2
    tail -n 50 "${watched_log:-/dev/null}" >&2
    exit 1
}

# start_noida DIR: installs noida-db (a standalone Kafka-protocol broker from PyPI) and confluent-kafka when missing,
# starts the broker on a free loopback port with its data in DIR, waits until it answers, and sets $broker (its pid)
# and $brokers (its bootstrap address).
start_noida() {
    local dir=$1 port noida
    python3 -m pip show -q noida-db >/dev/null 2>&1 || python3 -m pip install -q noida-db==0.2.3
    python3 -m pip show -q confluent-kafka >/dev/null 2>&1 || python3 -m pip install -q confluent-kafka
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    brokers="127.0.0.1:$port"
    noida="$(python3 -c 'import noida_db, os; print(os.path.join(os.path.dirname(noida_db.__file__), "noida-db"))')"
    "$noida" start --only kafka --kafka-port "$port" --host 127.0.0.1 --data-dir "$dir/data" >"$dir/broker.log" 2>&1 &
    broker=$!
    wait_until 10 "the broker" kcat -b "$brokers" -L -m 1
}

# start_noida_workspace: makes a temporary folder $work, removed at exit together with the processes $worker and
# $broker, and starts noida-db there (see start_noida).
start_noida_workspace() {
    work="$(mktemp -d)"
    # Unquoted on purpose: an unset pid is no argument at all (an empty one would leave the other process running).
    trap 'kill ${worker:-} ${broker:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
    start_noida "$work"
}

# create_worker_topics BROKERS PARTITIONS: creates the worker's five topics (the broker must support CreateTopics).
create_worker_topics() {
    python3 - "$1" "$2" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
topics = ["autonomics.events", "autonomics.tenant-events", "autonomics.receipts", "autonomics.dlq", "autonomics.control"]
for future in admin.create_topics([NewTopic(t, int(sys.argv[2]), 1) for t in topics]).values():
    future.result(timeout=30)
PY
}
