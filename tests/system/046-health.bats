#!/usr/bin/env bats
# 046-health: healthchecks run by the monitor inside the container (as exec): Docker's
# starting/healthy/unhealthy rules, the last 5 results in inspect, ps status and filter,
# `wait --condition healthy` (inotify, no polling), HEALTHCHECK NONE / --no-healthcheck.
load ../lib/supervise

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

health() { "$BERTH" inspect -f '{{.State.Health.Status}}' "$1"; }

@test "health flags are validated as Docker's" {
	run_berth --exit 125 run -d --no-healthcheck --health-cmd true busybox true
	assert_output_contains "--no-healthcheck conflicts with --health-* options"
	run_berth --exit 125 run -d --health-cmd true --health-interval -1s busybox true
	assert_output_contains "--health-interval cannot be negative"
	run_berth --exit 125 run -d --health-cmd true --health-retries -2 busybox true
	assert_output_contains "--health-retries cannot be negative"
	run_berth --exit 125 run -d --health-cmd true --health-timeout bogus busybox true
	assert_output_contains 'invalid argument "bogus" for "--health-timeout" flag'
}

@test "config: --health-* land in Config.Healthcheck in nanoseconds" {
	run_berth create --name hcfg --health-cmd 'exit 0' --health-interval 2s --health-timeout 500ms \
		--health-retries 4 --health-start-period 1m --health-start-interval 1s busybox true
	run_berth inspect -f '{{json .Config.Healthcheck}}' hcfg
	[ "$output" = '{"Interval":2000000000,"Retries":4,"StartInterval":1000000000,"StartPeriod":60000000000,"Test":["CMD-SHELL","exit 0"],"Timeout":500000000}' ] || \
	[ "$output" = '{"Test":["CMD-SHELL","exit 0"],"Interval":2000000000,"Timeout":500000000,"StartPeriod":60000000000,"StartInterval":1000000000,"Retries":4}' ]
	run_berth create --name hnone --no-healthcheck busybox true
	run_berth inspect -f '{{json .Config.Healthcheck.Test}}' hnone
	[ "$output" = '["NONE"]' ]
	run_berth rm hcfg hnone
}

@test "a flaky check: starting -> healthy -> unhealthy after retries -> healthy again" {
	# the check passes while /tmp/ok exists inside the container (so it runs in its mount ns)
	# (interval 1 s: the states looked at below last 1 to 3 intervals, long enough to be seen
	# by the next command on a loaded machine)
	run_berth run -d --name hfl --health-cmd 'cat /tmp/ok' --health-interval 1s --health-retries 3 \
		busybox sh -c 'sleep 1000'
	[ "$(health hfl)" = starting ]
	run_berth ps --filter name=hfl --format '{{.Status}}'
	[[ "$output" == *"(health: starting)" ]]
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.State.Health.Status}}' hfl)\" = unhealthy ]"
	"$BERTH" exec hfl sh -c 'echo fine > /tmp/ok'
	run_berth wait --condition healthy --timeout 30 hfl
	[ "$output" = healthy ]
	run_berth ps --filter name=hfl --format '{{.Status}}'
	[[ "$output" == *"(healthy)" ]]
	run_berth ps --filter health=healthy --format '{{.Names}}'
	[ "$output" = hfl ]
	# the last results with their output
	run_berth inspect -f '{{range .State.Health.Log}}{{.ExitCode}}:{{.Output}}|{{end}} {{.State.Health.FailingStreak}}' hfl
	[[ "$output" == *"0:fine
| 0" ]]
	[[ "$output" == *"1:cat: can't open '/tmp/ok': No such file or directory"* ]]
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{len .State.Health.Log}}' hfl)\" = 5 ]"
	# one failure is not enough with retries 3: still healthy
	"$BERTH" exec hfl rm /tmp/ok
	# status and streak read at once: healthy with 1 or 2 failures is the state to see
	wait_until 5 bash -c "[[ \"\$($BERTH inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hfl)\" == 'healthy '[12] ]]"
	run_berth wait --condition unhealthy --timeout 30 hfl
	[ "$(health hfl)" = unhealthy ]
	run_berth ps --filter health=unhealthy --format '{{.Names}}'
	[ "$output" = hfl ]
	# events: one health_status per change
	run_berth events --since 1m --until 0s --filter container=hfl --format '{{.Action}}'
	assert_output_contains "health_status: healthy"
	assert_output_contains "health_status: unhealthy"
	run_berth rm -f hfl
}

@test "start period: failures do not count, the check runs at the start interval" {
	# the interval is an hour: only the start interval can run several probes; the start
	# period outlasts any load this machine may be under (it was 2 s: a loaded machine passed
	# it before the first look)
	run_berth run -d --name hsp --health-cmd false --health-interval 1h --health-start-period 1h \
		--health-start-interval 200ms --health-retries 1 busybox sleep 1000
	wait_until 10 bash -c "[ \$('$BERTH' inspect -f '{{len .State.Health.Log}}' hsp) -ge 2 ]"
	# several probes already ran (start interval), none counted
	run_berth inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hsp
	[ "$output" = "starting 0" ]
	[ "$("$BERTH" inspect -f '{{len .State.Health.Log}}' hsp)" -ge 2 ]
	run_berth rm -f hsp
}

@test "a check over its timeout fails with Docker's message and exit code -1" {
	run_berth run -d --name hto --health-cmd 'sleep 5' --health-interval 100ms --health-timeout 300ms \
		--health-retries 1 busybox sleep 1000
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.State.Health.Status}}' hto)\" = unhealthy ]"
	run_berth inspect -f '{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}' hto
	[ "$output" = "-1 Health check exceeded timeout (300ms)" ]
	run_berth rm -f hto
}

@test "no healthcheck: no Health in inspect, wait --condition healthy fails" {
	run_berth run -d --name hno busybox sleep 1000
	run_berth inspect -f '{{json .State}}' hno
	[[ "$output" != *Health* ]]
	run_berth --exit 1 wait --condition healthy hno
	run_berth rm -f hno
}

@test "each probe is a short-lived berth child of the monitor; the monitor never enters the container" {
	run_berth run -d --name hpr --health-cmd 'sleep 1' --health-interval 100ms busybox sleep 1000
	local id=$output mon probe
	mon=$(pgrep -f "^berth-monitor ${id:0:12}")
	[ -n "$mon" ]
	wait_until 5 bash -c "pgrep -f '^berth-health .*health-probe $id' >/dev/null"
	probe=$(pgrep -f "^berth-health .*health-probe $id" | head -1)
	[ "$(awk '{print $4}' /proc/$probe/stat)" = "$mon" ]
	# the monitor stays in the host's namespaces (the probe's own child joins the container)
	local ns
	for ns in mnt pid net uts ipc cgroup; do
		[ "$(readlink /proc/$mon/ns/$ns)" = "$(readlink /proc/$$/ns/$ns)" ]
	done
	[[ "$(readlink /proc/$mon/exe)" == */berth-monitor ]]
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.State.Health.Status}}' hpr)\" = healthy ]"
	# a stop with a probe in flight: the probe goes with the monitor
	run_berth stop -t 1 hpr
	# (PDEATHSIG: it is killed when the monitor exits, and gone a moment later)
	wait_until 5 bash -c "! pgrep -f '^berth-health .*health-probe $id'"
	run_berth rm hpr
}
