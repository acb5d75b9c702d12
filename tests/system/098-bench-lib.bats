#!/usr/bin/env bats
# 098-bench-lib: the benchmark machinery (bench/lib.sh, bench/run), not the benchmarks: RESULT
# lines (ratios, targets, n/a), medians, clean-up of the scratch directory, and the driver's
# discovery of bench/*.sh, failure reporting and summary. No engine is started.
load ../lib/helpers

setup() {
	berth_setup_root
	export BENCH_ENGINES=""
}

# lib CMD: run CMD in a bash that sourced bench/lib.sh
lib() { run bash -c ". '$BERTH_SRC/bench/lib.sh'; $1"; }

@test "result: lower-is-better ratios, n/a engines, target met" {
	lib "result run.x ms lower 'berth<20' berth=10 docker=40 podman=n/a"
	[ "$status" -eq 0 ]
	assert_equal "$output" "RESULT run.x unit=ms better=lower berth=10 docker=40 podman=n/a vs_docker=4 vs_podman=n/a target=berth<20 met=yes"
}

@test "result: higher-is-better ratios and a missed target" {
	lib "result load.t MB/s higher 'berth>=2*docker' berth=90 docker=60 podman=120"
	assert_output_contains "vs_docker=1.5 vs_podman=0.75 target=berth>=2*docker met=no"
}

@test "result: a target over a missing value is n/a; reason keeps no spaces" {
	lib "result b.c ms lower 'berth*4<=docker' berth=n/a docker=100 reason='not there yet'"
	assert_output_contains "berth=n/a docker=100 vs_docker=n/a target=berth*4<=docker met=n/a reason=not_there_yet"
	lib "result b.d ms lower - berth=5 floor=1"
	assert_output_contains "vs_floor=0.2 target=- met=n/a"
}

@test "result: values rounded to 3 significant digits, none above 100" {
	lib "result r.x ms lower - berth=12.34567 docker=1234.567"
	assert_output_contains "berth=12.3 docker=1235 vs_docker=100"
}

@test "median of odd, even and empty input" {
	lib "printf '5\n1\n3\n' | median; printf '3\n1\n2\n10\n' | median; printf '' | median"
	assert_equal "$output" "$(printf '3\n2.5\nn/a')"
}

@test "the scratch directory and private store go away on exit" {
	lib 'echo "$BENCH_TMP $BERTH_ROOT"'
	read -r tmp root <<<"$output"
	[[ "$root" == "$tmp"/* ]]
	[ ! -e "$tmp" ]
}

@test "bench/run: finds every NAME.sh, reports failures and scripts without RESULT lines" {
	d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d/bench"
	cp "$BERTH_SRC/bench/run" "$BERTH_SRC/bench/lib.sh" "$d/bench/"
	ln -s "$BERTH" "$d/berth"
	cat >"$d/bench/good.sh" <<'EOF'
. "$(dirname "$0")/lib.sh"
note progress goes to stderr
result good.fast ms lower 'berth<20' berth=10 docker=300
EOF
	echo 'echo "free-form figure: 12 ms"' >"$d/bench/free.sh"
	echo 'exit 3' >"$d/bench/bad.sh"
	run "$d/bench/run" --list
	assert_equal "$output" "$(printf 'bad\nfree\ngood')"
	run "$d/bench/run" -o "$d/out.txt" -m "$d/out.md" all
	[ "$status" -eq 1 ]
	assert_output_contains "RESULT bad n/a reason=script_failed_with_status_3"
	assert_output_contains "free-form figure: 12 ms"
	grep -q '^RESULT free n/a note=no_RESULT_lines' "$d/out.txt"
	grep -q '^RESULT good.fast unit=ms better=lower berth=10 docker=300 vs_docker=30 target=berth<20 met=yes$' "$d/out.txt"
	# summary table: one row per RESULT line
	[[ "$output" == *"good.fast"*"docker=30x"*"yes"* ]]
	grep -q '^| good.fast | ms | 10 | docker=300 | docker=30x | `berth<20` | yes |' "$d/out.md"
	run "$d/bench/run" nosuch
	[ "$status" -eq 2 ]
	run "$d/bench/run" good
	[ "$status" -eq 0 ]
	run "$d/bench/run" --summary "$d/out.txt"
	[ "$status" -eq 0 ]
	assert_output_contains "good.fast"
}
