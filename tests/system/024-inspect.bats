#!/usr/bin/env bats
# 024-inspect: `berth image inspect` and top-level `berth inspect` for images.
load ../lib/helpers
load ../lib/images

setup() { images_setup; }

@test "image inspect prints Docker's JSON for the busybox image" {
	import_busybox
	run_berth image inspect busybox
	echo "$output" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
assert isinstance(d, list) and len(d) == 1, d
i = d[0]
for k in ("Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config", "Architecture", "Os", "Size", "RootFS", "Metadata", "GraphDriver"):
    assert k in i, k
assert i["Id"] == sys.argv[1], i["Id"]
assert i["RepoTags"] == ["busybox:latest"], i["RepoTags"]
assert i["RootFS"]["Type"] == "layers" and len(i["RootFS"]["Layers"]) == 1
assert i["Os"] == "linux" and i["Size"] > 1000000
assert i["Config"]["Env"] is None and i["Config"]["Cmd"] is None
' "$BUSYBOX_ID"
	# 4-space indentation as Docker prints it
	assert_equal "${lines[1]}" "    {"
}

@test "inspect -f with Go templates" {
	import_busybox
	run_berth import -c 'ENV PATH=/bin:/usr/bin' -c 'CMD ["sh"]' "$(busybox_tarball)" withenv:1
	run_berth inspect -f '{{.Config.Env}}' withenv:1
	assert_equal "$output" "[PATH=/bin:/usr/bin]"
	run_berth inspect --format '{{json .Config.Cmd}}' withenv:1
	assert_equal "$output" '["sh"]'
	run_berth image inspect -f '{{index .RootFS.Layers 0}}' withenv:1
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	run_berth image inspect -f '{{range .RepoTags}}{{.}} {{end}}' withenv:1
	assert_equal "$output" "withenv:1 "
	run_berth image inspect -f '{{if .Config.Cmd}}has cmd{{else}}none{{end}}' busybox withenv:1
	assert_equal "$output" "none
has cmd"
}

@test "inspect by ID prefix, full ID and sha256: form" {
	import_busybox
	for ref in "${BUSYBOX_ID:7:4}" "${BUSYBOX_ID:7}" "$BUSYBOX_ID" docker.io/library/busybox:latest; do
		run_berth inspect -f '{{.Id}}' "$ref"
		assert_equal "$output" "$BUSYBOX_ID"
	done
}

@test "inspect of a missing object: error, exit 1, [] printed" {
	run_berth --exit 1 image inspect nosuch
	assert_output_contains "No such image: nosuch"
	assert_output_contains "[]"
	run_berth --exit 1 inspect nosuch
	assert_output_contains "No such object: nosuch"
	import_busybox
	run_berth --exit 1 inspect -f '{{.Id}}' busybox nosuch
	assert_output_contains "$BUSYBOX_ID"
	run_berth --exit 1 inspect --type image nosuch
	run_berth --exit 125 inspect --type bogus busybox
}
