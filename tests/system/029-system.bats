#!/usr/bin/env bats
# 029-system: `berth system check [--repair]` and `berth system df [-v]`.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "system check is clean on a fresh and on a populated store" {
	assert_check_clean
	import_busybox
	run_berth tag busybox x:1
	assert_check_clean
	assert_output_contains "checked 3 blobs, 1 layers"
}

@test "system check finds a corrupt blob; --repair removes it and the images that need it" {
	import_busybox
	local chain
	chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' busybox)
	echo corrupt >> "$BERTH_ROOT/blobs/sha256/${chain#sha256:}"
	run_berth --exit 1 system check
	assert_output_contains "blob $chain: content does not match its digest"
	assert_output_contains "1 problems found"
	run_berth system check --repair
	assert_output_contains "repaired: removed corrupt blob $chain"
	assert_output_contains "repaired: removed image $BUSYBOX_ID"
	assert_check_clean
	run_berth images -q
	assert_equal "$output" ""
}

@test "system check finds a missing blob and a missing layer dir; --repair re-extracts the layer" {
	import_busybox
	local chain
	chain=$("$BERTH" inspect -f '{{index .RootFS.Layers 0}}' busybox)
	rm -rf "$BERTH_ROOT/layers/${chain#sha256:}/diff"
	run_berth --exit 1 system check
	assert_output_contains "layer $chain: extracted directory"
	run_berth system check --repair
	assert_output_contains "repaired: re-extracted layer $chain"
	[ -x "$BERTH_ROOT/layers/${chain#sha256:}/diff/bin/busybox" ]
	assert_check_clean
	# a missing config blob
	rm "$BERTH_ROOT/blobs/sha256/${BUSYBOX_ID#sha256:}"
	run_berth --exit 1 system check
	assert_output_contains "blob $BUSYBOX_ID: in the database but missing on disk"
	run_berth system check --repair
	assert_check_clean
}

@test "system check finds wrong refcounts and dangling tags; --repair fixes them" {
	import_busybox
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("UPDATE layers SET refs = 7; PRAGMA foreign_keys=OFF; INSERT INTO image_tags VALUES(\x27docker.io/library/ghost:1\x27,\x27sha256:0000\x27,0);")
db.commit()' "$BERTH_ROOT/berth.db"
	run_berth --exit 1 system check
	assert_output_contains "reference count 7 is wrong"
	assert_output_contains "tag docker.io/library/ghost:1: names missing image sha256:0000"
	run_berth system check --repair
	assert_check_clean
	run_berth images --format '{{.Repository}}'
	assert_equal "$output" "busybox"
}

@test "system df: Docker's table, and the rows add up to du of the root" {
	import_busybox
	run_berth import "$(busybox_tarball)" second:1
	run_berth system df
	[[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	[[ "${lines[1]}" =~ ^Images\ +2\ +0\ +[0-9.]+MB\ +[0-9.]+MB\ \(100%\)$ ]]
	assert_output_contains "Containers"
	assert_output_contains "Local Volumes"
	assert_output_contains "Build Cache"
	sum=$("$BERTH" system df --format '{{.Bytes}}' | awk '{s += $1} END {printf "%d", s}')
	du=$(du -sB1 "$BERTH_ROOT" | cut -f1)
	diff=$(( sum > du ? sum - du : du - sum ))
	[ $((diff * 100)) -le "$du" ] || { echo "df sum $sum vs du $du" >&2; return 1; }
	run_berth debug image-hold busybox c1
	run_berth system df --format '{{.Type}} {{.Active}}'
	assert_output_contains "Images 1"
}

@test "system df -v lists images with shared and unique sizes" {
	import_busybox
	run_berth import "$(busybox_tarball)" second:1
	run_berth system df -v
	assert_output_contains "Images space usage:"
	[[ "$output" =~ REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE\ +SHARED\ SIZE\ +UNIQUE\ SIZE\ +CONTAINERS ]]
	[[ "$output" =~ busybox\ +latest\ +${BUSYBOX_ID:7:12}\ +.*\ +[0-9.]+MB\ +[0-9.]+MB\ +0B\ +0 ]]
}
