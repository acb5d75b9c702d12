#!/bin/bash
# run-network.sh: start cost of a container by network mode (issue 7's target: a container on
# the bridge network within 2x of `--network none`). Interleaves N rounds of
#   none      berth run --rm --network none busybox true
#   bridge    berth run --rm busybox true                     (the default bridge network)
#   bridge-p  berth run --rm -p 127.0.0.1:PORT:80 busybox true (one published port)
#   warm      the same as bridge while another container keeps the bridge up
# and prints the median wall time of each in ms, and bridge/none. Needs root.
# Usage: bench/run-network.sh [N] (default 20).
set -euo pipefail
N=${1:-20}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$SRC/berth}
T=$(mktemp -d /tmp/berth-bench-net.XXXXXX)
export BERTH_ROOT=$T/root BERTH_RUNROOT=$T/run BERTH_DNS_UPSTREAM=none
cleanup() {
	ids=$("$BERTH" ps -aq 2>/dev/null || true)
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
"$SRC/tests/fixtures/mkbusybox" "$T/bb.tar" >/dev/null
"$BERTH" import "$T/bb.tar" busybox >/dev/null
PORT=$((40000 + $$ % 10000))
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
: >"$T/none"; : >"$T/bridge"; : >"$T/bridge-p"; : >"$T/warm"
for _ in $(seq "$N"); do
	ms "$BERTH" run --rm --network none busybox true >>"$T/none"
	ms "$BERTH" run --rm busybox true >>"$T/bridge"
	ms "$BERTH" run --rm -p 127.0.0.1:$PORT:80 busybox true >>"$T/bridge-p"
done
"$BERTH" run -d --name keep busybox sleep 1000 >/dev/null
for _ in $(seq "$N"); do ms "$BERTH" run --rm busybox true >>"$T/warm"; done
n=$(median <"$T/none"); b=$(median <"$T/bridge"); p=$(median <"$T/bridge-p"); w=$(median <"$T/warm")
echo "none ${n} ms  bridge ${b} ms  bridge+1 port ${p} ms  bridge (bridge already up) ${w} ms"
awk -v n="$n" -v b="$b" -v p="$p" -v w="$w" 'BEGIN { printf "bridge/none %.2fx  bridge+port/none %.2fx  warm/none %.2fx\n", b / n, p / n, w / n }'
