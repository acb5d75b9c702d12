#!/usr/bin/env bats
# 041-run-network: containers on networks: `run` defaults to the bridge network, user networks
# with name resolution, published ports (-p, -P, UDP), `port`, inspect's NetworkSettings, ps's
# PORTS, network connect/disconnect, internal networks, clean-up after rm -f and after a
# SIGKILLed monitor. Traffic only goes to loopback and to the berth networks and namespaces
# these tests create (the DNS responders never forward: BERTH_DNS_UPSTREAM=none).
load ../lib/runtime
load ../lib/net

setup_file() {
	runtime_setup_file
	net_setup_file
	export PORTBASE=$((20000 + $$ % 9000))
	export S=$(($$ % 250 + 1))
	export BERTH_DNS_UPSTREAM=none
	export NFT_TABLE=$("$BERTH" debug net-names | sed -n 's/^table=//p')
	export DEFBR=$("$BERTH" debug net-names | sed -n 's/^bridge=//p')
}
teardown_file() {
	runtime_teardown_file
	berth_setup_root
	"$BERTH" system prune -f >/dev/null 2>&1 || true
}
setup() {
	berth_setup_root
	[ "$(id -u)" = 0 ] || skip "needs root"
}
teardown() {
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	net_teardown
}

# ip_of CONTAINER [NETWORK]
ip_of() {
	if [ -n "${2:-}" ]; then
		"$BERTH" inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
	else
		"$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' "$1"
	fi
}

# the number of endpoints berth has recorded (across every network of this root)
endpoint_count() {
	local n total=0
	for n in $("$BERTH" network ls -q); do
		total=$((total + $("$BERTH" network inspect -f '{{len .Containers}}' "$n")))
	done
	echo "$total"
}

# no veth, published port or endpoint of this root is left (its bridges and its table with
# their base chains stay, as Docker keeps docker0, until system prune)
assert_no_leftovers() {
	run sh -c "ip -o link show master $DEFBR 2>/dev/null"
	assert_equal "$output" ""
	run net_nft_ports
	assert_equal "$output" ""
	assert_equal "$(endpoint_count)" 0
}

@test "run defaults to the bridge network: eth0 up before the process runs, Docker's inspect shape" {
	run_berth run --rm busybox sh -c 'ip -4 -o addr show eth0; ip route show default'
	[[ "${lines[0]}" == *"eth0"*"inet "* ]]
	[[ "${lines[1]}" == "default via "* ]]
	run_berth run -d --name web1 busybox sleep 1000
	run_berth inspect -f '{{.HostConfig.NetworkMode}}' web1
	assert_equal "$output" "default"
	run_berth inspect web1
	ns=$(jq -c '.[0].NetworkSettings' <<<"$output")
	[ "$(jq -r '.Networks | keys | join(",")' <<<"$ns")" = bridge ]
	ip=$(jq -r .IPAddress <<<"$ns")
	[ "$(jq -r .Networks.bridge.IPAddress <<<"$ns")" = "$ip" ]
	[ -n "$ip" ]
	[ "$(jq -r .Networks.bridge.Aliases <<<"$ns")" = null ]
	[[ "$(jq -r .MacAddress <<<"$ns")" == 02:42:* ]]
	[ "$(jq -r .Gateway <<<"$ns")" = "$(jq -r .Networks.bridge.Gateway <<<"$ns")" ]
	for k in Bridge SandboxID HairpinMode Ports SandboxKey EndpointID IPPrefixLen; do
		jq -e "has(\"$k\")" <<<"$ns" >/dev/null
	done
	# /etc/hosts names the container's own address
	run_berth exec web1 hostname
	host=$output
	run_berth exec web1 cat /etc/hosts
	assert_output_contains "$ip	$host"
	# --network none keeps loopback only
	run_berth run --rm --network none busybox ip -o link
	[[ "$output" != *eth0* ]]
}

@test "two containers talk by name and alias on a user network; resolv.conf names its responder" {
	run_berth network create appnet
	run_berth run -d --network appnet --name srv1 --network-alias web busybox httpd -f -p 8080 -h /var/www
	run_berth run --rm --network appnet busybox wget -qO- http://srv1:8080/
	assert_equal "$output" "hello from busybox"
	run_berth run --rm --network appnet busybox wget -qO- http://web:8080/
	assert_equal "$output" "hello from busybox"
	gw=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' appnet | jq -r '.[0].Gateway')
	run_berth run --rm --network appnet busybox cat /etc/resolv.conf
	assert_output_contains "nameserver $gw"
	run_berth inspect -f '{{json (index .NetworkSettings.Networks "appnet").Aliases}}' srv1
	id=$("$BERTH" inspect -f '{{.Id}}' srv1)
	assert_equal "$output" "[\"web\",\"${id:0:12}\"]"
	run_berth ps --format '{{.Networks}}' --filter name=srv1
	assert_equal "$output" "appnet"
	run_berth run -d --name other1 busybox sleep 1000
	run_berth ps --filter network=appnet --format '{{.Names}}'
	assert_equal "$output" "srv1"
}

@test "the default bridge has no name resolution between containers (as Docker)" {
	run_berth run -d --name peer1 busybox httpd -f -p 8080 -h /var/www
	ip=$(ip_of peer1)
	# by address it answers ...
	run_berth run --rm busybox wget -qO- "http://$ip:8080/"
	assert_equal "$output" "hello from busybox"
	# ... by name it does not: no hosts entry, and resolv.conf is the host's, not a responder
	gw=$("$BERTH" inspect -f '{{.NetworkSettings.Gateway}}' peer1)
	run_berth run --rm busybox cat /etc/resolv.conf /etc/hosts
	[[ "$output" != *"nameserver $gw"* ]]
	[[ "$output" != *peer1* ]]
	[[ "$output" != *"nameserver 127."* ]]
	run "$BERTH" run --rm --dns 127.0.0.1 busybox nslookup peer1
	[ "$status" != 0 ]
}

@test "-p publishes on 127.0.0.1, ps PORTS and berth port as Docker" {
	run_berth run -d --name pub1 -p 127.0.0.1:$PORTBASE:80 busybox httpd -f -p 80 -h /var/www
	run curl -s --max-time 5 "http://127.0.0.1:$PORTBASE/"
	assert_equal "$output" "hello from busybox"
	run_berth ps --format '{{.Ports}}' --filter name=pub1
	assert_equal "$output" "127.0.0.1:$PORTBASE->80/tcp"
	run_berth port pub1
	assert_equal "$output" "80/tcp -> 127.0.0.1:$PORTBASE"
	run_berth port pub1 80
	assert_equal "$output" "127.0.0.1:$PORTBASE"
	run_berth port pub1 80/tcp
	assert_equal "$output" "127.0.0.1:$PORTBASE"
	run_berth --exit 1 port pub1 81
	assert_output_contains "No public port '81/tcp' published for pub1"
	run_berth inspect -f '{{json .NetworkSettings.Ports}}' pub1
	assert_equal "$output" "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$PORTBASE\"}]}"
	run_berth inspect -f '{{json .HostConfig.PortBindings}}' pub1
	assert_equal "$output" "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$PORTBASE\"}]}"
	# a taken host port is a clear error before the container starts, and leaves nothing
	run_berth --exit 125 run --rm -p 127.0.0.1:$PORTBASE:80 busybox true
	assert_output_contains "port is already allocated"
	# the rules go with the container
	run_berth stop -t 1 pub1
	run curl -s --max-time 2 "http://127.0.0.1:$PORTBASE/"
	[ "$output" != "hello from busybox" ]
	run_berth ps -a --format '{{.Ports}}' --filter name=pub1
	assert_equal "$output" ""
	# a restarted container gets its network and ports back
	run_berth start pub1
	wait_for curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$PORTBASE/"
	run curl -s --max-time 5 "http://127.0.0.1:$PORTBASE/"
	assert_equal "$output" "hello from busybox"
}

@test "UDP publish, port ranges, -P and --expose" {
	u=$((PORTBASE + 10))
	# busybox has no UDP server: the host's python3, bound in read-only
	run_berth run -d --name udp1 -p 127.0.0.1:$u:5353/udp -v /usr:/usr:ro -v /usr/lib:/lib:ro -v /usr/lib64:/lib64:ro \
		busybox /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', 5353))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(b'echo:' + d, a)
"
	for i in $(seq 30); do
		out=$(udp_ask 127.0.0.1 "$u" ping)
		[ "$out" = "echo:ping" ] && break
		sleep 0.2
	done
	assert_equal "$out" "echo:ping"
	run_berth port udp1
	assert_equal "$output" "5353/udp -> 127.0.0.1:$u"
	r=$((PORTBASE + 20))
	run_berth run -d --name rng1 -p 127.0.0.1:$r-$((r + 1)):80-81 busybox sleep 1000
	run_berth ps --format '{{.Ports}}' --filter name=rng1
	assert_equal "$output" "127.0.0.1:$r-$((r + 1))->80-81/tcp"
	run_berth run -d --name all1 -P --expose 80 --expose 90/udp busybox httpd -f -p 80 -h /var/www
	run_berth port all1 80
	hp=${output##*:}
	[ "$hp" -gt 0 ]
	run curl -s --max-time 5 "http://127.0.0.1:$hp/"
	assert_equal "$output" "hello from busybox"
	run_berth port all1 90/udp
	[[ "$output" == 0.0.0.0:* ]]
	run_berth inspect -f '{{json .Config.ExposedPorts}}' all1
	assert_equal "$output" '{"80/tcp":{},"90/udp":{}}'
	# exposed but not published: ps shows the bare port
	run_berth run -d --name exp1 --expose 7000 busybox sleep 1000
	run_berth ps --format '{{.Ports}}' --filter name=exp1
	assert_equal "$output" "7000/tcp"
}

@test "network flags: errors as Docker's; --ip, --hostname, --add-host, --dns" {
	run_berth --exit 125 run --rm --network nosuchnet busybox true
	assert_output_contains "network nosuchnet not found"
	run_berth --exit 125 run --rm --network-alias x busybox true
	assert_output_contains "network-scoped alias is supported only for containers in user defined networks"
	run_berth --exit 125 run --rm --ip 10.1.2.3 busybox true
	assert_output_contains "user specified IP address is supported on user defined networks only"
	run_berth --exit 125 run --rm -p 99999:80 busybox true
	run_berth network create --subnet 10.216.$S.0/24 fixed
	run_berth run --rm --network fixed --ip 10.216.$S.77 --hostname myhost --add-host db.example:10.9.9.9 --dns 10.8.8.8 \
		busybox sh -c 'ip -4 -o addr show eth0; hostname; cat /etc/hosts'
	assert_output_contains "10.216.$S.77/24"
	assert_output_contains "myhost"
	assert_output_contains "10.9.9.9	db.example"
	assert_output_contains "10.216.$S.77	myhost"
	run_berth run --rm --dns 10.8.8.8 busybox cat /etc/resolv.conf
	assert_output_contains "nameserver 10.8.8.8"
	# container:ID shares the network namespace
	run_berth run -d --name nsown busybox sleep 1000
	ip=$(ip_of nsown)
	run_berth run --rm --network container:nsown busybox ip -4 -o addr show eth0
	assert_output_contains "$ip/"
	run_berth --exit 125 run --rm --network container:nsown -p 80 busybox true
	assert_output_contains "conflicting options: port publishing and the container type network mode"
}

@test "network connect and disconnect of a running container" {
	run_berth network create cn1
	run_berth network create cn2
	run_berth run -d --network cn1 --name hub1 busybox httpd -f -p 8080 -h /var/www
	run_berth run -d --network cn2 --name cli1 busybox sleep 1000
	run "$BERTH" exec cli1 wget -T 2 -qO- http://hub1:8080/
	[ "$output" != "hello from busybox" ]
	run_berth network connect --alias hubby cn2 hub1
	run_berth exec cli1 wget -qO- http://hubby:8080/
	assert_equal "$output" "hello from busybox"
	run_berth inspect -f '{{len .NetworkSettings.Networks}}' hub1
	assert_equal "$output" 2
	run_berth --exit 1 network connect cn2 hub1
	assert_output_contains "already exists in network cn2"
	run_berth network disconnect cn2 hub1
	run_berth exec hub1 ip -o link
	[[ "$output" != *eth1* ]]
	run_berth --exit 1 network disconnect cn2 hub1
	assert_output_contains "is not connected to network cn2"
	run_berth network disconnect -f cn2 hub1
	run_berth inspect -f '{{len .NetworkSettings.Networks}}' hub1
	assert_equal "$output" 1
}

@test "an internal network is cut off from an outside namespace; a normal one reaches it" {
	net_outside out 10.217.$S.1 10.217.$S.2
	mkdir -p "$BATS_FILE_TMPDIR/www"
	echo "hello from outside" >"$BATS_FILE_TMPDIR/www/index.html"
	net_bg out "$BBROOT/bin/busybox" httpd -f -p 8000 -h "$BATS_FILE_TMPDIR/www"
	net_wait_listen out 8000
	run_berth network create --internal sealed1
	run_berth network create open1
	# (busybox nc: this busybox's wget crashes on answers from outside the container networks)
	get='printf "GET / HTTP/1.0\r\n\r\n" | nc -w 3 10.217.'$S'.2 8000 | tail -1'
	run_berth run --rm --network open1 busybox sh -c "$get"
	assert_equal "$output" "hello from outside"
	run "$BERTH" run --rm --network sealed1 busybox sh -c "$get"
	[ "$output" != "hello from outside" ]
	run_berth run --rm --network sealed1 busybox ip route
	[[ "$output" == *"dev eth0"* ]]
	[[ "$output" != *default* ]]
}

@test "--dns on a user network: the responder forwards other names to the container's own servers" {
	net_outside up 10.220.$S.1 10.220.$S.2
	fake_upstream up 53 "$BATS_TEST_TMPDIR/asked"
	net_wait_listen up 53 udp
	run_berth network create dnsnet
	run_berth run --rm --network dnsnet --dns 10.220.$S.2 busybox sh -c 'cat /etc/resolv.conf; nslookup outside.example'
	[[ "$output" != *"nameserver 10.220.$S.2"* ]] # resolv.conf names the responder, as Docker's 127.0.0.11
	assert_output_contains "10.99.99.99"
	grep -q '^outside.example$' "$BATS_TEST_TMPDIR/asked"
	# without --dns (and BERTH_DNS_UPSTREAM=none here) nothing is forwarded
	: >"$BATS_TEST_TMPDIR/asked"
	run "$BERTH" run --rm --network dnsnet busybox nslookup other.example
	[[ "$output" != *10.99.99.99* ]]
	[ ! -s "$BATS_TEST_TMPDIR/asked" ]
}

@test "alias round robin: several containers with one alias all answer" {
	run_berth network create rr1
	for i in 1 2 3; do
		run_berth run -d --network rr1 --network-alias pool --name rr$i busybox sleep 1000
	done
	want=$(for i in 1 2 3; do ip_of rr$i rr1; done | sort | tr '\n' ' ')
	run_berth run --rm --network rr1 busybox nslookup pool
	got=$(grep -A9 '^Name:' <<<"$output" | sed -n 's/^Address: *\([0-9.]*\).*/\1/p' | sort | tr '\n' ' ')
	assert_equal "$got" "$want"
}

@test "an address is reused after rm; 20 concurrent run -d get 20 distinct addresses" {
	run_berth network create --subnet 10.218.$S.0/24 reuse1
	run_berth run -d --network reuse1 --name re1 busybox sleep 1000
	ip1=$(ip_of re1 reuse1)
	run_berth rm -f re1
	run_berth run -d --network reuse1 --name re2 busybox sleep 1000
	assert_equal "$(ip_of re2 reuse1)" "$ip1"
	run_berth rm -f re2
	pids=()
	for i in $(seq 20); do
		"$BERTH" run -d --network reuse1 --name conc$i busybox sleep 1000 >"$BATS_TEST_TMPDIR/c$i" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || { cat "$BATS_TEST_TMPDIR"/c*; false; }; done
	addrs=$(for i in $(seq 20); do ip_of conc$i reuse1; done)
	assert_equal "$(grep -c . <<<"$addrs")" 20
	assert_equal "$(sort -u <<<"$addrs" | grep -c .)" 20
}

@test "no leftovers after rm -f and after SIGKILL of the monitor followed by a berth command" {
	run_berth network create left1
	run_berth run -d --name lf1 -p 127.0.0.1:$((PORTBASE + 30)):80 busybox sleep 1000
	run_berth run -d --network left1 --name lf2 busybox sleep 1000
	net_nft_has_port "$((PORTBASE + 30))"
	run_berth rm -f lf1 lf2
	assert_no_leftovers
	# SIGKILL the monitor: the container dies with it; the next berth command cleans up
	run_berth run -d --name lf3 -p 127.0.0.1:$((PORTBASE + 31)):80 busybox sleep 1000
	mon=$(pgrep -f "berth-monitor $("$BERTH" inspect -f '{{.Id}}' lf3 | cut -c1-12)")
	[ -n "$mon" ]
	kill -9 $mon
	wait_for sh -c "! kill -0 $mon 2>/dev/null"
	run_berth ps -a
	assert_no_leftovers
	run_berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' lf3
	assert_equal "$output" "exited 137"
	# and it comes back with its network
	run_berth start lf3
	net_nft_has_port "$((PORTBASE + 31))"
	run_berth rm -f lf3
	assert_no_leftovers
	# SIGKILL of an attached `berth run` (the CLI supervises): the same
	"$BERTH" run --name lf4 -p 127.0.0.1:$((PORTBASE + 32)):80 busybox sleep 1000 >/dev/null 2>&1 &
	local cli=$!
	wait_for net_nft_has_port "$((PORTBASE + 32))"
	kill -9 $cli
	wait $cli 2>/dev/null || true
	run_berth network ls
	run_berth ps -a
	assert_no_leftovers
	run_berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' lf4
	assert_equal "$output" "exited 137"
}
