#!/usr/bin/env bats
# 026-save: `berth save` in docker-archive, oci-archive and oci-dir form, read by skopeo and
# unpacked by umoci to the same files berth extracted.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "save -o writes a docker-archive skopeo can read" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	tar tf "$BATS_TEST_TMPDIR/bb.tar" | grep -qx manifest.json
	tar xOf "$BATS_TEST_TMPDIR/bb.tar" manifest.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m[0]["RepoTags"] == ["busybox:latest"], m
assert m[0]["Config"] == sys.argv[1] + ".json", m' "${BUSYBOX_ID:7}"
	command -v skopeo >/dev/null || skip "skopeo not installed"
	run skopeo inspect --config "docker-archive:$BATS_TEST_TMPDIR/bb.tar"
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c 'import json,sys; c=json.load(sys.stdin); assert c["os"]=="linux" and len(c["rootfs"]["diff_ids"])==1'
	# the config skopeo reads is the image's config: its digest is the image ID
	run skopeo inspect --raw --config "docker-archive:$BATS_TEST_TMPDIR/bb.tar"
	assert_equal "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" "$BUSYBOX_ID"
}

@test "save to stdout equals save -o" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/a.tar" busybox
	"$BERTH" save busybox > "$BATS_TEST_TMPDIR/b.tar"
	cmp "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/b.tar"
}

@test "save --format oci-archive and oci-dir: skopeo inspects, umoci unpacks the same files" {
	command -v skopeo >/dev/null || skip "skopeo not installed"
	command -v umoci >/dev/null || skip "umoci not installed"
	import_busybox
	run_berth save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" busybox
	run skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/oci.tar"
	[ "$status" -eq 0 ]
	assert_output_contains '"Os": "linux"'
	run_berth save --format oci-dir -o "$BATS_TEST_TMPDIR/ocidir" busybox
	[ -f "$BATS_TEST_TMPDIR/ocidir/oci-layout" ]
	run skopeo inspect --config "oci:$BATS_TEST_TMPDIR/ocidir:latest"
	[ "$status" -eq 0 ]
	run umoci unpack --image "$BATS_TEST_TMPDIR/ocidir:latest" "$BATS_TEST_TMPDIR/bundle"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	local chain
	chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' busybox)
	diff <(tree_listing "$BATS_TEST_TMPDIR/bundle/rootfs") <(tree_listing "$BERTH_ROOT/layers/${chain#sha256:}/diff")
	diff -r --no-dereference "$BATS_TEST_TMPDIR/bundle/rootfs" "$BERTH_ROOT/layers/${chain#sha256:}/diff"
}

@test "save of several images and of an ID" {
	import_busybox
	run_berth import "$(busybox_tarball)" second:1
	run_berth save -o "$BATS_TEST_TMPDIR/two.tar" busybox second:1
	n=$(tar xOf "$BATS_TEST_TMPDIR/two.tar" manifest.json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	assert_equal "$n" 2
	# shared layer written once
	assert_equal "$(tar tf "$BATS_TEST_TMPDIR/two.tar" | grep -c '\.tar$')" 1
	run_berth save -o "$BATS_TEST_TMPDIR/id.tar" "${BUSYBOX_ID:7:12}"
	tags=$(tar xOf "$BATS_TEST_TMPDIR/id.tar" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["RepoTags"])')
	assert_equal "$tags" "None"
}

@test "save errors" {
	run_berth --exit 1 save -o "$BATS_TEST_TMPDIR/x.tar" nosuch
	assert_output_contains "No such image: nosuch"
	[ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
	import_busybox
	run_berth --exit 125 save --format bogus -o x busybox
	assert_output_contains "invalid --format"
	run_berth --exit 1 save
	assert_output_contains "requires at least 1 argument"
}

@test "save of a bare repository name saves all its tags" {
	import_busybox
	run_berth tag busybox busybox:1.36
	run_berth tag busybox other:1
	run_berth save -o "$BATS_TEST_TMPDIR/repo.tar" busybox
	tags=$(tar xOf "$BATS_TEST_TMPDIR/repo.tar" manifest.json | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)[0]["RepoTags"])))')
	assert_equal "$tags" "busybox:1.36 busybox:latest"
	run_berth save -o "$BATS_TEST_TMPDIR/one.tar" busybox:1.36
	tags=$(tar xOf "$BATS_TEST_TMPDIR/one.tar" manifest.json | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)[0]["RepoTags"]))')
	assert_equal "$tags" "busybox:1.36"
}
