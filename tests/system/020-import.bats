#!/usr/bin/env bats
# 020-import: `berth import` turns a rootfs tarball into an image.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "import a rootfs tarball as busybox:latest" {
	import_busybox
	[[ "$BUSYBOX_ID" =~ ^sha256:[0-9a-f]{64}$ ]]
	run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_equal "$output" "busybox:latest ${BUSYBOX_ID:7:12}"
	run_berth image inspect -f '{{.Comment}}|{{.Os}}|{{len .RootFS.Layers}}' busybox
	assert_equal "$output" "Imported from -|linux|1"
	# the layer is extracted once under layers/<chain-id>/diff and holds the rootfs
	local chain
	chain=$("$BERTH" image inspect -f '{{index .RootFS.Layers 0}}' busybox)
	[ -x "$BERTH_ROOT/layers/${chain#sha256:}/diff/bin/busybox" ]
	[ -L "$BERTH_ROOT/layers/${chain#sha256:}/diff/bin/sh" ]
	grep -q '^user:x:1000:1000' "$BERTH_ROOT/layers/${chain#sha256:}/diff/etc/passwd"
	assert_check_clean
}

@test "import from stdin with --change and -m" {
	run bash -c "'$BERTH' import -c 'CMD [\"/bin/sh\",\"-c\",\"echo hi\"]' -c 'ENV A=1 B=\"two words\"' -c 'WORKDIR /tmp' -c 'EXPOSE 80' -c 'LABEL x=y' -c 'USER user' -m 'my message' - myimg:v1 < '$(busybox_tarball)'"
	[ "$status" -eq 0 ]
	run_berth inspect -f '{{json .Config.Cmd}} {{.Config.Env}} {{.Config.WorkingDir}} {{.Config.User}} {{.Config.Labels.x}} {{json .Config.ExposedPorts}} {{.Comment}}' myimg:v1
	assert_equal "$output" '["/bin/sh","-c","echo hi"] [A=1 B=two words] /tmp user y {"80/tcp":{}} my message'
	run_berth history --format '{{.Comment}}' myimg:v1
	assert_equal "$output" "my message"
}

@test "import of a gzip-compressed tarball gives the same layer" {
	gzip -c "$(busybox_tarball)" > "$BATS_TEST_TMPDIR/bb.tar.gz"
	run_berth import "$BATS_TEST_TMPDIR/bb.tar.gz" gz:1
	run_berth import "$(busybox_tarball)" plain:1
	a=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' gz:1)
	b=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' plain:1)
	assert_equal "$a" "$b"
	[ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 1 ]
	assert_check_clean
}

@test "import rejects an unknown --change instruction and a bad reference" {
	run_berth --exit 125 import -c 'FROM scratch' "$(busybox_tarball)"
	assert_output_contains "from is not a valid change command"
	run_berth --exit 125 import "$(busybox_tarball)" 'Bad:Name'
	assert_output_contains "invalid reference format"
	run_berth --exit 125 import /nonexistent.tar
	assert_output_contains "/nonexistent.tar"
	run_berth --exit 1 import
	assert_output_contains "requires at least 1 argument"
}

@test "hostile tars are refused on import and leave the store clean" {
	for kind in dotdot symlink hardlink; do
		hostile_tar "$BATS_TEST_TMPDIR/$kind.tar" $kind
		run "$BERTH" import "$BATS_TEST_TMPDIR/$kind.tar" evil:$kind
		[ "$status" -ne 0 ] || { echo "import of $kind tar succeeded" >&2; return 1; }
		[ ! -e /tmp/berth-escape-$kind ]
	done
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
	[ -z "$(ls "$BERTH_ROOT/blobs/sha256")" ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]
}

@test "image size counts hard-linked files once, as Docker does" {
	local r="$BATS_TEST_TMPDIR/r"
	mkdir -p "$r"
	head -c 100000 /dev/zero > "$r/a"
	ln "$r/a" "$r/b"
	ln -s a "$r/c"
	tar cf "$BATS_TEST_TMPDIR/h.tar" -C "$r" .
	run_berth import "$BATS_TEST_TMPDIR/h.tar" hl:1
	run_berth inspect -f '{{.Size}}' hl:1
	assert_equal "$output" "100001"
}
