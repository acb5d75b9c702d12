#!/bin/bash
# bench/supervise.sh [N]: the cost of supervision without a daemon.
#  1. RSS and PSS of N monitors whose containers have a healthcheck every second;
#  2. CPU used by N idle monitors (no healthcheck) over 60 s (BENCH_IDLE_SECS to change).
# Uses a private store under a temp dir and the busybox fixture; needs root.
set -euo pipefail
N=${1:-100}
IDLE=${BENCH_IDLE_SECS:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
B="$here/berth"
tmp=$(mktemp -d)
export BERTH_ROOT=$tmp/root BERTH_RUNROOT=$tmp/run
cleanup() {
	"$B" rm -f $("$B" ps -aq) >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
"$here/tests/fixtures/mkbusybox" "$tmp/bb.tar" >/dev/null
"$B" import "$tmp/bb.tar" busybox >/dev/null

mon_pids() { for id in $("$B" ps -q --no-trunc); do pgrep -f "^berth-monitor ${id:0:12}"; done; }

echo "== $N containers with --health-interval 1s"
for i in $(seq "$N"); do
	"$B" run -d --health-cmd true --health-interval 1s busybox sleep 100000 >/dev/null
done
sleep 3
rss=0 pss=0 n=0
for p in $(mon_pids); do
	r=$(awk '/^Rss:/ {print $2}' /proc/$p/smaps_rollup)
	s=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)
	rss=$((rss + r)) pss=$((pss + s)) n=$((n + 1))
done
echo "monitors: $n  mean RSS: $((rss / n)) KiB  mean PSS: $((pss / n)) KiB  (target: PSS < 1024 KiB)"
echo "healthy: $("$B" ps --filter health=healthy -q | wc -l)/$N"
"$B" rm -f $("$B" ps -aq) >/dev/null

echo "== $N idle containers, CPU of their monitors over ${IDLE}s"
for i in $(seq "$N"); do
	"$B" run -d busybox sleep 100000 >/dev/null
done
sleep 1
pids=$(mon_pids)
ticks() { local t=0 p; for p in $pids; do t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
t0=$(ticks)
sleep "$IDLE"
t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "CPU of $N idle monitors in ${IDLE}s: $(( (t1 - t0) * 1000 / hz )) ms total (target: ~0; they sleep on a pidfd)"
