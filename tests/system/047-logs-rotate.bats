#!/usr/bin/env bats
# 047-logs-rotate: --log-opt max-size/max-file rotation in the monitor, `logs` across rotated
# files, --log-driver none/journald, Docker's option errors.
load ../lib/supervise

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "log options are validated as Docker's" {
	run_berth --exit 125 run -d --log-driver bogus busybox true
	assert_output_contains "logger: no log driver named 'bogus' is registered"
	run_berth --exit 125 run -d --log-opt foo=bar busybox true
	assert_output_contains "unknown log opt 'foo' for json-file log driver"
	run_berth --exit 125 run -d --log-opt max-size=xyz busybox true
	assert_output_contains "invalid size: 'xyz'"
	run_berth --exit 125 run -d --log-opt max-file=0 --log-opt max-size=1k busybox true
	assert_output_contains "max-file cannot be less than 1"
	run_berth --exit 125 run -d --log-driver none --log-opt max-size=1k busybox true
	assert_output_contains "unknown log opt 'max-size' for none log driver"
}

@test "rotation: max-size=1k max-file=3 keeps 3 files, each about 1k, logs reads them in order" {
	run_berth run -d --name lr --log-opt max-size=1k --log-opt max-file=3 busybox \
		sh -c 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done'
	local id=$output
	run_berth wait lr
	local lp="$BERTH_ROOT/containers/$id/$id-json.log"
	[ -f "$lp" ] && [ -f "$lp.1" ] && [ -f "$lp.2" ]
	[ ! -e "$lp.3" ]
	local f
	for f in "$lp" "$lp.1" "$lp.2"; do
		[ "$(stat -c %s "$f")" -le 1200 ]
	done
	run_berth inspect -f '{{json .HostConfig.LogConfig}}' lr
	[ "$output" = '{"Type":"json-file","Config":{"max-size":"1k","max-file":"3"}}' ]
	# logs: the lines still kept, oldest first, consecutive, ending with the last one
	run_berth logs lr
	local -a lines
	mapfile -t lines <<<"$output"
	[ "${lines[-1]}" = "line 199" ]
	local first=${lines[0]#line }
	[ "$first" -gt 0 ]
	[ "${#lines[@]}" -eq $((200 - first)) ]
	# --tail crosses the rotation boundary
	run_berth logs --tail 30 lr
	mapfile -t lines <<<"$output"
	[ "${#lines[@]}" -eq 30 ]
	[ "${lines[0]}" = "line 170" ]
	run_berth rm lr
}

@test "rotation with max-file=1 truncates in place" {
	run_berth run -d --name lr1 --log-opt max-size=1k busybox \
		sh -c 'i=0; while [ $i -lt 100 ]; do echo "line $i"; i=$((i+1)); done'
	local id=$output
	run_berth wait lr1
	local lp="$BERTH_ROOT/containers/$id/$id-json.log"
	[ "$(stat -c %s "$lp")" -le 1200 ]
	[ ! -e "$lp.1" ]
	run_berth logs lr1
	[ "${output##*$'\n'}" = "line 99" ]
	run_berth rm lr1
}

@test "logs -f follows across a rotation" {
	run_berth run -d --name lrf --log-opt max-size=2k --log-opt max-file=2 busybox \
		sh -c 'i=0; while [ $i -lt 120 ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done'
	run_berth logs -f lrf
	local -a lines
	mapfile -t lines <<<"$output"
	[ "${lines[-1]}" = "line 119" ]
	# nothing lost or repeated while following
	[ "${#lines[@]}" -eq 120 ]
	run_berth rm lrf
}

@test "--log-driver none: no log file, logs says the driver cannot be read" {
	run_berth run -d --name lnone --log-driver none busybox echo hi
	local id=$output
	run_berth wait lnone
	[ ! -e "$BERTH_ROOT/containers/$id/$id-json.log" ]
	run_berth --exit 1 logs lnone
	assert_output_contains "configured logging driver does not support reading"
	run_berth rm lnone
}

@test "--log-driver journald: refused where journald does not run" {
	if [ -S /run/systemd/journal/socket ]; then
		skip "journald runs here"
	fi
	run_berth --exit 125 run -d --log-driver journald busybox true
	assert_output_contains "journald is not enabled on this host"
}
