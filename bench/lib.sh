# lib.sh: helpers for the benchmarks.
BERTH=${BERTH:-$PWD/berth}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# engine_ok NAME: comparisons are asked for (BENCH_COMPARE=1: they load into and remove from
# that engine's store), the engine's CLI is installed and its daemon/service answers
engine_ok() {
	[ "${BENCH_COMPARE:-0}" = 1 ] || return 1
	command -v "$1" >/dev/null 2>&1 || return 1
	local v
	v=$(timeout 5 "$1" version --format "{{.Server.Version}}" 2>/dev/null) && [ -n "$v" ]
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
