#!/usr/bin/env bats
# 03d-attach: `attach` to a detached container's monitor, as Docker's: output from now on,
# stdin (-i pipe, -t pty), the exit status, signal proxying, the detach keys.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "attach: stdin of a -i container, output, exit status" {
	run_berth run -d -i --name a1 busybox sh
	run bash -c "(sleep 0.5; echo 'echo hi2'; echo 'echo oops >&2'; sleep 0.5; echo 'exit 3') | '$BERTH' attach a1"
	[ "$status" = 3 ]
	assert_output_contains "hi2"
	assert_output_contains "oops"
	run_berth inspect -f '{{.State.Status}} {{.State.ExitCode}}' a1
	assert_equal "$output" "exited 3"
	run_berth rm a1
}

@test "attach: only new output, then the container's exit code; stopped or paused containers refused" {
	run_berth run -d --name a2 busybox sh -c 'echo before; sleep 1.5; echo late; echo err >&2; exit 4'
	wait_for sh -c "'$BERTH' logs a2 | grep -q before"
	run "$BERTH" attach a2
	[ "$status" = 4 ]
	assert_output_contains "late"
	assert_output_contains "err"
	[[ "$output" != *before* ]]
	run_berth --exit 1 attach a2
	assert_equal "$output" "You cannot attach to a stopped container, start it first"
	run_berth run -d --name a3 busybox sleep 60
	run_berth pause a3
	run_berth --exit 1 attach a3
	assert_equal "$output" "You cannot attach to a paused container, unpause it first"
	run_berth unpause a3
	run_berth rm -f a2 a3
	run_berth --exit 1 attach nosuch
	assert_output_contains "No such container: nosuch"
}

@test "attach --sig-proxy: a signal to attach reaches the container; --no-stdin" {
	run_berth run -d -i --name a4 busybox sh -c 'trap "echo got-term; exit 7" TERM; while :; do sleep 0.1; done'
	# the container's trap is set (its init ignores a TERM it does not catch)
	local cpid
	cpid=$("$BERTH" inspect -f '{{.State.Pid}}' a4)
	wait_for bash -c "(( 0x\$(awk '/^SigCgt:/ {print \$2}' /proc/$cpid/status) & 0x4000 ))"
	"$BERTH" attach --no-stdin a4 > "$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	# wait until attach proxies signals (SIGTERM blocked for its signalfd), not a fixed time:
	# a TERM that comes earlier kills attach itself (143)
	wait_for bash -c "(( 0x\$(awk '/^SigBlk:/ {print \$2}' /proc/$pid/status) & 0x4000 ))"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 7 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
	# --sig-proxy=false: attach itself dies, the container goes on
	run_berth run -d --name a5 busybox sleep 60
	"$BERTH" attach --sig-proxy=false a5 >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid" || true
	run_berth inspect -f '{{.State.Status}}' a5
	assert_equal "$output" "running"
	run_berth rm -f a4 a5
}

@test "attach to a -t container: its terminal, and ctrl-p ctrl-q detaches (read escape sequence, exit 1)" {
	command -v script >/dev/null || skip "no script(1)"
	run_berth run -d -it --name a6 busybox sh
	run bash -c "(sleep 0.7; printf 'echo hel''lo\r'; sleep 0.7; printf '\x10\x11'; sleep 0.5) | script -qec '$BERTH attach a6' /dev/null"
	assert_output_contains "hello"
	assert_output_contains "read escape sequence"
	run_berth inspect -f '{{.State.Status}}' a6
	assert_equal "$output" "running"
	# --detach-keys
	run bash -c "(sleep 0.7; printf 'xy'; sleep 0.5) | script -qec '$BERTH attach --detach-keys x,y a6' /dev/null"
	assert_output_contains "read escape sequence"
	run_berth --exit 1 attach --detach-keys ctrl-% a6
	assert_output_contains "Invalid detach keys (ctrl-%) provided"
	run_berth rm -f a6
}

@test "start -a of a container that already runs attaches to it (as docker start -a)" {
	run_berth run -d --name a9 busybox sh -c 'echo before; sleep 1.5; echo late; exit 5'
	wait_for sh -c "'$BERTH' logs a9 | grep -q before"
	run "$BERTH" start -a a9
	[ "$status" = 5 ]
	assert_output_contains "late"
	[[ "$output" != *before* ]]
	[[ "$output" != *"not supported"* ]]
	run_berth rm a9
}
