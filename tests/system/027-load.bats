#!/usr/bin/env bats
# 027-load: `berth load` of docker-save archives, OCI archives and layouts; archives written by
# skopeo; hostile and corrupt archives; a kill -9 in the middle of a load.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "save then load restores the same image" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	run_berth rmi busybox
	run_berth load -i "$BATS_TEST_TMPDIR/bb.tar"
	assert_equal "$output" "Loaded image: busybox:latest"
	run_berth images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_equal "$output" "busybox:latest $BUSYBOX_ID"
	run_berth image inspect -f '{{.Comment}}' busybox
	assert_output_contains "Imported from"
	assert_check_clean
}

@test "load from stdin, -q, and image load" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	run_berth rmi busybox
	run bash -c "'$BERTH' load -q < '$BATS_TEST_TMPDIR/bb.tar'"
	[ "$status" -eq 0 ]
	assert_equal "$output" "Loaded image: busybox:latest"
	run bash -c "gzip -c '$BATS_TEST_TMPDIR/bb.tar' | '$BERTH' image load"
	[ "$status" -eq 0 ]
	assert_equal "$output" "Loaded image: busybox:latest"
}

@test "load of OCI archives and layout directories" {
	import_busybox
	run_berth save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" busybox
	run_berth save --format oci-dir -o "$BATS_TEST_TMPDIR/ocidir" busybox
	run_berth rmi busybox
	run_berth load -i "$BATS_TEST_TMPDIR/oci.tar"
	assert_equal "$output" "Loaded image: busybox:latest"
	run_berth images -q --no-trunc
	assert_equal "$output" "$BUSYBOX_ID"
	run_berth rmi busybox
	run_berth load -i "$BATS_TEST_TMPDIR/ocidir"
	assert_equal "$output" "Loaded image: busybox:latest"
	run_berth images -q --no-trunc
	assert_equal "$output" "$BUSYBOX_ID"
	assert_check_clean
}

@test "archives written by skopeo copy load as the same image" {
	command -v skopeo >/dev/null || skip "skopeo not installed"
	import_busybox
	run_berth save --format oci-dir -o "$BATS_TEST_TMPDIR/src" busybox
	skopeo copy -q "oci:$BATS_TEST_TMPDIR/src:latest" "docker-archive:$BATS_TEST_TMPDIR/sk-docker.tar:busybox:latest"
	skopeo copy -q "oci:$BATS_TEST_TMPDIR/src:latest" "oci-archive:$BATS_TEST_TMPDIR/sk-oci.tar:busybox:latest"
	# and a gzip-compressed OCI copy
	skopeo copy -q --dest-compress-format gzip "oci:$BATS_TEST_TMPDIR/src:latest" "oci:$BATS_TEST_TMPDIR/sk-gz:latest"
	run_berth rmi busybox
	for src in "$BATS_TEST_TMPDIR/sk-docker.tar" "$BATS_TEST_TMPDIR/sk-oci.tar" "$BATS_TEST_TMPDIR/sk-gz"; do
		run_berth load -i "$src"
		run_berth images -q --no-trunc
		assert_equal "$output" "$BUSYBOX_ID"
		run_berth inspect -f '{{.RepoTags}}' "$BUSYBOX_ID"
		[ "$output" = "[busybox:latest]" ] || [ "$output" = "[]" ]
		run_berth rmi -f "$BUSYBOX_ID"
		assert_check_clean
	done
}

@test "a tag moved by load is reported as Docker does" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	local old=$BUSYBOX_ID
	import_busybox
	run_berth load -i "$BATS_TEST_TMPDIR/bb.tar"
	assert_output_contains "The image busybox:latest already exists, renaming the old one with ID $BUSYBOX_ID to empty string"
	assert_output_contains "Loaded image: busybox:latest"
	run_berth inspect -f '{{.Id}}' busybox
	assert_equal "$output" "$old"
}

@test "hostile layers and corrupt archives are refused; the store stays clean" {
	for kind in dotdot symlink hardlink; do
		hostile_tar "$BATS_TEST_TMPDIR/$kind-layer.tar" $kind
		make_docker_archive "$BATS_TEST_TMPDIR/$kind.tar" "$BATS_TEST_TMPDIR/$kind-layer.tar"
		run "$BERTH" load -i "$BATS_TEST_TMPDIR/$kind.tar"
		[ "$status" -eq 1 ] || { echo "load of $kind archive: $status $output" >&2; return 1; }
		[ ! -e /tmp/berth-escape-$kind ]
	done
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
	# a layer that does not match the config's diff_id
	printf 'not the layer' > "$BATS_TEST_TMPDIR/other"
	tar cf "$BATS_TEST_TMPDIR/l.tar" -C "$BATS_TEST_TMPDIR" other
	make_docker_archive "$BATS_TEST_TMPDIR/ok.tar" "$BATS_TEST_TMPDIR/l.tar"
	mkdir "$BATS_TEST_TMPDIR/x" && tar xf "$BATS_TEST_TMPDIR/ok.tar" -C "$BATS_TEST_TMPDIR/x"
	tar cf "$BATS_TEST_TMPDIR/x/layer/layer.tar" -C "$BATS_TEST_TMPDIR" l.tar
	tar cf "$BATS_TEST_TMPDIR/bad.tar" -C "$BATS_TEST_TMPDIR/x" .
	run_berth --exit 1 load -i "$BATS_TEST_TMPDIR/bad.tar"
	assert_output_contains "diff ID"
	# garbage and empty input
	head -c 1000 /dev/urandom > "$BATS_TEST_TMPDIR/garbage"
	run_berth --exit 1 load -i "$BATS_TEST_TMPDIR/garbage"
	run_berth --exit 1 load -i /dev/null
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
}

@test "an OCI blob whose content does not match its name is refused" {
	import_busybox
	run_berth save --format oci-dir -o "$BATS_TEST_TMPDIR/o" busybox
	run_berth rmi busybox
	local cfg=${BUSYBOX_ID:7}
	sed -i 's/linux/Linux/' "$BATS_TEST_TMPDIR/o/blobs/sha256/$cfg"
	run_berth --exit 1 load -i "$BATS_TEST_TMPDIR/o"
	assert_output_contains "digest mismatch"
	assert_check_clean
}

@test "kill -9 in the middle of a large load leaves the store clean; the load then succeeds" {
	local r="$BATS_TEST_TMPDIR/rootfs"
	mkdir -p "$r"
	tar xf "$(busybox_tarball)" -C "$r"
	head -c 150M /dev/urandom > "$r/big"
	tar cf "$BATS_TEST_TMPDIR/big-rootfs.tar" -C "$r" .
	rm -rf "$r"
	run_berth import "$BATS_TEST_TMPDIR/big-rootfs.tar" big:1
	local id=$output
	rm -f "$BATS_TEST_TMPDIR/big-rootfs.tar"
	run_berth save -o "$BATS_TEST_TMPDIR/big.tar" big:1
	run_berth rmi big:1
	run_berth system prune -f
	local killed=0
	for attempt in 1 2 3 4 5; do
		"$BERTH" load -i "$BATS_TEST_TMPDIR/big.tar" > /dev/null 2>&1 &
		local pid=$!
		for _ in $(seq 1 500); do
			[ -n "$(ls -A "$BERTH_ROOT/tmp" 2>/dev/null)" ] && break
			sleep 0.01
		done
		sleep 0.0$((attempt * 2))
		if kill -9 $pid 2>/dev/null; then killed=1; fi
		wait $pid || true
		[ $killed = 1 ] && break
	done
	[ $killed = 1 ]
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
	run_berth load -i "$BATS_TEST_TMPDIR/big.tar"
	assert_equal "$output" "Loaded image: big:1"
	run_berth images -q --no-trunc
	assert_equal "$output" "$id"
	assert_check_clean
	run_berth system check --repair
	[ -z "$(ls -A "$BERTH_ROOT/tmp")" ]
}

@test "load errors" {
	run_berth --exit 1 load -i /nonexistent.tar
	assert_output_contains "/nonexistent.tar"
	run_berth --exit 1 load extra
	assert_output_contains "accepts no arguments"
}

@test "concurrent loads of one archive extract each layer once and agree" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	run_berth rmi busybox
	for i in 1 2 3 4; do
		"$BERTH" --log-level info load -i "$BATS_TEST_TMPDIR/bb.tar" > "$BATS_TEST_TMPDIR/out$i" 2>&1 &
	done
	wait
	for i in 1 2 3 4; do grep -q "Loaded image: busybox:latest" "$BATS_TEST_TMPDIR/out$i"; done
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/out* | grep -c 'extracting layer')" 1
	run_berth images -q --no-trunc
	assert_equal "$output" "$BUSYBOX_ID"
	assert_check_clean
	# concurrent imports and removals leave a consistent store too
	for i in 1 2 3; do "$BERTH" import "$(busybox_tarball)" "c$i:1" > /dev/null & done
	"$BERTH" image prune -af > /dev/null &
	wait
	assert_check_clean
}

@test "an archive written by docker save (when a Docker daemon is reachable) loads as the same image" {
	command -v docker >/dev/null || skip "no docker CLI"
	v=$(timeout 5 docker version --format '{{.Server.Version}}' 2>/dev/null) || skip "no Docker daemon"
	[ -n "$v" ] || skip "no Docker daemon"
	ref=$(timeout 10 docker images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | tail -1)
	[ -n "$ref" ] || skip "Docker has no tagged image"
	timeout 120 docker save -o "$BATS_TEST_TMPDIR/d.tar" "$ref"    # read-only for Docker's store
	run_berth load -i "$BATS_TEST_TMPDIR/d.tar"
	assert_output_contains "Loaded image: $ref"
	assert_equal "$("$BERTH" inspect -f '{{.Id}} {{.Size}} {{json .RootFS.Layers}}' "$ref")" \
		"$(timeout 10 docker inspect -f '{{.Id}} {{.Size}} {{json .RootFS.Layers}}' "$ref")"
	assert_check_clean
}

@test "an archive with more small files than the memory budget loads; stray files leave nothing" {
	import_busybox
	run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" busybox
	run_berth rmi busybox
	mkdir "$BATS_TEST_TMPDIR/x"
	for i in $(seq 1 20); do head -c 4000000 /dev/urandom > "$BATS_TEST_TMPDIR/x/junk$i"; done
	tar xf "$BATS_TEST_TMPDIR/bb.tar" -C "$BATS_TEST_TMPDIR/x"
	# junk first, so the image's JSON files come after the in-memory budget is spent
	(cd "$BATS_TEST_TMPDIR/x" && tar cf ../big.tar junk* && tar rf ../big.tar --exclude='junk*' .)
	run_berth load -i "$BATS_TEST_TMPDIR/big.tar"
	assert_equal "$output" "Loaded image: busybox:latest"
	run_berth images -q --no-trunc
	assert_equal "$output" "$BUSYBOX_ID"
	assert_equal "$(ls "$BERTH_ROOT/blobs/sha256" | wc -l)" 3
	assert_check_clean
}
