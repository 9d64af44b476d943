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
