#!/usr/bin/env bats
# 034-exec: exec joins the container's namespaces with the same security setup.
load ../lib/runtime

setup_file() {
	runtime_setup_file
	"$BERTH" run -d --name ex busybox sleep 1000 >/dev/null
}
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "exec runs in the container: same pid namespace, hostname, rootfs" {
	run_berth exec ex sh -c 'ps -o pid,comm | grep sleep; hostname; cat /var/www/index.html'
	assert_equal "$(echo ${lines[0]})" "1 sleep"
	assert_equal "${lines[2]}" "hello from busybox"
	run_berth container inspect -f '{{.Config.Hostname}}' ex
	local hn=$output
	run_berth exec ex hostname
	assert_equal "$output" "$hn"
}

@test "exec has Docker's capabilities and seccomp, even for root" {
	run_berth exec ex grep -E '^(CapEff|Seccomp):' /proc/self/status
	assert_output_contains "CapEff:	00000000a80425fb"
	assert_output_contains "Seccomp:	2"
	run_berth exec --privileged ex grep Seccomp: /proc/self/status
	assert_output_contains "Seccomp:	0"
}

@test "exec -u -w -e and exit status" {
	run_berth exec -u user -w /tmp -e FOO=bar ex sh -c 'id -u; pwd; echo $FOO'
	assert_equal "$output" "1000
/tmp
bar"
	run_berth --exit 3 exec ex sh -c 'exit 3'
	# Docker's daemon reports every failed exec start as 126
	run_berth --exit 126 exec ex nosuchcmd
	assert_output_contains 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH'
	run_berth --exit 126 exec -w /nonexistent ex true
}

@test "exec -i passes stdin; -d runs in the background; -t gets a pty" {
	run bash -c "echo via-stdin | '$BERTH' exec -i ex cat"
	assert_equal "$output" "via-stdin"
	run_berth exec -d ex sh -c 'echo detached > /tmp/d; sleep 0.2'
	wait_for "$BERTH" exec ex test -s /tmp/d
	run script -qec "'$BERTH' exec -t ex tty" /dev/null
	assert_output_contains "/dev/pts/"
}

@test "exec into a stopped or unknown container fails" {
	run_berth create --name stopped busybox true
	run_berth --exit 1 exec stopped true
	assert_output_contains "is not running"
	run_berth --exit 1 exec nosuch true
	assert_output_contains "No such container: nosuch"
	run_berth rm stopped
}
