#!/usr/bin/env bats
# 049-boot-stats: `system boot` after a simulated reboot (every monitor and container of this
# store SIGKILLed, nothing left mounted) starts what the restart policies say; a SIGKILLed
# monitor's container comes back at boot; `stats` figures move under load; pause/unpause.
load ../lib/supervise

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

# SIGKILL every monitor and container process of this store, as a power cut would
simulated_reboot() {
	local id pid
	for id in $("$BERTH" ps -aq --no-trunc); do
		for pid in $(pgrep -f "^berth-monitor ${id:0:12}") $(pgrep -f "^berth-monitor --root $BERTH_ROOT .*$id"); do
			kill -9 "$pid" 2>/dev/null || true
		done
		pid=$("$BERTH" inspect -f '{{.State.Pid}}' "$id")
		[ "$pid" = 0 ] || kill -9 "$pid" 2>/dev/null || true
	done
	# nothing of the store may stay mounted on the host (rootfs mounts live in the containers'
	# own mount namespaces); unmount whatever would be there
	local m
	for m in $(awk -v r="$BERTH_ROOT" '$2 ~ "^"r {print $2}' /proc/self/mounts | sort -r); do
		umount -l "$m"
	done
	sleep 0.3
}

running() { "$BERTH" inspect -f '{{.State.Running}}' "$1"; }

@test "system boot starts always and unless-stopped containers, not stopped or 'no' ones" {
	run_berth run -d --name b_always --restart always busybox sleep 1000
	run_berth run -d --name b_unless --restart unless-stopped busybox sleep 1000
	run_berth run -d --name b_unless_stopped --restart unless-stopped busybox sleep 1000
	run_berth run -d --name b_always_stopped --restart always busybox sleep 1000
	run_berth run -d --name b_no busybox sleep 1000
	run_berth run -d --name b_fail --restart on-failure:5 busybox sleep 1000
	run_berth run -d --name b_vol -v bootvol:/data --restart always busybox sh -c 'echo $$ >> /data/starts; sleep 1000'
	run_berth stop -t 0 b_unless_stopped b_always_stopped
	local id_always
	id_always=$("$BERTH" inspect -f '{{.Id}}' b_always)
	simulated_reboot
	# the records are reconciled by boot (the dead monitors are noticed)
	run_berth system boot
	echo "$output" >&3
	[ "$(running b_always)" = true ]
	[ "$(running b_unless)" = true ]
	[ "$(running b_always_stopped)" = true ]
	[ "$(running b_fail)" = true ]
	[ "$(running b_vol)" = true ]
	[ "$(running b_unless_stopped)" = false ]
	[ "$(running b_no)" = false ]
	[ "$("$BERTH" inspect -f '{{.Id}}' b_always)" = "$id_always" ]
	# the volume survived and was mounted again
	run_berth exec b_vol sh -c 'wc -l < /data/starts'
	[ "$output" -eq 2 ]
	# a second boot is a no-op
	run_berth system boot
	[ -z "$output" ]
	# and the restarted containers are supervised again (policy honoured)
	kill -9 "$("$BERTH" inspect -f '{{.State.Pid}}' b_always)"
	wait_until 5 bash -c "[ \"\$($BERTH inspect -f '{{.State.Running}}' b_always)\" = true ]"
	run_berth rm -f b_always b_unless b_unless_stopped b_always_stopped b_no b_fail b_vol
}

@test "SIGKILL of a monitor: exited (137), and system boot honours the policy" {
	run_berth run -d --name bk --restart unless-stopped busybox sleep 1000
	local id=$output mon
	mon=$(pgrep -f "^berth-monitor ${id:0:12}")
	kill -9 "$mon"
	wait_until 5 bash -c "$BERTH ps -a --filter name=bk --format '{{.Status}}' | grep -q '^Exited (137)'"
	run_berth system boot
	[ "$output" = bk ]
	[ "$(running bk)" = true ]
	run_berth rm -f bk
}

@test "stats: CPU, memory, PIDs move under load; --format and --no-stream" {
	run_berth run -d --name st1 --memory 128m busybox sh -c 'sleep 1000'
	run_berth stats --no-stream --format '{{.Name}} {{.CPUPerc}} {{.PIDs}} {{.MemUsage}}' st1
	echo "idle: $output" >&3
	local -a f=($output)
	[ "${f[0]}" = st1 ]
	[ "${f[2]}" = 1 ]
	[ "${f[5]}" = 128MiB ]
	local idle_cpu=${f[1]%\%}
	# load: a busy loop, more processes, memory held
	"$BERTH" exec -d st1 sh -c 'while :; do :; done'
	"$BERTH" exec st1 sh -c 'head -c 20000000 /dev/zero > /dev/shm/x'
	# the loop's share of the CPU depends on what else the machine runs (2 cores shared by
	# many jobs: a busy loop may get 10%): it must be above the idle figure, not a fixed bar;
	# poll (the loop may not have been scheduled yet when exec -d returns)
	local cpu=0 deadline=$((SECONDS + 30))
	while :; do
		run_berth stats --no-stream --format '{{.CPUPerc}} {{.PIDs}} {{.MemUsage}}' st1
		f=($output)
		cpu=${f[0]%\%}
		awk -v c="$cpu" -v i="$idle_cpu" 'BEGIN { exit !(c > i + 1) }' && [ "${f[1]}" -ge 3 ] && break
		[ $SECONDS -lt $deadline ] || break
		sleep 0.2
	done
	echo "load: $output" >&3
	awk -v c="$cpu" -v i="$idle_cpu" 'BEGIN { exit !(c > i + 1) }'
	awk -v i="$idle_cpu" 'BEGIN { exit !(i < 5) }' # a sleeping process
	[ "${f[1]}" -ge 3 ]
	[[ "${f[2]}" == *MiB ]]
	[ "${f[2]%%.*}" -ge 10 ] || [ "${f[2]%%MiB}" -ge 10 ]
	# the default table
	run_berth stats --no-stream st1
	local re='^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
	[[ "${lines[0]}" =~ $re ]]
	run_berth rm -f st1
}

@test "pause freezes every process, unpause thaws them" {
	run_berth run -d --name pz busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/t; sleep 0.05; done'
	local pid
	pid=$("$BERTH" inspect -f '{{.State.Pid}}' pz)
	wait_until 5 bash -c "[ \"\$(cat /proc/$pid/root/tmp/t 2>/dev/null)\" -ge 2 ]"
	run_berth pause pz
	run_berth ps --filter name=pz --format '{{.Status}} {{.State}}'
	[[ "$output" == Up*"(Paused) paused" ]]
	run_berth inspect -f '{{.State.Status}} {{.State.Paused}}' pz
	[ "$output" = "paused true" ]
	run_berth --exit 1 pause pz
	assert_output_contains "is already paused"
	local state
	state=$(awk '{print $3}' /proc/$pid/stat)
	echo "state $state" >&3
	local t1 t2
	t1=$(cat /proc/$pid/root/tmp/t)
	sleep 0.4
	t2=$(cat /proc/$pid/root/tmp/t)
	[ "$t1" = "$t2" ]
	run_berth unpause pz
	# thawed: the counter moves again (as soon as the loop is scheduled)
	wait_until 5 bash -c "[ \"\$(cat /proc/$pid/root/tmp/t)\" != '$t1' ]"
	run_berth --exit 1 unpause pz
	assert_output_contains "is not paused"
	# stop works on a paused container
	run_berth pause pz
	run_berth stop -t 1 pz
	run_berth rm pz
}
