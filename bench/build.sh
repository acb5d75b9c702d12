#!/bin/bash
# build.sh: the notes' multi-stage Dockerfile (tests/corpus/cases/notes-multistage, FROM
# python:3.11-slim = the stand-in tests/fixtures/mkpyslim, imported under a private name: the
# FROM line is the only change) built by berth, `docker build` (BuildKit) and `buildah bud
# --layers`, side by side; medians of BENCH_BUILD_RUNS (3):
#   build.cold     --no-cache build                    target: berth at most 1/4 of docker
#   build.noop     rebuild with nothing changed        target: berth at most 1/10 of docker
#   build.change   rebuild after src/main.py changed   target: berth at most 1/4 of docker
#   build.commit-1g  a 1 GiB layer: a --no-cache build whose RUN writes a 1 GiB file of random
#                  data, minus the same build whose RUN writes it to /dev/null = the cost of
#                  turning 1 GiB into a layer; MB/s              target: berth >= 2x docker
# (issue 6). An engine's side is `build_cmd ENGINE ARGS...`; berth's runs once `berth build`
# exists (until then its figures are n/a with the reason).
. "$(dirname "$0")/lib.sh"
runs=${BENCH_BUILD_RUNS:-3}
base=$BENCH_ID/python:3.11-slim
tag=$BENCH_ID/notes

# engines that take part
engines=()
berth_has build && engines+=(berth)
have docker && engines+=(docker)
have buildah && engines+=(buildah)
reason=
berth_has build || reason="berth build not available yet"

# buildah works in a containers-storage of its own under $BENCH_TMP (nothing to pick apart
# from anybody else's images afterwards)
BUILDAH=(buildah --root "$BENCH_TMP/cs" --runroot "$BENCH_TMP/csrun" --storage-driver overlay)
have buildah && bench_cleanup '"${BUILDAH[@]}" rm -a; "${BUILDAH[@]}" rmi -a -f'

# build_cmd ENGINE ARGS...: one build; the image ID of every docker tag built is remembered
# so that exactly those images are removed on exit
build_cmd() {
	local e=$1
	shift
	local st
	case $e in
	berth) "$BERTH" build "$@" ;;
	docker) "$DOCKER" build "$@" ;;
	buildah) "${BUILDAH[@]}" bud --layers --runtime runc "$@" ;;
	esac
	st=$?
	[ $e = docker ] && "$DOCKER" image inspect -f '{{.Id}}' "$(tag_of "$@")" >>"$BENCH_TMP/docker.ids" 2>/dev/null
	return $st
}
tag_of() { while [ $# -gt 0 ]; do [ "$1" = -t ] && { echo "$2"; return; }; shift; done; }
if have docker; then
	: >"$BENCH_TMP/docker.ids"
	cache_before=$(curl -s --unix-socket /var/run/docker.sock http://localhost/v1.41/system/df | jq -r '.BuildCache[]?.ID' | sort)
	# images: the ones this script built (and the base); BuildKit cache records: those that
	# appeared during the run (build cache has no labels to tell them apart otherwise)
	bench_cleanup 'sort -u "$BENCH_TMP/docker.ids" | xargs -r "$DOCKER" rmi -f;
		comm -13 <(echo "$cache_before") <(curl -s --unix-socket /var/run/docker.sock http://localhost/v1.41/system/df | jq -r ".BuildCache[]?.ID" | sort) |
		sed "s/^/--filter=id=/" | xargs -r -n 1 "$DOCKER" builder prune -f'
fi

# the base image in every engine
py=$BENCH_TMP/pyslim.tar
"$BENCH_SRC/tests/fixtures/mkpyslim" "$py" >/dev/null || exit 1
for e in "${engines[@]}"; do
	case $e in
	berth) "$BERTH" import "$py" "$base" >/dev/null ;;
	docker) "$DOCKER" import "$py" "$base" >/dev/null &&
		"$DOCKER" image inspect -f '{{.Id}}' "$base" >>"$BENCH_TMP/docker.ids" ;;
	buildah) "${BUILDAH[@]}" from --name "$BENCH_ID-base" scratch >/dev/null &&
		"${BUILDAH[@]}" add "$BENCH_ID-base" "$py" / >/dev/null &&
		"${BUILDAH[@]}" commit -q "$BENCH_ID-base" "$base" >/dev/null &&
		"${BUILDAH[@]}" rm "$BENCH_ID-base" >/dev/null ;;
	esac || { note "$e: cannot import the base image"; exit 1; }
done

ctx=$BENCH_TMP/ctx
cp -r "$BENCH_SRC/tests/corpus/cases/notes-multistage" "$ctx"
rm -f "$ctx/expected.json"
sed -i "s|^FROM python:3.11-slim|FROM $base|" "$ctx/Dockerfile"
grep -q "^FROM $base" "$ctx/Dockerfile" || { note "Dockerfile: FROM line not found"; exit 1; }

# an engine whose build of the context fails (berth while its build verb is a stub) is left out,
# with the reason
for e in "${engines[@]}"; do
	if ! build_cmd "$e" -q -t "$tag:probe" "$ctx" >/dev/null 2>"$BENCH_TMP/probe.err"; then
		note "$e: the build fails: $(tail -3 "$BENCH_TMP/probe.err")"
		[ "$e" = berth ] && reason="berth build fails: $(grep -v '^ ' "$BENCH_TMP/probe.err" | tail -1 | cut -c1-100)"
		engines=("${engines[@]/$e/}")
	fi
done
read -ra engines <<<"${engines[*]}"

declare -A cold noop change commit
for e in "${engines[@]}"; do
	note "$e: cold builds"
	t=()
	for ((i = 1; i <= runs; i++)); do t+=($(time_once build_cmd "$e" --no-cache -q -t "$tag:$e" "$ctx")); done
	cold[$e]=$(printf '%s\n' "${t[@]}" | grep -v n/a | median)
	note "$e: no-op rebuilds"
	time_once build_cmd "$e" -q -t "$tag:$e" "$ctx" >/dev/null
	t=()
	for ((i = 1; i <= runs; i++)); do t+=($(time_once build_cmd "$e" -q -t "$tag:$e" "$ctx")); done
	noop[$e]=$(printf '%s\n' "${t[@]}" | grep -v n/a | median)
	note "$e: rebuilds after one source change"
	t=()
	for ((i = 1; i <= runs; i++)); do
		echo "# change $e $i $(now_ns)" >>"$ctx/src/main.py"
		t+=($(time_once build_cmd "$e" -q -t "$tag:$e" "$ctx"))
	done
	change[$e]=$(printf '%s\n' "${t[@]}" | grep -v n/a | median)
done

# 1 GiB layer: total build time minus the time of the same RUN writing to /dev/null
big=$BENCH_TMP/big
mkdir -p "$big/gen" "$big/null"
# 64 MiB from /dev/urandom (slow here) written 16 times: incompressible for gzip and zstd's
# default window, and cheap to make
gen='dd if=/dev/urandom of=/r bs=1M count=64 2>/dev/null && for i in $(seq 16); do cat /r; done'
printf 'FROM %s\nRUN %s >/big && rm /r\n' "$base" "$gen" >"$big/gen/Dockerfile"
printf 'FROM %s\nRUN %s >/dev/null && rm /r\n' "$base" "$gen" >"$big/null/Dockerfile"
for e in "${engines[@]}"; do
	note "$e: 1 GiB layer"
	an=() ag=()
	for ((i = 1; i <= runs; i++)); do
		an+=($(time_once build_cmd "$e" --no-cache -q -t "$tag:null-$e" "$big/null"))
		ag+=($(time_once build_cmd "$e" --no-cache -q -t "$tag:big-$e" "$big/gen"))
	done
	tn=$(printf "%s\n" "${an[@]}" | grep -v n/a | median)
	tg=$(printf "%s\n" "${ag[@]}" | grep -v n/a | median)
	commit[$e]=$(awk -v g="$tg" -v n="$tn" 'BEGIN { if (g == "n/a" || n == "n/a" || g <= n) print "n/a"; else printf "%.1f\n", 1073.741824 / ((g - n) / 1000) }')
	note "$e: 1 GiB build ${tg} ms, same RUN to /dev/null ${tn} ms"
	case $e in
	docker) "$DOCKER" rmi -f "$tag:big-$e" "$tag:null-$e" >/dev/null 2>&1 ;;
	buildah) "${BUILDAH[@]}" rmi -f "$tag:big-$e" "$tag:null-$e" >/dev/null 2>&1 ;;
	berth) "$BERTH" rmi -f "$tag:big-$e" "$tag:null-$e" >/dev/null 2>&1 ;;
	esac
done

why=()
[ -n "$reason" ] && why=(reason="$reason")
v() { local -n a=$1; echo "${a[$2]:-n/a}"; }
result build.cold ms lower 'berth*4<=docker' berth="$(v cold berth)" docker="$(v cold docker)" \
	buildah="$(v cold buildah)" "${why[@]}"
result build.noop ms lower 'berth*10<=docker' berth="$(v noop berth)" docker="$(v noop docker)" \
	buildah="$(v noop buildah)" "${why[@]}"
result build.change ms lower 'berth*4<=docker' berth="$(v change berth)" \
	docker="$(v change docker)" buildah="$(v change buildah)" "${why[@]}"
result build.commit-1g MB/s higher 'berth>=2*docker' berth="$(v commit berth)" \
	docker="$(v commit docker)" buildah="$(v commit buildah)" "${why[@]}"
