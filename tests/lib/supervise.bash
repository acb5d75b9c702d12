# supervise.bash: helpers for the supervision system tests (045-049).
load ../lib/runtime

# restart_count NAME
restart_count() { "$BERTH" inspect -f '{{.RestartCount}}' "$1"; }

# wait_until SECS CMD...: retry a command every 0.1 s until it succeeds. SECS is what a quiet
# machine needs; the deadline is 3 x SECS (at least 30 s) of wall time, since on a loaded
# machine every start and every berth command is slower (a pass returns at once)
wait_until() {
	local secs=$1
	shift
	local deadline=$((${EPOCHSECONDS:-$(date +%s)} + (secs * 3 > 30 ? secs * 3 : 30)))
	while :; do
		"$@" && return 0
		[ "${EPOCHSECONDS:-$(date +%s)}" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# monitor pids of this test file's containers (by container id prefix)
file_monitors() {
	local id
	for id in $("$BERTH" ps -aq --no-trunc); do
		pgrep -f "^berth-monitor ${id:0:12}" || true
		pgrep -f "^berth-monitor --root $BERTH_ROOT .*${id}" || true
	done
}
