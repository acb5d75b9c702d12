# compose.bash: helpers for the `berth compose` system tests.

COMPOSE_DATA="$CONFORMANCE/compose"

# compose_dir NAME: a fresh project directory under the test's temp dir; cd into it.
compose_dir() {
	local d="$BATS_TEST_TMPDIR/$1"
	mkdir -p "$d"
	cd "$d" || return 1
}

# json_get EXPR: evaluate a python expression on the JSON in $output (bound to j).
json_get() {
	python3 -c "import json,sys; j=json.loads(sys.stdin.read()); print($1)" <<<"$output"
}

# run_config_json ARGS...: run `berth compose ARGS config --format json` capturing stdout only
# (warnings go to stderr, in $stderr_out).
run_config_json() {
	local errf="$BATS_TEST_TMPDIR/stderr"
	run bash -c '"$0" compose "$@" config --format json 2>"'"$errf"'"' "$BERTH" "$@"
	stderr_out=$(cat "$errf")
	if [ "$status" -ne 0 ]; then
		echo "berth compose $* config: exit $status: $output $stderr_out" >&2
		return 1
	fi
}
