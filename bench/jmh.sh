#!/usr/bin/env bash
# JMH micro-benchmarks of spec/. Prints JMH's table; copy the summary into bench/RESULTS.md with the machine line it prints.
#   bench/jmh.sh [regex of benchmarks] [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' ./hearth)
MIN_JAVA=21
find_java || { echo "no JDK >= 21" >&2; exit 1; }
export JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)"
mvn -B -q install -pl spec -am -DskipTests -Dmaven.test.skip.exec=true >/dev/null
mvn -B -q -f bench/pom.xml -pl jmh package -DskipTests >/dev/null
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB; $("$JAVA" -version 2>&1 | head -1); $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)"
exec "$JAVA" -jar bench/jmh/target/benchmarks.jar "$@"
