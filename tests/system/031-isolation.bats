#!/usr/bin/env bats
# 031-isolation: namespaces, capabilities, seccomp, masked/read-only paths, /dev, /sys, --read-only.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "the container cannot see host processes and is pid 1" {
	run_berth run --rm busybox sh -c 'echo $$; ps -o pid | tail -n +2 | sort -n | tail -1'
	# the shell is pid 1 and only a handful of pids exist: nothing from the host
	assert_equal "${lines[0]}" "1"
	[ "${lines[1]}" -lt 10 ]
}

@test "capabilities and seccomp match Docker's defaults" {
	run_berth run --rm busybox sh -c 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status'
	assert_output_contains "CapEff:	00000000a80425fb"
	assert_output_contains "CapBnd:	00000000a80425fb"
	assert_output_contains "CapInh:	0000000000000000"
	assert_output_contains "CapAmb:	0000000000000000"
	assert_output_contains "NoNewPrivs:	0"
	assert_output_contains "Seccomp:	2"
}

@test "a non-root user has no effective capabilities" {
	run_berth run --rm -u 1000 busybox grep -E '^(CapEff|CapBnd)' /proc/self/status
	assert_output_contains "CapEff:	0000000000000000"
	assert_output_contains "CapBnd:	00000000a80425fb"
}

@test "--cap-add, --cap-drop, --privileged, seccomp=unconfined, no-new-privileges" {
	run_berth run --rm --cap-drop ALL busybox grep CapEff /proc/self/status
	assert_output_contains "0000000000000000"
	run_berth run --rm --cap-drop CHOWN --cap-add NET_ADMIN busybox grep CapEff /proc/self/status
	assert_output_contains "00000000a80435fa"
	run_berth run --rm --privileged busybox sh -c 'grep -E "CapEff|Seccomp:" /proc/self/status; mkdir -p /m && mount -t tmpfs t /m && echo mounted'
	assert_output_contains "Seccomp:	0"
	assert_output_contains "mounted"
	run_berth run --rm --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status
	assert_output_contains "Seccomp:	0"
	run_berth run --rm --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status
	assert_output_contains "NoNewPrivs:	1"
	run_berth --exit 125 run --rm --cap-add BOGUS busybox true
	assert_output_contains "invalid capability"
}

@test "mount, unshare and other privileged calls are denied" {
	run_berth run --rm busybox sh -c 'mount -t tmpfs x /mnt 2>&1; echo rc=$?; unshare -n true 2>&1; echo rc=$?; hostname evil 2>&1; echo rc=$?'
	assert_output_contains "Operation not permitted"
	[[ "$output" != *"rc=0"* ]]
	# with CAP_SYS_ADMIN the namespace clone is allowed again (the filter is capability-aware)
	run_berth run --rm --cap-add SYS_ADMIN busybox unshare -n true
}

@test "Docker's masked and read-only /proc paths" {
	run_berth run --rm busybox sh -c '
		for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
			[ -e $p ] || continue; [ -s $p ] && echo "leak $p"; done
		for d in /proc/acpi /proc/scsi /sys/firmware; do
			[ -d $d ] || continue; [ -z "$(ls $d)" ] || echo "leak $d"; done
		(echo 1 > /proc/sys/kernel/panic_on_oops) 2>/dev/null && echo "wrote /proc/sys"
		[ -e /proc/sysrq-trigger ] && (echo h > /proc/sysrq-trigger) 2>/dev/null && echo "wrote sysrq"
		grep -E " /proc/(sys|bus|fs|irq|sysrq-trigger) " /proc/mounts | grep -c " ro,"'
	[[ "$output" != *leak* ]]
	[[ "$output" != *wrote* ]]
	[ "${output##*$'\n'}" -ge 2 ]
}

@test "/dev holds exactly Docker's minimal set; /sys is read-only" {
	run_berth run --rm busybox sh -c 'ls /dev | tr "\n" " "'
	assert_equal "$output" "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
	run_berth run --rm busybox sh -c 'grep -E " /dev/(pts|shm|mqueue) " /proc/mounts | cut -d" " -f3 | tr "\n" " "'
	assert_equal "$output" "devpts tmpfs mqueue "
	run_berth run --rm busybox sh -c 'touch /sys/x 2>&1; grep " /sys " /proc/mounts'
	assert_output_contains "Read-only file system"
	assert_output_contains "sysfs ro"
	# the device cgroup refuses devices outside the list even with mknod
	run_berth run --rm busybox sh -c 'mknod /tmp/sda b 8 0 && head -c1 /tmp/sda 2>&1; echo done'
	assert_output_contains "Operation not permitted"
}

@test "--read-only root filesystem with --tmpfs" {
	run_berth run --rm --read-only --tmpfs /scratch busybox sh -c 'touch /x 2>&1; touch /scratch/ok && echo tmpfs-ok; touch /tmp/y 2>&1; true'
	assert_output_contains "Read-only file system"
	assert_output_contains "tmpfs-ok"
}

@test "network none: only loopback, up; host: the host's interfaces" {
	run_berth run --rm --network none busybox sh -c 'ls /sys/class/net; ping -c1 -W1 127.0.0.1 >/dev/null && echo lo-up'
	assert_equal "$output" "lo
lo-up"
	run_berth run --rm --network host busybox readlink /proc/self/ns/net
	assert_equal "$output" "$(readlink /proc/self/ns/net)"
	run_berth run --rm --network none busybox readlink /proc/self/ns/net
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
	run_berth --exit 125 run --rm --network bogusnet busybox true
}

@test "generated /etc/hosts, /etc/hostname and /etc/resolv.conf" {
	run_berth run --rm -h web --add-host db:10.1.2.3 --dns 9.9.9.9 busybox sh -c 'cat /etc/hostname /etc/hosts /etc/resolv.conf'
	assert_output_contains "web"
	assert_output_contains "127.0.0.1	localhost"
	assert_output_contains "10.1.2.3	db"
	assert_output_contains "nameserver 9.9.9.9"
}

@test "UTS and IPC namespaces are private" {
	local hostipc
	hostipc=$(readlink /proc/self/ns/ipc)
	run_berth run --rm busybox readlink /proc/self/ns/ipc
	[ "$output" != "$hostipc" ]
	run_berth run --rm busybox readlink /proc/self/ns/cgroup
	[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
}

@test "--network bridge: an address, a default route, /etc/hosts; -p publishes; nothing left after rm" {
	local port=$((20000 + $$ % 20000))
	run_berth run --rm --network bridge busybox sh -c 'ip -4 addr show eth0 | grep -c inet; ip route | grep -c default; tail -1 /etc/hosts'
	assert_equal "${lines[0]}" "1"
	assert_equal "${lines[1]}" "1"
	run_berth run -d --name pub --network bridge -p 127.0.0.1:$port:80 busybox sh -c 'echo published > /tmp/i.html; httpd -f -p 80 -h /tmp'
	run_berth container inspect -f '{{json .NetworkSettings.Ports}} {{.NetworkSettings.IPAddress}}' pub
	assert_output_contains '{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$port'"}]} 10.'
	run_berth ps --filter name=pub --format '{{.Ports}}'
	assert_equal "$output" "127.0.0.1:$port->80/tcp"
	wait_for wget -qO "$BATS_TEST_TMPDIR/got" "http://127.0.0.1:$port/i.html"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" "published"
	local br
	br=$("$BERTH" debug net-names | sed -n 's/^bridge=//p')
	run_berth rm -f pub
	! ip link show "$br" 2>/dev/null
	run_berth --exit 125 run --rm --network nosuchnet busybox true
}
