#!/usr/bin/env bats
# 071-build-corpus: build every case of tests/corpus/cases with berth and compare config,
# history, layer count and the added layers' listing with what Docker 20.10 produced
# (tests/corpus/run-berth.py; cases where berth knowingly differs are listed there).
load ../lib/build

setup_file() { build_setup_file; }
setup() { berth_setup_root; }

@test "berth build matches Docker on the differential corpus" {
	run env BERTH="$BERTH" BERTH_ROOT="$BERTH_ROOT" python3 "$BERTH_SRC/tests/corpus/run-berth.py"
	echo "$output" | grep -v '^PASS' >&2
	[ "$status" -eq 0 ]
	assert_line_matches '^passed [0-9]+/[0-9]+$'
}
