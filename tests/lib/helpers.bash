# helpers.bash: shared set-up for the bats system tests (as podman's test/system/helpers.bash).
# Every test file gets a private store: BERTH_ROOT and BERTH_RUNROOT under a temp dir.

BERTH_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH="$BERTH_SRC/berth"
FIXTURES="$BERTH_SRC/tests/fixtures"
CONFORMANCE="${CONFORMANCE:-$BERTH_SRC/../shared/conformance}"
[ -d "$CONFORMANCE" ] || CONFORMANCE=/work/shared/conformance

berth_setup_root() {
	export BERTH_ROOT="$BATS_FILE_TMPDIR/root"
	export BERTH_RUNROOT="$BATS_FILE_TMPDIR/run"
	mkdir -p "$BERTH_ROOT" "$BERTH_RUNROOT"
}

# run_berth [--exit N] ARGS...: run berth, capture $output and $status; assert the exit code
# (0 unless --exit is given).
run_berth() {
	local want=0
	if [ "$1" = "--exit" ]; then want=$2; shift 2; fi
	run "$BERTH" "$@"
	if [ "$status" -ne "$want" ]; then
		echo "berth $*: exit $status, expected $want" >&2
		echo "output: $output" >&2
		return 1
	fi
}

assert_output_contains() {
	if [[ "$output" != *"$1"* ]]; then
		echo "expected output to contain: $1" >&2
		echo "actual: $output" >&2
		return 1
	fi
}

assert_equal() {
	if [ "$1" != "$2" ]; then
		echo "expected: $2" >&2
		echo "actual:   $1" >&2
		return 1
	fi
}

# busybox_image: the path of the busybox rootfs tarball made by tests/fixtures/mkbusybox.
busybox_tarball() {
	"$FIXTURES/mkbusybox" "$BATS_FILE_TMPDIR/busybox-rootfs.tar" >/dev/null
	echo "$BATS_FILE_TMPDIR/busybox-rootfs.tar"
}

# No test may reach beyond this machine. A reference to a public registry (docker.io) would
# make the registry client resolve and dial it; with these proxies libcurl dials a closed
# loopback port instead and never resolves the name. Registries on loopback are exempt.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy
export no_proxy=127.0.0.1,localhost,::1 NO_PROXY=127.0.0.1,localhost,::1
