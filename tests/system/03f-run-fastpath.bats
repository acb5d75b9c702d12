#!/usr/bin/env bats
# 03f-run-fastpath: the start-up path's shortcuts keep their promises: the init joins every
# cgroup itself, a removed container's files go to root/trash and are deleted after the CLI
# exits (never half-removed, never leaked), docs/runtime.md "Start-up path".
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

# trash_empty: wait (up to 5 s) until root/trash holds nothing but its lock
trash_empty() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(ls "$BERTH_ROOT/trash" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	ls -la "$BERTH_ROOT/trash" >&2
	return 1
}

@test "the container's processes are in its cgroup of every v1 hierarchy (or its v2 cgroup)" {
	run_berth run -d --name cgj busybox sleep 30
	local id=$output pid
	pid=$("$BERTH" inspect -f '{{.State.Pid}}' cgj)
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		grep -qx "0::/berth/$id" /proc/$pid/cgroup
	else
		local c n=0
		for c in memory pids devices cpu,cpuacct freezer; do
			[ -d "/sys/fs/cgroup/$c/berth/$id" ] || continue
			grep -q ":$c:/berth/$id\$" /proc/$pid/cgroup
			grep -qx "$pid" "/sys/fs/cgroup/$c/berth/$id/cgroup.procs"
			n=$((n + 1))
		done
		[ "$n" -ge 3 ]
	fi
	# and exec'd processes join the same cgroups
	run_berth exec cgj sh -c 'cat /proc/self/cgroup'
	[ "$(echo "$output" | grep -c ':/$')" -ge 1 ]
	run_berth rm -f cgj
}

@test "a --memory limit applies to the container's init (it joined before exec)" {
	run_berth run --rm --memory 8m busybox sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	assert_equal "$output" "8388608"
}

@test "run --rm: after it returns the container is gone from ps, its directory and cgroups too; the files are deleted in the background" {
	run_berth run --rm --name fast1 busybox sh -c 'mkdir -p /a/b && echo x > /a/b/c && hostname'
	local short=$output
	[ ${#short} -eq 12 ]
	run_berth ps -aq --filter name=fast1
	assert_equal "$output" ""
	[ ! -e "$BERTH_ROOT/containers" ] || [ -z "$(ls "$BERTH_ROOT/containers")" ]
	! ls -d /sys/fs/cgroup/*/berth/"$short"* /sys/fs/cgroup/berth/"$short"* 2>/dev/null
	trash_empty
	# the name is free at once
	run_berth run --rm --name fast1 busybox true
}

@test "a trash left behind (reaper never ran) is swept by the next removal and by container prune" {
	BERTH_TEST_NO_REAP=1 run_berth run --rm --name left1 busybox sh -c 'echo x > /f'
	run ls "$BERTH_ROOT/trash"
	[ "$(echo "$output" | grep -c .)" -eq 1 ]
	run_berth ps -aq
	assert_equal "$output" ""
	# the next removal's reaper deletes every entry, not only its own
	run_berth run --rm busybox true
	trash_empty
	BERTH_TEST_NO_REAP=1 run_berth run --rm busybox true
	[ -n "$(ls "$BERTH_ROOT/trash")" ]
	run_berth container prune -f
	[ -z "$(ls "$BERTH_ROOT/trash")" ]
}

@test "the CLI's output pipe is not held by the reaper, and rm/rm -f use the trash too" {
	# command substitution waits for EOF on the pipe: a reaper holding it would hang here
	local out
	out=$(timeout 10 "$BERTH" run --rm busybox echo piped)
	assert_equal "$out" "piped"
	run_berth create --name r1 busybox true
	local id=$output
	run_berth rm r1
	[ ! -e "$BERTH_ROOT/containers/$id" ]
	run_berth run -d --name r2 busybox sleep 30
	id=$output
	run_berth rm -f r2
	[ ! -e "$BERTH_ROOT/containers/$id" ]
	trash_empty
}

@test "a run --rm CLI killed with SIGKILL leaves nothing once rm -f / prune ran" {
	"$BERTH" run --rm --name killed busybox sleep 30 &
	local cli=$! i
	for ((i = 0; i < 100; i++)); do
		[ "$("$BERTH" inspect -f '{{.State.Running}}' killed 2>/dev/null)" = true ] && break
		sleep 0.1
	done
	kill -9 "$cli"
	wait "$cli" || true
	# the container died with its CLI (PDEATHSIG); the record says exited until removed
	run_berth rm -f killed
	run_berth container prune -f
	run_berth ps -aq
	assert_equal "$output" ""
	[ -z "$(ls "$BERTH_ROOT/containers")" ]
	trash_empty
}

@test "--rm containers get a volatile overlay (no sync at exit), others an ordinary one" {
	run_berth run --rm --network none busybox sh -c 'grep " / / " /proc/self/mountinfo'
	assert_output_contains "volatile"
	run_berth run --name keep1 --network none busybox sh -c 'grep " / / " /proc/self/mountinfo'
	[[ "$output" != *volatile* ]]
	run_berth rm keep1
}

@test "bridge: veths have one queue each way; after run --rm no endpoint and, soon, no veth remain" {
	run_berth run -d --name vq busybox sleep 30
	local pid br
	pid=$("$BERTH" inspect -f '{{.State.Pid}}' vq)
	nsenter -t "$pid" -n ip -d link show eth0 | grep -q "numtxqueues 1 numrxqueues 1"
	run_berth rm -f vq
	br=$("$BERTH" network inspect bridge -f '{{index .Options "com.docker.network.bridge.name"}}')
	run_berth run --rm busybox sh -c 'ip -4 addr show eth0 | grep -c inet'
	assert_equal "$output" "1"
	run_berth network inspect bridge -f '{{json .Containers}}'
	assert_equal "$output" "{}"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(ip -br link show master "$br" 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -z "$(ip -br link show master "$br" 2>/dev/null)" ]
}
