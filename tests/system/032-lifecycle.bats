#!/usr/bin/env bats
# 032-lifecycle: create, start, stop, kill, restart, wait, rm, rename, ps, container inspect.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "create then start -a; ps shows Created, then Exited (N)" {
	run_berth create --name c1 busybox sh -c 'echo created-run; exit 5'
	[ ${#output} = 64 ]
	run_berth ps -a --format '{{.Names}}|{{.Status}}|{{.State}}'
	assert_output_contains "c1|Created|created"
	run_berth --exit 5 start -a c1
	assert_equal "$output" "created-run"
	run_berth ps -a --filter name=c1 --format '{{.Status}}'
	local re='^Exited \(5\) .*ago$'
	[[ "$output" =~ $re ]]
	run_berth rm c1
	assert_equal "$output" "c1"
}

@test "run -d, ps shows Up, stop sends STOPSIGNAL then SIGKILL after -t" {
	run_berth run -d --name s1 busybox sleep 1000
	run_berth ps --format '{{.Names}} {{.Status}}'
	local re='s1 Up '
	[[ "$output" =~ $re ]]
	# sleep as pid 1 ignores SIGTERM: stop must escalate to SIGKILL after 1 s
	local t0=$SECONDS
	run_berth stop -t 1 s1
	assert_equal "$output" "s1"
	[ $((SECONDS - t0)) -lt 8 ]
	run_berth container inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' s1
	assert_equal "$output" "exited 137 false"
	run_berth ps -q
	assert_equal "$output" ""
	run_berth rm s1
}

@test "stop uses the configured --stop-signal" {
	run_berth run -d --name s2 --stop-signal USR1 busybox sh -c 'trap "exit 9" USR1; echo ready; while :; do sleep 0.1; done'
	wait_for bash -c "'$BERTH' logs s2 | grep -q ready"
	run_berth stop s2
	run_berth wait s2
	assert_equal "$output" "9"
	run_berth rm s2
}

@test "kill -s, wait, start again, restart" {
	run_berth run -d --name k1 busybox sh -c 'trap "exit 7" HUP; echo ready; while :; do sleep 0.1; done'
	wait_for bash -c "'$BERTH' logs k1 | grep -q ready"
	run_berth kill -s HUP k1
	run_berth wait k1
	assert_equal "$output" "7"
	run_berth --exit 1 kill k1
	assert_output_contains "is not running"
	run_berth start k1
	run_berth ps --format '{{.Names}}'
	assert_output_contains k1
	run_berth restart -t 0 k1
	run_berth container inspect -f '{{.State.Running}}' k1
	assert_equal "$output" "true"
	run_berth kill k1
	run_berth wait k1
	assert_equal "$output" "137"
	run_berth rm k1
}

@test "rm refuses a running container without -f; rm -f kills it and leaves nothing" {
	run_berth run -d --name r1 busybox sleep 1000
	local id=$output
	run_berth --exit 1 rm r1
	assert_output_contains "You cannot remove a running container"
	local pid
	pid=$("$BERTH" container inspect -f '{{.State.Pid}}' r1)
	[ -d /proc/$pid ]
	run_berth rm -f r1
	! [ -d /proc/$pid ] || ! grep -q sleep /proc/$pid/cmdline
	[ ! -d "$(runtime_cgroup_dir "$id")" ]
	[ ! -d "$BERTH_ROOT/containers/$id" ]
	! pgrep -f "berth-monitor ${id:0:12}"
	run_berth --exit 1 rm r1
	assert_output_contains "No such container: r1"
}

@test "names: unique, renamable, id prefixes resolve" {
	run_berth create --name n1 busybox true
	local id=$output
	run_berth --exit 1 create --name n1 busybox true
	assert_output_contains "The container name \"/n1\" is already in use by container \"$id\""
	run_berth --exit 125 run --name n1 busybox true
	run_berth rename n1 n2
	run_berth container inspect -f '{{.Name}}' "${id:0:6}"
	assert_equal "$output" "/n2"
	run_berth --exit 1 create --name 'bad name' busybox true
	run_berth rm n2
}

@test "ps: -a -q -n -l --no-trunc --filter and Docker's table" {
	run_berth create --name p1 --label tier=web busybox true
	run_berth create --name p2 busybox echo a-long-command-line-here
	run_berth ps -a
	local re='^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
	[[ "${lines[0]}" =~ $re ]]
	assert_output_contains '"echo a-long-command…"'
	run_berth ps -a --no-trunc --format '{{.Command}}'
	assert_output_contains '"echo a-long-command-line-here"'
	run_berth ps -l --format '{{.Names}}'
	assert_equal "$output" "p2"
	run_berth ps -n 2 -q
	[ "${#lines[@]}" = 2 ] && [ "${#lines[0]}" = 12 ]
	run_berth ps -aq --no-trunc --filter label=tier=web
	[ "${#output}" = 64 ]
	run_berth ps -a --filter status=created --format '{{.Names}}'
	assert_output_contains p1
	run_berth ps -a --format 'table {{.Names}}\t{{.State}}' --filter name=p1
	assert_equal "${lines[0]}" "NAMES     STATE"
	run_berth rm p1 p2
}

@test "container inspect: Docker's shape" {
	run_berth create --name i1 -e A=b -w /w --memory 64m busybox sleep 1
	run_berth container inspect i1
	run jq -r '.[0] | [(.Id|length), .Name, .Path, (.Args|join(",")), .State.Status, .Config.WorkingDir, (.Config.Env|index("A=b")!=null), .HostConfig.Memory, .GraphDriver.Name] | @tsv' <<<"$output"
	assert_equal "$output" "$(printf '64\t/i1\tsleep\t1\tcreated\t/w\ttrue\t67108864\toverlay2')"
	run_berth inspect -f '{{.State.Status}}' i1
	assert_equal "$output" "created"
	run_berth --exit 1 container inspect nosuch
	assert_output_contains "No such container: nosuch"
	run_berth rm i1
}

@test "top lists the container's processes; container prune removes stopped ones" {
	run_berth run -d --name tp busybox sleep 100
	run_berth top tp
	assert_output_contains "sleep 100"
	run_berth run --name stopped1 busybox true
	run_berth container prune -f
	assert_output_contains "Deleted Containers:"
	run_berth ps -a --format '{{.Names}}'
	[[ "$output" != *stopped1* ]]
	assert_output_contains tp
	run_berth rm -f tp
}

@test "run -d --rm: the monitor removes the container when it exits" {
	run_berth run -d --rm --name autorm busybox sh -c 'sleep 0.3'
	local id=$output
	wait_for bash -c "! '$BERTH' container inspect autorm >/dev/null 2>&1"
	[ ! -d "$BERTH_ROOT/containers/$id" ]
}

@test "run -di keeps stdin open for a detached container" {
	run_berth run -di --name keepin busybox sh
	sleep 0.5
	run_berth container inspect -f '{{.State.Running}}' keepin
	assert_equal "$output" "true"
	run_berth rm -f keepin
}
