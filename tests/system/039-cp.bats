#!/usr/bin/env bats
# 039-cp: berth cp both ways, running and stopped containers, and symlink escapes (CVE-2018-15664).
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "cp from and to a running container" {
	run_berth run -d --name cpr busybox sleep 100
	local d=$BATS_TEST_TMPDIR
	run_berth cp cpr:/etc/passwd "$d/"
	grep -q '^user:x:1000' "$d/passwd"
	run_berth cp cpr:/var/www "$d/www"
	[ "$(cat "$d/www/index.html")" = "hello from busybox" ]
	echo into > "$d/in.txt"
	run_berth cp "$d/in.txt" cpr:/tmp/
	run_berth exec cpr cat /tmp/in.txt
	assert_equal "$output" "into"
	mkdir -p "$d/tree/sub" && echo deep > "$d/tree/sub/f"
	run_berth cp "$d/tree" cpr:/opt
	run_berth exec cpr cat /opt/sub/f
	assert_equal "$output" "deep"
	run_berth --exit 1 cp cpr:/nonexistent "$d/"
	assert_output_contains "Could not find the file /nonexistent in container"
	run_berth rm -f cpr
}

@test "cp with a stopped container uses a private mount (nothing left mounted)" {
	run_berth create --name cps busybox cat /root/note
	echo noted > "$BATS_TEST_TMPDIR/note"
	run_berth cp "$BATS_TEST_TMPDIR/note" cps:/root/note
	run_berth start -a cps
	assert_equal "$output" "noted"
	run_berth cp cps:/root/note "$BATS_TEST_TMPDIR/back"
	[ "$(cat "$BATS_TEST_TMPDIR/back")" = noted ]
	! grep -q "$BERTH_ROOT" /proc/self/mountinfo
	run_berth rm cps
}

@test "symlinks in the container never lead cp to the host" {
	local victim="$BATS_TEST_TMPDIR/victimdir"
	mkdir -p "$victim"
	echo host-secret > "$BATS_TEST_TMPDIR/secret"
	run_berth run -d --name cpx busybox sleep 100
	# a directory symlink pointing at the host path, and a file symlink to a host file
	run_berth exec cpx sh -c "ln -s '$victim' /evil && ln -s '$BATS_TEST_TMPDIR/secret' /leak && ln -s ../../../../../../.. /up"
	echo payload > "$BATS_TEST_TMPDIR/payload"
	run "$BERTH" cp "$BATS_TEST_TMPDIR/payload" cpx:/evil/
	[ -z "$(ls -A "$victim")" ]
	run "$BERTH" cp "$BATS_TEST_TMPDIR/payload" cpx:/up/payload2
	[ ! -e /payload2 ]
	# reading through a symlink reads the symlink, never the host file
	run_berth cp cpx:/leak "$BATS_TEST_TMPDIR/out"
	[ -L "$BATS_TEST_TMPDIR/out" ]
	run_berth rm -f cpx
}

@test "export writes the container's rootfs as tar, without /proc or /dev contents" {
	run_berth run --name exp busybox sh -c 'echo exported > /newfile'
	"$BERTH" export exp > "$BATS_TEST_TMPDIR/exp.tar"
	run tar -xOf "$BATS_TEST_TMPDIR/exp.tar" newfile
	assert_equal "$output" "exported"
	run tar -tf "$BATS_TEST_TMPDIR/exp.tar"
	assert_output_contains "bin/busybox"
	[[ "$output" != *"proc/self"* ]]
	run_berth run -d --name exp2 busybox sleep 100
	run_berth export -o "$BATS_TEST_TMPDIR/exp2.tar" exp2
	run tar -tf "$BATS_TEST_TMPDIR/exp2.tar"
	assert_output_contains "etc/passwd"
	[[ "$output" != *"proc/1/"* ]]
	run_berth rm -f exp exp2
}
