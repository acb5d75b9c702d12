#!/usr/bin/env bats
# 045-restart: restart policies decided by the container's monitor (no daemon): no,
# on-failure[:N], always, unless-stopped; Docker's backoff; stop disables restarts until the
# next start; update --restart on a running container.
load ../lib/supervise

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "restart: bad policies are refused with Docker's words" {
	run_berth --exit 125 run -d --restart bogus busybox true
	assert_output_contains "invalid restart policy 'bogus'"
	run_berth --exit 125 run -d --restart always:3 busybox true
	assert_output_contains "maximum retry count cannot be used with restart policy 'always'"
	run_berth --exit 125 run -d --restart on-failure:-1 busybox true
	assert_output_contains "maximum retry count cannot be negative"
	run_berth --exit 125 run --rm --restart always busybox true
	assert_output_contains "Conflicting options: --restart and --rm"
}

@test "restart no: an exited container stays exited" {
	run_berth run -d --name rno busybox sh -c 'exit 3'
	[ "$status" -eq 0 ]
	run_berth wait rno
	[ "$output" = 3 ]
	sleep 0.5
	[ "$(restart_count rno)" = 0 ]
	run_berth inspect -f '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}' rno
	[ "$output" = "exited no" ]
}

@test "on-failure:3 restarts a failing container 3 times, keeps its id and log" {
	run_berth run -d --name rof --restart on-failure:3 busybox sh -c 'echo run; exit 2'
	local id=$output
	wait_until 10 bash -c "[ \"\$($BERTH inspect -f '{{.RestartCount}} {{.State.Status}}' rof)\" = '3 exited' ]"
	sleep 1
	run_berth inspect -f '{{.Id}} {{.RestartCount}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' rof
	[ "$output" = "$id 3 2 3" ]
	run_berth logs rof
	[ "$(grep -c '^run$' <<<"$output")" -eq 4 ]
}

@test "on-failure does not restart a clean exit" {
	run_berth run -d --name rok --restart on-failure busybox true
	run_berth wait rok
	sleep 0.5
	[ "$(restart_count rok)" = 0 ]
}

@test "always: backoff 100ms doubling, then stop ends the restarts" {
	run_berth run -d --name ral --restart always busybox sh -c 'date +%s.%N >>/tmp/x; exit 1'
	wait_until 10 bash -c "[ \$($BERTH inspect -f '{{.RestartCount}}' ral) -ge 6 ]"
	# the start times: gaps grow (100, 200, 400, 800 ms + start cost)
	run_berth events --since 1m --until 0s --filter container=ral --filter event=start --format '{{.TimeNano}}'
	local -a t=($output)
	echo "starts: $output" >&2
	[ "${#t[@]}" -ge 5 ]
	local g1=$(( (t[2] - t[1]) / 1000000 )) g3=$(( (t[4] - t[3]) / 1000000 ))
	echo "gaps: $g1 ms, $g3 ms" >&3
	# the backoff is the floor; above it each gap holds a start, whose cost depends on the
	# machine's load: only a gross excess (seconds instead of ms) is an error
	[ "$g1" -ge 150 ] && [ "$g1" -lt 20000 ]
	[ "$g3" -ge 700 ] && [ "$g3" -lt 20000 ]
	[ "$g3" -gt "$g1" ]
	run_berth stop ral
	[ "$status" -eq 0 ]
	local n
	n=$(restart_count ral)
	sleep 2
	[ "$(restart_count ral)" = "$n" ]
	run_berth inspect -f '{{.State.Status}} {{.State.Restarting}}' ral
	[ "$output" = "exited false" ]
	# the next start re-enables the policy (and resets the count)
	run_berth start ral
	wait_until 5 bash -c "[ \$($BERTH inspect -f '{{.RestartCount}}' ral) -ge 1 ]"
	run_berth rm -f ral
	[ "$status" -eq 0 ]
}

@test "always: a container killed from outside comes back, same id, ps shows it" {
	run_berth run -d --name rka --restart always busybox sleep 1000
	local id=$output pid
	pid=$("$BERTH" inspect -f '{{.State.Pid}}' rka)
	kill -9 "$pid"
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.RestartCount}} {{.State.Running}}' rka)\" = '1 true' ]"
	[ "$("$BERTH" inspect -f '{{.Id}}' rka)" = "$id" ]
	[ "$("$BERTH" inspect -f '{{.State.Pid}}' rka)" != "$pid" ]
	run_berth ps --filter name=rka --format '{{.Status}}'
	[[ "$output" == Up* ]]
	# docker kill is a manual stop: no restart
	run_berth kill rka
	sleep 1
	run_berth inspect -f '{{.RestartCount}} {{.State.Running}}' rka
	[ "$output" = "1 false" ]
	run_berth rm rka
}

@test "unless-stopped restarts, and stop makes it stay down" {
	run_berth run -d --name rus --restart unless-stopped busybox sh -c 'sleep 0.2; exit 0'
	wait_until 5 bash -c "[ \$($BERTH inspect -f '{{.RestartCount}}' rus) -ge 2 ]"
	run_berth stop -t 1 rus
	sleep 1
	run_berth inspect -f '{{.State.Running}}' rus
	[ "$output" = false ]
	run_berth rm -f rus
}

@test "restarting: ps shows Restarting, stop during the backoff ends it" {
	run_berth run -d --name rrs --restart always busybox false
	# after a few failures the backoff is long enough to be seen
	wait_until 10 bash -c "$BERTH ps --filter name=rrs --format '{{.Status}}' | grep -q '^Restarting (1)'"
	# the container flips between restarting and running: wait for the state, then look once
	wait_until 10 bash -c "[ \"\$($BERTH inspect -f '{{.State.Status}} {{.State.Restarting}}' rrs)\" = 'restarting true' ]"
	run_berth --exit 1 rm rrs
	# refused either way; which words depend on whether the next try has begun
	[[ "$output" == *"cannot remove a restarting container"* || "$output" == *"cannot remove a running container"* ]]
	run_berth stop rrs
	[ "$status" -eq 0 ]
	# synchronous, as Docker's: when stop returns, the container is stopped and recorded, its
	# monitor is gone, and no further try starts (even one that was starting when stop came)
	run_berth inspect -f '{{.State.Status}} {{.State.Restarting}} {{.State.Pid}}' rrs
	[ "$output" = "exited false 0" ]
	[ -z "$(file_monitors)" ]
	local n
	n=$(restart_count rrs)
	sleep 1
	run_berth inspect -f '{{.State.Status}} {{.State.Restarting}}' rrs
	[ "$output" = "exited false" ]
	[ "$(restart_count rrs)" = "$n" ]
	run_berth rm rrs
	[ "$status" -eq 0 ]
}

@test "stop is synchronous wherever it lands in the restart cycle (running, exit, backoff, try)" {
	run_berth run -d --name rsy --restart always busybox sh -c 'sleep 0.05; exit 1'
	local i d n
	for i in 1 2 3 4 5 6 7 8 9 10; do
		# a start by hand resets the backoff to 100 ms: stop lands at a different phase each time
		d=$(( (i * 37) % 300 ))
		sleep "0.$(printf %03d "$d")"
		run_berth stop -t 1 rsy
		[ "$status" -eq 0 ]
		run_berth inspect -f '{{.State.Status}} {{.State.Restarting}} {{.State.Pid}}' rsy
		echo "round $i (after ${d} ms): $output" >&2
		[ "$output" = "exited false 0" ]
		[ -z "$(file_monitors)" ]
		n=$(restart_count rsy)
		sleep 0.3
		[ "$(restart_count rsy)" = "$n" ]
		run_berth inspect -f '{{.State.Status}}' rsy
		[ "$output" = exited ]
		run_berth start rsy
	done
	run_berth rm -f rsy
	[ -z "$(file_monitors)" ]
}

@test "update --restart changes the policy of a running container" {
	run_berth run -d --name rup busybox sleep 1000
	run_berth update --restart always rup
	[ "$status" -eq 0 ]
	run_berth inspect -f '{{.HostConfig.RestartPolicy.Name}}' rup
	[ "$output" = always ]
	kill -9 "$("$BERTH" inspect -f '{{.State.Pid}}' rup)"
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.RestartCount}} {{.State.Running}}' rup)\" = '1 true' ]"
	run_berth --exit 1 update --restart bogus rup
	assert_output_contains "invalid restart policy 'bogus'"
	run_berth rm -f rup
}

@test "update --memory/--pids-limit on a running container reach its cgroup" {
	run_berth run -d --name rmem busybox sleep 1000
	local id
	id=$("$BERTH" inspect -f '{{.Id}}' rmem)
	run_berth update --memory 64m --pids-limit 33 rmem
	[ "$status" -eq 0 ]
	run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' rmem
	[ "$output" = "67108864 33" ]
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		[ "$(cat /sys/fs/cgroup/berth/$id/memory.max)" = 67108864 ]
		[ "$(cat /sys/fs/cgroup/berth/$id/pids.max)" = 33 ]
	else
		[ "$(cat /sys/fs/cgroup/memory/berth/$id/memory.limit_in_bytes)" = 67108864 ]
		[ "$(cat /sys/fs/cgroup/pids/berth/$id/pids.max)" = 33 ]
	fi
	run_berth rm -f rmem
}

@test "a restarted container gets its network back, with the same address when free" {
	run_berth run -d --name rnet --network bridge --restart always busybox sleep 1000
	local ip
	ip=$("$BERTH" inspect -f '{{.NetworkSettings.IPAddress}}' rnet)
	[ -n "$ip" ]
	kill -9 "$("$BERTH" inspect -f '{{.State.Pid}}' rnet)"
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.RestartCount}} {{.State.Running}}' rnet)\" = '1 true' ]"
	run_berth inspect -f '{{.NetworkSettings.IPAddress}}' rnet
	[ "$output" = "$ip" ]
	run_berth exec rnet ip -4 addr show eth0
	assert_output_contains "inet $ip/"
	run_berth rm -f rnet
}
