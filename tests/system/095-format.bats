#!/usr/bin/env bats
# 095-format: --format templates end to end through a verb (docker version --format).
load ../lib/helpers

setup() { berth_setup_root; }

@test "version --format renders a Go template" {
	run_berth version --format '{{.Client.Os}}/{{.Client.Version}}'
	assert_equal "$output" "linux/$("$BERTH" version --short | sed 's/^berth version //')"
	run_berth version -f '{{json .Client.Platform}}'
	assert_equal "$output" '{"Name":"berth"}'
	run_berth version -f '{{if .Client.Experimental}}exp{{end}} {{len .Client.Os}} {{upper .Client.Os}}'
	assert_equal "$output" 'exp 5 LINUX'
}

@test "version --format parse error exits 64 with Docker's wording" {
	run_berth --exit 64 version --format '{{nosuchfunc}}'
	assert_equal "$output" 'Template parsing error: template: version:1: function "nosuchfunc" not defined'
	run_berth --exit 64 version --format '{{.Client.Version'
	assert_equal "$output" 'Template parsing error: template: version:1: unclosed action'
}

@test "version --format execution error exits 1" {
	run_berth --exit 1 version --format '{{index .Client.Os 1 2}}'
	assert_output_contains 'template: version:1:2: executing "version" at <index .Client.Os 1 2>: error calling index: can'"'"'t index item of type uint8'
}
