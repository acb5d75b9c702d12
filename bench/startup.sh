#!/bin/bash
# startup.sh: CPU time (task-clock: user + system, children included) of short commands, the
# part of their cost that does not depend on the machine's load as wall time does:
#   startup.version   `berth version`                    vs floor = /bin/true
#   startup.images    `berth images` with 1,000 tags     (images.sh gives the wall time)
#   startup.ps        `berth ps -a` with 20 containers
#   startup.run       `berth run --rm --network none IMAGE true` vs floor = unshare (mount, pid,
#                     uts, ipc, net, cgroup) + chroot + /bin/true (run.sh gives the wall time)
# berth alone (no other engine); medians of BENCH_RUNS runs (perf stat -r), see docs/startup.md.
. "$(dirname "$0")/lib.sh"
runs=$BENCH_RUNS
ntags=${BENCH_STARTUP_TAGS:-1000}

# cpu_ms CMD...: task-clock in ms of CMD averaged over $runs runs (perf stat), or the user+sys
# of one run from /proc (10 ms resolution) without perf; n/a if CMD fails
cpu_ms() {
	if command -v perf >/dev/null; then
		local out
		"$@" >/dev/null 2>&1 || { note "failed: $*"; echo n/a; return 1; }
		"$@" >/dev/null 2>&1
		out=$(perf stat -x, -e task-clock -r "$runs" "$@" 2>&1 >/dev/null | awk -F, '$3 ~ /task-clock/ { print $1 }')
		[ -n "$out" ] && { echo "$out"; return 0; }
	fi
	local t0 t1
	t0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	"$@" >/dev/null 2>&1 || { echo n/a; return 1; }
	t1=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/$$/stat)
	awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { print (b - a) * 1000 / hz }'
}

import_busybox berth || exit 1
floor_true=$(cpu_ms /bin/true)
result startup.version ms lower - berth="$(cpu_ms "$BERTH" version)" floor="$floor_true" \
	note="CPU time"

repo=$BENCH_ID/startup
for ((i = 2; i <= ntags; i++)); do "$BERTH" tag "$BENCH_IMG" "$repo:$i" || exit 1; done
sync # (the writeback of 1,000 commands' writes would land in the first measurements)
result startup.images ms lower - berth="$(cpu_ms "$BERTH" images)" note="CPU time, $ntags tags"

for ((i = 0; i < 20; i++)); do "$BERTH" create --network none "$BENCH_IMG" true >/dev/null || exit 1; done
sync
result startup.ps ms lower - berth="$(cpu_ms "$BERTH" ps -a)" note="CPU time, 20 containers"

rootfs=$BENCH_TMP/rootfs
mkdir -p "$rootfs" && tar xf "$(busybox_tar)" -C "$rootfs"
floor=$(cpu_ms unshare --mount --pid --fork --uts --ipc --net --cgroup chroot "$rootfs" /bin/true)
result startup.run ms lower - \
	berth="$(cpu_ms "$BERTH" run --rm --network none "$BENCH_IMG" true)" floor="$floor" \
	note="CPU time"
