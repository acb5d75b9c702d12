#!/usr/bin/env bats
# 023-rmi: `berth rmi` / `berth image rm`: untag vs delete, conflicts, -f, shared layers.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "rmi of the last name deletes the image, its blobs and its layer" {
	import_busybox
	local chain
	chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' busybox)
	run_berth rmi busybox
	assert_equal "${lines[0]}" "Untagged: busybox:latest"
	assert_equal "${lines[1]}" "Deleted: $BUSYBOX_ID"
	assert_equal "${lines[2]}" "Deleted: $chain"
	[ -z "$(ls "$BERTH_ROOT/blobs/sha256")" ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]
	run_berth images -q
	assert_equal "$output" ""
	assert_check_clean
}

@test "rmi of one of several names only untags" {
	import_busybox
	run_berth tag busybox other:2
	run_berth image rm other:2
	assert_equal "$output" "Untagged: other:2"
	run_berth images -q
	assert_equal "$output" "${BUSYBOX_ID:7:12}"
}

@test "rmi by ID refuses an image with several names unless -f" {
	import_busybox
	run_berth tag busybox other:2
	run_berth --exit 1 rmi "${BUSYBOX_ID:7:12}"
	assert_output_contains "conflict: unable to delete ${BUSYBOX_ID:7:12} (must be forced) - image is referenced in multiple repositories"
	run_berth rmi -f "${BUSYBOX_ID:7:12}"
	assert_output_contains "Untagged: busybox:latest"
	assert_output_contains "Untagged: other:2"
	assert_output_contains "Deleted: $BUSYBOX_ID"
	assert_check_clean
}

@test "a layer shared by two images stays until the last one goes" {
	import_busybox
	local first=$BUSYBOX_ID
	import_busybox second:1
	[ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 1 ]
	run_berth rmi busybox
	[ "${#lines[@]}" -eq 2 ]   # Untagged + Deleted image, not the layer
	[ "$(ls "$BERTH_ROOT/layers" | wc -l)" -eq 1 ]
	run_berth inspect -f '{{.Id}}' second:1
	run_berth rmi second:1
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$(ls "$BERTH_ROOT/layers")" ]
	assert_check_clean
}

@test "rmi refuses an image a container holds unless -f" {
	import_busybox
	run_berth debug image-hold busybox c0ffee000000
	run_berth --exit 1 rmi busybox
	assert_output_contains "conflict: unable to remove repository reference \"busybox\" (must force) - container c0ffee000000 is using its referenced image ${BUSYBOX_ID:7:12}"
	run_berth --exit 1 rmi "${BUSYBOX_ID:7:12}"
	assert_output_contains "image is being used by stopped container c0ffee000000"
	# -f untags, but the layers the container needs stay
	run_berth rmi -f busybox
	assert_output_contains "Untagged: busybox:latest"
	local chain
	chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' "${BUSYBOX_ID:7:12}")
	[ -d "$BERTH_ROOT/layers/${chain#sha256:}/diff/bin" ]
	run_berth debug image-release "$BUSYBOX_ID" c0ffee000000
	run_berth image prune -f
	assert_output_contains "deleted: $BUSYBOX_ID"
	assert_check_clean
}

@test "rmi of a missing image fails with Docker's message and goes on" {
	import_busybox
	run_berth --exit 1 rmi nosuch busybox
	assert_output_contains "No such image: nosuch"
	assert_output_contains "Untagged: busybox:latest"
	run_berth --exit 1 rmi
	assert_output_contains "requires at least 1 argument"
}
