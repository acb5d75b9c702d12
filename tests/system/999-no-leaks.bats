#!/usr/bin/env bats
# 999-no-leaks: runs last (tests/run-all takes the files in name order) and fails if the suite
# left anything on the host: a berth process of this tree, an empty container cgroup, a mount
# under a deleted test root, a bridge, veth or nftables table of a deleted root (after the
# net-gc berth runs for that), a net test's namespace, a unit test's temp dir.
# The checks are in tests/lib/leaks.bash (`leaks_all` lists every leftover).
load ../lib/helpers
load ../lib/leaks

setup() { berth_setup_root; }

@test "no berth process of this tree is left" {
	run leak_procs
	echo "$output" >&2
	[ -z "$output" ]
}

@test "no empty container cgroup is left" {
	run leak_cgroups
	echo "$output" >&2
	[ -z "$output" ]
}

@test "no mount of a deleted test root is left" {
	run leak_mounts
	echo "$output" >&2
	[ -z "$output" ]
}

@test "no bridge, veth or nftables table of a deleted root is left after net-gc" {
	run_berth debug net-gc
	run leak_bridges
	echo "$output" >&2
	[ -z "$output" ]
	run leak_tables
	echo "$output" >&2
	[ -z "$output" ]
}

@test "no network namespace of a finished net test, no unit test temp dir" {
	run leak_netns
	echo "$output" >&2
	[ -z "$output" ]
	run leak_tmp
	echo "$output" >&2
	[ -z "$output" ]
}

@test "the checks see a leftover: a deleted root's table and bridge, an empty cgroup" {
	# a root of our own, used once and deleted: its bridge and table are left until net-gc
	local r="$BATS_TEST_TMPDIR/gone"
	mkdir -p "$r"
	"$BERTH" --root "$r/root" --runroot "$r/run" import "$(busybox_tarball)" busybox >/dev/null
	"$BERTH" --root "$r/root" --runroot "$r/run" run --rm busybox true
	rm -rf "$r"
	run leak_tables
	[[ "$output" == *"its root $r/root is gone"* ]]
	run leak_bridges
	[[ "$output" == *"its root $r/root is gone"* ]]
	run_berth debug net-gc
	run leak_tables
	[[ "$output" != *"$r/root"* ]]
	# an empty cgroup named as a container's
	local base=/sys/fs/cgroup/pids/berth
	[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && base=/sys/fs/cgroup/berth
	mkdir -p "$base"
	local id
	id=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	mkdir "$base/$id"
	run leak_cgroups
	rmdir "$base/$id"
	[[ "$output" == *"cgroup $base/$id: empty"* ]]
}
