# supervise.bash: helpers for the supervision system tests (045-049).
load ../lib/runtime

# restart_count NAME
restart_count() { "$BERTH" inspect -f '{{.RestartCount}}' "$1"; }

# wait_until SECS CMD...: retry a command every 0.1 s for up to SECS seconds
wait_until() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# monitor pids of this test file's containers (by container id prefix)
file_monitors() {
	local id
	for id in $("$BERTH" ps -aq --no-trunc); do
		pgrep -f "^berth-monitor ${id:0:12}" || true
		pgrep -f "^berth-monitor --root $BERTH_ROOT .*${id}" || true
	done
}
