# Helpers for bench/run (sourced). A throwaway redis-server on a free
# loopback port, stopped and removed when the script exits.

# Prints a free TCP port on 127.0.0.1 (never 6379).
free_port() {
    python3 - <<'PY'
import socket
while True:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    if port != 6379:
        print(port)
        break
PY
}

# start_redis: sets REDSTREAM_BENCH_PORT (exported) and registers cleanup.
# Starts at most one server per run; later calls reuse it.
start_redis() {
    [[ -n "${BENCH_REDIS_PID:-}" ]] && return 0
    BENCH_REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redstream-bench.XXXXXX")
    REDSTREAM_BENCH_PORT=$(free_port)
    export REDSTREAM_BENCH_PORT
    trap stop_redis EXIT
    # Turn signals into a normal exit so that the EXIT trap cleans up.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    redis-server --port "$REDSTREAM_BENCH_PORT" --bind 127.0.0.1 --save '' \
        --appendonly no --dir "$BENCH_REDIS_DIR" --daemonize no \
        >"$BENCH_REDIS_DIR/server.log" 2>&1 &
    BENCH_REDIS_PID=$!
    for _ in $(seq 100); do
        if redis-cli -p "$REDSTREAM_BENCH_PORT" ping 2>/dev/null | grep -q PONG; then
            return 0
        fi
        sleep 0.05
    done
    echo "redis-server did not answer PING; log:" >&2
    cat "$BENCH_REDIS_DIR/server.log" >&2
    return 1
}

stop_redis() {
    if [[ -n "${BENCH_REDIS_PID:-}" ]]; then
        kill "$BENCH_REDIS_PID" 2>/dev/null || true
        wait "$BENCH_REDIS_PID" 2>/dev/null || true
        BENCH_REDIS_PID=
    fi
    [[ -n "${BENCH_REDIS_DIR:-}" ]] && rm -rf "$BENCH_REDIS_DIR"
    BENCH_REDIS_DIR=
}
