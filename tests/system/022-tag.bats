#!/usr/bin/env bats
# 022-tag: `berth tag` / `berth image tag`.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "tag adds names that resolve to the same image" {
	import_busybox
	run_berth tag busybox mybox
	run_berth image tag busybox:latest localhost:5000/a/b:t
	run_berth tag "${BUSYBOX_ID:7:6}" docker.io/library/third:3
	run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_equal "$(echo "$output" | sort)" "busybox:latest ${BUSYBOX_ID:7:12}
localhost:5000/a/b:t ${BUSYBOX_ID:7:12}
mybox:latest ${BUSYBOX_ID:7:12}
third:3 ${BUSYBOX_ID:7:12}"
	run_berth inspect -f '{{.RepoTags}}' mybox
	assert_equal "$output" "[busybox:latest mybox:latest third:3 localhost:5000/a/b:t]"
}

@test "tag moves a name from one image to another, leaving the old one dangling" {
	import_busybox
	local first=$BUSYBOX_ID
	import_busybox
	[ "$first" != "$BUSYBOX_ID" ]
	run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	assert_output_contains "<none>:<none> ${first:7:12}"
	run_berth tag "$first" busybox
	run_berth images --filter dangling=true -q
	assert_equal "$output" "${BUSYBOX_ID:7:12}"
}

@test "tag errors: missing image, bad target, digest target, argument count" {
	import_busybox
	run_berth --exit 1 tag nosuch:1 x
	assert_output_contains "No such image: nosuch:1"
	run_berth --exit 1 tag busybox 'UPPER'
	assert_output_contains "invalid reference format: repository name must be lowercase"
	run_berth --exit 1 tag busybox "x@sha256:${BUSYBOX_ID:7}"
	assert_output_contains "refusing to create a tag with a digest reference"
	run_berth --exit 1 tag busybox
	assert_output_contains "requires exactly 2 arguments"
}
