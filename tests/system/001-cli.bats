#!/usr/bin/env bats
# 001-cli: the CLI frame: version, help, Docker-style flag errors and exit codes.
load ../lib/helpers

setup_file() { :; }
setup() { berth_setup_root; }

@test "version prints the client version" {
	run_berth version
	assert_output_contains "Version:"
	run_berth --version
	assert_output_contains "berth version"
}

@test "help lists commands" {
	run_berth help
	assert_output_contains "Usage:  berth [OPTIONS] COMMAND"
	assert_output_contains "version"
	run_berth --help
	assert_output_contains "Commands:"
}

@test "unknown flag exits 125 with docker's wording" {
	run_berth --exit 125 version --bogus
	assert_output_contains "unknown flag: --bogus"
	assert_output_contains "See 'berth version --help'."
}

@test "unknown shorthand flag exits 125" {
	run_berth --exit 125 version -z
	assert_output_contains "unknown shorthand flag: 'z' in -z"
}

@test "unknown verb exits 125" {
	run_berth --exit 125 frobnicate
	assert_output_contains "'frobnicate' is not a berth command"
}

@test "verb --help prints usage and exits 0" {
	run_berth version --help
	assert_output_contains "Usage:  berth version [OPTIONS]"
	assert_output_contains "--format"
}

@test "extra arguments are refused" {
	run_berth --exit 1 version extra
	assert_output_contains "accepts no arguments"
}
