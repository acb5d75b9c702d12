#!/bin/bash
# supervise.sh: the cost of supervision without a daemon (issues 4 and 5).
# BENCH_SUPERVISE_N (100) detached `sleep` containers, twice:
#   idle:    no healthcheck; the CPU of their per-container processes over BENCH_SUPERVISE_SECS
#            (60) s (berth-monitor / containerd-shim / conmon);
#   health:  `--health-cmd true --health-interval 1s`; the mean RSS (VmRSS) and PSS of those
#            processes, their own CPU over the same window, and the CPU of the whole healthcheck
#            machinery (berth: the monitors plus the probe processes they reaped; docker: the
#            shims and their reaped children (runc) plus dockerd and containerd; podman: conmon
#            plus its reaped children - podman runs healthchecks from systemd timers, outside).
# The RSS/PSS measure is the one of run-detached.sh (lib.sh rss_kib / pss_kib).
# Targets: monitor RSS < 1 MiB with the 1 s healthcheck; idle monitors use ~no CPU (< 100 ms
# for all of them over the minute).
. "$(dirname "$0")/lib.sh"
n=${BENCH_SUPERVISE_N:-100}
secs=${BENCH_SUPERVISE_SECS:-60}
hz=$(getconf CLK_TCK)

# ticks PID...: utime+stime of the processes (with their reaped children: CHILDREN=1)
ticks() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk -v c="${CHILDREN:-0}" '{ print $14 + $15 + (c ? $16 + $17 : 0) }' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + ${v:-0}))
	done
	echo $t
}
# cpu_ms SECS PID...: CPU (ms) those processes use over the next SECS seconds
cpu_ms() {
	local s=$1 t0 t1
	shift
	t0=$(ticks "$@")
	sleep "$s"
	t1=$(ticks "$@")
	echo $(((t1 - t0) * 1000 / hz))
}
# mean_mem PID...: "RSS PSS" means in KiB
mean_mem() {
	local p r=0 s=0 c=0
	for p in "$@"; do
		r=$((r + $(rss_kib "$p"))) s=$((s + $(pss_kib "$p"))) c=$((c + 1))
	done
	[ "$c" -gt 0 ] && echo $((r / c)) $((s / c)) || echo n/a n/a
}

# ---------------------------------------------------------------- berth
berth_start() { # berth_start [FLAGS...]: n containers
	local i
	for ((i = 1; i <= n; i++)); do
		"$BERTH" run -d "$@" "$BENCH_IMG" sleep 100000 >/dev/null 2>"$BENCH_TMP/last.err" ||
			{ note "berth run $i failed: $(head -c 300 "$BENCH_TMP/last.err")"; return 1; }
	done
}
berth_rm() { "$BERTH" rm -f $("$BERTH" ps -aq) >/dev/null 2>&1; }

b_idle=n/a b_rss=n/a b_pss=n/a b_cpu=n/a b_total=n/a b_healthy=n/a
import_busybox berth || exit 1
note "berth: $n idle containers, CPU of their monitors over ${secs}s"
if berth_start; then
	sleep 2
	mons=$(berth_monitor_pids)
	note "berth: $(wc -w <<<"$mons") monitors; idle RSS/PSS: $(mean_mem $mons) KiB"
	b_idle=$(cpu_ms "$secs" $mons)
fi
berth_rm
note "berth: $n containers with a 1 s healthcheck"
if berth_start --health-cmd true --health-interval 1s; then
	sleep 3
	mons=$(berth_monitor_pids)
	read -r b_rss b_pss < <(mean_mem $mons)
	t0=$(CHILDREN=1 ticks $mons)
	b_cpu=$(cpu_ms "$secs" $mons)
	t1=$(CHILDREN=1 ticks $mons)
	b_total=$(((t1 - t0) * 1000 / hz))
	b_healthy=$("$BERTH" ps --filter health=healthy -q | wc -l)
	note "berth: $(wc -w <<<"$mons") monitors, $b_healthy/$n healthy"
fi
berth_rm

# ---------------------------------------------------------------- docker / podman
# other_side ENGINE PROC CLI...: sets o_idle o_rss o_pss o_cpu o_total for the per-container
# processes named PROC that appear while it runs n containers of its own
other_side() {
	local eng=$1 proc=$2 before pids i daemons=""
	shift 2
	o_idle=n/a o_rss=n/a o_pss=n/a o_cpu=n/a o_total=n/a
	[ "$eng" = docker ] && daemons="$(pids_named dockerd) $(pids_named containerd)"
	local rmcmd="$* ps -aq --filter name=$BENCH_ID- | xargs -r $* rm -f"
	[ "$eng" = podman ] && rmcmd="$rmcmd -t 0"
	bench_cleanup "$rmcmd"
	before=$(pids_named "$proc")
	for ((i = 1; i <= n; i++)); do
		"$@" run -d --name "$BENCH_ID-i$i" "$BENCH_IMG" sleep 100000 >/dev/null 2>"$BENCH_TMP/last.err" ||
			{ note "$eng run failed: $(head -c 300 "$BENCH_TMP/last.err")"; eval "$rmcmd" >/dev/null 2>&1; return 1; }
	done
	sleep 2
	pids=$(comm -13 <(echo "$before") <(pids_named "$proc"))
	o_idle=$(cpu_ms "$secs" $pids)
	eval "$rmcmd" >/dev/null 2>&1
	before=$(pids_named "$proc")
	for ((i = 1; i <= n; i++)); do
		"$@" run -d --name "$BENCH_ID-h$i" --health-cmd true --health-interval 1s "$BENCH_IMG" sleep 100000 \
			>/dev/null 2>"$BENCH_TMP/last.err" ||
			{ note "$eng run failed: $(head -c 300 "$BENCH_TMP/last.err")"; eval "$rmcmd" >/dev/null 2>&1; return 1; }
	done
	sleep 3
	pids=$(comm -13 <(echo "$before") <(pids_named "$proc"))
	read -r o_rss o_pss < <(mean_mem $pids)
	local t0 t1
	t0=$(CHILDREN=1 ticks $pids $daemons)
	o_cpu=$(cpu_ms "$secs" $pids)
	t1=$(CHILDREN=1 ticks $pids $daemons)
	o_total=$(((t1 - t0) * 1000 / hz))
	[ "$eng" = podman ] && o_total=n/a # its probes run from systemd timers: not measured
	eval "$rmcmd" >/dev/null 2>&1
}
d_idle=n/a d_rss=n/a d_pss=n/a d_cpu=n/a d_total=n/a
if have docker && import_busybox docker; then
	note "docker: the same, containerd-shim per container"
	other_side docker containerd-shim "$DOCKER" &&
		d_idle=$o_idle d_rss=$o_rss d_pss=$o_pss d_cpu=$o_cpu d_total=$o_total
fi
p_idle=n/a p_rss=n/a p_pss=n/a p_cpu=n/a p_total=n/a
if have podman && import_busybox podman; then
	note "podman: the same, conmon per container"
	other_side podman conmon "${PODMAN[@]}" &&
		p_idle=$o_idle p_rss=$o_rss p_pss=$o_pss p_cpu=$o_cpu p_total=$o_total
fi

result supervise.monitor-rss KiB lower 'berth<1024' berth="$b_rss" docker="$d_rss" podman="$p_rss" \
	note="mean VmRSS per container (berth-monitor/containerd-shim/conmon), $n containers, 1 s healthcheck"
result supervise.monitor-pss KiB lower - berth="$b_pss" docker="$d_pss" podman="$p_pss" \
	note="mean PSS per container, same processes"
result supervise.cpu-idle ms lower 'berth<100' berth="$b_idle" docker="$d_idle" podman="$p_idle" \
	note="CPU of the $n per-container processes over ${secs}s, no healthcheck"
result supervise.cpu-health ms lower - berth="$b_cpu" docker="$d_cpu" podman="$p_cpu" \
	note="CPU of the $n per-container processes themselves over ${secs}s, 1 s healthcheck"
result supervise.cpu-health-total ms lower - berth="$b_total" docker="$d_total" podman="$p_total" \
	note="with the probes (berth: reaped probe processes; docker: + runc, dockerd, containerd) over ${secs}s; healthy: $b_healthy/$n"
