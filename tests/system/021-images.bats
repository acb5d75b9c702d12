#!/usr/bin/env bats
# 021-images: `berth images` / `berth image ls`: columns, -q, --no-trunc, --digests, filters, --format.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "images lists the imported busybox with Docker's columns" {
	import_busybox
	run_berth images
	[ "${lines[0]}" = "REPOSITORY   TAG       IMAGE ID       CREATED          SIZE" ] || [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^busybox\ +latest\ +${BUSYBOX_ID:7:12}\ +(Less\ than\ a\ second|[0-9]+\ seconds?|About\ a\ minute)\ ago\ +[0-9.]+MB$ ]]
	run_berth image ls
	[[ "${lines[1]}" == busybox* ]]
	run_berth image list
	[[ "${lines[1]}" == busybox* ]]
}

@test "images -q, --no-trunc, --digests" {
	import_busybox
	run_berth tag busybox other:1
	run_berth images -q
	assert_equal "$output" "${BUSYBOX_ID:7:12}"
	run_berth images -q --no-trunc
	assert_equal "$output" "$BUSYBOX_ID"
	run_berth images --no-trunc --format '{{.ID}}'
	assert_equal "$output" "$BUSYBOX_ID
$BUSYBOX_ID"
	run_berth images --digests
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
	[[ "${lines[1]}" =~ \<none\> ]]
}

@test "images --format table, json and a custom template" {
	import_busybox
	run_berth images --format 'table {{.Repository}}\t{{.Tag}}'
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG$ ]]
	[[ "${lines[1]}" =~ ^busybox\ +latest$ ]]
	run_berth images --format json
	echo "$output" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["Repository"]=="busybox" and d["Tag"]=="latest", d'
	run_berth images --format '{{json .}}'
	[[ "$output" == '{"Containers":"N/A","CreatedAt":'* ]]
	run "$BERTH" images --format '{{.Nope'
	[ "$status" -ne 0 ]
	assert_output_contains "template"
}

@test "images filters: dangling, reference, label, before, since" {
	import_busybox
	local tb; tb=$(busybox_tarball)
	run_berth import -c 'LABEL team=a' "$tb" labelled:1
	local lid=$output
	run_berth import "$tb"
	local dangling=$output
	run_berth images --filter dangling=true -q
	assert_equal "$output" "${dangling:7:12}"
	run_berth images --filter dangling=false --format '{{.Repository}}'
	assert_equal "$(echo "$output" | sort | tr '\n' ' ')" "busybox labelled "
	run_berth images --filter reference='busy*' --format '{{.Repository}}:{{.Tag}}'
	assert_equal "$output" "busybox:latest"
	run_berth images --format '{{.Repository}}' busybox
	assert_equal "$output" "busybox"
	run_berth images --filter label=team=a --format '{{.Repository}}'
	assert_equal "$output" "labelled"
	run_berth images --filter label=team --format '{{.Repository}}'
	assert_equal "$output" "labelled"
	run_berth images --filter before=labelled:1 --format '{{.Repository}}'
	assert_equal "$output" "busybox"
	run_berth images --filter since=busybox --filter dangling=false --format '{{.Repository}}'
	assert_equal "$output" "labelled"
	run_berth images
	assert_output_contains "<none>       <none>"
	run_berth --exit 125 images --filter bogus=1
	assert_output_contains "Invalid filter 'bogus'"
}

@test "images are listed newest first" {
	import_busybox first:1
	import_busybox second:1
	import_busybox third:1
	run_berth images --format '{{.Repository}}'
	assert_equal "$(echo $output)" "third second first"
}
