#!/usr/bin/env bats
# 090-layer: layer tars from the shell through the hidden `berth debug layer-tar|layer-apply`
# verbs: interop with GNU tar and python's tarfile, round trips, hostile tars refused.
load ../lib/helpers
load ../lib/layer

setup() {
	berth_setup_root
	T=$BATS_TEST_TMPDIR
}

@test "busybox rootfs: apply, re-tar, apply again gives the same tree" {
	bb=$(busybox_tarball)
	mkdir "$T/a" "$T/b"
	run_berth debug layer-apply --flatten "$T/a" < "$bb"
	[[ "$output" == sha256:* ]]
	assert_equal "$output" "sha256:$(sha256sum < "$bb" | cut -d' ' -f1)"
	[ -x "$T/a/bin/busybox" ]
	[ "$(readlink "$T/a/bin/sh")" = /bin/busybox ]
	[ "$(stat -c %a "$T/a/tmp")" = 1777 ]
	"$BERTH" debug layer-tar "$T/a" > "$T/l.tgz" 2> "$T/digests"
	grep -q "^digest: sha256:$(sha256sum < "$T/l.tgz" | cut -d' ' -f1)$" "$T/digests"
	grep -q "^diff_id: sha256:$(gzip -dc < "$T/l.tgz" | sha256sum | cut -d' ' -f1)$" "$T/digests"
	run_berth debug layer-apply "$T/b" < "$T/l.tgz"
	assert_equal "$(tree_listing "$T/b")" "$(tree_listing "$T/a")"
	# deterministic
	"$BERTH" debug layer-tar "$T/a" > "$T/l2.tgz" 2>/dev/null
	cmp "$T/l.tgz" "$T/l2.tgz"
}

@test "layer-tar output reads with GNU tar; zstd and none" {
	mkdir -p "$T/src/d"
	echo hello > "$T/src/d/f"
	ln -s f "$T/src/d/s"
	"$BERTH" debug layer-tar --compress zstd "$T/src" > "$T/l.tzst" 2>/dev/null
	run tar --zstd -tvf "$T/l.tzst"
	[ "$status" -eq 0 ]
	assert_output_contains "d/f"
	assert_output_contains "d/s -> f"
	"$BERTH" debug layer-tar --compress none "$T/src" > "$T/l.tar" 2>/dev/null
	mkdir "$T/x"
	tar -C "$T/x" -xf "$T/l.tar"
	assert_equal "$(cat "$T/x/d/f")" hello
}

@test "an overlay upper dir becomes .wh. entries" {
	mkdir -p "$T/up/opq"
	mknod "$T/up/gone" c 0 0
	setfattr -n trusted.overlay.opaque -v y "$T/up/opq" 2>/dev/null ||
		python3 -c "import os,sys; os.setxattr(sys.argv[1], 'trusted.overlay.opaque', b'y')" "$T/up/opq"
	"$BERTH" debug layer-tar --upper --compress none "$T/up" > "$T/l.tar" 2>/dev/null
	run tar -tf "$T/l.tar"
	assert_output_contains ".wh.gone"
	assert_output_contains "opq/.wh..wh..opq"
	mkdir "$T/lower"
	run_berth debug layer-apply "$T/lower" < "$T/l.tar"
	[ -c "$T/lower/gone" ]
	[ ! -e "$T/lower/.wh.gone" ]
}

@test "GNU tar gzip and xz layers apply" {
	mkdir -p "$T/src/etc" "$T/dst1" "$T/dst2"
	echo x > "$T/src/etc/x"
	tar -C "$T/src" -czf "$T/l.tgz" etc
	tar -C "$T/src" -cJf "$T/l.txz" etc
	run_berth debug layer-apply "$T/dst1" < "$T/l.tgz"
	assert_equal "$output" "sha256:$(gzip -dc < "$T/l.tgz" | sha256sum | cut -d' ' -f1)"
	run_berth debug layer-apply "$T/dst2" < "$T/l.txz"
	assert_equal "$(cat "$T/dst2/etc/x")" x
}

@test "hostile tars are refused naming the entry, nothing written outside" {
	mkdir -p "$T/sandbox/layer" "$T/sandbox/outside"
	echo precious > "$T/sandbox/outside/victim"
	mk_tar "$T/dotdot.tar" "f:../outside/victim:pwned"
	run_berth --exit 125 debug layer-apply "$T/sandbox/layer" < "$T/dotdot.tar"
	assert_output_contains 'layer entry "../outside/victim": path escapes the layer root'
	mk_tar "$T/sym.tar" "l:s:$T/sandbox/outside" "f:s/victim:pwned"
	run_berth --exit 125 debug layer-apply "$T/sandbox/layer" < "$T/sym.tar"
	assert_output_contains 'layer entry "s/victim": refusing to write through symlink "s"'
	mk_tar "$T/dir.tar" "d:d" "l:d:../outside" "f:d/new:pwned"
	run_berth --exit 125 debug layer-apply --flatten "$T/sandbox/layer" < "$T/dir.tar"
	assert_output_contains 'layer entry "d/new"'
	mk_tar "$T/hl.tar" "h:h:../outside/victim"
	run_berth --exit 125 debug layer-apply "$T/sandbox/layer" < "$T/hl.tar"
	assert_output_contains 'layer entry "h": hard link target "../outside/victim" escapes'
	mk_tar "$T/wh.tar" "f:../outside/.wh.victim"
	run_berth --exit 125 debug layer-apply --flatten "$T/sandbox/layer" < "$T/wh.tar"
	assert_equal "$(cat "$T/sandbox/outside/victim")" precious
	assert_equal "$(ls "$T/sandbox/outside")" victim
	assert_equal "$(ls "$T/sandbox" | tr '\n' ' ')" "layer outside "
}

@test "not a tar" {
	mkdir "$T/d"
	head -c 4096 /dev/zero | tr '\0' A > "$T/junk"
	run_berth --exit 125 debug layer-apply "$T/d" < "$T/junk"
	assert_output_contains "Error: layer"
}
