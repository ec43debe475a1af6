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
    trap 'stop_redis; stop_cluster' EXIT
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

# start_cluster [REPLICAS]: a Redis Cluster of 3 masters with REPLICAS
# replicas each (default 0; cluster-node-timeout 2 s, as in the tests) on
# free ports; sets REDSTREAM_BENCH_CLUSTER_PORTS (exported,
# comma-separated) and registers cleanup. One at a time: asking for another
# shape stops the one running.
start_cluster() {
    local replicas=${1:-0}
    if [[ -n "${BENCH_CLUSTER_PIDS:-}" ]]; then
        [[ "${BENCH_CLUSTER_REPLICAS:-}" == "$replicas" ]] && return 0
        stop_cluster
    fi
    BENCH_CLUSTER_REPLICAS=$replicas
    BENCH_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redstream-bench-cluster.XXXXXX")
    trap 'stop_redis; stop_cluster' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local ports=() nodes=() port
    BENCH_CLUSTER_PIDS=
    for _ in $(seq $((3 * (1 + replicas)))); do
        port=$(free_port)
        mkdir -p "$BENCH_CLUSTER_DIR/$port"
        # The bus port must be chosen too: port + 10000 may not exist.
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --cluster-enabled yes --cluster-port "$(free_port)" --cluster-node-timeout 2000 \
            --repl-diskless-sync-delay 0 \
            --cluster-config-file "$BENCH_CLUSTER_DIR/$port/nodes.conf" \
            --dir "$BENCH_CLUSTER_DIR/$port" --daemonize no \
            >"$BENCH_CLUSTER_DIR/$port/server.log" 2>&1 &
        BENCH_CLUSTER_PIDS="$BENCH_CLUSTER_PIDS $!"
        ports+=("$port")
        nodes+=("127.0.0.1:$port")
    done
    for port in "${ports[@]}"; do
        for _ in $(seq 100); do
            redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
            sleep 0.05
        done
    done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas "$replicas" --cluster-yes >/dev/null
    for port in "${ports[@]}"; do
        for _ in $(seq 200); do
            redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && break
            sleep 0.05
        done
        redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' || {
            echo "cluster node $port is not ready" >&2
            return 1
        }
    done
    # A replica that never synced may not take over: wait for every link.
    for port in "${ports[@]}"; do
        for _ in $(seq 200); do
            redis-cli -p "$port" info replication |
                grep -Eq 'role:master|master_link_status:up' && break
            sleep 0.05
        done
    done
    REDSTREAM_BENCH_CLUSTER_PORTS=$(IFS=,; echo "${ports[*]}")
    export REDSTREAM_BENCH_CLUSTER_PORTS
}

stop_cluster() {
    local pid
    for pid in ${BENCH_CLUSTER_PIDS:-}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    BENCH_CLUSTER_PIDS=
    [[ -n "${BENCH_CLUSTER_DIR:-}" ]] && rm -rf "$BENCH_CLUSTER_DIR"
    BENCH_CLUSTER_DIR=
}
