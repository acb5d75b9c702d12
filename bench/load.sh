#!/bin/bash
# load.sh: throughput of `load` of a ~200 MB docker-save archive (one 200 MB layer of mixed
# random/zero data plus busybox), median of 3 runs into a fresh store.
cd "$(dirname "$0")/.."
. bench/lib.sh
r=$BENCH_TMP/rootfs
mkdir -p "$r"
tar xf "$(tests/fixtures/mkbusybox "$BENCH_TMP/bb.tar")" -C "$r"
head -c 100M /dev/urandom > "$r/random"
head -c 100M /dev/zero > "$r/zeros"
tar cf "$BENCH_TMP/rootfs.tar" -C "$r" .
rm -rf "$r"
export BERTH_ROOT=$BENCH_TMP/root
"$BERTH" import "$BENCH_TMP/rootfs.tar" bench/load:1 >/dev/null
"$BERTH" save -o "$BENCH_TMP/image.tar" bench/load:1
size=$(stat -c %s "$BENCH_TMP/image.tar")
times=()
for i in 1 2 3; do
	export BERTH_ROOT=$BENCH_TMP/root$i
	sync
	t0=$(now_ns)
	"$BERTH" load -i "$BENCH_TMP/image.tar" >/dev/null
	t1=$(now_ns)
	times+=($(( (t1 - t0) / 1000000 )))
	rm -rf "$BERTH_ROOT"
done
ms=$(printf '%s\n' "${times[@]}" | median)
mbs=$(awk -v s="$size" -v ms="$ms" 'BEGIN { printf "%.0f", s / 1e6 / (ms / 1000) }')
echo "berth load: $((size / 1000000)) MB in ${ms} ms (median of 3) = ${mbs} MB/s"
for eng in docker podman; do
	if engine_ok $eng; then
		$eng rmi -f bench/load:1 >/dev/null 2>&1
		t0=$(now_ns)
		if ! $eng load -i "$BENCH_TMP/image.tar" >/dev/null; then echo "$eng load failed"; continue; fi
		t1=$(now_ns)
		ems=$(( (t1 - t0) / 1000000 ))
		$eng rmi -f bench/load:1 >/dev/null 2>&1
		echo "$eng load: ${ems} ms; berth is $(ratio "$ems" "$ms") the throughput of $eng load (target >= 2x vs docker)"
	else
		echo "$eng: not compared (set BENCH_COMPARE=1, with $eng installed and its daemon running)"
	fi
done
