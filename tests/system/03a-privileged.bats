#!/usr/bin/env bats
# 03a-privileged: --privileged as Docker's (all capabilities berth holds, no seccomp, no masked
# or read-only /proc paths, /sys and cgroup mounts writable, every host device in /dev, the
# device cgroup allowing all), --device and --device-cgroup-rule.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "--privileged: every capability of the runtime, Seccomp 0, mount allowed, /sys writable" {
	run_berth run --rm --privileged busybox sh -c 'grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status;
		mkdir /m && mount -t tmpfs t /m && echo MOUNT-OK; mount | grep " /sys type"; mount | grep "/sys/fs/cgroup type"'
	local bnd
	bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
	assert_output_contains "CapEff:	$bnd"
	assert_output_contains "Seccomp:	0"
	assert_output_contains "MOUNT-OK"
	[[ "$output" == *"/sys type sysfs (rw,"* ]]
	[[ "$output" != *"/sys/fs/cgroup type tmpfs (ro"* ]]
	# and the default is still confined
	run_berth run --rm busybox sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; mount -t tmpfs t /mnt 2>&1 || echo MOUNT-DENIED'
	assert_output_contains "CapEff:	00000000a80425fb"
	assert_output_contains "Seccomp:	2"
	assert_output_contains "MOUNT-DENIED"
}

@test "--privileged: no masked or read-only /proc paths" {
	run_berth run --rm --privileged busybox sh -c 'mount | grep -cE " /proc/(kcore|keys|timer_list|sys|bus|fs|irq|sysrq-trigger|acpi|scsi) " ; echo 0 > /proc/sys/kernel/sysrq_dummy 2>&1; cat /proc/sys/kernel/ostype'
	[ "${lines[0]}" = 0 ]
	assert_output_contains "Linux"
	run_berth run --rm busybox sh -c 'mount | grep -cE " /proc/(kcore|keys|timer_list|sys|bus|fs|irq|sysrq-trigger) "'
	[ "$output" -ge 5 ]
}

@test "--privileged: /dev has every host device (runc's HostDevices: no pts/shm/mqueue/console)" {
	run_berth run --rm --privileged busybox sh -c 'cd /dev && find . \( -type c -o -type b \) | grep -v "^./pts/" | sort'
	local want got
	want=$(cd /dev && find . \( -path ./pts -o -path ./shm -o -path ./mqueue -o -path ./fd \) -prune -o \( -type c -o -type b \) -print | grep -v -e '^./console$' -e '^./ptmx$' | sort)
	got=$(printf '%s\n' "$output" | grep -v '^./ptmx$')
	# every host device is there (the container may have a few more: its own defaults)
	local missing
	missing=$(comm -23 <(echo "$want") <(echo "$got"))
	[ -z "$missing" ] || { echo "missing: $missing" >&2; false; }
	# same numbers and permissions as on the host
	local dev
	for dev in /dev/loop0 /dev/net/tun /dev/kmsg; do
		[ -e "$dev" ] || continue
		run_berth run --rm --privileged busybox stat -c '%t:%T %a %F' "$dev"
		assert_equal "$output" "$(stat -c '%t:%T %a %F' "$dev")"
	done
}

@test "--privileged: the device cgroup allows everything; the default does not" {
	[ -e /dev/loop0 ] || skip "no /dev/loop0"
	run_berth run --rm --privileged busybox sh -c 'head -c1 /dev/loop0 >/dev/null && echo LOOP-OPEN'
	assert_output_contains "LOOP-OPEN"
	run_berth run --rm busybox sh -c 'mknod /l0 b 7 0 && (head -c1 /l0 >/dev/null 2>&1 && echo LOOP-OPEN || echo LOOP-DENIED)'
	assert_output_contains "LOOP-DENIED"
	if [ -d /sys/fs/cgroup/devices ]; then
		run_berth run --rm --privileged busybox cat /sys/fs/cgroup/devices/devices.list
		assert_equal "$output" "a *:* rwm"
	fi
	local id; id=$("$BERTH" create --privileged busybox true)
	run_berth inspect -f "{{.HostConfig.Privileged}}" "$id"
	assert_equal "$output" "true"
}

@test "--device SRC[:DST][:PERMS]: node created with the host's numbers, permissions enforced" {
	[ -e /dev/loop0 ] || skip "no /dev/loop0"
	run_berth run --rm --device /dev/loop0:/dev/xloop:r busybox sh -c 'stat -c "%t:%T %F" /dev/xloop;
		head -c1 /dev/xloop >/dev/null && echo READ-OK; (echo x > /dev/xloop) 2>/dev/null || echo WRITE-DENIED'
	assert_output_contains "7:0 block special file"
	assert_output_contains "READ-OK"
	assert_output_contains "WRITE-DENIED"
	# a directory brings every device under it; default permissions rwm
	run_berth run --rm --device /dev/net busybox sh -c 'ls /dev/net; echo x > /dev/net/tun 2>&1; true'
	assert_output_contains "tun"
	# inspect: Docker's shapes
	local id
	id=$("$BERTH" create --device /dev/loop0 --device-cgroup-rule 'b 7:* rmw' busybox true)
	run_berth inspect -f '{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}' "$id"
	assert_equal "$output" '[{"PathOnHost":"/dev/loop0","PathInContainer":"/dev/loop0","CgroupPermissions":"rwm"}] ["b 7:* rmw"]'
	id=$("$BERTH" create busybox true)
	run_berth inspect -f '{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}' "$id"
	assert_equal "$output" '[] null'
}

@test "--device-cgroup-rule lets mknod'ed nodes be opened" {
	[ -e /dev/loop0 ] || skip "no /dev/loop0"
	run_berth run --rm --device-cgroup-rule 'b 7:* rwm' busybox sh -c 'mknod /l0 b 7 0 && head -c1 /l0 >/dev/null && echo LOOP-OPEN'
	assert_output_contains "LOOP-OPEN"
	run_berth run --rm --device-cgroup-rule 'b 7:* m' busybox sh -c 'mknod /l0 b 7 0 && (head -c1 /l0 >/dev/null 2>&1 || echo LOOP-DENIED)'
	assert_output_contains "LOOP-DENIED"
}

@test "--device and --device-cgroup-rule errors as Docker's" {
	run_berth --exit 125 run --rm --device /nope busybox true
	assert_output_contains 'error gathering device information while adding custom device "/nope": no such file or directory'
	run_berth --exit 125 run --rm --device /dev/null:rwz busybox true
	assert_output_contains "rwz is not an absolute path"
	run_berth --exit 125 run --rm --device /dev/null:/x:rwz busybox true
	assert_output_contains "bad mode specified: rwz"
	run_berth --exit 125 run --rm --device-cgroup-rule 'x 1' busybox true
	assert_output_contains "invalid argument \"x 1\" for \"--device-cgroup-rule\" flag: invalid device cgroup format 'x 1'"
}

@test "cgroup v2 device filter compiled from rules: an extra rule opens one device, read-only" {
	local base
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then base=/sys/fs/cgroup
	elif [ -d /sys/fs/cgroup/unified ]; then base=/sys/fs/cgroup/unified
	else skip "no cgroup2 hierarchy"; fi
	[ -e /dev/loop0 ] || skip "no /dev/loop0"
	local d="$base/berth-devtest2-$$"
	mkdir "$d"
	run_berth debug devfilter "$d" 'b 7:0 r' || { rmdir "$d"; false; }
	run sh -c "echo \$\$ > '$d/cgroup.procs'; head -c1 /dev/loop0 >/dev/null && echo loop0-read;
		(exec 3>/dev/loop0) 2>/dev/null && echo loop0-WRITE; (exec 3</dev/loop1) 2>/dev/null && echo loop1-OPEN;
		echo x > /dev/null && echo null-ok; echo end"
	rmdir "$d"
	assert_output_contains "loop0-read"
	assert_output_contains "null-ok"
	[[ "$output" != *WRITE* ]]
	[[ "$output" != *OPEN* ]]
}
