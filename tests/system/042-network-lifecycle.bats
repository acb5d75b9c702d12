#!/usr/bin/env bats
# 042-network-lifecycle: what networking leaves on the host over a container's life: the
# bridge and berth's nftables table are kept once made (as Docker keeps docker0) and go with
# system prune; a published port on 127.0.0.1 is kernel NAT (no proxy process, no host socket);
# a `run` SIGKILLed in the middle of its start leaves nothing the next `berth ps` does not
# clean; network connect/disconnect rewrite a running container's /etc/hosts and its DNS
# records. Traffic only goes to loopback and to the berth networks these tests create.
load ../lib/runtime
load ../lib/net

setup_file() {
	runtime_setup_file
	net_setup_file
	export PORTBASE=$((25000 + $$ % 9000))
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

# endpoints (address leases) recorded in this root, read from the store itself: berth's own
# network verbs would reconcile them first
endpoints() {
	sqlite3 -readonly "$BERTH_ROOT/berth.db" 'SELECT count(*) FROM net_endpoints'
}
# veths on this root's default bridge
bridge_ports() { ip -o link show master "$DEFBR" 2>/dev/null | wc -l; }

@test "the bridge and the table stay after the last container (as docker0); system prune removes them" {
	run_berth run --rm -p "127.0.0.1:$PORTBASE:80" busybox true
	ip link show "$DEFBR"
	run nft list chain $NFT_TABLE publish
	assert_output_contains "map @pub_tcp"
	assert_equal "$(bridge_ports)" 0
	run net_nft_ports
	assert_equal "$output" ""
	# a second start reuses them (the same bridge device)
	idx=$(cat "/sys/class/net/$DEFBR/ifindex")
	run_berth run --rm busybox true
	assert_equal "$(cat "/sys/class/net/$DEFBR/ifindex")" "$idx"
	# the bridge names its root (for the collection of deleted roots' bridges)
	assert_equal "$(cat "/sys/class/net/$DEFBR/ifalias")" "berth-root:$BERTH_ROOT"
	run_berth system prune -f
	run ip link show "$DEFBR"
	[ "$status" != 0 ]
	run nft list tables
	[[ "$output" != *"$NFT_TABLE"* ]]
}

@test "system prune keeps the bridge and the table while a container uses them" {
	run_berth run -d --name keep1 -p "127.0.0.1:$((PORTBASE + 1)):80" busybox sleep 1000
	run_berth system prune -f
	ip link show "$DEFBR"
	net_nft_has_port "$((PORTBASE + 1))"
	run_berth rm -f keep1
	run net_nft_ports
	assert_equal "$output" ""
}

@test "a published port on 127.0.0.1 is kernel NAT: no proxy, no host socket" {
	run_berth run -d --name nat1 -p "127.0.0.1:$((PORTBASE + 2)):8080" busybox sh -c \
		'echo "hello from berth" >/tmp/index.html; exec httpd -f -p 8080 -h /tmp'
	wait_for sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 2 127.0.0.1 $((PORTBASE + 2)) | grep -q 'hello from berth'"
	# nothing on the host listens on the port: the DNAT rule (OUTPUT chain, route_localnet on
	# the bridge) takes 127.0.0.1 to the container
	run ss -Htln "sport = :$((PORTBASE + 2))"
	assert_equal "$output" ""
	run nft list map $NFT_TABLE pub_tcp
	assert_output_contains "127.0.0.1 . $((PORTBASE + 2)) : $("$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' nat1) . 8080"
	assert_equal "$(cat /proc/sys/net/ipv4/conf/$DEFBR/route_localnet)" 1
}

@test "a run SIGKILLed in the middle of its start: the next berth ps leaves nothing behind" {
	local d p seen=0
	for d in 0.02 0.04 0.06 0.08 0.1 0.15 0.2 0.3; do
		"$BERTH" run -p "127.0.0.1:$((PORTBASE + 3)):80" busybox sleep 1000 >/dev/null 2>&1 3>&- &
		p=$!
		sleep "$d"
		kill -9 "$p"
		wait "$p" 2>/dev/null || true
		# (the kernel deletes the veth with the container's netns, asynchronously)
		wait_for sh -c "[ \$(ip -o link show master $DEFBR 2>/dev/null | wc -l) = 0 ]"
		[ "$(endpoints)" = 0 ] || seen=$((seen + 1)) # a leftover for ps to clean
		run_berth ps -a
		assert_equal "$(endpoints)" 0
		assert_equal "$(bridge_ports)" 0
		run net_nft_ports
		assert_equal "$output" ""
	done
	# at least one kill landed after the network was attached (else the test proved nothing)
	[ "$seen" -gt 0 ]
	# and the port is free for the next container
	run_berth run --rm -p "127.0.0.1:$((PORTBASE + 3)):80" busybox true
}

@test "network connect/disconnect rewrite a running container's /etc/hosts and DNS records" {
	run_berth network create lcnet
	run_berth run -d --name hc1 --hostname hosta busybox sleep 1000
	run_berth run -d --name peer1 --network lcnet busybox sleep 1000
	ip0=$("$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' hc1)
	run_berth exec hc1 cat /etc/hosts
	assert_equal "${lines[-1]}" "$ip0	hosta"
	run "$BERTH" exec peer1 nslookup hc1
	[[ "$output" != *"Address: 10."* ]]
	# connect: Docker adds the new network's address for the container's host name
	run_berth network connect --alias hcalias lcnet hc1
	ip1=$("$BERTH" inspect -f '{{(index .NetworkSettings.Networks "lcnet").IPAddress}}' hc1)
	run_berth exec hc1 cat /etc/hosts
	assert_equal "${lines[-2]}" "$ip0	hosta"
	assert_equal "${lines[-1]}" "$ip1	hosta"
	run_berth exec peer1 nslookup hc1
	assert_output_contains "Address: $ip1"
	run_berth exec peer1 nslookup hcalias
	assert_output_contains "Address: $ip1"
	# and it answers there
	run_berth exec peer1 ping -c 1 -W 2 hc1
	# disconnect: the line and the records go
	run_berth network disconnect lcnet hc1
	run_berth exec hc1 cat /etc/hosts
	assert_equal "${lines[-1]}" "$ip0	hosta"
	run "$BERTH" exec peer1 nslookup hc1
	[[ "$output" != *"Address: $ip1"* ]]
	run_berth rm -f hc1 peer1
	run_berth network rm lcnet
}

@test "--network container:ID shares the joined container's host name, /etc/hosts and resolv.conf (as Docker)" {
	run_berth run -d --name joined1 busybox sleep 1000
	hn=$("$BERTH" inspect -f '{{.Config.Hostname}}' joined1)
	ip=$("$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' joined1)
	run_berth run --rm --network container:joined1 busybox sh -c 'hostname; tail -1 /etc/hosts; ip -4 -o addr show eth0 | wc -l'
	assert_equal "${lines[0]}" "$hn"
	assert_equal "${lines[1]}" "$ip	$hn"
	assert_equal "${lines[2]}" 1
	run_berth create --name joiner1 --network container:joined1 busybox true
	run_berth inspect -f '{{.Config.Hostname}}' joiner1
	assert_equal "$output" "$hn"
}

@test "network inspect: IPAM.Config has a Gateway only when berth picked the subnet or --gateway was given (as Docker)" {
	run_berth network create --subnet 10.219.$(($$ % 250 + 1)).0/24 gwa
	run_berth network inspect -f '{{json .IPAM.Config}}' gwa
	assert_equal "$output" "[{\"Subnet\":\"10.219.$(($$ % 250 + 1)).0/24\"}]"
	run_berth network create --subnet 10.220.$(($$ % 250 + 1)).0/24 --gateway 10.220.$(($$ % 250 + 1)).1 gwb
	run_berth network inspect -f '{{json .IPAM.Config}}' gwb
	assert_equal "$output" "[{\"Subnet\":\"10.220.$(($$ % 250 + 1)).0/24\",\"Gateway\":\"10.220.$(($$ % 250 + 1)).1\"}]"
	run_berth network create gwc
	run_berth network inspect -f '{{json .IPAM.Config}}' gwc
	assert_output_contains '"Gateway":"10.'
	run_berth network rm gwa gwb gwc
}

@test "a table changed behind berth's back is rebuilt from the store at the next change" {
	run_berth run -d --name fl1 -p "127.0.0.1:$((PORTBASE + 4)):80" busybox sleep 1000
	run_berth run -d --name fl2 -p "127.0.0.1:$((PORTBASE + 5)):80" busybox sleep 1000
	# someone flushes the map: the elements of fl1 cannot be deleted; the whole table is
	# rebuilt instead, with fl2's port back
	nft flush map $NFT_TABLE pub_tcp
	run_berth rm -f fl1
	run net_nft_ports
	assert_equal "$output" "$((PORTBASE + 5))"
	# the table deleted by hand: the next start makes it again
	nft delete table $NFT_TABLE
	run_berth run -d --name fl3 -p "127.0.0.1:$((PORTBASE + 4)):80" busybox sleep 1000
	net_nft_has_port "$((PORTBASE + 4))"
	net_nft_has_port "$((PORTBASE + 5))"
	run nft list chain $NFT_TABLE publish
	assert_output_contains "map @pub_tcp_any"
}

@test "network connect twice: nothing to do for a stopped container, an error for a running one (as Docker)" {
	run_berth network create twice
	run_berth create --name tw1 busybox true
	run_berth network connect twice tw1
	run_berth network connect twice tw1
	run_berth inspect -f '{{json .NetworkSettings.Networks}}' tw1
	assert_equal "$(jq -c 'keys' <<<"$output")" '["bridge","twice"]'
	run_berth run -d --name tw2 --network twice busybox sleep 1000
	run_berth --exit 1 network connect twice tw2
	assert_output_contains "endpoint with name tw2 already exists in network twice"
	run_berth rm -f tw1 tw2
	run_berth network rm twice
}
