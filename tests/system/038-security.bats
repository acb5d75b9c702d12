#!/usr/bin/env bats
# 038-security: the runtime items of SECURITY.md, each as an escape attempt that must fail.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

# a copy of the busybox rootfs to make hostile
hostile_rootfs() {
	local r="$BATS_TEST_TMPDIR/hostile"
	mkdir -p "$r"
	cp -a "$BBROOT/." "$r/"
	echo "$r"
}

@test "CVE-2019-5736: the berth binary is unreachable through /proc/PID/exe" {
	# with --init, pid 1 is berth's own (forked, never exec'd) init: non-dumpable
	run_berth run --rm --init busybox sh -c 'cat /proc/1/exe > /dev/null 2>&1 && echo READ; ls -l /proc/1/exe 2>&1; echo end'
	[[ "$output" != *READ* ]]
	[[ "$output" != *"$BERTH"* ]]
	# the init's command line does not show the host's berth invocation
	run_berth run --rm --init busybox cat /proc/1/cmdline
	[[ "$output" != *berth* ]]
	# and the exe link of the container's own processes is the container's binary
	run_berth run --rm busybox readlink /proc/self/exe
	assert_equal "$output" "/bin/busybox"
}

@test "CVE-2024-21626: no host fd reaches the container; WORKDIR /proc/self/fd/N is refused" {
	exec 7</etc/hostname
	run_berth run --rm busybox ls /proc/self/fd
	exec 7<&-
	assert_equal "$(echo $output)" "0 1 2 3"
	run_berth --exit 125 run --rm -w /proc/self/fd/7 busybox pwd
	run_berth --exit 125 run --rm -w /proc/self/cwd busybox pwd
	run_berth run -d --name fdc busybox sleep 100
	run_berth exec fdc ls /proc/self/fd
	assert_equal "$(echo $output)" "0 1 2 3"
	run_berth --exit 126 exec -w /proc/1/root/.. fdc pwd
	run_berth rm -f fdc
}

@test "CVE-2025-31133: hostile /dev, /proc and /etc targets in the image cannot redirect mounts" {
	local r victim="$BATS_TEST_TMPDIR/victim"
	r=$(hostile_rootfs)
	echo precious > "$victim"
	# /etc/hosts and /etc/hostname point at a host file; /dev/null to a host file
	ln -sf "$victim" "$r/etc/hosts"
	ln -sf "../../../../../../../../$victim" "$r/etc/hostname"
	rm -rf "$r/dev" && mkdir "$r/dev" && ln -sf "$victim" "$r/dev/null"
	run_berth run --rm --rootfs "$r" -h pwned sh -c 'cat /etc/hostname; echo x > /dev/null; cat /dev/null; echo end'
	assert_equal "$(cat "$victim")" "precious"
	assert_output_contains "end"
	# /proc replaced by a symlink to / : refused, never mounted on the host
	r=$(hostile_rootfs)
	rm -rf "$r/proc" && ln -s / "$r/proc"
	run "$BERTH" run --rm --rootfs "$r" true
	[ "$status" -ne 0 ] || true
	! grep -q " $r" /proc/self/mountinfo
	assert_equal "$(cat "$victim")" "precious"
}

@test "volume targets resolve inside the rootfs (symlink to the host's /tmp)" {
	local r host="$BATS_TEST_TMPDIR/hostdir"
	r=$(hostile_rootfs)
	mkdir -p "$host" "$BATS_TEST_TMPDIR/src"
	echo secret-src > "$BATS_TEST_TMPDIR/src/file"
	ln -s "$host" "$r/data"
	run_berth run --rm --rootfs "$r" -v "$BATS_TEST_TMPDIR/src:/data" cat /data/file
	assert_equal "$output" "secret-src"
	# the host directory the symlink names got nothing and is no mount point
	[ -z "$(ls -A "$host")" ]
	! mountpoint -q "$host"
}

@test "CVE-2021-41091 and CVE-2020-15257: --root is 0700, no abstract sockets" {
	run_berth run -d --name sec busybox sleep 100
	[ "$(stat -c %a "$BERTH_ROOT")" = 700 ]
	[ "$(stat -c %a "$BERTH_ROOT/containers/$output")" = 700 ]
	local mon
	mon=$(pgrep -f "^berth-monitor ${output:0:12}")
	# the monitor holds no socket at all (nothing a host-network container could reach)
	! ls -l /proc/$mon/fd | grep -q socket
	run_berth rm -f sec
}

@test "a container cannot write to /proc/sys or load modules, even as root" {
	run_berth run --rm busybox sh -c '(echo 1 > /proc/sys/vm/drop_caches) 2>&1; insmod /x.ko 2>&1; true'
	assert_output_contains "Read-only file system"
	[[ "$output" != *"Success"* ]]
}

@test "cgroup v2 device filter (BPF): Docker's allow list, mknod allowed, other devices refused" {
	local base
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then base=/sys/fs/cgroup
	elif [ -d /sys/fs/cgroup/unified ]; then base=/sys/fs/cgroup/unified
	else skip "no cgroup2 hierarchy"; fi
	local d="$base/berth-devtest-$$"
	mkdir "$d"
	run_berth debug devfilter "$d"
	local node="$BATS_TEST_TMPDIR/kmsg"
	run sh -c "echo \$\$ > '$d/cgroup.procs'; (exec 3</dev/kmsg) 2>/dev/null && echo kmsg-OPEN; echo x > /dev/null && echo null-ok;
		head -c1 /dev/urandom >/dev/null && echo urandom-ok; mknod '$node' c 1 11 && echo mknod-ok;
		(exec 3<'$node') 2>/dev/null && echo node-OPEN; echo end"
	rmdir "$d"
	assert_output_contains "null-ok"
	assert_output_contains "urandom-ok"
	assert_output_contains "mknod-ok"
	[[ "$output" != *OPEN* ]]
}
