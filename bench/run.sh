#!/usr/bin/env bash
# Load and latency scenarios over the standard Client-Server API (bench/README.md).
#   bench/run.sh <fanout|throughput|connections|initial-sync> [--url URL] [generator options]
#   bench/run.sh startup [runs]
# Without --url it starts Hearth from this tree (jar built when missing; --rebuild rebuilds it) against a scratch
# database on the local MariaDB (127.0.0.1:3306, root, no password), with open registration, a shared secret,
# rate limits off and the test-only password hash cost, and drops it all afterwards. With --url it measures that
# server (on this machine only); pass --registration dummy|shared-secret [--shared-secret S] [--pid PID] yourself.
# --hearth-config FILE starts it with that hearth.yaml (HEARTH_* variables still win). Hearth's log is kept in
# bench/out/. Results are appended to bench/RESULTS.md unless --results is given. HEARTH_JAVA_OPTS adds JVM options to the
# started Hearth (e.g. "-XX:StartFlightRecording=filename=/tmp/h.jfr,settings=profile").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' ./hearth)
MIN_JAVA=21
find_java || { echo "run.sh: no JDK >= 21 found (JAVA_HOME, /usr/lib/jvm/*, PATH)" >&2; exit 1; }
export JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)"

scenario="${1:-}"
[ -n "$scenario" ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
shift

# Long-polls hold a descriptor each on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

url="" rebuild=0 hearth_config="" args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --url) url="$2"; shift 2 ;;
        --rebuild) rebuild=1; shift ;;
        --hearth-config) hearth_config="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done

HEARTH_JAR=${HEARTH_JAR:-homeserver/server/target/hearth.jar}   # HEARTH_JAR=/path/other.jar: measure another build side by side
# The last commit that changed the server (bench/ changes do not change what is measured).
COMMIT=$(git log -1 --format=%h -- homeserver spec federation plugins pom.xml)$(git diff --quiet HEAD -- homeserver spec federation plugins pom.xml 2>/dev/null || echo "+changes")
WORK=$(mktemp -d /tmp/hearth-bench.XXXXXX)
SERVER_PID="" DB=""
FED_PIDS=() FED_DBS=() FED_LABELS=() FED_URLS=()
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ -n "$DB" ]; then mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB" || true; fi
    for pid in "${FED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${FED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for db in "${FED_DBS[@]}"; do mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db" || true; done
    # The server's log outlives the run (bench/out/ is ignored by git): its errors explain failed requests.
    mkdir -p bench/out
    if [ -f "$WORK/hearth.log" ]; then
        cp "$WORK/hearth.log" "bench/out/hearth-$scenario-$(date -u +%Y%m%d-%H%M%S).log"
    fi
    for label in "${FED_LABELS[@]}"; do
        [ -f "$WORK/hearth-$label.log" ] && cp "$WORK/hearth-$label.log" "bench/out/hearth-$scenario-$label-$(date -u +%Y%m%d-%H%M%S).log"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

# Starts Hearth on a fresh scratch database; sets SERVER_PID, PORT, SECRET, DB; prints ms to the first /versions.
start_hearth() {
    PORT=$(free_port)
    SECRET=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    if [ -z "$DB" ]; then   # a restart (startup scenario) keeps the database
        DB="hearth_bench_$(date +%s)_$RANDOM"
        mariadb -h127.0.0.1 -uroot -e "CREATE DATABASE $DB"
    fi
    local start end launch=("$JAVA" ${HEARTH_JAVA_OPTS:-} -jar "$HEARTH_JAR" run)
    # VIA_LAUNCHER=1: as an operator starts it, ./hearth run (with its class archive; HEARTH_JAVA_OPTS still apply).
    [ "${VIA_LAUNCHER:-0}" = 1 ] && launch=(./hearth run)
    mkdir -p "$WORK/data-$DB"
    if [ -n "$hearth_config" ]; then
        # A hearth.yaml of one's own (e.g. a larger database.pool_size); HEARTH_* variables still override it.
        cp "$hearth_config" "$WORK/data-$DB/hearth.yaml"
    fi
    start=$(date +%s%N)
    HEARTH_SERVER_NAME=bench.local HEARTH_DATA_DIR="$WORK/data-$DB" HEARTH_CLIENT_PORT=$PORT HEARTH_FEDERATION_PORT=0 \
        HEARTH_DATABASE_URL="jdbc:mariadb://127.0.0.1:3306/$DB" HEARTH_DATABASE_USER=root HEARTH_DATABASE_PASSWORD= \
        HEARTH_OPEN_REGISTRATION=true HEARTH_REGISTRATION_SHARED_SECRET="$SECRET" HEARTH_RATE_LIMITS=off \
        HEARTH_PASSWORD_HASH_COST=test \
        "${launch[@]}" >"$WORK/hearth.log" 2>&1 &
    SERVER_PID=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/_matrix/client/versions"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "run.sh: Hearth died:" >&2; tail -20 "$WORK/hearth.log" >&2; exit 1; fi
        sleep 0.02
    done
    end=$(date +%s%N)
    STARTUP_MS=$(( (end - start) / 1000000 ))
    # The banner (with the version) is printed just after the listeners answer.
    for _ in $(seq 100); do grep -q '^Hearth .* started$' "$WORK/hearth.log" && break; sleep 0.05; done
}

stop_hearth() {   # stop_hearth keep: the database stays for a restart
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    [ "${1:-}" = keep ] && return 0
    mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB"
    DB=""
}

if [ -z "$url" ] && { [ "$rebuild" = 1 ] || [ ! -f "$HEARTH_JAR" ]; }; then
    ./hearth build
fi

if [ "$scenario" = startup ]; then
    [ -z "$url" ] || { echo "run.sh: startup starts Hearth itself; no --url" >&2; exit 2; }
    [ "$HEARTH_JAR" = homeserver/server/target/hearth.jar ] || { echo "run.sh: startup measures ./hearth run too, which runs this tree's jar: no HEARTH_JAR" >&2; exit 2; }
    RUNS="${args[0]:-3}"
    # Each run: a first start on a fresh database (Flyway migrates it) and a restart on it, once as `java -jar`
    # and once through ./hearth run (its class archive, written by an untimed first start), then 60 s idle.
    first=() restart=() lfirst=() lrestart=() rss=() hwm=() loads=()
    VIA_LAUNCHER=1 start_hearth; VIA_LAUNCHER=1 stop_hearth   # writes the launcher's archive if missing
    for i in $(seq "$RUNS"); do
        loads+=("$(cut -d' ' -f1 /proc/loadavg)$( [ -r /proc/pressure/cpu ] && sed -n 's/^some avg10=\([0-9.]*\).*/ (CPU pressure \1%)/p' /proc/pressure/cpu)")
        start_hearth; first+=("$STARTUP_MS"); stop_hearth keep
        start_hearth; restart+=("$STARTUP_MS"); stop_hearth
        VIA_LAUNCHER=1 start_hearth; lfirst+=("$STARTUP_MS"); stop_hearth keep
        VIA_LAUNCHER=1 start_hearth; lrestart+=("$STARTUP_MS")
        sleep 60
        rss+=("$(rss_kb "$SERVER_PID")")
        hwm+=("$(awk '/^VmHWM:/{print $2}' "/proc/$SERVER_PID/status")")
        echo "run $i: java -jar ${first[-1]} ms fresh / ${restart[-1]} ms restart; ./hearth run ${lfirst[-1]} / ${lrestart[-1]} ms; RSS after 60 s idle ${rss[-1]} kB" >&2
        stop_hearth
    done
    med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d (%d-%d)", a[int((NR+1)/2)], a[1], a[NR]}'; }
    medmb() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.0f MB (%.0f-%.0f)", a[int((NR+1)/2)]/1024, a[1]/1024, a[NR]/1024}'; }
    {
        echo
        echo "## startup (bench/run.sh): $(date -u '+%Y-%m-%d %H:%M UTC'), Hearth commit $COMMIT"
        echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM; $("$JAVA" -version 2>&1 | head -1), JVM defaults (no -Xmx), ${HEARTH_JAVA_OPTS:-no extra JVM options}.  "
        echo "Hearth with an external MariaDB (127.0.0.1): process start to the first 200 from /versions, on a fresh scratch database (Flyway migrates it) and restarted on it; \`java -jar hearth.jar run\` (no class archive) and \`./hearth run\` (the launcher, with its class archive: AOT cache on JDK 25+, CDS before); $RUNS runs, median (min-max). Load average (1 min) at each run: $(IFS=,; echo "${loads[*]}")."
        echo
        echo "| measure | value |"
        echo "|---|---|"
        echo "| java -jar, fresh database, ms | $(med "${first[@]}") |"
        echo "| java -jar, restart, ms | $(med "${restart[@]}") |"
        echo "| ./hearth run, fresh database, ms | $(med "${lfirst[@]}") |"
        echo "| **./hearth run, restart, ms** | $(med "${lrestart[@]}") |"
        echo "| RSS after 60 s idle (./hearth run) | $(medmb "${rss[@]}") |"
        echo "| peak RSS (VmHWM) by then | $(medmb "${hwm[@]}") |"
    } | tee -a bench/RESULTS.md
    exit 0
fi

mvn -B -q -f bench/pom.xml -pl load package -DskipTests >/dev/null

# Starts one of several federating Hearths: server name localhost:<federation port> on loopback, TLS not verified
# and private addresses allowed (as the ITs and conformance-tests do), its own scratch database. $1 label, $2 jar,
# $3 extra JVM options. Appends to FED_PIDS, FED_DBS, FED_LABELS, FED_URLS.
start_federating_hearth() {
    local label=$1 jar=$2 opts=$3 port fport db dir pid
    port=$(free_port); fport=$(free_port)
    db="hearth_bench_$(date +%s)_$RANDOM"
    mariadb -h127.0.0.1 -uroot -e "CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    FED_DBS+=("$db")
    dir="$WORK/data-$db"
    mkdir -p "$dir"
    HEARTH_SERVER_NAME="localhost:$fport" HEARTH_DATA_DIR="$dir" HEARTH_CLIENT_PORT=$port HEARTH_FEDERATION_PORT=$fport \
        HEARTH_DATABASE_URL="jdbc:mariadb://127.0.0.1:3306/$db" HEARTH_DATABASE_USER=root HEARTH_DATABASE_PASSWORD= \
        HEARTH_OPEN_REGISTRATION=true HEARTH_REGISTRATION_SHARED_SECRET="$SECRET" HEARTH_RATE_LIMITS=off \
        HEARTH_PASSWORD_HASH_COST=test HEARTH_FEDERATION_VERIFY_TLS=false HEARTH_FEDERATION_ALLOW_PRIVATE_ADDRESSES=true \
        "$JAVA" $opts -jar "$jar" run >"$WORK/hearth-$label.log" 2>&1 &
    pid=$!
    FED_PIDS+=("$pid") FED_LABELS+=("$label") FED_URLS+=("http://127.0.0.1:$port")
}

wait_federating_hearths() {
    local i
    for i in "${!FED_PIDS[@]}"; do
        until curl -fs -o /dev/null "${FED_URLS[$i]}/_matrix/client/versions"; do
            if ! kill -0 "${FED_PIDS[$i]}" 2>/dev/null; then echo "run.sh: Hearth ${FED_LABELS[$i]} died:" >&2; tail -20 "$WORK/hearth-${FED_LABELS[$i]}.log" >&2; exit 1; fi
            sleep 0.1
        done
    done
}

if [[ "$scenario" == federation-* ]]; then
    # Server A (the room's server) and --b-servers B servers (default: 3 for federation-join, one join run each on a
    # fresh server; 1 for federation-throughput). HEARTH_JAR_A / HEARTH_JAR_B (comma-separated, taken in turn for the
    # B servers) run other builds side by side; HEARTH_JAVA_OPTS_A / HEARTH_JAVA_OPTS_B add JVM options (a JFR file
    # name may carry %p, the PID, so that every B writes its own).
    [ -z "$url" ] || { echo "run.sh: $scenario starts its servers itself; no --url" >&2; exit 2; }
    b_servers=""
    rest=()
    for ((i = 0; i < ${#args[@]}; i++)); do
        if [ "${args[$i]}" = --b-servers ]; then b_servers="${args[$((i + 1))]}"; i=$((i + 1)); else rest+=("${args[$i]}"); fi
    done
    [ -n "$b_servers" ] || { [ "$scenario" = federation-join ] && b_servers=3 || b_servers=1; }
    SECRET=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    jar_a=${HEARTH_JAR_A:-$HEARTH_JAR}
    IFS=, read -r -a jars_b <<<"${HEARTH_JAR_B:-$HEARTH_JAR}"
    start_federating_hearth A "$jar_a" "${HEARTH_JAVA_OPTS_A:-${HEARTH_JAVA_OPTS:-}}"
    b_jars_used=()
    for ((i = 0; i < b_servers; i++)); do
        jar_b=${jars_b[$((i % ${#jars_b[@]}))]}
        b_jars_used+=("$jar_b")
        start_federating_hearth "B$((i + 1))" "$jar_b" "${HEARTH_JAVA_OPTS_B:-${HEARTH_JAVA_OPTS:-}}"
    done
    wait_federating_hearths
    for i in "${!FED_PIDS[@]}"; do echo "run.sh: Hearth ${FED_LABELS[$i]} pid ${FED_PIDS[$i]} on ${FED_URLS[$i]}" >&2; done
    b_urls=$(IFS=,; echo "${FED_URLS[*]:1}")
    b_pids=$(IFS=,; echo "${FED_PIDS[*]:1}")
    jars_note="jar $jar_a"
    [ -z "${HEARTH_JAR_B:-}" ] || jars_note="A: $jar_a; B1..B$b_servers: $(IFS=' '; echo "${b_jars_used[*]}")"
    has_results=0
    for a in "${rest[@]}"; do [ "$a" = --results ] && has_results=1; done
    extra=(--server "Hearth" --db-port 3306 --registration shared-secret --shared-secret "$SECRET" --pid "${FED_PIDS[0]}"
        --b-url "$b_urls" --b-pid "$b_pids" --label "Hearth commit $COMMIT"
        --server-note "A and $b_servers B servers started by bench/run.sh ($jars_note): each its own external MariaDB scratch database, federating over loopback (TLS not verified, private addresses allowed), JVM defaults${HEARTH_JAVA_OPTS_A:+, A: $HEARTH_JAVA_OPTS_A}${HEARTH_JAVA_OPTS_B:+, B: $HEARTH_JAVA_OPTS_B}, rate limits off, password hash cost test (registration only), presence on")
    [ "$has_results" = 1 ] || extra+=(--results "$ROOT/bench/RESULTS.md")
    "$JAVA" -Xss512k -jar bench/load/target/load.jar "$scenario" --url "${FED_URLS[0]}" "${extra[@]}" "${rest[@]}"
    exit 0
fi

extra=()
if [ -z "$url" ]; then
    start_hearth
    echo "run.sh: Hearth (commit $COMMIT) pid $SERVER_PID on http://127.0.0.1:$PORT, database $DB (first /versions after $STARTUP_MS ms)" >&2
    url="http://127.0.0.1:$PORT"
    version=$(sed -n 's/^Hearth \(.*\) started$/\1/p' "$WORK/hearth.log" | head -1)
    extra=(--server "Hearth ${version:-?}" --db-port 3306 --registration shared-secret --shared-secret "$SECRET" --pid "$SERVER_PID" --label "Hearth commit $COMMIT"
        --server-note "started by bench/run.sh: external MariaDB scratch database, ${hearth_config:+config file $hearth_config, }JVM defaults${HEARTH_JAVA_OPTS:+ plus $HEARTH_JAVA_OPTS}, rate limits off, password hash cost test (registration only), presence on")
fi
has_results=0
for a in "${args[@]}"; do [ "$a" = --results ] && has_results=1; done
[ "$has_results" = 1 ] || extra+=(--results "$ROOT/bench/RESULTS.md")

"$JAVA" -Xss512k -jar bench/load/target/load.jar "$scenario" --url "$url" "${extra[@]}" "${args[@]}"
