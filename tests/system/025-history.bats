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
