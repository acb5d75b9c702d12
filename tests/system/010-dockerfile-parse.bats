#!/usr/bin/env bats
# 010-dockerfile-parse: the Dockerfile parser (`berth debug parse`) against BuildKit's own
# parser test data: every testfiles/*/result byte for byte, every testfiles-negative/* rejected.
load ../lib/helpers

setup() { berth_setup_root; PARSER="$CONFORMANCE/dockerfile/parser"; }

@test "every BuildKit parser testfile gives its result byte for byte" {
	[ -d "$PARSER/testfiles" ]
	local n=0 bad=()
	for d in "$PARSER"/testfiles/*/; do
		name=$(basename "$d")
		n=$((n + 1))
		if ! "$BERTH" debug parse --no-warnings "$d/Dockerfile" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"; then
			bad+=("$name(exit $?: $(head -1 "$BATS_TEST_TMPDIR/err"))")
		elif ! cmp -s "$BATS_TEST_TMPDIR/out" "$d/result"; then
			diff "$d/result" "$BATS_TEST_TMPDIR/out" >&2 || true
			bad+=("$name")
		fi
	done
	echo "checked $n directories" >&2
	[ "$n" -ge 25 ]
	if [ ${#bad[@]} -gt 0 ]; then
		echo "mismatching: ${bad[*]}" >&2
		return 1
	fi
}

@test "every BuildKit negative testfile is rejected with file:line" {
	local n=0 bad=()
	for d in "$PARSER"/testfiles-negative/*/; do
		name=$(basename "$d")
		n=$((n + 1))
		f="${d%/}/Dockerfile"
		run "$BERTH" debug parse "$f"
		if [ "$status" -eq 0 ] || [[ "$output" != *"$f:"[0-9]* ]]; then
			bad+=("$name(exit $status: $output)")
		fi
	done
	[ "$n" -ge 4 ]
	if [ ${#bad[@]} -gt 0 ]; then
		echo "not rejected properly: ${bad[*]}" >&2
		return 1
	fi
}

@test "errors name the file and line and show the line" {
	printf 'FROM busybox\n\nENV PATH\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	run_berth --exit 125 debug parse "$BATS_TEST_TMPDIR/Dockerfile"
	assert_output_contains "$BATS_TEST_TMPDIR/Dockerfile:3: ENV must have two arguments"
	assert_output_contains "3 | ENV PATH"

	printf 'FROM a\nRUN <<EOF\necho hi\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	run_berth --exit 125 debug parse "$BATS_TEST_TMPDIR/Dockerfile"
	assert_output_contains "Dockerfile:2: unterminated heredoc"
	assert_output_contains "2 | RUN <<EOF"

	printf '# escape=x\nFROM a\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	run_berth --exit 125 debug parse "$BATS_TEST_TMPDIR/Dockerfile"
	assert_output_contains "Dockerfile:1: invalid escape token 'x' does not match \` or \\"

	printf '# escape=`\n# escape=`\nFROM a\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	run_berth --exit 125 debug parse "$BATS_TEST_TMPDIR/Dockerfile"
	assert_output_contains "Dockerfile:2: only one escape parser directive can be used"
}

@test "stdin, case-insensitive names, flags, ONBUILD, escape directive" {
	run_berth debug parse - <<'DF'
# escape=`
from --platform=linux/amd64 alpine AS base
Run echo a `
  b
COPY --from=base --chmod=755 a b /c/
onbuild RUN ["echo", "x"]
ENV a=1 b="2 3"
DF
	assert_equal "$output" '(from ["--platform=linux/amd64"] "alpine" "AS" "base")
(run "echo a   b")
(copy ["--from=base" "--chmod=755"] "a" "b" "/c/")
(onbuild (run "echo" "x"))
(env "a" "1" "=" "b" "\"2 3\"" "=")'
}

@test "heredocs are consumed and empty continuation lines warn with the line" {
	printf 'FROM a\nRUN <<EOF cat <<-"END"\necho hi\nEOF\n\tEND\nRUN echo \\\n\n  x\n' >"$BATS_TEST_TMPDIR/Dockerfile"
	run "$BERTH" debug parse "$BATS_TEST_TMPDIR/Dockerfile"
	[ "$status" -eq 0 ]
	assert_output_contains '(run "<<EOF cat <<-\"END\"")'
	assert_output_contains '(run "echo   x")'
	assert_output_contains "[WARNING]: $BATS_TEST_TMPDIR/Dockerfile:8: Empty continuation line found in: RUN echo   x"
}

@test "debug parse needs exactly one argument" {
	run_berth --exit 1 debug parse
	assert_output_contains "requires exactly 1 argument"
}
