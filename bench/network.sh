#!/bin/bash
# network.sh: (1) network.start-published: wall time of `run --rm --network bridge -p
# 127.0.0.1:PORT:8000 IMAGE true` (the bridge network, one published port) against the same
# engine's `--network none` start (network.start-none), median of BENCH_RUNS runs; target
# (issue 7): berth's published start within 2x berth's --network none start (berth_none).
# (2) network.tcp-throughput: MB/s through a published port on 127.0.0.1 (berth: kernel NAT;
# Docker: its userland proxy docker-proxy), measured with bench/tools/netsink (built here,
# statically, and run from a one-file image by every engine): the sink in the container reads
# with 4 MiB buffers, the source on the host writes for BENCH_NET_SECS (5) seconds; the median
# of BENCH_NET_ROUNDS (3) rounds, the engines interleaved in each round. `floor` is the same
# tool over the host's loopback with no container, NAT or proxy (the path's ceiling on this
# machine). Target: berth >= 2x docker. All traffic is on loopback.
. "$(dirname "$0")/lib.sh"
runs=$BENCH_RUNS
secs=${BENCH_NET_SECS:-5}
rounds=${BENCH_NET_ROUNDS:-3}
freeport() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(freeport)

# the tool, and a one-file image holding it
NETSINK=$BENCH_TMP/netsink
cc -O2 -static -o "$NETSINK" "$BENCH_SRC/bench/tools/netsink.c" 2>"$BENCH_TMP/cc.err" || {
	note "cannot build netsink: $(head -c 300 "$BENCH_TMP/cc.err")"
	NETSINK=
}
NS_IMG=$BENCH_ID/netsink:latest
if [ -n "$NETSINK" ]; then
	mkdir -p "$BENCH_TMP/nsroot"
	cp "$NETSINK" "$BENCH_TMP/nsroot/netsink"
	tar -C "$BENCH_TMP/nsroot" -cf "$BENCH_TMP/netsink.tar" netsink
fi
# import_netsink CLI...: the image in that engine
import_netsink() { [ -n "$NETSINK" ] && "$@" import "$BENCH_TMP/netsink.tar" "$NS_IMG" >/dev/null 2>"$BENCH_TMP/last.err"; }

# start_sink NAME CLI...: a sink container publishing 127.0.0.1:PORT; sets sink_NAME (its
# port) and cid_NAME, or leaves sink_NAME empty
start_sink() {
	local name=$1 p cid
	shift
	p=$(freeport)
	if cid=$("$@" run -d -p "127.0.0.1:$p:8000" "$NS_IMG" /netsink -l 8000 2>"$BENCH_TMP/last.err"); then
		printf -v "sink_$name" %s "$p"
		printf -v "cid_$name" %s "$cid"
	else
		note "$name sink: $(head -c 300 "$BENCH_TMP/last.err")"
	fi
}
# tput_once PORT: MB/s of one transfer to 127.0.0.1:PORT (n/a on failure)
tput_once() {
	local out
	out=$(timeout $((secs + 60)) "$NETSINK" -c 127.0.0.1 "$1" "$secs" 2>"$BENCH_TMP/last.err") || {
		note "transfer to $1: $(head -c 200 "$BENCH_TMP/last.err")"
		echo n/a
		return
	}
	echo "${out%% *}"
}

# ---- start times
measure_start() {
	local name=$1
	shift
	printf -v "${name}_pub" %s "$(time_median "$runs" "$@" run --rm --network bridge -p "127.0.0.1:$port:8000" "$BENCH_IMG" true)"
	printf -v "${name}_none" %s "$(time_median "$runs" "$@" run --rm --network none "$BENCH_IMG" true)"
}
berth_pub=n/a berth_none=n/a docker_pub=n/a docker_none=n/a podman_pub=n/a podman_none=n/a
import_busybox berth || exit 1
measure_start berth "$BERTH"
engines=(berth)
if have docker && import_busybox docker; then
	bench_cleanup "$DOCKER ps -aq --filter ancestor=$BENCH_IMG | xargs -r $DOCKER rm -f"
	measure_start docker "$DOCKER"
	engines+=(docker)
fi
if have podman && import_busybox podman; then
	bench_cleanup "${PODMAN[*]} ps -aq --filter ancestor=$BENCH_IMG | xargs -r ${PODMAN[*]} rm -f -t 0"
	measure_start podman "${PODMAN[@]}"
	engines+=(podman)
fi

# ---- throughput: one sink per engine, rounds interleaved
sink_berth= sink_docker= sink_podman= sink_floor=
if [ -n "$NETSINK" ]; then
	import_netsink "$BERTH" && start_sink berth "$BERTH"
	if [[ " ${engines[*]} " == *" docker "* ]] && import_netsink "$DOCKER"; then
		bench_cleanup "$DOCKER" rmi -f "$NS_IMG"
		bench_cleanup "$DOCKER ps -aq --filter ancestor=$NS_IMG | xargs -r $DOCKER rm -f"
		start_sink docker "$DOCKER"
	fi
	if [[ " ${engines[*]} " == *" podman "* ]] && import_netsink "${PODMAN[@]}"; then
		bench_cleanup "${PODMAN[*]}" rmi -f "$NS_IMG"
		bench_cleanup "${PODMAN[*]} ps -aq --filter ancestor=$NS_IMG | xargs -r ${PODMAN[*]} rm -f -t 0"
		start_sink podman "${PODMAN[@]}"
	fi
	sink_floor=$(freeport)
	"$NETSINK" -l "$sink_floor" &
	floor_pid=$!
	bench_cleanup "kill $floor_pid"
fi
declare -A tputs
for ((r = 0; r < rounds; r++)); do
	for e in berth docker podman floor; do
		v=sink_$e
		[ -n "${!v}" ] || continue
		tputs[$e]+="$(tput_once "${!v}") "
	done
done
tput_of() { [ -n "${tputs[$1]:-}" ] && tr ' ' '\n' <<<"${tputs[$1]}" | grep -v '^n/a$' | grep . | median || echo n/a; }
berth_tput=$(tput_of berth) docker_tput=$(tput_of docker) podman_tput=$(tput_of podman) floor_tput=$(tput_of floor)
[ -n "${cid_berth:-}" ] && "$BERTH" rm -f "$cid_berth" >/dev/null 2>&1

result network.start-published ms lower 'berth<=2*berth_none' berth="$berth_pub" \
	berth_none="$berth_none" docker="$docker_pub" podman="$podman_pub"
result network.start-none ms lower - berth="$berth_none" docker="$docker_none" podman="$podman_none"
result network.tcp-throughput MB/s higher 'berth>=2*docker' berth="$berth_tput" \
	docker="$docker_tput" podman="$podman_tput" floor="$floor_tput" \
	note="netsink_${secs}s_x${rounds}_to_127.0.0.1_published_port;_floor=host_loopback_without_NAT"
