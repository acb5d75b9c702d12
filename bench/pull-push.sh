#!/bin/bash
# pull-push.sh: push and pull of a BENCH_MB (default 500) MB, 10-layer image (incompressible
# random data, uncompressed layers) against a local reference registry (docker-registry on
# 127.0.0.1, plain HTTP), plus a no-op pull of the present image. Compared in the same run with
# `skopeo copy` (oci layout <-> registry) and, with BENCH_COMPARE=1, `docker push`/`docker pull`
# (which gzip the layers on push: their time includes that compression). Prints MB/s and ratios
# (> 1x: berth is faster).
cd "$(dirname "$0")/.."
. bench/lib.sh
. tests/lib/registry.bash
mb=${BENCH_MB:-500}
per=$(awk -v m="$mb" 'BEGIN { printf "%.3f", m / 10 }')
registry_start "$BENCH_TMP/reg" || exit 1
trap 'registry_stop "$REG_PID"; rm -rf "$BENCH_TMP"' EXIT
R=127.0.0.1:$REG_PORT/bench
mk_oci_layout "$BENCH_TMP/oci" $per $per $per $per $per $per $per $per $per $per >/dev/null
size=$(du -sb "$BENCH_TMP/oci/blobs" | cut -f1)
export BERTH_ROOT=$BENCH_TMP/root
id=$("$BERTH" load -i "$BENCH_TMP/oci" | sed -n 's/^Loaded image ID: //p')
"$BERTH" tag "$id" "$R/berth:1"
ms_of() { local t0 t1; t0=$(now_ns); "$@" >/dev/null 2>&1 || { echo "bench: $* failed" >&2; return 1; }; t1=$(now_ns); echo $(( (t1 - t0) / 1000000 )); }
mbs() { awk -v s="$size" -v ms="$1" 'BEGIN { printf "%.0f", s / 1e6 / (ms / 1000) }'; }

sync
bpush=$(ms_of "$BERTH" push "$R/berth:1") || exit 1
export BERTH_ROOT=$BENCH_TMP/root2
sync
bpull=$(ms_of "$BERTH" pull "$R/berth:1") || exit 1
noop=()
for i in 1 2 3 4 5; do noop+=($(ms_of "$BERTH" pull -q "$R/berth:1")); done
noop=$(printf '%s\n' "${noop[@]}" | median)
echo "berth push: $((size / 1000000)) MB in ${bpush} ms = $(mbs "$bpush") MB/s"
echo "berth pull: $((size / 1000000)) MB in ${bpull} ms = $(mbs "$bpull") MB/s"
echo "berth no-op pull of the present image: ${noop} ms (median of 5, process start included)"
rm -rf "$BENCH_TMP/root2"

if command -v skopeo >/dev/null; then
	sync
	spush=$(ms_of skopeo copy -q --dest-tls-verify=false "oci:$BENCH_TMP/oci:latest" "docker://$R/skopeo:1")
	sync
	spull=$(ms_of skopeo copy -q --src-tls-verify=false --dest-oci-accept-uncompressed-layers "docker://$R/berth:1" "oci:$BENCH_TMP/oci2:x")
	rm -rf "$BENCH_TMP/oci2"
	echo "skopeo push (compresses): ${spush} ms = $(mbs "$spush") MB/s; berth is $(ratio "$spush" "$bpush")"
	echo "skopeo pull:              ${spull} ms = $(mbs "$spull") MB/s; berth is $(ratio "$spull" "$bpull")"
fi
if engine_ok docker; then
	export BERTH_ROOT=$BENCH_TMP/root
	"$BERTH" save -o "$BENCH_TMP/img.tar" "$R/berth:1"
	docker load -q -i "$BENCH_TMP/img.tar" >/dev/null && docker tag "$R/berth:1" "$R/docker:1"
	rm -f "$BENCH_TMP/img.tar"
	sync
	dpush=$(ms_of docker push "$R/docker:1")
	docker rmi -f "$R/berth:1" "$R/docker:1" >/dev/null 2>&1
	sync
	dpull=$(ms_of docker pull "$R/docker:1")
	dnoop=$(ms_of docker pull -q "$R/docker:1")
	docker rmi -f "$R/docker:1" >/dev/null 2>&1
	echo "docker push (gzips): ${dpush} ms = $(mbs "$dpush") MB/s; berth is $(ratio "$dpush" "$bpush")"
	echo "docker pull:         ${dpull} ms = $(mbs "$dpull") MB/s; berth is $(ratio "$dpull" "$bpull")"
	echo "docker no-op pull:   ${dnoop} ms; berth is $(ratio "$dnoop" "$noop")"
else
	echo "docker: not compared (BENCH_COMPARE=1 and a running daemon needed)"
fi
