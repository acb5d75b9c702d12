#!/bin/bash
# images.sh: wall time of `images` listing 1,000 tags (one busybox image tagged 1,000 times),
# median of BENCH_RUNS runs, berth vs `docker images` vs `podman images`.
# Target (issue 2): berth under 20 ms.
. "$(dirname "$0")/lib.sh"
ntags=${BENCH_IMAGES_TAGS:-1000}
repo=$BENCH_ID/images

# berth: `berth tag` for each (the real verb, not rows written behind its back)
import_busybox berth || exit 1
for ((i = 2; i <= ntags; i++)); do "$BERTH" tag "$BENCH_IMG" "$repo:$i" || exit 1; done
n=$("$BERTH" images | tail -n +2 | wc -l)
[ "$n" -eq "$ntags" ] || { note "berth images shows $n rows, expected $ntags"; exit 1; }
berth=$(time_median "$BENCH_RUNS" "$BERTH" images)

docker=n/a
if have docker && import_busybox docker; then
	id=$("$DOCKER" image inspect -f '{{.Id}}' "$BENCH_IMG")
	# docker tag takes one name per call: tag through the API, one curl with a URL range
	curl -sf --unix-socket /var/run/docker.sock -X POST \
		"http://localhost/v1.41/images/$id/tag?repo=$repo&tag=[2-$ntags]" >/dev/null
	bench_cleanup "seq 2 $ntags | sed 's|^|$repo:|' | xargs -n 200 $DOCKER rmi"
	n=$("$DOCKER" images | tail -n +2 | grep -c "^$BENCH_ID/")
	if [ "$n" -eq "$ntags" ]; then
		docker=$(time_median "$BENCH_RUNS" "$DOCKER" images)
	else
		note "docker images shows $n rows of ours, expected $ntags"
	fi
fi

podman=n/a
if have podman && import_busybox podman; then
	seq 2 "$ntags" | sed "s|^|$repo:|" | xargs "${PODMAN[@]}" tag "$BENCH_IMG"
	bench_cleanup "seq 2 $ntags | sed 's|^|$repo:|' | xargs -n 200 ${PODMAN[*]} rmi"
	n=$("${PODMAN[@]}" images | tail -n +2 | grep -c "$BENCH_ID/")
	if [ "$n" -eq "$ntags" ]; then
		podman=$(time_median "$BENCH_RUNS" "${PODMAN[@]}" images)
	else
		note "podman images shows $n rows of ours, expected $ntags"
	fi
fi
result images.list ms lower 'berth<20' berth="$berth" docker="$docker" podman="$podman" \
	note="$ntags tags"
