#!/usr/bin/env bats
# 037-monitor: the per-container monitor outlives the CLI, is small, and ps stays truthful when
# the monitor, the container or the attached CLI is killed with SIGKILL; nothing leaks.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

monitor_pid() { pgrep -f "^berth-monitor ${1:0:12}"; }

@test "the monitor outlives the CLI, in its own session, and is small" {
	run_berth run -d --name m1 busybox sleep 1000
	local id=$output mon
	mon=$(monitor_pid "$id")
	[ -n "$mon" ]
	# its parent is not the CLI (double fork), and it leads no terminal
	[ "$(ps -o ppid= -p "$mon" | tr -d ' ')" != "$$" ]
	local pss
	pss=$(awk '/^Pss:/ {print $2}' /proc/$mon/smaps_rollup)
	echo "monitor Pss ${pss} kB" >&3
	[ "$pss" -lt 3072 ]
	# its fds: the log, the pipes, /dev/null, nothing inherited from the CLI's store
	! ls -l /proc/$mon/fd | grep -q berth.db
	run_berth rm -f m1
	# gone (or a zombie waiting for init to reap it)
	wait_for bash -c "[ ! -d /proc/$mon ] || [ \"\$(awk '{print \$3}' /proc/$mon/stat)\" = Z ]"
}

@test "kill -9 of the monitor: the container goes too and ps says Exited (137)" {
	run_berth run -d --name m2 busybox sleep 1000
	local id=$output mon cpid
	mon=$(monitor_pid "$id")
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m2)
	kill -9 "$mon"
	wait_for bash -c "! kill -0 $cpid 2>/dev/null"
	run_berth ps -a --filter name=m2 --format '{{.Status}}'
	local re='^Exited \(137\) '
	[[ "$output" =~ $re ]]
	run_berth rm m2
	[ ! -d "$(runtime_cgroup_dir "$id")" ]
}

@test "kill -9 of the container: the monitor records 137" {
	run_berth run -d --name m3 busybox sleep 1000
	local cpid
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m3)
	kill -9 "$cpid"
	run_berth wait m3
	assert_equal "$output" "137"
	run_berth container inspect -f '{{.State.Status}} {{.State.Running}}' m3
	assert_equal "$output" "exited false"
	run_berth rm m3
}

@test "kill -9 of an attached CLI: the container dies with it, ps is truthful" {
	"$BERTH" run --name m4 busybox sleep 1000 &
	local cli=$!
	wait_for bash -c "'$BERTH' ps --format '{{.Names}}' | grep -qx m4"
	local cpid id
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m4)
	id=$("$BERTH" container inspect -f '{{.Id}}' m4)
	kill -9 $cli
	wait $cli || true
	wait_for bash -c "! kill -0 $cpid 2>/dev/null"
	run_berth ps -a --filter name=m4 --format '{{.State}}'
	assert_equal "$output" "exited"
	run_berth rm m4
	[ ! -d "$(runtime_cgroup_dir "$id")" ]
}

@test "start of an exited container reuses its rootfs; no mount is visible on the host" {
	run_berth run --name m5 busybox sh -c 'echo kept > /state'
	run_berth start -a m5
	run_berth exec m5 true 2>/dev/null || true
	run_berth create --name m6 busybox cat /state
	run_berth run -d --name m7 busybox sleep 100
	# the overlay lives only in the container's mount namespace
	! grep -q "$BERTH_ROOT" /proc/self/mountinfo
	run_berth rm -f m5 m6 m7
}

@test "100 quick containers leave no processes, cgroups or directories" {
	for i in $(seq 10); do "$BERTH" run --rm busybox true; done
	for i in $(seq 5); do "$BERTH" run -d busybox true >/dev/null; done
	sleep 0.5
	run_berth ps -aq --no-trunc
	[ -n "$output" ]
	local ids=$output
	"$BERTH" rm -f $ids >/dev/null
	run_berth ps -aq
	assert_equal "$output" ""
	[ -z "$(ls "$BERTH_ROOT/containers")" ]
	# a monitor that recorded its container's exit may still be finishing: wait for the end
	wait_for no_monitor_of $ids
}

# no_monitor_of ID...: no berth-monitor process of this file's store is left (by its command
# line: the root, or the title "berth-monitor ID12" of a steady monitor of one of the IDs)
no_monitor_of() {
	local p t id
	for p in $(pgrep -f '^berth-monitor'); do
		t=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
		[[ "$t" == *"$BERTH_ROOT"* ]] && return 1
		for id in "$@"; do
			[[ "$t" == "berth-monitor ${id:0:12}"* ]] && return 1
		done
	done
	return 0
}

@test "the monitor is berth-monitor: static, under 1 MiB, the container's parent, no database, no socket" {
	run_berth run -d --name m8 busybox sh -c 'echo out; echo err >&2; sleep 1000'
	local id=$output mon cpid rss
	mon=$(monitor_pid "$id")
	[ -n "$mon" ]
	# exec'd in place: the process that cloned the container is still its parent
	[[ "$(readlink /proc/$mon/exe)" == */berth-monitor ]]
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m8)
	[ "$(awk '{print $4}' /proc/$cpid/stat)" = "$mon" ]
	# statically linked: no shared library mapped
	! grep -q '\.so' /proc/$mon/maps
	rss=$(awk '/^Rss:/ {print $2}' /proc/$mon/smaps_rollup)
	echo "berth-monitor Rss ${rss} kB" >&3
	[ "$rss" -lt 1024 ]
	# its fds: /dev/null, the two pipes, the log, a signalfd; nothing else
	! ls -l /proc/$mon/fd | grep -Eq 'socket:|berth\.db'
	[ "$(ls /proc/$mon/fd | wc -l)" -le 7 ]
	wait_for bash -c "'$BERTH' logs m8 2>&1 | grep -q err"
	run_berth logs m8
	assert_output_contains "out"
	run_berth stop -t 1 m8
	run_berth container inspect -f '{{.State.Status}} {{.State.ExitCode}}' m8
	assert_equal "$output" "exited 137"
	run_berth rm m8
}

@test "a restart happens in place: same monitor PID, the record stays truthful" {
	run_berth run -d --name m9 --restart always busybox sleep 1000
	local id=$output mon cpid
	mon=$(monitor_pid "$id")
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m9)
	kill -9 "$cpid"
	wait_for bash -c "[ \"\$('$BERTH' inspect -f '{{.RestartCount}} {{.State.Running}}' m9)\" = '1 true' ]"
	[ "$(monitor_pid "$id")" = "$mon" ]
	[[ "$(readlink /proc/$mon/exe)" == */berth-monitor ]]
	cpid=$("$BERTH" container inspect -f '{{.State.Pid}}' m9)
	[ "$(awk '{print $4}' /proc/$cpid/stat)" = "$mon" ]
	run_berth rm -f m9
	[ ! -d /proc/$mon ] || [ "$(awk '{print $3}' /proc/$mon/stat)" = Z ]
}

@test "kill -9 of a monitor sleeping through a restart backoff: ps says Exited, nothing restarts" {
	run_berth run -d --name m10 --restart always busybox sh -c 'exit 2'
	local id=$output mon
	# after a few tries the backoff is long enough to catch the monitor in it
	wait_for bash -c "[ \$('$BERTH' inspect -f '{{.RestartCount}}' m10) -ge 4 ]"
	wait_for bash -c "[ \"\$('$BERTH' inspect -f '{{.State.Status}}' m10)\" = restarting ]"
	mon=$(monitor_pid "$id")
	kill -9 $mon
	wait_for bash -c "[ \"\$('$BERTH' inspect -f '{{.State.Status}} {{.State.Restarting}}' m10)\" = 'exited false' ]"
	run_berth ps -a --filter name=m10 --format '{{.Status}}'
	[[ "$output" == "Exited (2) "* ]]
	local n
	n=$("$BERTH" inspect -f '{{.RestartCount}}' m10)
	sleep 1
	[ "$("$BERTH" inspect -f '{{.RestartCount}}' m10)" = "$n" ]
	run_berth rm m10
}

@test "without berth-monitor next to berth, the monitor is berth itself (same behaviour)" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$BERTH" "$BATS_TEST_TMPDIR/bin/berth"
	local B="$BATS_TEST_TMPDIR/bin/berth" id mon
	id=$("$B" run -d --name m11 busybox sh -c 'echo fallback; sleep 1000')
	mon=$(monitor_pid "$id")
	[ -n "$mon" ]
	[ "$(readlink /proc/$mon/exe)" = "$B" ]
	wait_for bash -c "'$B' logs m11 | grep -q fallback"
	"$B" stop -t 1 m11
	run "$B" container inspect -f '{{.State.Status}} {{.State.ExitCode}}' m11
	assert_equal "$output" "exited 137"
	"$B" rm m11
}
