#!/bin/bash
# images.sh: wall time of `images` with 1,000 tags (target: under 20 ms), median of 11 runs.
cd "$(dirname "$0")/.."
. bench/lib.sh
export BERTH_ROOT=$BENCH_TMP/root
"$BERTH" import "$(tests/fixtures/mkbusybox "$BENCH_TMP/bb.tar")" bench/images:0 >/dev/null
# 1,000 tags: straight into the table, in one transaction (1,000 `berth tag` processes would
# measure process start-up, not `images`)
id=$("$BERTH" images -q --no-trunc | head -1)
{
	echo "BEGIN;"
	for i in $(seq 1 999); do echo "INSERT INTO image_tags VALUES('docker.io/bench/images:$i','$id',strftime('%s','now')*1000000000);"; done
	echo "COMMIT;"
} | sqlite3 "$BERTH_ROOT/berth.db"
n=$("$BERTH" images | tail -n +2 | wc -l)
times=()
for i in $(seq 1 11); do
	t0=$(now_ns)
	"$BERTH" images >/dev/null
	t1=$(now_ns)
	times+=($(( (t1 - t0) / 1000 )))
done
us=$(printf '%s\n' "${times[@]}" | median)
ms=$(awk -v us="$us" 'BEGIN { printf "%.1f", us / 1000 }')
echo "berth images: $n rows in ${ms} ms (median of 11; target < 20 ms)"
for eng in docker podman; do
	if engine_ok $eng; then
		echo "$eng: comparison needs 1,000 tags in $eng; not run (would modify its store)"
	else
		echo "$eng: not compared (set BENCH_COMPARE=1, with $eng installed and its daemon running)"
	fi
done
