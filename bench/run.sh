#!/bin/bash
# run.sh: wall time of `run --rm IMAGE true` on the busybox image, median of BENCH_RUNS runs:
# berth, `docker run --rm`, `podman --runtime runc run --rm`, and the floor: `unshare --mount
# --pid --fork --uts --ipc --net --cgroup` + chroot into the extracted rootfs + exec of true.
# Measured with each engine's default network (run.true) and with --network none
# (run.true-nonet). Target (issue 4): berth within 3x the floor.
. "$(dirname "$0")/lib.sh"
runs=$BENCH_RUNS

import_busybox berth || exit 1
berth=$(time_median "$runs" "$BERTH" run --rm "$BENCH_IMG" true)
berth_none=$(time_median "$runs" "$BERTH" run --rm --network none "$BENCH_IMG" true)

rootfs=$BENCH_TMP/rootfs
mkdir -p "$rootfs" && tar xf "$(busybox_tar)" -C "$rootfs"
floor=$(time_median "$runs" unshare --mount --pid --fork --uts --ipc --net --cgroup \
	chroot "$rootfs" /bin/true)

docker=n/a docker_none=n/a
if have docker && import_busybox docker; then
	docker=$(time_median "$runs" "$DOCKER" run --rm "$BENCH_IMG" true)
	docker_none=$(time_median "$runs" "$DOCKER" run --rm --network none "$BENCH_IMG" true)
fi
podman=n/a podman_none=n/a
if have podman && import_busybox podman; then
	podman=$(time_median "$runs" "${PODMAN[@]}" run --rm "$BENCH_IMG" true)
	podman_none=$(time_median "$runs" "${PODMAN[@]}" run --rm --network none "$BENCH_IMG" true)
fi

result run.true ms lower 'berth<=3*floor' berth="$berth" docker="$docker" podman="$podman" \
	floor="$floor"
result run.true-nonet ms lower 'berth<=3*floor' berth="$berth_none" docker="$docker_none" \
	podman="$podman_none" floor="$floor"
