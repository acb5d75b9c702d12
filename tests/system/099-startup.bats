#!/usr/bin/env bats
# 099-startup: the start-up savings keep behaviour intact (docs/startup.md): lazily loaded
# libraries, the cached seccomp filter, the skipped no-op nftables sync, the store's schema
# version.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() {
	runtime_teardown_file
	local t b
	t=$("$BERTH" debug net-names | sed -n 's/^table=ip //p')
	b=$("$BERTH" debug net-names | sed -n 's/^bridge=//p')
	[ -n "$t" ] && nft delete table ip "$t" 2>/dev/null
	[ -n "$b" ] && ip link del "$b" 2>/dev/null
	true
}
setup() { berth_setup_root; }

@test "berth links neither libcurl, libarchive, libnftables, libfyaml nor libcrypto" {
	run ldd "$BERTH"
	[ "$status" = 0 ]
	for l in libcurl libarchive libnftables libfyaml libcrypto; do
		[[ "$output" != *"$l."* ]] || { echo "linked: $l"; return 1; }
	done
	# and loads them when needed: a tar import (libarchive) and an image save work
	run_berth save -o "$BATS_TEST_TMPDIR/s.tar" busybox
	run tar tf "$BATS_TEST_TMPDIR/s.tar"
	assert_output_contains "manifest.json"
}

@test "the store records its schema version and reopens without DDL" {
	run_berth images -q
	run sqlite3 "$BERTH_ROOT/berth.db" 'PRAGMA user_version' 2>/dev/null ||
		run python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])" "$BERTH_ROOT/berth.db"
	[ "$status" = 0 ]
	[ "$output" != 0 ]
	# a store whose version is unknown (another build) gets the schemas applied again
	python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=7'); c.commit()" "$BERTH_ROOT/berth.db"
	run_berth images -q
	run python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])" "$BERTH_ROOT/berth.db"
	[ "$output" != 7 ]
}

@test "the seccomp filter is compiled once per capability set and still enforced" {
	rm -rf "$BERTH_RUNROOT/seccomp"
	run_berth run --rm --network none busybox sh -c 'unshare -n true 2>/dev/null; echo $?; grep ^Seccomp: /proc/self/status'
	assert_equal "${lines[0]}" "1"
	assert_output_contains "Seccomp:	2"
	run ls "$BERTH_RUNROOT/seccomp"
	[ "${#lines[@]}" = 1 ]
	# from the cache: same verdicts
	run_berth run --rm --network none busybox sh -c 'unshare -n true 2>/dev/null; echo $?'
	assert_equal "$output" "1"
	run_berth run --rm --network none --cap-add SYS_ADMIN busybox sh -c 'unshare -n true 2>/dev/null; echo $?'
	assert_equal "$output" "0"
	run ls "$BERTH_RUNROOT/seccomp"
	[ "${#lines[@]}" = 2 ]
	# a cache file others could have written is not trusted: rebuilt filter, same verdict
	chmod 0666 "$BERTH_RUNROOT"/seccomp/*.bpf
	run_berth run --rm --network none busybox sh -c 'unshare -n true 2>/dev/null; echo $?'
	assert_equal "$output" "1"
}

@test "an unchanged nftables table is not rewritten, a deleted one is repaired" {
	command -v nft >/dev/null || skip "nft not installed"
	local t h1 h2
	t=$("$BERTH" debug net-names | sed -n 's/^table=ip //p')
	run_berth run -d --name keep --network bridge busybox sleep 300
	[ -s "$BERTH_RUNROOT/net/nft-state" ]
	# a container without ports on a network already in use changes no rule: the table's
	# handles stay the same (nothing was rebuilt)
	h1=$(nft -a list table ip "$t" | md5sum)
	run_berth run --rm --network bridge busybox true
	h2=$(nft -a list table ip "$t" | md5sum)
	assert_equal "$h2" "$h1"
	# somebody deletes berth's table: the next start (even without ports) rebuilds it
	nft delete table ip "$t"
	! nft list table ip "$t" >/dev/null 2>&1
	run_berth run --rm --network bridge busybox true
	nft list table ip "$t" >/dev/null
	run_berth rm -f keep
}

@test "the store's write-ahead log does not grow without bound under many short writers" {
	local i
	for i in $(seq 1 700); do "$BERTH" tag busybox:latest walgrow/x:$i || return 1; done
	# ~3.5 pages per tag: without the truncating checkpoint the log passes 9 MB here
	local size
	size=$(stat -c %s "$BERTH_ROOT/berth.db-wal" 2>/dev/null || echo 0)
	[ "$size" -le $((3 << 20)) ]
	run_berth images --format '{{.Repository}}'
	[ "$(grep -c '^walgrow/x$' <<<"$output")" = 700 ]
}
