# bench/lib.sh: shared helpers for the benchmark scripts bench/NAME.sh (sourced, bash).
# The format of the RESULT lines they print is documented in bench/README.md.
#
# Environment (all optional):
#   BERTH           berth binary (default: ./berth of this checkout)
#   BENCH_RUNS      repetitions for the medians of short commands (default 10)
#   BENCH_ENGINES   engines to compare against (default "docker podman buildah compose");
#                   an engine left out, or not installed / not answering, is reported as n/a
#   BENCH_TIMER     hyperfine|loop (default: hyperfine when installed)
#   DOCKER          docker client (default /usr/bin/docker, the one with BuildKit built in)
#   BENCH_KEEP=1    keep the scratch directory (for debugging)
# Every script gets a private scratch directory $BENCH_TMP and a private berth store
# (BERTH_ROOT/BERTH_RUNROOT under it); docker/podman objects are named with $BENCH_ID so they
# never collide with anybody else's, and are removed on exit (bench_cleanup hooks).

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BERTH=${BERTH:-$BENCH_SRC/berth}
BENCH_RUNS=${BENCH_RUNS:-10}
BENCH_ENGINES=${BENCH_ENGINES-docker podman buildah compose}
DOCKER=${DOCKER:-/usr/bin/docker}
export DOCKER_BUILDKIT=1
PODMAN=(podman --runtime runc)
BENCH_ID=berth-bench-$$
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
export BERTH_ROOT=$BENCH_TMP/root BERTH_RUNROOT=$BENCH_TMP/run
mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT"

# ---------------------------------------------------------------- clean-up
BENCH_CLEANUP=()
# bench_cleanup CMD...: run CMD (a shell string) on exit, in reverse order of registration
bench_cleanup() { BENCH_CLEANUP+=("$*"); }
bench_exit() {
	local i
	for ((i = ${#BENCH_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${BENCH_CLEANUP[$i]}" >/dev/null 2>&1
	done
	# berth: every container of the private store, then anything still mounted under it
	if [ -x "$BERTH" ]; then
		local ids
		ids=$("$BERTH" ps -aq 2>/dev/null)
		[ -n "$ids" ] && "$BERTH" rm -f $ids >/dev/null 2>&1
	fi
	# networks of the private store: user-defined ones, then its default bridge and nftables
	# table, which berth keeps (as Docker keeps docker0) and names after a hash of the root
	if [ -x "$BERTH" ]; then
		"$BERTH" network prune -f >/dev/null 2>&1
		local h
		h=$(printf %s "$BERTH_ROOT" | sha256sum | cut -c1-6)
		ip link del "berth$h" 2>/dev/null
		nft delete table ip "berth_$h" 2>/dev/null
	fi
	awk -v t="$BENCH_TMP" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	[ "${BENCH_KEEP:-0}" = 1 ] && { note "kept $BENCH_TMP"; return; }
	rm -rf "$BENCH_TMP"
}
trap bench_exit EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- messages
# progress goes to stderr; only RESULT lines go to stdout
note() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- engines
_want() { case " $BENCH_ENGINES " in *" $1 "*) return 0 ;; esac; return 1; }
# have ENGINE: the engine is asked for, installed and answering (cached per script)
declare -A _HAVE
have() {
	local e=$1
	if [ -z "${_HAVE[$e]:-}" ]; then
		_HAVE[$e]=no
		case $e in
		berth) [ -x "$BERTH" ] && _HAVE[$e]=yes ;;
		docker) _want docker && timeout 10 "$DOCKER" info >/dev/null 2>&1 && _HAVE[$e]=yes ;;
		podman) _want podman && command -v podman >/dev/null &&
			timeout 20 "${PODMAN[@]}" info >/dev/null 2>&1 && _HAVE[$e]=yes ;;
		buildah) _want buildah && command -v buildah >/dev/null &&
			timeout 20 buildah info >/dev/null 2>&1 && _HAVE[$e]=yes ;;
		compose) _want compose && command -v docker-compose >/dev/null && have docker &&
			_HAVE[$e]=yes ;;
		esac
	fi
	[ "${_HAVE[$e]}" = yes ]
}
# berth_has VERB [FLAG]: the berth binary has VERB (and FLAG in VERB's --help)
berth_has() {
	local h
	h=$("$BERTH" "$1" --help 2>&1) || return 1
	case $h in *"unknown command"* | *"is not a berth command"*) return 1 ;; esac
	[ -z "${2:-}" ] && return 0
	grep -q -- "$2" <<<"$h"
}

# ---------------------------------------------------------------- timing
now_ns() { date +%s%N; }
# median of the numbers on stdin (empty input: n/a)
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# fmt NUMBER: at most 3 decimals, n/a passes through
fmt() { case $1 in n/a | '') echo n/a ;; *) awk -v x="$1" 'BEGIN { if (x >= 100 || x <= -100) printf "%.0f\n", x; else printf "%.3g\n", x }' ;; esac; }

# time_once CMD...: wall time of one run of CMD in ms (stdout/stderr discarded); n/a and
# status 1 when CMD fails
time_once() {
	local t0 t1
	t0=$(now_ns)
	if ! "$@" >/dev/null 2>"$BENCH_TMP/last.err"; then
		note "failed: $* ($(head -c 300 "$BENCH_TMP/last.err"))"
		echo n/a
		return 1
	fi
	t1=$(now_ns)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }'
}

# time_median RUNS CMD...: median wall time in ms of RUNS runs of CMD (after one warm-up run),
# with hyperfine (no intermediate shell) when installed, else a date +%s%N loop; n/a (status 1)
# if any run fails
time_median() {
	local runs=$1
	shift
	local timer=${BENCH_TIMER:-}
	[ -z "$timer" ] && { command -v hyperfine >/dev/null && timer=hyperfine || timer=loop; }
	if [ "$timer" = hyperfine ]; then
		local cmd json=$BENCH_TMP/hf.json
		cmd=$(printf '%q ' "$@")
		if hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$json" "$cmd" \
			>/dev/null 2>"$BENCH_TMP/last.err"; then
			jq -r '.results[0].median * 1000' "$json"
			return 0
		fi
		note "failed: $* ($(grep -v '^$' "$BENCH_TMP/last.err" | head -3 | tr '\n' ' '))"
		echo n/a
		return 1
	fi
	local i t all=()
	"$@" >/dev/null 2>&1
	for ((i = 0; i < runs; i++)); do
		t=$(time_once "$@") || { echo n/a; return 1; }
		all+=("$t")
	done
	printf '%s\n' "${all[@]}" | median
}

# ---------------------------------------------------------------- memory
# rss_kib PID: resident set size (VmRSS) in KiB, 0 if the process is gone
rss_kib() { awk '/^VmRSS:/ { print $2; f=1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# pss_kib PID: proportional set size (shared pages divided among their users) in KiB
pss_kib() { awk '/^Pss:/ { print $2; f=1 } END { if (!f) print 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# berth_monitor_pids: the monitors of the private store's containers (found by container id:
# monitors of other stores on the machine are not counted)
berth_monitor_pids() {
	local id
	for id in $("$BERTH" ps -q --no-trunc); do pgrep -f "^berth-monitor ${id:0:12}"; done | sort -un
}
# pids_named NAME: PIDs whose /proc/PID/comm is NAME (sorted)
pids_named() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done | sort -n
}

# ---------------------------------------------------------------- results
# result NAME UNIT lower|higher TARGET KEY=VALUE...
#   NAME    benchmark.metric, e.g. run.true
#   UNIT    ms, MB/s, KiB, ...
#   lower|higher  which direction is better for this metric
#   TARGET  an awk expression over the KEYs, e.g. 'berth<20', 'berth>=2*docker',
#           'berth<=3*floor', or '-' for none
#   KEY=VALUE  measured values (berth, docker, podman, buildah, compose, floor, ...; n/a when not
#           measured) and free-text fields reason=... / note=... (spaces become _)
# Prints: RESULT NAME unit=U better=B KEY=V... vs_K=X... target=T met=yes|no|n/a [reason=...]
# where vs_K is how many times better berth is than K (>1: berth is faster / uses less /
# moves more): K/berth for lower-is-better metrics, berth/K for higher-is-better ones.
result() {
	local name=$1 unit=$2 better=$3 target=$4
	shift 4
	local kv k v vals=() texts=() vs=() awkv=() b=n/a
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		reason | note) texts+=("$k=${v// /_}") ;;
		*)
			[ -z "$v" ] && v=n/a
			[ "$v" != n/a ] && v=$(fmt "$v")
			vals+=("$k=$v")
			[ "$v" != n/a ] && awkv+=(-v "$k=$v")
			[ "$k" = berth ] && b=$v
			;;
		esac
	done
	for kv in "${vals[@]}"; do
		k=${kv%%=*}
		v=${kv#*=}
		[ "$k" = berth ] && continue
		if [ "$b" = n/a ] || [ "$v" = n/a ]; then
			vs+=("vs_$k=n/a")
		else
			vs+=("vs_$k=$(awk -v b="$b" -v o="$v" -v d="$better" 'BEGIN {
				r = (d == "lower") ? (b > 0 ? o / b : 0) : (o > 0 ? b / o : 0)
				if (r == 0) print "n/a"; else printf "%.3g\n", r }')")
		fi
	done
	local met=n/a
	if [ "$target" != - ]; then
		local ok=1 id
		for id in $(grep -oE '[A-Za-z_][A-Za-z0-9_]*' <<<"$target" | sort -u); do
			printf '%s\n' "${awkv[@]}" | grep -q "^$id=" || ok=0
		done
		if [ $ok = 1 ]; then
			met=$(awk "${awkv[@]}" "BEGIN { print ($target) ? \"yes\" : \"no\" }")
		fi
	fi
	echo "RESULT $name unit=$unit better=$better ${vals[*]} ${vs[*]} target=${target// /} met=$met${texts[*]:+ ${texts[*]}}"
}

# ---------------------------------------------------------------- images
# busybox_tar: path of the busybox rootfs tarball (tests/fixtures/mkbusybox), made once
busybox_tar() {
	[ -s "$BENCH_TMP/busybox.tar" ] || "$BENCH_SRC/tests/fixtures/mkbusybox" "$BENCH_TMP/busybox.tar" >/dev/null
	echo "$BENCH_TMP/busybox.tar"
}
# BENCH_IMG: the busybox image's name in docker and podman (private to this run)
BENCH_IMG=$BENCH_ID/busybox:latest
# import_busybox ENGINE: import the busybox tarball into berth/docker/podman as $BENCH_IMG
# (berth: its private store; docker/podman: removed again on exit)
import_busybox() {
	local t
	t=$(busybox_tar)
	case $1 in
	berth) "$BERTH" import "$t" "$BENCH_IMG" >/dev/null 2>"$BENCH_TMP/last.err" ;;
	docker)
		"$DOCKER" import "$t" "$BENCH_IMG" >/dev/null 2>"$BENCH_TMP/last.err" || return 1
		bench_cleanup "$DOCKER" rmi -f "$BENCH_IMG"
		;;
	podman)
		"${PODMAN[@]}" import "$t" "$BENCH_IMG" >/dev/null 2>"$BENCH_TMP/last.err" || return 1
		bench_cleanup "${PODMAN[*]}" rmi -f "$BENCH_IMG"
		;;
	esac
}

# ---------------------------------------------------------------- older helpers
# (kept for scripts written against the first lib.sh: engine_ok NAME, ratio A B)
engine_ok() { have "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
