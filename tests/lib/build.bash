# build.bash: helpers for the builder's system tests (07x-*.bats).
load ../lib/helpers

# build_setup_file: private store with busybox:latest (tests/fixtures/mkbusybox) and the python
# stand-in python:3.11-slim (tests/fixtures/mkpyslim) imported, as the corpus expects.
build_setup_file() {
	berth_setup_root
	local tar
	tar=$(busybox_tarball)
	"$BERTH" import "$tar" busybox:latest >/dev/null
	"$FIXTURES/mkpyslim" "$BATS_FILE_TMPDIR/pyslim.tar" >/dev/null
	"$BERTH" import "$BATS_FILE_TMPDIR/pyslim.tar" python:3.11-slim >/dev/null
}

# build_ctx NAME: a fresh empty context directory; prints its path.
build_ctx() {
	local d="$BATS_TEST_TMPDIR/$1"
	rm -rf "$d"
	mkdir -p "$d"
	echo "$d"
}

# assert_line_matches REGEX: some line of $output matches.
assert_line_matches() {
	if ! grep -Eq -- "$1" <<<"$output"; then
		echo "no line matches: $1" >&2
		echo "actual: $output" >&2
		return 1
	fi
}
