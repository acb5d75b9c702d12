#!/usr/bin/env bats
# 033-logs: the json-file log written by the monitor (and by attached runs), logs flags.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "the log is Docker's json-file format, stdout and stderr apart" {
	run_berth run --name l1 busybox sh -c 'echo out1; echo err1 >&2; printf "no-newline"'
	local id
	id=$("$BERTH" container inspect -f '{{.Id}}' l1)
	local f="$BERTH_ROOT/containers/$id/$id-json.log"
	run jq -c '[.log, .stream]' "$f"
	assert_output_contains '["out1\n","stdout"]'
	assert_output_contains '["err1\n","stderr"]'
	assert_output_contains '["no-newline","stdout"]'
	run jq -r .time "$f"
	local re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$'
	[[ "${lines[0]}" =~ $re ]]
	run bash -c "'$BERTH' logs l1 2>/dev/null"
	assert_equal "$output" "out1
no-newline"
	run bash -c "'$BERTH' logs l1 2>&1 >/dev/null"
	assert_equal "$output" "err1"
	run_berth rm l1
}

@test "logs --tail, -t, --since, --until" {
	run_berth run --name l2 busybox sh -c 'for i in 1 2 3 4 5; do echo line$i; done'
	run_berth logs --tail 2 l2
	assert_equal "$output" "line4
line5"
	run_berth logs --tail 0 l2
	assert_equal "$output" ""
	run_berth logs -t --tail 1 l2
	local re='^[0-9-]+T[0-9:.]+Z line5$'
	[[ "$output" =~ $re ]]
	run_berth logs --since 1h l2
	[ "${#lines[@]}" = 5 ]
	run_berth logs --until 1h l2
	assert_equal "$output" ""
	run_berth logs --since 2000-01-01T00:00:00Z --until 2999-01-01T00:00:00Z l2
	[ "${#lines[@]}" = 5 ]
	run_berth --exit 1 logs --since bogus l2
	run_berth rm l2
}

@test "logs -f follows a detached container until it exits" {
	run_berth run -d --name l3 busybox sh -c 'echo first; sleep 1; echo second; sleep 0.5'
	run timeout 20 "$BERTH" logs -f l3
	[ "$status" = 0 ]
	assert_equal "$output" "first
second"
	run_berth rm l3
}

@test "a detached container's output survives the CLI and -t output is logged" {
	run_berth run -d --name l4 busybox sh -c 'echo bg-out; echo bg-err >&2'
	run_berth wait l4
	run bash -c "'$BERTH' logs l4 2>&1"
	assert_output_contains "bg-out"
	assert_output_contains "bg-err"
	run script -qec "'$BERTH' run --name l5 -t busybox echo tty-line" /dev/null
	run_berth logs l5
	assert_output_contains "tty-line"
	run_berth rm l4 l5
}
