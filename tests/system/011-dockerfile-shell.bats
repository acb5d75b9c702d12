#!/usr/bin/env bats
# 011-dockerfile-shell: Dockerfile word expansion through `berth debug expand|words`:
# every BuildKit shell conformance vector, options, errors and exit codes.
load ../lib/helpers
load ../lib/dockerfile-shell

setup() { berth_setup_root; }

@test "every envVarTest vector (A and U lines) expands as BuildKit" {
	dfs_run_envvartest "$CONFORMANCE/dockerfile/shell/envVarTest"
	echo "envVarTest: $DFS_PASSED of $DFS_RUN pass, $DFS_SKIPPED Windows-only skipped" >&3
	[ "$DFS_RUN" -gt 200 ]
	assert_equal "$DFS_PASSED" "$DFS_RUN"
}

@test "every wordsTest vector splits as BuildKit" {
	dfs_run_wordstest "$CONFORMANCE/dockerfile/shell/wordsTest"
	echo "wordsTest: $DFS_PASSED of $DFS_RUN pass" >&3
	[ "$DFS_RUN" -gt 20 ]
	assert_equal "$DFS_PASSED" "$DFS_RUN"
}

@test "debug expand: variables, modifiers and patterns" {
	run_berth debug expand -e A=1 -e A=2 -e 'P=/usr/local/bin' -- '$A-${B:-b}-${P##*/}-${P%/*}-${P//\//:}'
	assert_equal "$output" "2-b-bin-/usr/local-:usr:local:bin"
	run_berth debug expand -e EMPTY -- '[${EMPTY-unset}]'
	assert_equal "$output" "[]"
}

@test "debug expand: failure exits 1 with BuildKit's message" {
	run_berth --exit 1 debug expand -- 'he${XXX:?}'
	assert_equal "$output" 'Error: failed to process "he${XXX:?}": XXX: is not allowed to be unset'
	run_berth --exit 1 debug expand -- '${}'
	assert_equal "$output" 'Error: failed to process "${}": syntax error: bad substitution'
	run_berth --exit 1 debug expand -- "'abc"
	assert_equal "$output" "Error: failed to process \"'abc\": unexpected end of statement while looking for matching single-quote"
	run_berth --exit 1 debug expand -e X=a -- '${X:=b}'
	assert_equal "$output" 'Error: failed to process "${X:=b}": unsupported modifier (:=) in substitution'
}

@test "debug expand --escape: the backtick escape" {
	run_berth debug expand --escape '`' -e PWD=/home -- 'C:\dir`$PWD\$PWD'
	assert_equal "$output" 'C:\dir$PWD\/home'
	run_berth --exit 125 debug expand --escape x -- a
	assert_output_contains "invalid escape token"
}

@test "debug expand --matches lists matched and unmatched names" {
	run_berth debug expand --matches -e FOO=x -e BAR= -- '${FOO}${BAR:-y}${BAZ}$1'
	assert_equal "$output" "$(printf 'xy\nmatched: FOO BAR\nunmatched: BAZ 1')"
}

@test "debug expand: BuildKit's lexer options" {
	run_berth debug expand --skip-unset-env --raw-quotes -- "'\$A' \${B:-c} \$D"
	assert_equal "$output" "'\$A' \${B:-c} \$D"
	run_berth debug expand --raw-escapes -- 'a\ b'
	assert_equal "$output" 'a\ b'
	run_berth debug expand --skip-process-quotes -e A=1 -- "'\$A'"
	assert_equal "$output" "'1'"
}

@test "debug words: splitting, quotes and heredoc markers" {
	run_berth debug words -e 'X=a  b' -- 'one $X "two $X" three\ four <<  EOF'
	assert_equal "$output" "$(printf 'one\na\nb\ntwo a  b\nthree four\n<<  EOF')"
	run_berth --exit 1 debug words -- '"open'
	assert_output_contains "looking for matching double-quote"
}

@test "debug expand: usage errors and hidden from help" {
	run_berth --exit 1 debug expand
	assert_output_contains "requires exactly 1 argument"
	run_berth --exit 125 debug words --bogus x
	assert_output_contains "unknown flag: --bogus"
	run_berth help
	if grep -qE "^  debug( |$)" <<<"$output"; then echo "debug is listed by help" >&2; return 1; fi
	run_berth debug expand --help
	assert_output_contains "Usage:  berth debug expand [OPTIONS] WORD"
}
