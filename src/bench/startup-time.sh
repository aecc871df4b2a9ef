#!/usr/bin/env bash
# Start-up to ready of `pacer serve`: seconds from launching the JVM until the REST API answers
# GET /engine-rest/engine with 200, for RUNS starts (default 5) on a database that exists (one
# start before them creates it), then the median. Each launch runs in a folder of its own under
# /tmp, on a free loopback port, with the built-in simulator. A launch is the java arguments before
# `serve` (`-jar target/pacer.jar` unless given), or the path of the launcher (target/pacer/pacer),
# which then runs instead of java.
#   bash src/bench/startup-time.sh [RUNS] [JAVA ARGUMENTS... | LAUNCHER]
#   bash src/bench/startup-time.sh 5 target/pacer/pacer
# With --vs, two launches (each one word list, split at spaces) start in turn, A B A B ..., and the
# ratio A/B is taken pair by pair, so that the machine's drift moves both alike:
#   bash src/bench/startup-time.sh 5 --vs target/pacer/pacer "-jar target/pacer.jar"
set -euo pipefail
RUNS="${1:-5}"; shift || true
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export PACER_ADMIN_PASSWORD=startup-time
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORKS=()
trap 'rm -rf "${WORKS[@]}"' EXIT

# start WORK LAUNCH...: one start to ready, in WORK; prints its seconds
start() {
  local work="$1" p pid t0 t1; shift
  local run=(java "$@")
  if [ $# -eq 1 ] && [ -f "$1" ] && [ -x "$1" ]; then run=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); fi
  p=$(port)
  t0=$(date +%s.%N)
  (cd "$work" && exec "${run[@]}" serve --simulator --server.port="$p" >>"$work/log" 2>&1) &
  pid=$!
  until curl -fs -o /dev/null -m 1 -u admin:startup-time "http://127.0.0.1:$p/engine-rest/engine"; do
    kill -0 "$pid" 2>/dev/null || { echo "pacer serve exited; see $work/log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$t0 $t1" | awk '{printf "%.2f\n", $2 - $1}'
}
median() { sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
spread() { sort -n | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo, hi}'; }

if [ "${1:-}" = "--vs" ]; then
  read -r -a A <<< "$2"; read -r -a B <<< "$3"
  wa="$(mktemp -d /tmp/pacer-startup.XXXXXX)"; wb="$(mktemp -d /tmp/pacer-startup.XXXXXX)"; WORKS=("$wa" "$wb")
  echo "first starts (create the databases): A $(start "$wa" "${A[@]}") s, B $(start "$wb" "${B[@]}") s"
  ta=(); tb=(); ratios=()
  for _ in $(seq "$RUNS"); do
    a=$(start "$wa" "${A[@]}"); b=$(start "$wb" "${B[@]}")
    ta+=("$a"); tb+=("$b"); ratios+=("$(echo "$a $b" | awk '{printf "%.3f", $1 / $2}')")
  done
  echo "A = $2: ${ta[*]}; median $(printf '%s\n' "${ta[@]}" | median) s ($(printf '%s\n' "${ta[@]}" | spread))"
  echo "B = $3: ${tb[*]}; median $(printf '%s\n' "${tb[@]}" | median) s ($(printf '%s\n' "${tb[@]}" | spread))"
  echo "A/B pair by pair: ${ratios[*]}; median $(printf '%s\n' "${ratios[@]}" | median)"
  exit 0
fi

if [ $# -eq 0 ]; then set -- -jar "$ROOT/target/pacer.jar"; fi
work="$(mktemp -d /tmp/pacer-startup.XXXXXX)"; WORKS=("$work")
echo "first start (creates the database): $(start "$work" "$@") s"
times=()
for _ in $(seq "$RUNS"); do times+=("$(start "$work" "$@")"); done
echo "starts: ${times[*]}"
echo "median $(printf '%s\n' "${times[@]}" | median) s over $RUNS starts ($(printf '%s\n' "${times[@]}" | spread))"
