#!/usr/bin/env bats
# 025-history: `berth history` / `berth image history`.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "history of an imported image: one row with the layer size and comment" {
	import_busybox
	run_berth history busybox
	[[ "${lines[0]}" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
	[[ "${lines[1]}" =~ ^${BUSYBOX_ID:7:12}\ +.*ago\ +[0-9.]+MB\ +Imported\ from\ -$ ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "history -q, --no-trunc, -H=false, --format" {
	import_busybox
	run_berth history -q busybox
	assert_equal "$output" "${BUSYBOX_ID:7:12}"
	run_berth image history --no-trunc -q busybox
	assert_equal "$output" "$BUSYBOX_ID"
	run_berth history -H=false --format '{{.Size}} {{.CreatedAt}}' busybox
	size=$("$BERTH" inspect -f '{{.Size}}' busybox)
	[[ "$output" =~ ^$size\ [0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
	run_berth --exit 1 history nosuch
	assert_output_contains "No such image: nosuch"
}

@test "history of a multi-layer image: newest first, <missing> parents, empty layers 0B, CREATED BY truncated" {
	id=$(make_multilayer_archive "$BATS_TEST_TMPDIR/m.tar")
	run_berth load -i "$BATS_TEST_TMPDIR/m.tar"
	run_berth history --format '{{.ID}}|{{.CreatedBy}}|{{.Size}}' multi:1
	assert_equal "${lines[0]}" "${id:7:12}|/bin/sh -c echo this is a very long command …|300B"
	assert_equal "${lines[1]}" "<missing>|/bin/sh -c #(nop)  ENV PATH=/usr/bin:/bin|0B"
	assert_equal "${lines[2]}" "<missing>|/bin/sh -c #(nop) ADD file:abc in / |5kB"
	run_berth history --no-trunc --format '{{.CreatedBy}}' multi:1
	assert_equal "${lines[0]}" "/bin/sh -c echo this is a very long command line that docker truncates at forty-five"
	run_berth inspect -f '{{len .RootFS.Layers}} {{.Size}}' multi:1
	assert_equal "$output" "2 5300"
	# both layers extracted, stacked bottom-first
	run_berth images --format '{{.Size}}' multi:1
	assert_equal "$output" "5.3kB"
	assert_check_clean
}
