#!/bin/bash
# load.sh: throughput (MB/s of archive) of `load -i` of a ~200 MB docker-save archive into an
# empty store (berth) or a store without the image (docker load, podman load); median of
# BENCH_LOAD_RUNS (3) runs each. The archive is written by `docker save` (by `berth save` when
# docker is not available): one layer of busybox + 2,000 small random files (50 MB) + a 100 MB
# random file + 50 MB of zeros. Target (issue 2): berth >= 2x docker's throughput.
. "$(dirname "$0")/lib.sh"
runs=${BENCH_LOAD_RUNS:-3}
img=$BENCH_ID/load:1

r=$BENCH_TMP/rootfs
mkdir -p "$r/data/small"
tar xf "$(busybox_tar)" -C "$r"
head -c 100M /dev/urandom >"$r/data/random"
head -c 50M /dev/zero >"$r/data/zeros"
head -c 50M /dev/urandom | split -b 25k -a 4 - "$r/data/small/f"
tar cf "$BENCH_TMP/rootfs.tar" -C "$r" .
rm -rf "$r"
archive=$BENCH_TMP/image.tar
if have docker; then
	"$DOCKER" import "$BENCH_TMP/rootfs.tar" "$img" >/dev/null &&
		"$DOCKER" save -o "$archive" "$img" && "$DOCKER" rmi "$img" >/dev/null || exit 1
	src="docker save"
else
	"$BERTH" import "$BENCH_TMP/rootfs.tar" "$img" >/dev/null && "$BERTH" save -o "$archive" "$img" || exit 1
	src="berth save"
fi
rm -f "$BENCH_TMP/rootfs.tar"
size=$(stat -c %s "$archive")
note "archive ($src): $((size / 1000000)) MB"

# mbps MS: archive MB/s for a load that took MS milliseconds
mbps() { [ "$1" = n/a ] && echo n/a || awk -v s="$size" -v ms="$1" 'BEGIN { printf "%.1f\n", s / 1e6 / (ms / 1000) }'; }

# berth: a fresh store each time
t=()
for ((i = 1; i <= runs; i++)); do
	sync
	t+=($(BERTH_ROOT=$BENCH_TMP/load$i time_once "$BERTH" --root "$BENCH_TMP/load$i" load -i "$archive"))
	rm -rf "$BENCH_TMP/load$i"
done
berth_ms=$(printf '%s\n' "${t[@]}" | grep -v n/a | median)

# other engines: load, then remove the image (and with it the layer) before the next run
eng_ms() {
	local -a cli
	case $1 in docker) cli=("$DOCKER") ;; podman) cli=("${PODMAN[@]}") ;; esac
	bench_cleanup "${cli[*]}" rmi -f "$img"
	local ts=() i
	for ((i = 1; i <= runs; i++)); do
		"${cli[@]}" rmi -f "$img" >/dev/null 2>&1
		sync
		ts+=($(time_once "${cli[@]}" load -i "$archive"))
	done
	"${cli[@]}" rmi -f "$img" >/dev/null 2>&1
	printf '%s\n' "${ts[@]}" | grep -v n/a | median
}
docker_ms=n/a podman_ms=n/a
have docker && docker_ms=$(eng_ms docker)
have podman && podman_ms=$(eng_ms podman)
note "load ms (median of $runs): berth=$berth_ms docker=$docker_ms podman=$podman_ms"

result load.throughput MB/s higher 'berth>=2*docker' \
	berth="$(mbps "$berth_ms")" docker="$(mbps "$docker_ms")" podman="$(mbps "$podman_ms")" \
	note="$((size / 1000000))MB_archive_from_${src// /_}"
result load.time ms lower - berth="$berth_ms" docker="$docker_ms" podman="$podman_ms"
