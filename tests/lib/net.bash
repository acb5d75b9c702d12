# net.bash: helpers for the network system tests. Every namespace, veth and server a test
# makes is recorded and removed by net_teardown, even when the test fails. Traffic only goes
# to loopback and to namespaces/bridges these tests create.

# A short per-file prefix keeps names unique (interface names are at most 15 bytes).
net_setup_file() {
	export NETPFX="bt$(( $$ % 100000 ))"
	export NET_RECORD="$BATS_FILE_TMPDIR/net-created"
	: >"$NET_RECORD"
}

# net_ns NAME: create the netns $NETPFX-NAME (recorded); prints nothing.
net_ns() {
	ip netns add "$NETPFX-$1"
	echo "ns $NETPFX-$1" >>"$NET_RECORD"
	ip netns exec "$NETPFX-$1" ip link set lo up
}

# net_attach NETWORK NSNAME [ARGS...]: attach via the debug verb; sets $output
net_attach() {
	local net=$1 ns=$2
	shift 2
	echo "attach $net $NETPFX-$ns" >>"$NET_RECORD"
	run_berth debug net-attach "$@" "$net" "/run/netns/$NETPFX-$ns"
}

# net_ip_of: the ip= line of the last net_attach, without the prefix
net_ip_of() {
	sed -n 's/^ip=\([0-9.]*\)\/.*/\1/p' <<<"$1"
}

# net_bg NSNAME CMD...: run CMD in the namespace in the background (killed at teardown)
net_bg() {
	local ns=$NETPFX-$1
	shift
	ip netns exec "$ns" "$@" </dev/null >/dev/null 2>&1 3>&- &
}

# net_outside NAME ADDR_HOST ADDR_NS: an "outside host": a netns joined to the host by a veth
# pair of the test's own (host side ADDR_HOST/24, namespace side ADDR_NS/24, no default route).
net_outside() {
	local ns=$NETPFX-$1 h="${NETPFX}o$1"
	net_ns "$1"
	ip link add "$h" type veth peer name "${h}p"
	echo "link $h" >>"$NET_RECORD"
	ip link set "${h}p" netns "$ns"
	ip addr add "$2/24" dev "$h"
	ip link set "$h" up
	ip netns exec "$ns" ip addr add "$3/24" dev "${h}p"
	ip netns exec "$ns" ip link set "${h}p" up
}

# http_get ADDR PORT [NS]: one HTTP/1.0 GET with busybox nc; prints the body's last line
http_get() {
	local pre=()
	[ -n "${3:-}" ] && pre=(ip netns exec "$NETPFX-$3")
	printf 'GET / HTTP/1.0\r\n\r\n' | "${pre[@]}" busybox nc -w 3 "$1" "$2" 2>&1 | tail -1
}

# udp_echo_server NS PORT: a python UDP echo server in the namespace
udp_echo_server() {
	net_bg "$1" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', $2))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(b'echo:' + d, a)
"
}

# udp_ask ADDR PORT MSG [NS]: send one datagram, print the reply (or "timeout")
udp_ask() {
	local pre=()
	[ -n "${4:-}" ] && pre=(ip netns exec "$NETPFX-$4")
	"${pre[@]}" python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b'$3', ('$1', $2))
try:
    print(s.recvfrom(2048)[0].decode())
except socket.timeout:
    print('timeout')
"
}

# net_teardown: kill processes in our namespaces, delete namespaces and links, then let berth
# drop what is stale (endpoints, idle bridges, its nftables table) and remove our networks.
net_teardown() {
	[ -f "$NET_RECORD" ] || return 0
	local kind name extra
	while read -r kind name extra; do
		[ "$kind" = attach ] && "$BERTH" debug net-detach "$name" "$extra" >/dev/null 2>&1
	done <"$NET_RECORD"
	while read -r kind name extra; do
		case $kind in
		ns)
			ip netns pids "$name" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$name" 2>/dev/null
			;;
		link) ip link del "$name" 2>/dev/null ;;
		esac
	done <"$NET_RECORD"
	: >"$NET_RECORD"
	"$BERTH" debug net-reconcile >/dev/null 2>&1 || true
	"$BERTH" network prune -f >/dev/null 2>&1 || true
}

# fake_upstream NS PORT LOG: a DNS server of the test's own in namespace NS that answers every
# A query with 10.99.99.99 and logs each asked name to LOG (stands in for the host's resolver)
fake_upstream() {
	net_bg "$1" python3 -c "
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', $2))
while True:
    q, a = s.recvfrom(2048)
    off, labels = 12, []
    while q[off]:
        labels.append(q[off+1:off+1+q[off]].decode()); off += 1 + q[off]
    open('$3', 'a').write('.'.join(labels) + '\n')
    qend = off + 5
    qtype = struct.unpack('>H', q[off+1:off+3])[0]
    ans = b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x0a\x00\x04' + bytes([10, 99, 99, 99]) if qtype == 1 else b''
    hdr = q[:2] + b'\x81\x80' + q[4:6] + struct.pack('>H', 1 if ans else 0) + b'\x00\x00\x00\x00'
    s.sendto(hdr + q[12:qend] + ans, a)
"
}

# net_wait_listen NAME PORT [tcp|udp]: wait (up to 10 s) until a socket listens on PORT in the
# test namespace NAME; servers start slowly on a loaded machine, so never rely on a fixed sleep.
net_wait_listen() {
	local ns=$NETPFX-$1 port=$2 flags=-Hltn
	[ "${3:-tcp}" = udp ] && flags=-Hlun
	for _ in $(seq 100); do
		ip netns exec "$ns" ss $flags "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on ${3:-tcp}/$port in $ns" >&2
	return 1
}

# net_nft_ports: the host ports published in this root's nftables table ($NFT_TABLE), one a
# line (elements of its pub_* maps: "127.0.0.1 . PORT : ADDR . PORT" or "PORT : ADDR . PORT")
net_nft_ports() {
	nft list table $NFT_TABLE 2>/dev/null | grep -oE '(^|[ {,])[0-9]+ : [0-9.]+ \. [0-9]+' | awk '{ print $1 }' | tr -d '{,'
}
# net_nft_has_port PORT: PORT is published in this root's table
net_nft_has_port() {
	net_nft_ports | grep -qx "$1"
}
