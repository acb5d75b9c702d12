#!/usr/bin/env bats
# 037b-attached-kill: an attached `berth run` supervises its container itself; SIGKILLed at any
# instant of the start, the record must stay truthful: `Created` only if the container's
# command never ran, else `Exited (137)`; and nothing of it is left after rm.
load ../lib/runtime

setup_file() { runtime_setup_file; }
teardown_file() { runtime_teardown_file; }
setup() { berth_setup_root; }

@test "SIGKILL of an attached run at any instant of its start: Created (never ran) or Exited (137)" {
	local d="$BATS_TEST_TMPDIR/m" i delay cli st ran id
	mkdir -p "$d"
	i=0
	for delay in 0 0.01 0.02 0.05 0.08 0.12 0.2 0.3 0.5 1; do
		i=$((i + 1))
		"$BERTH" run --name ak$i -v "$d:/m" -p "127.0.0.1::80" busybox sh -c "touch /m/ran$i; exec sleep 1000" >/dev/null 2>&1 &
		cli=$!
		sleep "$delay"
		kill -9 "$cli"
		wait "$cli" 2>/dev/null || true
		# the next command settles a record whose supervisor is gone
		"$BERTH" ps -a >/dev/null
		"$BERTH" inspect ak$i >/dev/null 2>&1 || continue # killed before the record existed
		st=$("$BERTH" inspect -f '{{.State.Status}} {{.State.ExitCode}}' ak$i)
		ran=no
		[ -e "$d/ran$i" ] && ran=yes
		echo "delay $delay: $st, ran: $ran" >&3
		case $st in
		"created 0") [ "$ran" = no ] ;;
		"exited 137") ;;
		*) echo "ak$i: $st" >&2; false ;;
		esac
		id=$("$BERTH" inspect -f '{{.Id}}' ak$i)
		run_berth rm -f ak$i
		[ ! -d "$(runtime_cgroup_dir "$id")" ]
	done
	run_berth network inspect -f '{{len .Containers}}' bridge
	assert_equal "$output" 0
}
