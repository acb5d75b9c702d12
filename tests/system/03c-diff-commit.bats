#!/usr/bin/env bats
# 03c-diff-commit: `diff` (A/C/D of the container's upper dir, as Docker's) and `commit` (a
# new image from a container's changes: layer, config changes, history, parent).
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "diff: added, changed and deleted paths as Docker prints them" {
	run_berth run --name d1 -v /data busybox sh -c 'echo hi > /tmp/x; mkdir -p /newdir/sub; touch /newdir/sub/f; rm /bin/vi; rm -rf /home; echo y >> /etc/passwd'
	run_berth diff d1
	# the same set Docker 20.10 prints for this script on this image
	assert_equal "$(printf '%s\n' "$output" | sort)" "$(printf '%s\n' 'A /data' 'A /newdir' 'A /newdir/sub' 'A /newdir/sub/f' 'A /tmp/x' 'C /bin' 'C /etc' 'C /etc/passwd' 'C /tmp' 'D /bin/vi' 'D /home' | sort)"
	# parents before children; a directory's deletions after its other entries
	[ "${lines[0]}" = "C /bin" ]
	[ "${lines[1]}" = "D /bin/vi" ]
	[ "${lines[10]}" = "D /home" ]
	run_berth container diff d1
	[ "${#lines[@]}" = 11 ]
	run_berth rm d1
}

@test "diff: nothing for a fresh container (berth's mount points are not changes); replaced directories" {
	run_berth create --name d2 busybox true
	run_berth diff d2
	assert_equal "$output" ""
	run_berth start -a d2
	run_berth diff d2
	assert_equal "$output" ""
	run_berth run --name d3 busybox sh -c 'rm -rf /root /usr; mkdir /root; echo a > /root/a; chmod 700 /tmp; ln -s /x /lnk'
	run_berth diff d3
	assert_equal "$(printf '%s\n' "$output" | sort)" "$(printf '%s\n' 'A /lnk' 'A /root/a' 'C /root' 'C /tmp' 'D /usr' | sort)"
	run_berth --exit 1 diff nosuch
	assert_output_contains "No such container: nosuch"
	run_berth rm d2 d3
}

@test "diff of a running container follows its writes" {
	run_berth run -d --name d4 busybox sh -c 'sleep 60'
	run_berth diff d4
	assert_equal "$output" ""
	run_berth exec d4 sh -c 'echo 1 > /tmp/live'
	run_berth diff d4
	assert_equal "$output" "$(printf 'C /tmp\nA /tmp/live')"
	run_berth rm -f d4
}

@test "commit: a layer with the changes, -c instructions, -a, -m, history and parent" {
	run_berth run --name c1 -e FOO=bar -w /tmp busybox sh -c 'echo hi > /tmp/x; rm /bin/vi'
	run_berth commit -a "Ann <a@x>" -m "my msg" -c 'CMD ["cat","/tmp/x"]' -c 'ENV A=1' -c 'EXPOSE 80' c1 cmtest:v1
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	local id=$output
	run_berth image inspect -f '{{.Id}}|{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}|{{json .Config.Env}}|{{json .Config.ExposedPorts}}|{{.Config.WorkingDir}}|{{len .RootFS.Layers}}|{{.Container}}' cmtest:v1
	local cid
	cid=$("$BERTH" inspect -f '{{.Id}}' c1)
	assert_equal "$output" "$id|Ann <a@x>|my msg|[\"cat\",\"/tmp/x\"]|[\"FOO=bar\",\"A=1\"]|{\"80/tcp\":{}}|/tmp|2|$cid"
	run_berth image inspect -f '{{.Parent}} {{index .ContainerConfig.Cmd 2}}' cmtest:v1
	assert_equal "$output" "$("$BERTH" image inspect -f '{{.Id}}' busybox) echo hi > /tmp/x; rm /bin/vi"
	run_berth history --format '{{.CreatedBy}}|{{.Comment}}|{{.Size}}' cmtest:v1
	assert_equal "${lines[0]}" "sh -c echo hi > /tmp/x; rm /bin/vi|my msg|3B"
	# the image runs with the new CMD, has the file, lacks the deleted one
	run_berth run --rm cmtest:v1
	assert_equal "$output" "hi"
	run_berth run --rm cmtest:v1 sh -c 'echo $FOO $A; pwd; ls /bin/vi 2>&1 || true'
	assert_equal "${lines[0]}" "bar 1"
	assert_equal "${lines[1]}" "/tmp"
	assert_output_contains "No such file"
	run_berth rm c1
}

@test "commit: no changes add no layer (an empty_layer history entry); untagged image" {
	run_berth create --name c2 busybox true
	run_berth commit c2
	local id=$output
	run_berth image inspect -f '{{len .RootFS.Layers}}' "$id"
	assert_equal "$output" "$("$BERTH" image inspect -f '{{len .RootFS.Layers}}' busybox)"
	run_berth history --format '{{.CreatedBy}} {{.Size}}' "$id"
	assert_equal "${lines[0]}" "true 0B"
	run_berth rm c2
	run_berth rmi "$id"
}

@test "commit of a running container pauses it for the copy and resumes it" {
	run_berth run -d --name c3 busybox sh -c 'echo v1 > /state; sleep 60'
	wait_for "$BERTH" exec c3 test -f /state
	run_berth commit c3 running:1
	run_berth ps --filter name=c3 --format '{{.Status}}'
	[[ "$output" == Up* ]]
	[[ "$output" != *Paused* ]]
	run_berth run --rm running:1 cat /state
	assert_equal "$output" "v1"
	run_berth commit --pause=false c3 running:2
	run_berth pause c3
	run_berth commit c3 running:3
	run_berth ps --filter name=c3 --format '{{.Status}}'
	assert_output_contains "(Paused)"
	run_berth unpause c3
	run_berth rm -f c3
}

@test "commit errors as Docker's" {
	run_berth create --name c4 busybox true
	run_berth --exit 1 commit c4 'bad name!'
	assert_equal "$output" "invalid reference format"
	run_berth --exit 1 commit -c 'FOO bar' c4
	assert_output_contains "foo is not a valid change command"
	run_berth --exit 1 commit nosuch
	assert_output_contains "No such container: nosuch"
	run_berth rm c4
}
