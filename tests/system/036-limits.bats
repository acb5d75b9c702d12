#!/usr/bin/env bats
# 036-limits: cgroup limits (v1 here, v2 detected): --pids-limit, --memory (OOM -> 137 and
# State.OOMKilled), --cpus, --cpu-shares, and Docker's validation messages.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

cgfile() { # cgfile ID CONTROLLER-FILE: the value inside the container's cgroup
	local id=$1 f=$2
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then cat "/sys/fs/cgroup/berth/$id/$f"
	else cat "/sys/fs/cgroup/${f%%.*}/berth/$id/$f"; fi
}

@test "--pids-limit stops a fork storm" {
	run_berth --exit 2 run --rm --pids-limit 8 busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 2 & done; echo done'
	assert_output_contains "can't fork"
	run_berth run --rm busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done; echo done'
	assert_equal "$output" "done"
}

@test "--memory: the limit is set, and an OOM kill is exit 137 with State.OOMKilled" {
	run_berth run -d --name mem -m 32m busybox sleep 100
	local id=$output
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		assert_equal "$(cat /sys/fs/cgroup/berth/$id/memory.max)" "33554432"
	else
		assert_equal "$(cat /sys/fs/cgroup/memory/berth/$id/memory.limit_in_bytes)" "33554432"
	fi
	run_berth rm -f mem
	run_berth --exit 137 run --name oom -m 16m --memory-swap 16m busybox dd if=/dev/zero of=/dev/null bs=256M count=1
	run_berth container inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom
	assert_equal "$output" "true 137"
	run_berth rm oom
}

@test "--cpus and --cpu-shares reach the cgroup" {
	run_berth run -d --name cpu --cpus 0.5 --cpu-shares 512 busybox sleep 100
	local id=$output
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		assert_equal "$(cat /sys/fs/cgroup/berth/$id/cpu.max)" "50000 100000"
	else
		assert_equal "$(cat /sys/fs/cgroup/cpu/berth/$id/cpu.cfs_quota_us)" "50000"
		assert_equal "$(cat /sys/fs/cgroup/cpu/berth/$id/cpu.shares)" "512"
	fi
	run_berth container inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}' cpu
	assert_equal "$output" "500000000 512"
	run_berth rm -f cpu
	[ ! -d "$(runtime_cgroup_dir "$id")" ]
}

@test "limit validation as Docker's" {
	run_berth --exit 125 run --rm -m 1m busybox true
	assert_output_contains "Minimum memory limit allowed is 6MB"
	run_berth --exit 125 run --rm --memory-swap 64m busybox true
	assert_output_contains "You should always set the Memory limit when using Memoryswap limit"
	run_berth --exit 125 run --rm -m 64m --memory-swap 32m busybox true
	assert_output_contains "Minimum memoryswap limit should be larger than memory limit"
	run_berth --exit 125 run --rm --cpus 9999 busybox true
	assert_output_contains "Range of CPUs is from 0.01 to"
	run_berth --exit 125 run --rm -m lots busybox true
}

@test "/sys/fs/cgroup in the container: read-only, its own cgroup as the root, limits visible" {
	run_berth run --rm -m 64m --pids-limit 50 busybox sh -c '
		if [ -f /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
		else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; fi
		grep -c ":/$" /proc/self/cgroup >/dev/null && echo ns-root
		(echo 1 > /sys/fs/cgroup/pids/pids.max) 2>&1; (echo 1 > /sys/fs/cgroup/pids.max) 2>&1; true'
	assert_output_contains "67108864"
	assert_output_contains "50"
	assert_output_contains "ns-root"
	assert_output_contains "Read-only file system"
}
