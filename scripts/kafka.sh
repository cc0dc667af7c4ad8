#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) broker for newswatch's tests and local development,
# run from jars resolved out of Maven Central: no Docker, no tarball download.
#
# Usage: scripts/kafka.sh fetch|start|wait|stop|restart|status|logs|clean
#
#   fetch    resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime
#            dependencies (+ slf4j-reload4j) into $NEWSWATCH_KAFKA_HOME/libs (once)
#   start    fetch if needed, format storage if needed, start the broker in the
#            background, wait until it answers a metadata request; no-op if running
#   wait     wait until the broker answers a metadata request (bounded)
#   stop     SIGTERM the broker recorded in the pidfile, SIGKILL after a bound
#   restart  stop + start, keeping the data (topics, offsets) in $KAFKA_RUN_DIR
#   status   exit 0 and print KAFKA_BOOTSTRAP=... if running, exit 3 otherwise
#   logs     print the tail of the broker log
#   clean    stop, then delete $KAFKA_RUN_DIR (all topics and offsets)
#
# On success `start`, `restart`, `wait` and `status` print exactly one line on stdout,
# KAFKA_BOOTSTRAP=127.0.0.1:<port>; everything else goes to stderr, so
#   export "$(scripts/kafka.sh start)"
# works.
#
# Environment (defaults in brackets):
#   KAFKA_PORT [19092]             PLAINTEXT listener on 127.0.0.1
#   KAFKA_CONTROLLER_PORT [19093]  KRaft controller listener on 127.0.0.1
#   KAFKA_RUN_DIR [<repo>/var/kafka]  config, data, logs, pidfile
#   KAFKA_VERSION [3.9.2]          org.apache.kafka:kafka_2.13 version
#   NEWSWATCH_KAFKA_HOME [${XDG_CACHE_HOME:-$HOME/.cache}/newswatch/kafka-$KAFKA_VERSION]
#   KAFKA_HEAP_OPTS [-Xmx512m -Xms512m]   KAFKA_JVM_OPTS [extra JVM flags]
#   KAFKA_WAIT_TIMEOUT [90]  KAFKA_STOP_TIMEOUT [30]   seconds
#   KAFKA_PYTHON [<repo>/.venv/bin/python, else python3]  used for the readiness check
#   JAVA_HOME / JAVA, MVN [mvn]
# If KAFKA_PORT/KAFKA_CONTROLLER_PORT are unset, the ports last used in KAFKA_RUN_DIR
# are reused, so `restart` keeps the same address.

set -euo pipefail

readonly HOST=127.0.0.1
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly REPO_ROOT
readonly ASSETS_DIR="$SCRIPT_DIR/kafka"

KAFKA_VERSION=${KAFKA_VERSION:-3.9.2}
KAFKA_HOME_DIR=${NEWSWATCH_KAFKA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/newswatch/kafka-$KAFKA_VERSION}
LIBS_DIR="$KAFKA_HOME_DIR/libs"
readonly FETCH_MARKER=.newswatch-fetched

RUN_DIR=${KAFKA_RUN_DIR:-$REPO_ROOT/var/kafka}
mkdir -p -- "$RUN_DIR"
RUN_DIR=$(cd -- "$RUN_DIR" && pwd)
readonly RUN_DIR
readonly DATA_DIR="$RUN_DIR/data"
readonly LOG_DIR="$RUN_DIR/logs"
readonly PROPS="$RUN_DIR/server.properties"
readonly PIDFILE="$RUN_DIR/kafka.pid"
readonly STATEFILE="$RUN_DIR/broker.env"
readonly CLUSTER_ID_FILE="$RUN_DIR/cluster.id"

WAIT_TIMEOUT=${KAFKA_WAIT_TIMEOUT:-90}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m}

if [[ -n "${JAVA:-}" ]]; then
    JAVA_BIN=$JAVA
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA_BIN="$JAVA_HOME/bin/java"
else
    JAVA_BIN=java
fi

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- ports: explicit env > what this run dir last used > defaults ---------------------
recorded() {  # recorded KEY -> value from $STATEFILE (empty if none)
    [[ -f "$STATEFILE" ]] || return 0
    sed -n "s/^$1=\\([0-9A-Za-z._-]*\\)\$/\\1/p" "$STATEFILE" | tail -n 1
}
PORT=${KAFKA_PORT:-$(recorded KAFKA_PORT)}
PORT=${PORT:-19092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$(recorded KAFKA_CONTROLLER_PORT)}
CONTROLLER_PORT=${CONTROLLER_PORT:-19093}
[[ "$PORT" =~ ^[0-9]+$ && "$CONTROLLER_PORT" =~ ^[0-9]+$ ]] || die "ports must be numbers"
[[ "$PORT" != "$CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
BOOTSTRAP="$HOST:$PORT"

# --- helpers --------------------------------------------------------------------------
with_lock() {  # with_lock LOCKFILE CMD... : serialise concurrent invocations
    local lockfile=$1
    shift
    if command -v flock >/dev/null 2>&1; then
        (
            flock -w 600 9 || die "could not lock $lockfile"
            "$@"
        ) 9>"$lockfile"
    else
        "$@"
    fi
}

port_open() {  # port_open PORT: something accepts TCP connections on $HOST:PORT
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

pid_alive() {  # alive and not a zombie
    local pid=$1 state
    kill -0 "$pid" 2>/dev/null || return 1
    state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null || true)
    [[ "$state" != Z ]]
}

pid_is_our_broker() {  # the pid runs kafka.Kafka with *this* run dir's server.properties
    local pid=$1 cmdline
    pid_alive "$pid" || return 1
    cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    grep -qx 'kafka.Kafka' <<<"$cmdline" && grep -qxF -- "$PROPS" <<<"$cmdline"
}

running_pid() {  # print the pid of our running broker; clean a stale pidfile
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid=$(tr -dc '0-9' <"$PIDFILE")
    if [[ -n "$pid" ]] && pid_is_our_broker "$pid"; then
        printf '%s\n' "$pid"
        return 0
    fi
    log "removing stale pidfile $PIDFILE (pid '${pid}' is not our broker)"
    rm -f -- "$PIDFILE"
    return 1
}

log_tail() {
    local f
    for f in "$LOG_DIR/kafka.out" "$LOG_DIR/server.log"; do
        if [[ -s "$f" ]]; then
            printf -- '----- last lines of %s -----\n' "$f" >&2
            tail -n "${1:-40}" -- "$f" >&2
        fi
    done
}

pick_python() {
    local candidate
    for candidate in "${KAFKA_PYTHON:-}" "$REPO_ROOT/.venv/bin/python" python3; do
        [[ -n "$candidate" ]] || continue
        if "$candidate" -c 'import kafka.admin' >/dev/null 2>&1; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

# A real Kafka API round trip: DescribeCluster must list an unfenced broker and a
# controller. Exit 1 = not ready yet (retry), anything else = broken probe (give up).
readonly PY_PROBE='
import sys
try:
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError
except Exception as exc:
    print("probe cannot import kafka-python: %r" % (exc,), file=sys.stderr)
    sys.exit(2)
try:
    admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="newswatch-kafka-wait",
                             request_timeout_ms=5000, bootstrap_timeout_ms=5000)
    try:
        cluster = admin.describe_cluster()
    finally:
        admin.close()
except (KafkaError, OSError) as exc:
    print("not ready: %r" % (exc,), file=sys.stderr)
    sys.exit(1)
brokers = [b for b in cluster.get("brokers") or [] if not b.get("is_fenced")]
controller = cluster.get("controller_id", -1)
print("cluster_id=%s unfenced_brokers=%d controller=%s"
      % (cluster.get("cluster_id"), len(brokers), controller), file=sys.stderr)
sys.exit(0 if brokers and controller not in (None, -1) else 1)
'

api_probe() {
    local py
    if py=$(pick_python); then
        timeout 20 "$py" -c "$PY_PROBE" "$BOOTSTRAP" 2>>"$LOG_DIR/wait-probe.log"
    else
        # No kafka-python around: ask with Kafka's own client instead (slower: a JVM per try).
        timeout 30 "$JAVA_BIN" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$ASSETS_DIR/log4j.properties" \
            -Dkafka.logs.dir="$LOG_DIR" kafka.admin.BrokerApiVersionsCommand \
            --bootstrap-server "$BOOTSTRAP" >>"$LOG_DIR/wait-probe.log" 2>&1
    fi
}

# --- subcommands ----------------------------------------------------------------------
fetched() { [[ -f "$LIBS_DIR/$FETCH_MARKER" ]] && [[ "$(cat -- "$LIBS_DIR/$FETCH_MARKER")" == "$KAFKA_VERSION" ]]; }

do_fetch() {
    if fetched; then
        log "Kafka $KAFKA_VERSION already in $LIBS_DIR"
        return 0
    fi
    command -v "${MVN:-mvn}" >/dev/null 2>&1 || die "Maven not found (apt-get install maven), or set MVN"
    local tmp="$LIBS_DIR.tmp.$$" start=$SECONDS
    rm -rf -- "$tmp"
    log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION + runtime deps from Maven Central into $LIBS_DIR"
    # shellcheck disable=SC2086  # KAFKA_MVN_ARGS is a list of extra flags
    if ! "${MVN:-mvn}" -q -B -f "$ASSETS_DIR/pom.xml" ${KAFKA_MVN_ARGS:-} \
            -Dkafka.version="$KAFKA_VERSION" -Dkafka.libs.dir="$tmp" \
            dependency:copy-dependencies 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' >&2; then
        rm -rf -- "$tmp"
        die "mvn could not resolve kafka_2.13:$KAFKA_VERSION"
    fi
    ls -- "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf -- "$tmp"; die "kafka_2.13 jar missing after fetch"; }
    printf '%s\n' "$KAFKA_VERSION" >"$tmp/$FETCH_MARKER"
    rm -rf -- "$LIBS_DIR"
    mv -- "$tmp" "$LIBS_DIR"
    log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh -- "$LIBS_DIR" | cut -f1)) in $((SECONDS - start))s"
}

fetch() {
    mkdir -p -- "$KAFKA_HOME_DIR"
    with_lock "$KAFKA_HOME_DIR/.fetch.lock" do_fetch
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

write_config() {
    mkdir -p -- "$DATA_DIR" "$LOG_DIR"
    sed -e "s|{{HOST}}|$HOST|g" \
        -e "s|{{PORT}}|$PORT|g" \
        -e "s|{{CONTROLLER_PORT}}|$CONTROLLER_PORT|g" \
        -e "s|{{DATA_DIR}}|$(sed_escape "$DATA_DIR")|g" \
        "$ASSETS_DIR/server.properties.in" >"$PROPS.tmp"
    mv -- "$PROPS.tmp" "$PROPS"
    printf 'KAFKA_PORT=%s\nKAFKA_CONTROLLER_PORT=%s\nKAFKA_VERSION=%s\n' \
        "$PORT" "$CONTROLLER_PORT" "$KAFKA_VERSION" >"$STATEFILE"
}

java_tool() {  # run a Kafka main class in the foreground, logging into the run dir
    "$JAVA_BIN" -Xmx256m -cp "$LIBS_DIR/*" \
        -Dlog4j.configuration="file:$ASSETS_DIR/log4j.properties" -Dkafka.logs.dir="$LOG_DIR" "$@"
}

format_storage() {
    [[ -f "$DATA_DIR/meta.properties" ]] && return 0
    local cluster_id
    if [[ -s "$CLUSTER_ID_FILE" ]]; then
        cluster_id=$(cat -- "$CLUSTER_ID_FILE")
    else
        cluster_id=$(java_tool kafka.tools.StorageTool random-uuid | tail -n 1)
        [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid printed '$cluster_id'"
        printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
    fi
    log "formatting $DATA_DIR (cluster id $cluster_id)"
    java_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --ignore-formatted >&2 \
        || die "kafka.tools.StorageTool format failed"
}

do_start() {
    local pid
    if pid=$(running_pid); then
        log "broker already running (pid $pid, run dir $RUN_DIR)"
        return 0
    fi
    port_open "$PORT" && die "127.0.0.1:$PORT is already in use by another process (set KAFKA_PORT, or point KAFKA_BOOTSTRAP at that broker)"
    port_open "$CONTROLLER_PORT" && die "127.0.0.1:$CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
    "$JAVA_BIN" -version >/dev/null 2>&1 || die "java not found (set JAVA_HOME or JAVA)"
    fetch
    write_config
    format_storage
    printf '\n===== %s start (kafka %s, port %s) =====\n' "$(date -u +%FT%TZ)" "$KAFKA_VERSION" "$PORT" \
        >>"$LOG_DIR/kafka.out"
    # shellcheck disable=SC2086  # HEAP_OPTS / KAFKA_JVM_OPTS are lists of flags
    (
        cd -- "$RUN_DIR"
        exec nohup "$JAVA_BIN" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -Djava.awt.headless=true ${KAFKA_JVM_OPTS:-} \
            -Dlog4j.configuration="file:$ASSETS_DIR/log4j.properties" -Dkafka.logs.dir="$LOG_DIR" \
            -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS"
    ) </dev/null >>"$LOG_DIR/kafka.out" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$PIDFILE"
    log "started broker pid $pid on $BOOTSTRAP (controller $HOST:$CONTROLLER_PORT), run dir $RUN_DIR"
}

do_wait() {
    local deadline=$((SECONDS + WAIT_TIMEOUT)) start=$SECONDS pid="" rc
    [[ -f "$PIDFILE" ]] && pid=$(tr -dc '0-9' <"$PIDFILE")
    mkdir -p -- "$LOG_DIR"
    : >"$LOG_DIR/wait-probe.log"
    while ((SECONDS < deadline)); do
        if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
            log "broker process $pid exited during startup"
            log_tail 60
            rm -f -- "$PIDFILE"
            return 1
        fi
        if port_open "$PORT"; then
            rc=0
            api_probe || rc=$?
            if ((rc == 0)); then
                log "broker answers on $BOOTSTRAP after $((SECONDS - start))s"
                return 0
            elif ((rc != 1 && rc != 124)); then  # 124: timeout(1) fired, retry
                log "readiness probe failed (exit $rc):"
                tail -n 15 -- "$LOG_DIR/wait-probe.log" >&2
                return 1
            fi
        fi
        sleep 0.5
    done
    log "broker on $BOOTSTRAP did not answer a metadata request within ${WAIT_TIMEOUT}s"
    [[ -s "$LOG_DIR/wait-probe.log" ]] && { log "last probe output:"; tail -n 5 -- "$LOG_DIR/wait-probe.log" >&2; }
    log_tail 60
    return 1
}

do_stop() {
    local pid
    if ! pid=$(running_pid); then
        log "broker not running (run dir $RUN_DIR)"
        return 0
    fi
    local start=$SECONDS deadline=$((SECONDS + STOP_TIMEOUT))
    log "stopping broker pid $pid (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)"
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if pid_alive "$pid"; then
        log "broker pid $pid still alive after ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
        pid_alive "$pid" && die "broker pid $pid survived SIGKILL"
    fi
    rm -f -- "$PIDFILE"
    # The listeners go with the process, but give the kernel a moment before a restart.
    deadline=$((SECONDS + 10))
    while { port_open "$PORT" || port_open "$CONTROLLER_PORT"; } && ((SECONDS < deadline)); do sleep 0.2; done
    log "broker stopped in $((SECONDS - start))s"
}

do_status() {
    local pid
    if pid=$(running_pid); then
        log "running: pid $pid, run dir $RUN_DIR, kafka $(recorded KAFKA_VERSION)"
        printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
        return 0
    fi
    log "not running (run dir $RUN_DIR)"
    return 3
}

start_and_wait() {
    with_lock "$RUN_DIR/kafka.lock" do_start
    do_wait || exit 1
    printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
}

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

main() {
    local cmd=${1:-}
    case "$cmd" in
        fetch) fetch ;;
        start) start_and_wait ;;
        wait)
            do_wait || exit 1
            printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
            ;;
        stop) with_lock "$RUN_DIR/kafka.lock" do_stop ;;
        restart)
            with_lock "$RUN_DIR/kafka.lock" do_stop
            start_and_wait
            ;;
        status) do_status ;;
        logs) log_tail "${2:-100}" ;;
        clean)
            with_lock "$RUN_DIR/kafka.lock" do_stop
            log "deleting $RUN_DIR"
            rm -rf -- "$RUN_DIR"
            ;;
        -h | --help | help) usage ;;
        *)
            usage
            exit 2
            ;;
    esac
}

main "$@"
