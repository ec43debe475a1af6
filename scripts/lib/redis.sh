# shellcheck shell=bash
# A throwaway redis-server for scripts (demo, benchmarks): a free loopback
# port (never 6379), a fresh temporary directory, no persistence.
#
#   source scripts/lib/redis.sh
#   trap stop_redis EXIT
#   start_redis [more redis-server arguments...]   # sets REDIS_PORT REDIS_PID REDIS_DIR
#   ...
#   stop_redis                                     # idempotent; removes REDIS_DIR

# Read by the scripts that source this file.
# shellcheck disable=SC2034
REDIS_PORT=""
REDIS_PID=""
REDIS_DIR=""

# True when something accepts connections on 127.0.0.1:$1.
_redis_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits up to ~5 s for the server to answer PING (NOAUTH also means "up").
_redis_wait_ready() {
    local port=$1 reply
    for _ in $(seq 100); do
        kill -0 "$REDIS_PID" 2>/dev/null || return 1
        reply=$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null || true)
        if [[ "$reply" == PONG* || "$reply" == NOAUTH* ]]; then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

_redis_kill() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

start_redis() {
    stop_redis  # one server at a time
    REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redstream-redis-XXXXXX")
    local port
    for _ in $(seq 10); do
        port=$((20000 + RANDOM % 40000))
        if ((port == 6379)) || _redis_port_busy "$port"; then
            continue
        fi
        rm -f "$REDIS_DIR/redis.log"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$REDIS_DIR" --daemonize no --logfile "$REDIS_DIR/redis.log" "$@" \
            </dev/null >>"$REDIS_DIR/redis.out" 2>&1 &
        REDIS_PID=$!
        if _redis_wait_ready "$port"; then
            REDIS_PORT=$port
            return 0
        fi
        _redis_kill "$REDIS_PID"
        REDIS_PID=""
        # Retry only when the port was taken between the check and the bind.
        grep -q "Address already in use" "$REDIS_DIR/redis.log" 2>/dev/null || break
    done
    echo "start_redis: redis-server did not start; log tail:" >&2
    tail -n 20 "$REDIS_DIR/redis.log" "$REDIS_DIR/redis.out" >&2 2>/dev/null || true
    rm -rf "$REDIS_DIR"
    REDIS_DIR=""
    return 1
}

stop_redis() {
    if [[ -n "$REDIS_PID" ]]; then
        _redis_kill "$REDIS_PID"
        REDIS_PID=""
    fi
    if [[ -n "$REDIS_DIR" ]]; then
        rm -rf "$REDIS_DIR"
        REDIS_DIR=""
    fi
    REDIS_PORT=""
}
