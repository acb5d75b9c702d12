# compose-up.bash: helpers for the `berth compose up/down/...` system tests (051-*.bats): a
# private store with busybox:latest imported (tests/fixtures/mkbusybox), project dirs, cleanup.
load ../lib/helpers
load ../lib/compose

compose_up_setup_file() {
	berth_setup_root
	local tar
	tar=$(busybox_tarball)
	"$BERTH" import "$tar" busybox:latest >/dev/null
}

# Remove every container and user network of this file's store.
compose_up_teardown_file() {
	berth_setup_root
	local ids
	ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
	for n in $("$BERTH" network ls --format '{{.Name}}' 2>/dev/null); do
		case "$n" in bridge|host|none) ;; *) "$BERTH" network rm "$n" >/dev/null 2>&1 || true ;; esac
	done
}

# compose_teardown: `compose down -v` in the current project dir, ignoring errors.
compose_teardown() {
	[ -f compose.yaml ] && "$BERTH" compose down -v -t 0 >/dev/null 2>&1 || true
}

# run_compose [--exit N] ARGS...: `berth compose ARGS` with stdout in $output and stderr in
# $stderr_out (progress lines go to stderr, as compose's).
run_compose() {
	local want=0
	if [ "$1" = "--exit" ]; then want=$2; shift 2; fi
	local errf="$BATS_TEST_TMPDIR/stderr.$$"
	run bash -c '"$0" compose "$@" 2>"'"$errf"'"' "$BERTH" "$@"
	stderr_out=$(cat "$errf")
	if [ "$status" -ne "$want" ]; then
		echo "berth compose $*: exit $status, expected $want" >&2
		echo "stdout: $output" >&2
		echo "stderr: $stderr_out" >&2
		return 1
	fi
}

# label CONTAINER KEY: a label of a container
ctr_label() {
	"$BERTH" inspect -f "{{index .Config.Labels \"$2\"}}" "$1"
}

# free_port: a free TCP port on the host
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_until SECONDS CMD...: retry CMD every 0.1 s
wait_until() {
	# SECS is what a quiet machine needs: the wall-time deadline is 3 x SECS, at least 30 s
	local secs=$1
	shift
	local deadline=$((${EPOCHSECONDS:-$(date +%s)} + (secs * 3 > 30 ? secs * 3 : 30)))
	while :; do
		"$@" && return 0
		[ "${EPOCHSECONDS:-$(date +%s)}" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}
