#!/usr/bin/env bats
# 048-events: the events journal written by the verbs and the monitors; `events` with
# --since/--until/--filter/--format, following by default.
load ../lib/supervise

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "a container's life: create, start, die with exitCode, destroy (Docker's text form)" {
	run_berth --exit 7 run --name ev1 busybox sh -c 'exit 7'
	local id
	id=$("$BERTH" inspect -f '{{.Id}}' ev1)
	run_berth rm ev1
	run_berth events --since 1m --until 0s --filter container=ev1
	local -a l
	mapfile -t l <<<"$output"
	[ "${#l[@]}" -eq 4 ]
	local re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z container '
	[[ "${l[0]}" =~ $re ]]
	[[ "${l[0]}" == *" container create $id (image=busybox, name=ev1)" ]]
	[[ "${l[1]}" == *" container start $id (image=busybox, name=ev1)" ]]
	[[ "${l[2]}" == *" container die $id (exitCode=7, image=busybox, name=ev1)" ]]
	[[ "${l[3]}" == *" container destroy $id (image=busybox, name=ev1)" ]]
}

@test "--format: Go template over Docker's fields; {{json .}} is Docker's JSON" {
	run_berth run --name ev2 --label team=a busybox true
	run_berth events --since 1m --until 0s --filter container=ev2 --filter event=die --format '{{.Type}} {{.Action}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.team}} {{.Status}}'
	[ "$output" = "container die 0 a die" ]
	run_berth events --since 1m --until 0s --filter container=ev2 --filter event=start --format '{{json .}}'
	[[ "$output" == '{"status":"start","id":"'*'","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"'*'","Attributes":{'*'}},"scope":"local","time":'*',"timeNano":'*'}' ]]
	run_berth events --since 1m --until 0s --filter label=team=a --filter event=create --format '{{.Actor.Attributes.name}}'
	[ "$output" = ev2 ]
	run_berth events --since 1m --until 0s --filter image=nope --format '{{.Action}}'
	[ -z "$output" ]
	run_berth --exit 1 events --filter bogus=1 --until 0s
	assert_output_contains "invalid filter 'bogus'"
	run_berth rm ev2
}

@test "--since/--until select a window" {
	run_berth run --name ev3 busybox true
	sleep 1.2
	local mid
	mid=$(date +%s)
	sleep 1
	run_berth rm ev3
	run_berth events --since "$mid" --until 0s --filter container=ev3 --format '{{.Action}}'
	[ "$output" = destroy ]
	run_berth events --since 1m --until "$mid" --filter container=ev3 --format '{{.Action}}'
	[ "$output" = "create
start
die" ]
}

@test "without --until, events follows what happens (until a signal)" {
	"$BERTH" events --filter event=start --format '{{.Actor.Attributes.name}}' >"$BATS_TEST_TMPDIR/ev" &
	local ep=$!
	# ready once it has seeked to the journal's end and blocks SIGINT (its signalfd): wait for
	# that rather than a fixed time, or ev4 may come before it and be missed
	wait_until 5 bash -c "(( 0x\$(awk '/^SigBlk:/ {print \$2}' /proc/$ep/status) & 0x2 ))"
	run_berth run --name ev4 busybox true
	wait_until 5 grep -q '^ev4$' "$BATS_TEST_TMPDIR/ev"
	kill -INT "$ep"
	wait "$ep" || true
	# only events from now on: no earlier container
	[ "$(cat "$BATS_TEST_TMPDIR/ev")" = ev4 ]
	run_berth rm ev4
}

@test "pause, unpause, kill, oom and restart are journaled" {
	run_berth run -d --name ev5 --restart on-failure:1 busybox sleep 1000
	run_berth pause ev5
	run_berth unpause ev5
	kill -9 "$("$BERTH" inspect -f '{{.State.Pid}}' ev5)"
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.RestartCount}} {{.State.Running}}' ev5)\" = '1 true' ]"
	run_berth kill ev5
	run_berth events --since 1m --until 0s --filter container=ev5 --format '{{.Action}}'
	[ "$output" = "create
start
pause
unpause
die
restart
start
kill
die" ]
	run_berth rm ev5
	# stop: kill (the stop signal; pid 1 ignores it), kill 9 after the timeout, die, stop
	run_berth run -d --name ev7 busybox sleep 1000
	run_berth stop -t 1 ev7
	run_berth events --since 1m --until 0s --filter container=ev7 --format '{{.Action}} {{.Actor.Attributes.signal}}'
	[ "$output" = "create <no value>
start <no value>
kill 15
kill 9
die <no value>
stop <no value>" ]
	run_berth rm ev7
	run_berth run --name ev6 --memory 8m busybox sh -c 'x=$(head -c 64m /dev/zero | tr "\0" a); echo ${#x}' || true
	run_berth events --since 1m --until 0s --filter container=ev6 --filter event=oom --format '{{.Action}}'
	[ "$output" = oom ]
	run_berth rm ev6
}
