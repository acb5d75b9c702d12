#!/usr/bin/env bats
# 03b-cgroup-update: Docker's resource bookkeeping (MemorySwap defaults to 2x --memory) and
# `update` of memory, memory+swap, CPU shares and quota on a running container, with Docker's
# errors. The cgroup v2 side is unit-tested against a fake v2 tree (tests/unit/test_cgroup.c).
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

memdir() { if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "/sys/fs/cgroup/berth/$1"; else echo "/sys/fs/cgroup/memory/berth/$1"; fi; }

@test "--memory records Docker's default MemorySwap (2x) in inspect" {
	local id
	id=$("$BERTH" create -m 64m busybox true)
	run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' "$id"
	assert_equal "$output" "67108864 134217728"
	id=$("$BERTH" create -m 64m --memory-swap -1 busybox true)
	run_berth inspect -f '{{.HostConfig.MemorySwap}}' "$id"
	assert_equal "$output" "-1"
	id=$("$BERTH" create busybox true)
	run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' "$id"
	assert_equal "$output" "0 0"
}

@test "update --memory/--memory-swap/--cpu-shares/--cpus on a running container" {
	run_berth run -d --name up1 -m 64m busybox sleep 60
	local id
	id=$("$BERTH" inspect -f '{{.Id}}' up1)
	# more memory than the current memory+swap limit, without --memory-swap: Docker's error
	run_berth --exit 1 update -m 200m up1
	assert_output_contains "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time"
	run_berth update -m 100m up1
	run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up1
	assert_equal "$output" "104857600 134217728"
	run_berth update -m 200m --memory-swap 400m up1
	run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up1
	assert_equal "$output" "209715200 419430400"
	local d
	d=$(memdir "$id")
	if [ -f "$d/memory.limit_in_bytes" ]; then
		assert_equal "$(cat "$d/memory.limit_in_bytes")" 209715200
		[ ! -f "$d/memory.memsw.limit_in_bytes" ] || assert_equal "$(cat "$d/memory.memsw.limit_in_bytes")" 419430400
	elif [ -f "$d/memory.max" ]; then
		assert_equal "$(cat "$d/memory.max")" 209715200
		[ ! -f "$d/memory.swap.max" ] || assert_equal "$(cat "$d/memory.swap.max")" 209715200
	fi
	# shrinking below memory+swap works (v1 order: memory first)
	run_berth update -m 32m --memory-swap 64m up1
	[ ! -f "$d/memory.limit_in_bytes" ] || assert_equal "$(cat "$d/memory.limit_in_bytes")" 33554432
	run_berth --exit 1 update --memory-swap 16m up1
	assert_output_contains "Minimum memoryswap limit should be larger than memory limit, see usage"
	run_berth update --cpu-shares 512 --cpus 0.5 up1
	run_berth inspect -f '{{.HostConfig.CpuShares}} {{.HostConfig.NanoCpus}}' up1
	assert_equal "$output" "512 500000000"
	if [ -d /sys/fs/cgroup/cpu/berth ]; then
		assert_equal "$(cat /sys/fs/cgroup/cpu/berth/$id/cpu.shares)" 512
		assert_equal "$(cat /sys/fs/cgroup/cpu/berth/$id/cpu.cfs_quota_us)" 50000
	fi
	run_berth --exit 125 update --cpu-shares x up1
	assert_output_contains 'invalid argument "x" for "-c, --cpu-shares" flag'
	run_berth rm -f up1
}

@test "update --memory-swap without any memory limit: Docker's error" {
	run_berth run -d --name up2 busybox sleep 60
	run_berth --exit 1 update --memory-swap 100m up2
	assert_output_contains "You should always set the Memory limit when using Memoryswap limit, see usage"
	run_berth rm -f up2
}
