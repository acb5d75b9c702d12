#!/usr/bin/env bats
# 040-network: `berth network` verbs and the network library (bridges, veths, IPAM, published
# ports, NAT, internal networks), with `ip netns` namespaces standing in for containers.
# Traffic only goes to loopback and to namespaces/bridges these tests create.
load ../lib/helpers
load ../lib/net

setup_file() {
	berth_setup_root
	net_setup_file
	export PORTBASE=$((30000 + $$ % 20000))
	# fixed subnets would collide when two checkouts run this file at once
	export S=$(($$ % 250 + 1))
	# the DNS responders never forward to the host's real resolvers in these tests
	export BERTH_DNS_UPSTREAM=none
	# this root's nftables table and default bridge (`ip berth` / berth0 for /var/lib/berth)
	export NFT_TABLE=$("$BERTH" debug net-names | sed -n 's/^table=//p')
	export DEFBR=$("$BERTH" debug net-names | sed -n 's/^bridge=//p')
}
setup() {
	berth_setup_root
	[ "$(id -u)" = 0 ] || skip "needs root"
	mkdir -p "$BATS_FILE_TMPDIR/www"
	echo "hello from berth" >"$BATS_FILE_TMPDIR/www/index.html"
}
teardown() {
	net_teardown
}

@test "network ls shows the predefined networks in Docker's table" {
	run_berth network ls
	[ "${lines[0]}" = "NETWORK ID     NAME      DRIVER    SCOPE" ]
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ \ \ bridge\ \ \ \ bridge\ \ \ \ local$ ]]
	[[ "${lines[2]}" =~ ^[0-9a-f]{12}\ \ \ host\ \ \ \ \ \ host\ \ \ \ \ \ local$ ]]
	[[ "${lines[3]}" =~ ^[0-9a-f]{12}\ \ \ none\ \ \ \ \ \ null\ \ \ \ \ \ local$ ]]
}

@test "network create, inspect, rm" {
	run_berth network create --label team=a --label x=y n1
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run_berth network inspect n1
	run jq -r '.[0] | [.Name, .Id, .Driver, .Scope, (.Internal|tostring), .Labels.team, (.IPAM.Config|length), .IPAM.Driver] | join(" ")' <<<"$output"
	assert_equal "$output" "n1 $id bridge local false a 1 default"
	run_berth network inspect --format '{{.Name}} {{index .Labels "x"}} {{json .Internal}}' "${id:0:8}"
	assert_equal "$output" "n1 y false"
	subnet=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' n1 | jq -r '.[0].Subnet')
	[[ "$subnet" != 172.17.* && "$subnet" != 10.88.* ]]
	run_berth --exit 1 network create n1
	assert_output_contains "network with name n1 already exists"
	run_berth network rm n1
	assert_equal "$output" "n1"
	run_berth --exit 1 network inspect n1
	assert_output_contains "No such network: n1"
	run_berth --exit 1 network rm n1
	assert_output_contains "No such network: n1"
}

@test "network create with --subnet --gateway --ip-range --internal" {
	run_berth network create --internal --subnet 10.212.$S.0/24 --gateway 10.212.$S.254 --ip-range 10.212.$S.128/25 n2
	run_berth network inspect n2
	run jq -c '.[0] | [.Internal, .IPAM.Config[0].Subnet, .IPAM.Config[0].Gateway, .IPAM.Config[0].IPRange]' <<<"$output"
	assert_equal "$output" "[true,\"10.212.$S.0/24\",\"10.212.$S.254\",\"10.212.$S.128/25\"]"
	run_berth --exit 1 network create --subnet 10.212.$S.128/25 n3
	assert_output_contains "Pool overlaps"
	run_berth --exit 1 network create --subnet 10.217.$S.5/24 n3
	assert_output_contains "it should be 10.217.$S.0/24"
	run_berth --exit 1 network create --gateway 10.217.$S.1 n3
	assert_output_contains "every ip-range or gateway must have a corresponding subnet"
	run_berth --exit 1 network create -d macvlan n3
	assert_output_contains 'plugin "macvlan" not found'
	run_berth --exit 1 network rm bridge
	assert_output_contains "bridge is a pre-defined network and cannot be removed"
	run_berth --exit 125 network create --bogus n3
	assert_output_contains "unknown flag: --bogus"
	run_berth network rm n2
}

@test "network ls -q, --filter, --format, --no-trunc" {
	run_berth network create --label env=prod lsa
	ida=$output
	run_berth network create --internal lsb
	run_berth network ls -q --filter name=lsa
	assert_equal "$output" "${ida:0:12}"
	run_berth network ls -q --no-trunc -f label=env=prod
	assert_equal "$output" "$ida"
	run_berth network ls --format '{{.Name}} {{.Driver}} {{.Internal}}' --filter type=custom
	assert_equal "$output" "lsa bridge false
lsb bridge true"
	run_berth network ls --format 'table {{.Name}}\t{{.Labels}}' -f name=ls
	assert_equal "${lines[0]}" "NAME      LABELS"
	assert_equal "${lines[1]}" "lsa       env=prod"
	run_berth network ls -q -f driver=null
	[ "${#lines[@]}" = 1 ]
	run_berth --exit 1 network ls -f bogus=1
	assert_output_contains "invalid filter 'bogus'"
	run_berth network rm lsa lsb
}

@test "network prune removes unused custom networks only" {
	run_berth network create pa
	run_berth network create pb
	net_ns pr1
	net_attach pb pr1
	# without -f it asks, and "n" keeps everything
	run bash -c "echo n | '$BERTH' network prune"
	assert_output_contains "Are you sure you want to continue? [y/N]"
	run_berth network inspect pa
	run_berth network prune -f
	assert_output_contains "Deleted Networks:"
	assert_output_contains "pa"
	[[ "$output" != *pb* ]]
	run_berth network ls --format '{{.Name}}'
	assert_equal "$output" "bridge
host
none
pb"
	run_berth --exit 1 network rm pb
	assert_output_contains "has active endpoints"
	run_berth debug net-detach pb "$NETPFX-pr1"
	run_berth network prune -f
	assert_output_contains "pb"
}

@test "two namespaces on one network talk to each other" {
	run_berth network create talk
	net_ns a
	net_ns b
	net_attach talk a
	ipa=$(net_ip_of "$output")
	assert_output_contains "ifname=eth0"
	net_attach talk b
	ipb=$(net_ip_of "$output")
	vethb=$(sed -n 's/^host_veth=//p' <<<"$output")
	br=$(ip -o link show "$vethb" | sed -n 's/.* master \([^ ]*\) .*/\1/p')
	[[ "$br" == berth-* ]]
	# the bridge MAC is fixed (not its lowest port's), so it survives peers leaving
	brmac=$(cat "/sys/class/net/$br/address")
	[[ "$brmac" == 02:b7:* ]]
	[ "$ipa" != "$ipb" ]
	gw=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' talk | jq -r '.[0].Gateway')
	# the namespace got its address, a default route and a MAC derived from the address
	run ip netns exec "$NETPFX-a" ip -4 route show default
	assert_output_contains "default via $gw dev eth0"
	run ip netns exec "$NETPFX-b" busybox ping -c 2 -W 2 "$ipa"
	[ "$status" = 0 ]
	net_bg a busybox httpd -f -p 8080 -h "$BATS_FILE_TMPDIR/www"
	net_wait_listen a 8080
	run http_get "$ipa" 8080 b
	assert_equal "$output" "hello from berth"
	# inspect lists both endpoints
	run_berth network inspect talk
	run jq -r '.[0].Containers | to_entries | map(.value.IPv4Address) | sort | join(" ")' <<<"$output"
	[[ "$output" == *"$ipa/24"* && "$output" == *"$ipb/24"* ]]
	run_berth debug net-detach talk "$NETPFX-b"
	assert_equal "$(cat "/sys/class/net/$br/address")" "$brmac"
	run ip netns exec "$NETPFX-a" busybox ping -c 1 -W 2 "$gw"
	[ "$status" = 0 ]
}

@test "a published TCP port answers on 127.0.0.1 and by hairpin" {
	run_berth network create pub
	net_ns web
	net_ns peer
	net_attach pub web -p "127.0.0.1:$PORTBASE:80" -p "$((PORTBASE + 1)):80"
	assert_output_contains "port=127.0.0.1:$PORTBASE->80/tcp"
	net_attach pub peer
	net_bg web busybox httpd -f -p 80 -h "$BATS_FILE_TMPDIR/www"
	net_wait_listen web 80
	run http_get 127.0.0.1 "$PORTBASE"
	assert_equal "$output" "hello from berth"
	run http_get 127.0.0.1 "$((PORTBASE + 1))"
	assert_equal "$output" "hello from berth"
	# hairpin: a peer on the network, and the container itself, through the bridge address
	gw=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' pub | jq -r '.[0].Gateway')
	run http_get "$gw" "$((PORTBASE + 1))" peer
	assert_equal "$output" "hello from berth"
	run http_get "$gw" "$((PORTBASE + 1))" web
	assert_equal "$output" "hello from berth"
	# the 127.0.0.1-only mapping is not published on the bridge address
	run http_get "$gw" "$PORTBASE" peer
	[ "$output" != "hello from berth" ]
	net_nft_has_port "$PORTBASE"
	net_nft_has_port "$((PORTBASE + 1))"
	# removing the endpoint removes its map elements (the table and its chains stay)
	run_berth debug net-detach pub "$NETPFX-web"
	run net_nft_has_port "$PORTBASE"
	[ "$status" != 0 ]
	run net_nft_has_port "$((PORTBASE + 1))"
	[ "$status" != 0 ]
	run nft list chain $NFT_TABLE publish
	assert_output_contains "dnat ip to ip daddr . tcp dport map @pub_tcp"
	run http_get 127.0.0.1 "$PORTBASE"
	[ "$output" != "hello from berth" ]
}

@test "ports published after attach (net_publish), then unpublished" {
	run_berth network create --internal late-int
	run_berth network create late
	net_ns l
	net_attach late-int l
	net_attach late l
	net_bg l busybox httpd -f -p 80 -h "$BATS_FILE_TMPDIR/www"
	# default: the first non-internal network of the namespace
	run_berth debug net-publish "$NETPFX-l" "127.0.0.1:$((PORTBASE + 6))-$((PORTBASE + 7)):80-81"
	assert_output_contains "port=127.0.0.1:$((PORTBASE + 6))->80/tcp"
	assert_output_contains "port=127.0.0.1:$((PORTBASE + 7))->81/tcp"
	net_wait_listen l 80
	run http_get 127.0.0.1 "$((PORTBASE + 6))"
	assert_equal "$output" "hello from berth"
	run_berth --exit 1 debug net-publish "$NETPFX-l" "127.0.0.1:$((PORTBASE + 6)):80"
	assert_output_contains "port is already allocated"
	run_berth debug net-unpublish "$NETPFX-l"
	run http_get 127.0.0.1 "$((PORTBASE + 6))"
	[ "$output" != "hello from berth" ]
	# ports on an internal-only endpoint are not reachable, as in Docker
	run_berth debug net-publish --network late-int "$NETPFX-l" "127.0.0.1:$((PORTBASE + 8)):80"
	run http_get 127.0.0.1 "$((PORTBASE + 8))"
	[ "$output" != "hello from berth" ]
}

@test "a published UDP port answers on 127.0.0.1" {
	run_berth network create udp
	net_ns u
	net_attach udp u -p "127.0.0.1:$((PORTBASE + 2)):5353/udp"
	assert_output_contains "/udp"
	udp_echo_server u 5353
	net_wait_listen u 5353 udp
	run udp_ask 127.0.0.1 "$((PORTBASE + 2))" ping
	assert_equal "$output" "echo:ping"
}

@test "a host port already in use is a clear error, and nothing is left half-done" {
	run_berth network create busy
	net_ns p1
	net_ns p2
	net_attach busy p1 -p "$((PORTBASE + 3)):80"
	run_berth --exit 1 debug net-attach -p "$((PORTBASE + 3)):80" busy "/run/netns/$NETPFX-p2"
	assert_output_contains "port is already allocated"
	# a host process holding the port
	python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $((PORTBASE + 4)))); s.listen(1); time.sleep(8)" 3>&- &
	holder=$!
	# wait until the holder really listens (python starts slowly on a loaded machine)
	for _ in $(seq 100); do
		ss -Hltn "sport = :$((PORTBASE + 4))" | grep -q . && break
		sleep 0.1
	done
	run_berth --exit 1 debug net-attach -p "127.0.0.1:$((PORTBASE + 4)):80" busy "/run/netns/$NETPFX-p2"
	kill $holder
	assert_output_contains "address already in use"
	# p2 got no interface and no endpoint
	run ip netns exec "$NETPFX-p2" ip -o link show
	[[ "$output" != *eth0* ]]
	run_berth network inspect -f '{{json .Containers}}' busy
	[[ "$output" != *"$NETPFX-p2"* ]]
	# a host range with one container port takes the first free port of the range (+3 is held)
	net_ns p3
	net_attach busy p3 -p "$((PORTBASE + 3))-$((PORTBASE + 5)):81"
	assert_output_contains "port=0.0.0.0:$((PORTBASE + 4))->81/tcp"
	# a random host port when none is given
	net_attach busy p2 -p 80
	[[ "$output" =~ port=0\.0\.0\.0:[0-9]+-\>80/tcp ]]
}

@test "an internal network has no way out; a normal network reaches outside through NAT" {
	net_outside out 10.215.$S.1 10.215.$S.2
	net_bg out busybox httpd -f -p 8000 -h "$BATS_FILE_TMPDIR/www"
	run_berth network create normal
	run_berth network create --internal sealed
	net_ns n
	net_ns i
	net_attach normal n
	net_attach sealed i
	assert_output_contains "gateway="
	[[ "$output" != *"gateway=1"* ]]
	net_wait_listen out 8000
	# the outside namespace has no route back to berth's subnets: only masquerade answers
	run http_get 10.215.$S.2 8000 n
	assert_equal "$output" "hello from berth"
	# internal: no default route ...
	run ip netns exec "$NETPFX-i" ip -4 route show default
	assert_equal "$output" ""
	run http_get 10.215.$S.2 8000 i
	[ "$output" != "hello from berth" ]
	# ... and even with a route added by hand, the host does not forward it
	gw=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' sealed | jq -r '.[0].Gateway')
	ip netns exec "$NETPFX-i" ip route add default via "$gw"
	run http_get 10.215.$S.2 8000 i
	[ "$output" != "hello from berth" ]
	# the internal network cannot reach another berth network either
	ipn=$(ip netns exec "$NETPFX-n" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)
	run ip netns exec "$NETPFX-i" busybox ping -c 1 -W 1 "$ipn"
	[ "$status" != 0 ]
}

@test "two user networks are isolated from each other, as in Docker" {
	run_berth network create iso1
	run_berth network create iso2
	net_ns x1
	net_ns x2
	net_attach iso1 x1
	net_attach iso2 x2
	ip2=$(net_ip_of "$output")
	gw1=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' iso1 | jq -r '.[0].Gateway')
	# the gateway answers, the other network does not
	run ip netns exec "$NETPFX-x1" busybox ping -c 1 -W 2 "$gw1"
	[ "$status" = 0 ]
	run ip netns exec "$NETPFX-x1" busybox ping -c 1 -W 1 "$ip2"
	[ "$status" != 0 ]
	run nft list chain $NFT_TABLE forward
	assert_output_contains "drop"
}

@test "names and aliases resolve on a user network, including a peer's new address" {
	run_berth network create named
	net_ns w1
	net_ns w2
	net_ns w3
	net_attach named w1 --alias svc
	ip1=$(net_ip_of "$output")
	net_attach named w2 --alias svc --alias other
	ip2=$(net_ip_of "$output")
	gw=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' named | jq -r '.[0].Gateway')
	run ip netns exec "$NETPFX-w1" busybox nslookup "$NETPFX-w2" "$gw"
	assert_output_contains "Address: $ip2"
	run ip netns exec "$NETPFX-w2" busybox nslookup other "$gw"
	assert_output_contains "Address: $ip2"
	# several endpoints with one alias: all of them answer
	run ip netns exec "$NETPFX-w2" busybox nslookup svc "$gw"
	assert_output_contains "Address: $ip1"
	assert_output_contains "Address: $ip2"
	# w2 comes back with another address: the next query sees it
	run_berth debug net-detach named "$NETPFX-w2"
	net_attach named w3
	net_attach named w2 --alias svc
	ip2b=$(net_ip_of "$output")
	[ "$ip2b" != "$ip2" ]
	run ip netns exec "$NETPFX-w1" busybox nslookup "$NETPFX-w2" "$gw"
	assert_output_contains "Address: $ip2b"
	[[ "$output" != *"Address: $ip2"$'\n'* ]]
}

@test "other names are forwarded on a normal network, never on an internal one" {
	net_outside up 10.215.$S.1 10.215.$S.2
	fake_upstream up 53 "$BATS_TEST_TMPDIR/asked"
	net_wait_listen up 53 udp
	run_berth network create fwd
	run_berth network create --internal sealed2
	net_ns f
	net_ns g
	BERTH_DNS_UPSTREAM=10.215.$S.2 net_attach fwd f
	BERTH_DNS_UPSTREAM=10.215.$S.2 net_attach sealed2 g
	gwf=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' fwd | jq -r '.[0].Gateway')
	gwg=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' sealed2 | jq -r '.[0].Gateway')
	run ip netns exec "$NETPFX-f" busybox nslookup -type=a outside-name.test "$gwf"
	assert_output_contains "Address: 10.99.99.99"
	grep -qx outside-name.test "$BATS_TEST_TMPDIR/asked"
	# internal (CVE-2024-29018): its own names resolve, nothing else is forwarded
	run ip netns exec "$NETPFX-g" busybox nslookup "$NETPFX-g" "$gwg"
	assert_output_contains "Address: "
	run ip netns exec "$NETPFX-g" busybox nslookup -type=a leak-name.test "$gwg"
	assert_output_contains "REFUSED"
	! grep -q leak-name "$BATS_TEST_TMPDIR/asked"
}

@test "the default bridge network has its own bridge (berth0 for the default root)" {
	net_ns d
	net_attach bridge d
	ip=$(net_ip_of "$output")
	run ip -4 -o addr show "$DEFBR"
	assert_output_contains "inet "
	subnet=$("$BERTH" network inspect -f '{{json .IPAM.Config}}' bridge | jq -r '.[0].Subnet')
	[[ "$subnet" != 172.17.* && "$subnet" != 10.88.* ]]
	run ip netns exec "$NETPFX-d" busybox ping -c 1 -W 2 "${subnet%.*/*}.1"
	[ "$status" = 0 ]
	# no name resolution on the default bridge, as in Docker
	run ss -Hlun "src ${subnet%.*/*}.1"
	assert_equal "$output" ""
	run_berth debug net-detach bridge "$NETPFX-d"
	# kept (as Docker keeps docker0) without its port, until system prune
	run sh -c "ip -o link show master $DEFBR 2>/dev/null"
	assert_equal "$output" ""
	run ip -4 -o addr show "$DEFBR"
	assert_output_contains "inet "
	run_berth system prune -f
	run ip link show "$DEFBR"
	[ "$status" != 0 ]
	run nft list tables
	[[ "$output" != *"$NFT_TABLE"* ]]
}

@test "addresses are reused after detach; --ip picks one" {
	run_berth network create --subnet 10.213.$S.0/24 reuse
	net_ns r1
	net_ns r2
	net_attach reuse r1
	first=$(net_ip_of "$output")
	assert_equal "$first" "10.213.$S.2"
	run_berth debug net-detach reuse "$NETPFX-r1"
	net_attach reuse r2
	assert_equal "$(net_ip_of "$output")" "10.213.$S.2"
	net_attach reuse r1 --ip 10.213.$S.77
	assert_equal "$(net_ip_of "$output")" "10.213.$S.77"
	run_berth debug net-detach reuse "$NETPFX-r1"
	net_ns r3
	run_berth --exit 1 debug net-attach --ip 10.213.$S.2 reuse "/run/netns/$NETPFX-r3"
	assert_output_contains "Address already in use"
}

@test "20 concurrent attaches on one network get 20 distinct addresses" {
	run_berth network create --subnet 10.214.$S.0/24 many
	for i in $(seq 1 20); do net_ns "c$i"; echo "attach many $NETPFX-c$i" >>"$NET_RECORD"; done
	for i in $(seq 1 20); do
		"$BERTH" debug net-attach many "/run/netns/$NETPFX-c$i" >"$BATS_TEST_TMPDIR/att$i" 2>&1 3>&- &
	done
	wait
	for i in $(seq 1 20); do
		grep -q '^ip=' "$BATS_TEST_TMPDIR/att$i" || { cat "$BATS_TEST_TMPDIR/att$i"; false; }
	done
	n=$(cat "$BATS_TEST_TMPDIR"/att* | grep '^ip=' | sort -u | wc -l)
	assert_equal "$n" 20
	# the addresses are really on the interfaces, and distinct there too
	n=$(for i in $(seq 1 20); do ip netns exec "$NETPFX-c$i" ip -4 -o addr show eth0 | awk '{print $4}'; done | sort -u | wc -l)
	assert_equal "$n" 20
	run_berth network inspect many
	run jq '.[0].Containers | length' <<<"$output"
	assert_equal "$output" 20
}

@test "a namespace that dies without detaching is reconciled away" {
	run_berth network create stale
	net_ns s
	net_attach stale s -p "127.0.0.1:$((PORTBASE + 5)):80"
	net_nft_has_port "$((PORTBASE + 5))"
	ip netns del "$NETPFX-s"
	for _ in 1 2 3 4 5 6 7 8 9 10; do ip link show "$(sed -n 's/^host_veth=//p' <<<"$output")" >/dev/null 2>&1 || break; sleep 0.2; done
	run_berth debug net-reconcile
	run_berth network inspect -f '{{json .Containers}}' stale
	assert_equal "$output" "{}"
	run net_nft_has_port "$((PORTBASE + 5))"
	[ "$status" != 0 ]
	id=$("$BERTH" network inspect -f '{{.Id}}' stale)
	ip link show "berth-${id:0:9}"
	run_berth network rm stale
	# its bridge and its rules go with it
	run ip link show "berth-${id:0:9}"
	[ "$status" != 0 ]
	run nft list table $NFT_TABLE
	[[ "$output" != *"berth-${id:0:9}"* ]]
}

@test "nothing is left behind" {
	net_teardown
	# bridges and the table are kept until system prune (as Docker keeps docker0)
	run_berth system prune -f
	run ip -o link show
	[[ "$output" != *"$NETPFX"* ]]
	[[ "$output" != *" $DEFBR:"* ]]
	run_berth network ls -q --filter type=custom
	assert_equal "$output" ""
	run ip netns list
	[[ "$output" != *"$NETPFX"* ]]
	# DNS responders stop once their bridge is gone
	for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -f -- "--root $BERTH_ROOT .*net-dns" >/dev/null || break; sleep 0.3; done
	run pgrep -f -- "--root $BERTH_ROOT .*net-dns"
	[ "$status" != 0 ]
	run nft list tables
	[[ "$output" != *"$NFT_TABLE"* ]]
	# the DOCKER-USER rule goes with the last berth table on the host
	if ! nft list tables ip | grep -q '^table ip berth'; then
		run nft list chain ip filter DOCKER-USER
		[[ "$output" != *"0x08000000"* ]]
	fi
}
