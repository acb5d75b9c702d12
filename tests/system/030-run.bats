#!/usr/bin/env bats
# 030-run: berth run: commands, ENTRYPOINT/CMD, env, workdir, user, hostname, exit codes.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "run prints the command's output and propagates the exit status" {
	run_berth run --rm busybox echo hello
	assert_equal "$output" "hello"
	run_berth --exit 42 run --rm busybox sh -c 'exit 42'
}

@test "run --rootfs uses a directory as the root filesystem" {
	run_berth run --rm --rootfs "$BBROOT" cat /var/www/index.html
	assert_equal "$output" "hello from busybox"
	# the directory itself is never written: an overlay takes the writes
	run_berth run --rm --rootfs "$BBROOT" sh -c 'echo x > /newfile && cat /newfile'
	[ ! -e "$BBROOT/newfile" ]
}

@test "exit codes 125, 126, 127 with Docker's messages" {
	bats_require_minimum_version 1.5.0
	run -127 "$BERTH" run --rm busybox /no/such/thing
	assert_output_contains 'exec: "/no/such/thing": stat /no/such/thing: no such file or directory'
	run -127 "$BERTH" run --rm busybox nosuchcmd
	assert_output_contains 'exec: "nosuchcmd": executable file not found in $PATH'
	run_berth --exit 126 run --rm busybox /etc/passwd
	assert_output_contains 'permission denied'
	run_berth --exit 125 run --rm --bogus-flag busybox true
	# a missing image is pulled first (as docker run); the registry here is a closed loopback
	# port, so no test traffic leaves the machine
	run_berth --exit 125 run --rm 127.0.0.1:1/nosuchimage true
	assert_output_contains "Unable to find image '127.0.0.1:1/nosuchimage:latest' locally"
	assert_output_contains "connection refused"
	run_berth --exit 125 run --rm -u nosuchuser busybox true
	assert_output_contains "unable to find user nosuchuser: no matching entries in passwd file"
	run_berth --exit 125 run --rm busybox
	assert_output_contains "No command specified"
}

@test "ENTRYPOINT and CMD combine as Docker's; --entrypoint resets CMD" {
	"$BERTH" import --change 'ENTRYPOINT ["echo","ep"]' --change 'CMD ["default"]' "$(busybox_tarball)" epimg >/dev/null
	run_berth run --rm epimg
	assert_equal "$output" "ep default"
	run_berth run --rm epimg given args
	assert_equal "$output" "ep given args"
	run_berth run --rm --entrypoint /bin/echo epimg only
	assert_equal "$output" "only"
	run_berth --exit 125 run --rm --entrypoint '' epimg
	run_berth rmi epimg
}

@test "environment: defaults, -e, -e KEY from the caller, --env-file" {
	printf '# comment\nFROMFILE=yes\n\nOVER=file\n' > "$BATS_TEST_TMPDIR/env"
	export PASSED_THROUGH=caller
	run_berth run --rm -h myhost --env-file "$BATS_TEST_TMPDIR/env" -e OVER=flag -e PASSED_THROUGH -e UNSET_VAR_XYZ busybox env
	assert_output_contains "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_output_contains "HOSTNAME=myhost"
	assert_output_contains "HOME=/root"
	assert_output_contains "FROMFILE=yes"
	assert_output_contains "OVER=flag"
	assert_output_contains "PASSED_THROUGH=caller"
	[[ "$output" != *UNSET_VAR_XYZ* ]]
}

@test "-w creates the working directory; -h sets the hostname" {
	run_berth run --rm -w /made/here -h box1 busybox sh -c 'pwd; hostname; cat /etc/hostname'
	assert_equal "$output" "/made/here
box1
box1"
	run_berth --exit 125 run --rm -w relative busybox true
}

@test "-u resolves users and groups in the image's passwd and group files" {
	run_berth run --rm -u user busybox id
	assert_equal "$output" "uid=1000(user) gid=1000(user) groups=10(wheel),100(users),1000(user)"
	run_berth run --rm -u 1000:100 busybox id
	assert_equal "$output" "uid=1000(user) gid=100(users) groups=100(users)"
	run_berth run --rm -u nobody:users busybox id -u
	assert_equal "$output" "65534"
	run_berth run --rm -u 4242 busybox id
	assert_equal "$output" "uid=4242 gid=0(root) groups=0(root)"
	run_berth run --rm -u user busybox sh -c 'echo $HOME'
	assert_equal "$output" "/home/user"
}

@test "the default hostname is the short container id" {
	run_berth run --name hn1 busybox hostname
	local h=$output
	run_berth container inspect -f '{{.Id}}' hn1
	assert_equal "${output:0:12}" "$h"
	run_berth rm hn1
}

@test "--rm removes the container and its directory" {
	run_berth run --rm --name gone busybox true
	run_berth --exit 1 container inspect gone
	[ -z "$(ls "$BERTH_ROOT/containers")" ]
}

@test "stdin is passed with -i" {
	run bash -c "echo piped | '$BERTH' run --rm -i busybox cat"
	assert_equal "$output" "piped"
	run bash -c "echo piped | '$BERTH' run --rm busybox cat"
	assert_equal "$output" ""
}

@test "-t gives a real pty with the caller's window size" {
	run script -qec "stty cols 91 rows 33; '$BERTH' run --rm -t busybox sh -c 'tty; stty size; echo \$TERM'" /dev/null
	assert_output_contains "/dev/pts/0"
	assert_output_contains "33 91"
	assert_output_contains "xterm"
}

@test "--init reaps zombies and forwards signals; it is pid 1" {
	run_berth run --rm --init busybox sh -c 'ps -o pid,args | sed -n 2p'
	assert_output_contains "1 init"
	run_berth run --rm --init busybox sh -c '(sleep 0.1 &) ; sleep 0.5; ps -o stat | grep -c Z || true'
	assert_equal "$output" "0"
	run_berth -l error run -d --init --name ini busybox sleep 100
	run_berth kill -s TERM ini
	run_berth wait ini
	assert_equal "$output" "143"
	run_berth rm ini
}

@test "signals are forwarded to an attached container" {
	"$BERTH" run --rm --name sig busybox sh -c 'trap "echo got-term; exit 3" TERM; echo ready; while true; do sleep 0.1; done' > "$BATS_TEST_TMPDIR/out" &
	local pid=$!
	wait_for grep -q ready "$BATS_TEST_TMPDIR/out"
	kill -TERM $pid
	wait $pid || status=$?
	assert_equal "${status:-0}" "3"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output_contains "got-term"
}

@test "an image with 150 layers runs (fd-based overlay mount, no option-length limit)" {
	"$FIXTURES/mkmanylayers" "$BATS_FILE_TMPDIR/many.tar" 150 "$(busybox_tarball)"
	run_berth load -i "$BATS_FILE_TMPDIR/many.tar"
	run_berth run --rm manylayers sh -c 'ls /layers | wc -l; cat /layers/l0 /layers/l149'
	assert_equal "$output" "150
0149"
	run_berth rmi manylayers
}
