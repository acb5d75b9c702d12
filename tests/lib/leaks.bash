# leaks.bash: what a berth test run may leave on the host, listed so tests/system/999-no-leaks
# (which runs last) fails when something is left. Each function prints one line per leftover
# and nothing when clean. The machine may be shared: only what is provably the suite's, or
# whose root is gone, counts (another run's live containers are not leftovers).
#   - processes: berth, berth-monitor, berth-health running from this tree's binaries
#   - cgroups: a berth container cgroup with no process left in it
#   - mounts: a mount under a temp root that no longer exists
#   - bridges and nftables tables whose root (its `berth-root:ROOT` alias/comment) is gone,
#     after `berth debug net-gc` (berth keeps them while the root lives, as Docker keeps docker0)
#   - veths on such a bridge, or a berth-named veth on no bridge
#   - network namespaces of the net tests (btPID-NAME) whose test process is gone
#   - temp dirs the unit tests make (/tmp/berth-test-net-*)

# leak_procs: berth processes of this tree's binaries (not our own ancestors)
leak_procs() {
	local p exe
	for p in $(pgrep -f '^berth|/berth( |$)' 2>/dev/null); do
		[ "$p" = "$$" ] && continue
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		exe=${exe% (deleted)}
		case $exe in
		"$BERTH_SRC/berth" | "$BERTH_SRC/berth-monitor")
			echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" ;;
		esac
	done
}

# a cgroup id directory's process count (all v1 controllers it exists in, or v2)
_cg_nprocs() {
	cat "$@" 2>/dev/null | wc -l
}

# leak_cgroups: berth container cgroups with no process (looked at twice, 2 s apart, so one
# being made or removed right now does not count), made since this tree's berth was built
# (an older one is not this run's)
leak_cgroups() {
	local base ids id again=()
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		base=/sys/fs/cgroup/berth
	else
		base=/sys/fs/cgroup/pids/berth
	fi
	[ -d "$base" ] || return 0
	for d in "$base"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		[ "$d" -nt "$BERTH" ] || continue
		[ "$(_cg_nprocs "$d/cgroup.procs")" = 0 ] && again+=("$id")
	done
	[ ${#again[@]} -gt 0 ] || return 0
	sleep 2
	for id in "${again[@]}"; do
		[ -d "$base/$id" ] || continue
		[ "$(_cg_nprocs "$base/$id/cgroup.procs")" = 0 ] && echo "cgroup $base/$id: empty"
	done
	return 0
}

# leak_mounts: mounts whose mount point lies under a berth or bats temp dir that is gone, or
# under a test root (bats-run-*) whose directory was deleted
leak_mounts() {
	local mp top
	while read -r mp; do
		case $mp in
		*/bats-run-*)
			top=$(sed -E 's#(/bats-run-[^/]+).*#\1#' <<<"$mp")
			[ -d "$top" ] || echo "mount $mp: its test dir is gone"
			;;
		*berth*)
			[ -e "$mp" ] || echo "mount $mp: its directory is gone"
			;;
		esac
	done < <(awk '{print $5}' /proc/self/mountinfo | sed 's/\\040/ /g')
}

# the root a `berth-root:ROOT` alias or comment names
_root_of() { sed -n 's/.*berth-root:\([^" ]*\).*/\1/p' <<<"$1" | head -1; }

# leak_bridges: berth bridges whose root is gone, and their veths; berth veths on no bridge
leak_bridges() {
	local dev alias root master
	for dev in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		[[ "$dev" == berth* ]] || continue
		alias=$(cat "/sys/class/net/$dev/ifalias" 2>/dev/null)
		root=$(_root_of "$alias")
		[ -n "$root" ] && [ ! -d "$root" ] && echo "bridge $dev: its root $root is gone"
	done
	for dev in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		[[ "$dev" =~ ^veth[0-9a-f]{7}$ ]] || continue
		master=$(basename "$(readlink "/sys/class/net/$dev/master" 2>/dev/null)" 2>/dev/null)
		if [ -z "$master" ]; then
			# berth's and Docker's host veths share the name pattern; Docker's are on its
			# bridges: one on no bridge at all is a detached leftover
			echo "veth $dev: on no bridge"
			continue
		fi
		[[ "$master" == berth* ]] || continue
		alias=$(cat "/sys/class/net/$master/ifalias" 2>/dev/null)
		root=$(_root_of "$alias")
		[ -n "$root" ] && [ ! -d "$root" ] && echo "veth $dev: on $master, whose root $root is gone"
	done
	return 0
}

# leak_tables: berth nftables tables whose root is gone
leak_tables() {
	local t root
	for t in $(nft list tables ip 2>/dev/null | awk '$3 ~ /^berth/ {print $3}'); do
		root=$(_root_of "$(nft list table ip "$t" 2>/dev/null | grep -m1 'comment')")
		[ -n "$root" ] && [ ! -d "$root" ] && echo "nft table ip $t: its root $root is gone"
	done
	return 0
}

# leak_netns: the net tests' namespaces (btPID-NAME, PID = the bats process mod 100000) whose
# test process is gone
leak_netns() {
	local ns n p alive
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ "$ns" =~ ^bt([0-9]+)- ]] || continue
		n=${BASH_REMATCH[1]}
		alive=
		for p in $(pgrep -f bats 2>/dev/null); do
			[ $((p % 100000)) = "$n" ] && alive=1
		done
		[ -n "$alive" ] || echo "netns $ns: its test is gone"
	done
	return 0
}

# leak_tmp: temp dirs the unit tests make and remove (made since this tree's unit tests were
# built)
leak_tmp() {
	local ref=$BERTH_SRC/build-asan/tests/test_net
	[ -e "$ref" ] || ref=$BERTH
	find /tmp -maxdepth 1 -name 'berth-test-net-*' -newer "$ref" -printf 'temp dir %p\n' 2>/dev/null
	return 0
}

# leaks_all: every leftover, one line each
leaks_all() {
	leak_procs
	leak_cgroups
	leak_mounts
	leak_bridges
	leak_tables
	leak_netns
	leak_tmp
}
