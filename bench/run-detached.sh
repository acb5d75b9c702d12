#!/bin/bash
# run-detached.sh: BENCH_DETACHED_N (100) detached containers (`run -d IMAGE sleep 3600`)
# started one after another: the total wall time, and the resident memory (VmRSS; the measure of
# supervise.sh) of the per-container process that keeps each one (berth's monitor, Docker's
# containerd-shim, podman's conmon) averaged over the containers; plus the RSS of Docker's daemons (dockerd + containerd),
# which berth and podman do not have. Target (issue 4): berth's monitor under 1 MiB each.
. "$(dirname "$0")/lib.sh"
n=${BENCH_DETACHED_N:-100}

# start ENGINE CLI...: start n containers; prints the total ms, or n/a
start_n() {
	local t0 t1 i
	t0=$(now_ns)
	for ((i = 1; i <= n; i++)); do
		"$@" run -d --name "$BENCH_ID-d$i" "$BENCH_IMG" sleep 3600 >/dev/null 2>"$BENCH_TMP/last.err" ||
			{ note "start $i failed: $(head -c 300 "$BENCH_TMP/last.err")"; echo n/a; return 1; }
	done
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000000))
}
# mem_new COMM BEFORE: mean VmRSS and mean Pss (KiB) of the processes named COMM that are not
# in the PID list BEFORE, as "RSS PSS"
mem_new() {
	local p sum=0 pss=0 cnt=0
	for p in $(pids_named "$1"); do
		grep -qx "$p" <<<"$2" && continue
		sum=$((sum + $(rss_kib "$p")))
		pss=$((pss + $(pss_kib "$p")))
		cnt=$((cnt + 1))
	done
	note "$cnt new '$1' processes: RSS $sum KiB, PSS $pss KiB in all"
	[ "$cnt" -gt 0 ] && awk -v s=$sum -v p=$pss -v c=$cnt 'BEGIN { printf "%.0f %.0f\n", s / c, p / c }' || echo n/a n/a
}
daemons_kib() {
	local p sum=0
	for p in $(pids_named dockerd) $(pids_named containerd); do sum=$((sum + $(rss_kib "$p"))); done
	echo $sum
}

# mem_of PID...: the same means for the given processes
mem_of() {
	local p sum=0 pss=0 cnt=0
	for p in "$@"; do
		sum=$((sum + $(rss_kib "$p"))) pss=$((pss + $(pss_kib "$p"))) cnt=$((cnt + 1))
	done
	note "$cnt berth monitors: RSS $sum KiB, PSS $pss KiB in all"
	[ "$cnt" -gt 0 ] && awk -v s=$sum -v p=$pss -v c=$cnt 'BEGIN { printf "%.0f %.0f\n", s / c, p / c }' || echo n/a n/a
}

import_busybox berth || exit 1
berth_ms=$(start_n "$BERTH")
# berth's monitors by container id (the store is private; other monitors on the machine are not ours)
read -r berth_rss berth_pss < <(mem_of $(berth_monitor_pids))
"$BERTH" rm -f $("$BERTH" ps -aq) >/dev/null 2>&1

docker_ms=n/a docker_rss=n/a docker_pss=n/a docker_daemons=n/a
if have docker && import_busybox docker; then
	bench_cleanup "$DOCKER ps -aq --filter name=$BENCH_ID- | xargs -r $DOCKER rm -f"
	before=$(pids_named containerd-shim)
	docker_ms=$(start_n "$DOCKER")
	read -r docker_rss docker_pss < <(mem_new containerd-shim "$before")
	docker_daemons=$(daemons_kib)
	"$DOCKER" ps -aq --filter "name=$BENCH_ID-" | xargs -r "$DOCKER" rm -f >/dev/null
fi
podman_ms=n/a podman_rss=n/a podman_pss=n/a
if have podman && import_busybox podman; then
	bench_cleanup "${PODMAN[*]} ps -aq --filter name=$BENCH_ID- | xargs -r ${PODMAN[*]} rm -f -t 0"
	before=$(pids_named conmon)
	podman_ms=$(start_n "${PODMAN[@]}")
	read -r podman_rss podman_pss < <(mem_new conmon "$before")
	"${PODMAN[@]}" ps -aq --filter "name=$BENCH_ID-" | xargs -r "${PODMAN[@]}" rm -f -t 0 >/dev/null
fi

result run-detached.total ms lower - berth="$berth_ms" docker="$docker_ms" podman="$podman_ms" \
	note="$n containers started one after another"
result run-detached.monitor-rss KiB lower 'berth<1024' berth="$berth_rss" docker="$docker_rss" \
	podman="$podman_rss" note="per container: berth-monitor / containerd-shim / conmon"
result run-detached.monitor-pss KiB lower - berth="$berth_pss" docker="$docker_pss" \
	podman="$podman_pss" note="per container, shared pages divided among their users"
result run-detached.daemon-rss KiB lower - berth=0 docker="$docker_daemons" podman=0 \
	note="dockerd+containerd with $n containers; berth and podman have no daemon"
