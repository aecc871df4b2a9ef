#!/usr/bin/env bash
# Start-up to ready of `pacer serve`: seconds from launching the JVM until the REST API answers
# GET /engine-rest/engine with 200, for RUNS starts (default 5) on a database that exists (one
# start before them creates it), then the median. Each start runs in a folder of its own under
# /tmp, on a free loopback port, with the built-in simulator. The java arguments before `serve`
# are `-jar target/pacer.jar` unless given; a path to the launcher (target/pacer/pacer) runs it
# instead of java.
#   bash src/bench/startup-time.sh [RUNS] [JAVA ARGUMENTS... | LAUNCHER]
#   bash src/bench/startup-time.sh 5 -XX:TieredStopAtLevel=1 -jar target/pacer.jar
#   bash src/bench/startup-time.sh 5 target/pacer/pacer
set -euo pipefail
RUNS="${1:-5}"; shift || true
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -eq 0 ]; then set -- -jar "$ROOT/target/pacer.jar"; fi
RUN=(java)
if [ $# -eq 1 ] && [ -f "$1" ] && [ -x "$1" ]; then RUN=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift; fi
WORK="$(mktemp -d /tmp/pacer-startup.XXXXXX)"
export PACER_ADMIN_PASSWORD=startup-time
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
  local p pid t0 t1
  p=$(port)
  t0=$(date +%s.%N)
  (cd "$WORK" && exec "${RUN[@]}" "$@" serve --simulator --server.port="$p" >>"$WORK/log" 2>&1) &
  pid=$!
  until curl -fs -o /dev/null -m 1 -u admin:startup-time "http://127.0.0.1:$p/engine-rest/engine"; do
    kill -0 "$pid" 2>/dev/null || { echo "pacer serve exited; see $WORK/log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$t0 $t1" | awk '{printf "%.2f\n", $2 - $1}'
}

echo "first start (creates the database): $(start "$@") s"
times=()
for _ in $(seq "$RUNS"); do times+=("$(start "$@")"); done
echo "starts: ${times[*]}"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "median %.2f s over %d starts\n", m, NR}'
rm -rf "$WORK"
