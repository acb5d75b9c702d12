#!/usr/bin/env bats
# 028-prune: `berth image prune [-a] [-f]` and `berth system prune [-a] [-f]`.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "image prune removes dangling images only" {
	import_busybox
	local tagged=$BUSYBOX_ID
	run_berth import "$(busybox_tarball)"
	local dangling=$output
	run_berth image prune -f
	assert_equal "${lines[0]}" "Deleted Images:"
	assert_output_contains "deleted: $dangling"
	assert_output_contains "Total reclaimed space:"
	run_berth images -q --no-trunc
	assert_equal "$output" "$tagged"
	# the shared layer stays for the tagged image
	run_berth inspect -f '{{index .RootFS.Layers 0}}' busybox
	[ -d "$BERTH_ROOT/layers/${output#sha256:}/diff" ]
	assert_check_clean
}

@test "image prune -a removes every image no container holds and frees the bytes" {
	import_busybox
	run_berth import "$(busybox_tarball)" held:1
	local held=$output
	run_berth debug image-hold held:1 c1
	before=$(du -sB1 "$BERTH_ROOT" | cut -f1)
	run_berth image prune -a -f
	assert_output_contains "untagged: busybox:latest"
	assert_output_contains "deleted: $BUSYBOX_ID"
	run_berth images --format '{{.Repository}}'
	assert_equal "$output" "held"
	run_berth debug image-release held:1 c1
	run_berth image prune -af
	assert_output_contains "untagged: held:1"
	after=$(du -sB1 "$BERTH_ROOT" | cut -f1)
	[ "$after" -lt $((before - 1000000)) ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]
	[ -z "$(ls "$BERTH_ROOT/blobs/sha256")" ]
	assert_check_clean
}

@test "image prune prompts without -f" {
	import_busybox
	run_berth import "$(busybox_tarball)"
	run bash -c "echo n | '$BERTH' image prune"
	[ "$status" -eq 0 ]
	assert_output_contains "WARNING! This will remove all dangling images."
	assert_output_contains "Are you sure you want to continue? [y/N]"
	[ "$("$BERTH" images -q | wc -l)" -eq 2 ]
	run bash -c "echo y | '$BERTH' image prune"
	assert_output_contains "deleted: sha256:"
	[ "$("$BERTH" images -q | wc -l)" -eq 1 ]
	run_berth image prune -f
	assert_equal "$output" "Total reclaimed space: 0B"
}

@test "system prune: dangling images, -a all unused, and what a crashed load left" {
	import_busybox
	run_berth import "$(busybox_tarball)"
	# leftovers of an interrupted writer: an unreferenced blob and a stale temp file
	echo junk > "$BERTH_ROOT/tmp/blob-99999-0-0"
	printf 'orphan' > "$BERTH_ROOT/blobs/sha256/$(printf 'orphan' | sha256sum | cut -d' ' -f1)"
	run bash -c "echo n | '$BERTH' system prune"
	assert_output_contains "WARNING! This will remove:"
	assert_output_contains "  - all dangling images"
	run_berth system prune -f
	assert_output_contains "Deleted Images:"
	[ -z "$(ls -A "$BERTH_ROOT/tmp")" ]
	[ "$(ls "$BERTH_ROOT/blobs/sha256" | wc -l)" -eq 3 ]
	run_berth images -q
	assert_equal "$output" "${BUSYBOX_ID:7:12}"
	run bash -c "echo n | '$BERTH' system prune -a"
	assert_output_contains "  - all images without at least one container associated to them"
	run_berth system prune -a -f
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
}

@test "prune --filter until= and label=" {
	local tb; tb=$(busybox_tarball)
	run_berth import -c 'LABEL keep=yes' "$tb"
	local keep=$output
	run_berth import -c 'LABEL keep=no' "$tb"
	local drop=$output
	run_berth image prune -f --filter until=1h
	assert_equal "$output" "Total reclaimed space: 0B"
	run_berth image prune -f --filter label=keep=no
	assert_output_contains "deleted: $drop"
	run_berth images -q --no-trunc
	assert_equal "$output" "$keep"
	run_berth image prune -f --filter 'label!=keep=yes'
	run_berth images -q --no-trunc
	assert_equal "$output" "$keep"
	sleep 1
	run_berth system prune -f --filter until=0s
	assert_output_contains "deleted: $keep"
	run_berth --exit 1 image prune -f --filter bogus=1
	assert_output_contains "Invalid filter 'bogus'"
	run_berth --exit 1 image prune -f --filter until=notatime
	assert_check_clean
}
