#!/bin/bash
# network.sh: (1) network.start-published: wall time of `run --rm --network bridge -p
# 127.0.0.1:PORT:8000 IMAGE true` (the bridge network, one published port) against the same
# engine's `--network none` start (network.start-none), median of BENCH_RUNS runs; target
# (issue 7): berth's published start within 2x berth's --network none start (berth_none).
# (2) network.tcp-throughput: MB/s of BENCH_NET_MB (500) MiB sent from the host to
# 127.0.0.1:PORT, published to a busybox `nc -l -p 8000 >/dev/null` in the container (Docker:
# through docker-proxy, its userland proxy); target: berth >= 2x docker. All traffic is on
# loopback. (`--network bridge` is explicit: berth's default network is still none.)
. "$(dirname "$0")/lib.sh"
runs=$BENCH_RUNS
mb=${BENCH_NET_MB:-500}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >"$BENCH_TMP/send.py" <<'EOF'
# send.py HOST PORT MIB: send MIB MiB, half-close, wait for the peer to close; prints ms
import socket, sys, time
host, port, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = b"\0" * (1 << 20)
s = socket.create_connection((host, port), timeout=60)
t0 = time.perf_counter()
for _ in range(mib):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
print("%.3f" % ((time.perf_counter() - t0) * 1000))
EOF

# throughput CLI...: start the receiver, wait until it listens, send; prints MB/s or n/a
throughput() {
	local cid ms i
	cid=$("$@" run -d --network bridge -p "127.0.0.1:$port:8000" "$BENCH_IMG" sh -c 'nc -l -p 8000 >/dev/null' \
		2>"$BENCH_TMP/last.err") || { note "receiver: $(head -c 300 "$BENCH_TMP/last.err")"; echo n/a; return; }
	for ((i = 0; i < 50; i++)); do
		"$@" exec "$cid" netstat -ltn 2>/dev/null | grep -q ':8000 ' && break
		sleep 0.1
	done
	ms=$(timeout 300 python3 "$BENCH_TMP/send.py" 127.0.0.1 "$port" "$mb") || ms=n/a
	"$@" rm -f "$cid" >/dev/null 2>&1
	[ "$ms" = n/a ] && { echo n/a; return; }
	awk -v b=$((mb * 1048576)) -v ms="$ms" 'BEGIN { printf "%.1f\n", b / 1e6 / (ms / 1000) }'
}
# measure NAME CLI...: sets NAME_pub, NAME_none, NAME_tput
measure() {
	local name=$1
	shift
	local pub none tput
	pub=$(time_median "$runs" "$@" run --rm --network bridge -p "127.0.0.1:$port:8000" "$BENCH_IMG" true)
	none=$(time_median "$runs" "$@" run --rm --network none "$BENCH_IMG" true)
	tput=n/a
	[ "$pub" != n/a ] && tput=$(throughput "$@")
	printf -v "${name}_pub" %s "$pub"
	printf -v "${name}_none" %s "$none"
	printf -v "${name}_tput" %s "$tput"
}

berth_pub=n/a berth_none=n/a berth_tput=n/a reason=
import_busybox berth || exit 1
if berth_has run --publish; then
	measure berth "$BERTH"
else
	berth_none=$(time_median "$runs" "$BERTH" run --rm --network none "$BENCH_IMG" true)
	reason="berth run has no --publish yet (bridge networks with published ports not in this build)"
fi
docker_pub=n/a docker_none=n/a docker_tput=n/a
if have docker && import_busybox docker; then
	bench_cleanup "$DOCKER ps -aq --filter ancestor=$BENCH_IMG | xargs -r $DOCKER rm -f"
	measure docker "$DOCKER"
fi
podman_pub=n/a podman_none=n/a podman_tput=n/a
if have podman && import_busybox podman; then
	bench_cleanup "${PODMAN[*]} ps -aq --filter ancestor=$BENCH_IMG | xargs -r ${PODMAN[*]} rm -f -t 0"
	measure podman "${PODMAN[@]}"
fi

why=()
[ -n "$reason" ] && why=(reason="$reason")
result network.start-published ms lower 'berth<=2*berth_none' berth="$berth_pub" \
	berth_none="$berth_none" docker="$docker_pub" podman="$podman_pub" "${why[@]}"
result network.start-none ms lower - berth="$berth_none" docker="$docker_none" podman="$podman_none"
result network.tcp-throughput MB/s higher 'berth>=2*docker' berth="$berth_tput" \
	docker="$docker_tput" podman="$podman_tput" note="${mb}MiB_to_127.0.0.1_published_port" \
	${reason:+reason="$reason"}
