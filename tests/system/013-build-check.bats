#!/usr/bin/env bats
# 013-build-check: `berth build --check` / `--call check|targets|outline` as BuildKit prints
# them; the notes' Dockerfiles give BuildKit's warnings plus berth's explanations.
load ../lib/helpers

setup() {
	berth_setup_root
	CASES="$BERTH_SRC/tests/corpus/cases"
	CTX="$BATS_TEST_TMPDIR/ctx"
	mkdir -p "$CTX"
}

# the "WARNING: Rule - URL" lines of the output
warnings() { grep '^WARNING: ' <<<"$output"; }

@test "the notes' flat Dockerfile: FromAsCasing and LegacyKeyValueFormat, with the = form shown" {
	run_berth build --check "$BERTH_SRC/examples/seed-python" -f "$BERTH_SRC/examples/seed-python/Dockerfile.flat"
	assert_equal "$(warnings)" "WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/
WARNING: LegacyKeyValueFormat - https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/"
	assert_equal "$(head -1 <<<"$output")" "Check complete, 2 warnings have been found!"
	assert_output_contains "'as' and 'FROM' keywords' casing do not match
Dockerfile.flat:3
--------------------
   1 |     
   2 |     ## Start with a Python 3.11 Docker base
   3 | >>> FROM python:3.11-slim as base
   4 |     
   5 |     ## Set ENV variables to control Python/pip behavior inside container
--------------------"
	assert_output_contains '"ENV key=value" should be used instead of legacy "ENV key value" format
Dockerfile.flat:6
--------------------
   5 |     ## Set ENV variables to control Python/pip behavior inside container
   6 | >>> ENV PYTHONDONTWRITEBYTECODE 1 \
   7 | >>>     PYTHONUNBUFFERED 1 \'
	# berth's explanation of what the legacy form really does
	assert_output_contains 'sets ONE variable, PYTHONDONTWRITEBYTECODE, to all the rest of the instruction:
    PYTHONDONTWRITEBYTECODE="1     PYTHONUNBUFFERED 1     PIP_NO_CACHE_DIR=off     PIP_DISABLE_PIP_VERSION_CHECK=on     PIP_DEFAULT_TIMEOUT=100"'
	assert_output_contains '    ENV PYTHONDONTWRITEBYTECODE=1 \
        PYTHONUNBUFFERED=1 \
        PIP_NO_CACHE_DIR=off \
        PIP_DISABLE_PIP_VERSION_CHECK=on \
        PIP_DEFAULT_TIMEOUT=100'
}

@test "the notes' multi-stage and dev/prod Dockerfiles give the same two warnings" {
	for f in Dockerfile.multistage Dockerfile; do
		run_berth build --check -f "$BERTH_SRC/examples/seed-python/$f" "$BERTH_SRC/examples/seed-python"
		assert_equal "$(warnings | cut -d' ' -f2)" "FromAsCasing
LegacyKeyValueFormat"
	done
	for c in notes-flat notes-multistage notes-target-default notes-target-dev notes-target-prod; do
		run_berth build --call check "$CASES/$c"
		assert_equal "$(warnings | cut -d' ' -f2)" "FromAsCasing
LegacyKeyValueFormat"
	done
}

@test "the notes' ENV vs ARG Dockerfile: the bare ARG is an error (exit 1), explained" {
	# LegacyKeyValueFormat is reported when BuildKit dispatches ENV, which a parse error
	# prevents: the error is the only finding, as with BuildKit
	run_berth --exit 1 build --check "$CASES/notes-env-vs-arg"
	assert_equal "$(warnings)" ""
	assert_output_contains "ERROR: dockerfile parse error on line 8: ARG requires at least one argument
Dockerfile:8
--------------------
   6 |     
   7 |     ## This arg will need to be re-set/declared again in the build layer
   8 | >>> ARG 
   9 |     
  10 |     FROM base AS build
--------------------
berth: ARG declares a build argument and needs a name"
}

@test "an ARG used in a stage that did not declare it: which stage did, and redeclare it" {
	# a stage built from an image does not see another stage's ARG: UndefinedVar, explained
	cat >"$CTX/Dockerfile" <<'DF'
FROM busybox AS base
ARG PIP_VERSION=23.1
FROM busybox AS build
ENV PIP=$PIP_VERSION
RUN echo "pip $PIP_VERSION"
DF
	run_berth build --check "$CTX"
	assert_equal "$(warnings)" "WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/"
	assert_output_contains "Usage of undefined variable '\$PIP_VERSION'"
	assert_output_contains "berth: ARG PIP_VERSION is declared in stage 'base' (Dockerfile:2), not in stage 'build'. An ARG is only visible in the stage that declares it (ENV values carry into stages built FROM it, ARG values do not): declare \`ARG PIP_VERSION\` again in stage 'build'."
	# RUN is not checked by BuildKit; berth adds a note, not a warning
	assert_output_contains "NOTE (berth): Dockerfile:5: RUN uses \$PIP_VERSION, which is empty there."
	# a stage built FROM the declaring stage gets the value from BuildKit's state (no
	# warning, as BuildKit), and berth says that this is not documented behaviour
	cat >"$CTX/Dockerfile" <<'DF'
FROM busybox AS base
ARG PIP_VERSION=23.1
FROM base AS build
ENV PIP=$PIP_VERSION
DF
	run_berth build --check "$CTX"
	assert_equal "$(warnings)" ""
	assert_output_contains "NOTE (berth): Dockerfile:4: ENV uses \$PIP_VERSION, an ARG of stage 'base'. BuildKit passes its value on because stage 'build' is built FROM it"
	# redeclared: clean
	printf 'FROM busybox AS base\nARG V=1\nFROM base\nARG V\nENV X=$V\n' >"$CTX/Dockerfile"
	run_berth build --check "$CTX"
	assert_equal "$output" "Check complete, no warnings found."
	# a global ARG used inside a stage
	printf 'ARG V=1\nFROM busybox\nENV X=$V\n' >"$CTX/Dockerfile"
	run_berth build --check "$CTX"
	assert_output_contains "berth: ARG V is declared before the first FROM (Dockerfile:1). Such a global ARG is only visible in FROM lines"
}

@test "# check=skip=...;error=true and BUILDKIT_DOCKERFILE_CHECK" {
	printf '# check=error=true\nFROM busybox as base\n' >"$CTX/Dockerfile"
	run_berth --exit 1 build --check "$CTX"
	assert_output_contains "ERROR: lint violation found for rules: FromAsCasing"
	printf '# check=skip=FromAsCasing;error=true\nFROM busybox as base\n' >"$CTX/Dockerfile"
	run_berth build --check "$CTX"
	assert_equal "$output" "Check complete, no warnings found."
	printf 'FROM busybox as base\n' >"$CTX/Dockerfile"
	run_berth build --check --build-arg BUILDKIT_DOCKERFILE_CHECK=skip=all "$CTX"
	assert_equal "$output" "Check complete, no warnings found."
}

@test "every rule name, its URL and message" {
	cat >"$CTX/Dockerfile" <<'DF'
ARG TAG
FROM --platform=linux/arm64 alpine:$TAG AS Builder
from alpine As scratch
MAINTAINER me
ARG DB_PASSWORD=x
WORKDIR rel
EXPOSE 80/TCP 127.0.0.1:90:90
CMD a
CMD ["b"]
ENV K $UNDEF
RUN a \

    b
FROM --platform=$TARGETPLATFORM $NOPE AS builder
DF
	run_berth build --check "$CTX"
	for r in StageNameCasing FromAsCasing NoEmptyContinuation ConsistentInstructionCasing DuplicateStageName \
		ReservedStageName JSONArgsRecommended MaintainerDeprecated UndefinedArgInFrom WorkdirRelativePath \
		UndefinedVar MultipleInstructionsDisallowed LegacyKeyValueFormat InvalidDefaultArgInFrom \
		FromPlatformFlagConstDisallowed RedundantTargetPlatform SecretsUsedInArgOrEnv ExposeProtoCasing \
		ExposeInvalidFormat; do
		slug=$(sed -E 's/([a-z0-9])([A-Z])/\1-\2/g; s/JSONArgs/json-args/; s/([A-Z])([A-Z][a-z])/\1-\2/g' <<<"$r" | tr A-Z a-z)
		[[ "$output" == *"WARNING: $r - https://docs.docker.com/go/dockerfile/rule/$slug/"* ]] || { echo "missing $r ($slug)"; false; }
	done
	assert_output_contains "Stage name 'Builder' should be lowercase"
	assert_output_contains "Command 'from' should match the case of the command majority (uppercase)"
	assert_output_contains 'Duplicate stage name "builder", stage names should be unique'
	assert_output_contains 'Stage name should not use the same name as reserved stage "scratch"'
	assert_output_contains "FROM argument 'NOPE' is not declared"
	assert_output_contains 'Do not use ARG or ENV instructions for sensitive data (ARG "DB_PASSWORD")'
	assert_output_contains 'FROM --platform flag should not use constant value "linux/arm64"'
	assert_output_contains 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior'
	assert_output_contains "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:90:90'"
	assert_output_contains "Empty continuation line"
}

@test "CopyIgnoredFile is experimental: only with # check=experimental" {
	printf 'secret.txt\n' >"$CTX/.dockerignore"
	printf 'FROM busybox\nCOPY secret.txt /\n' >"$CTX/Dockerfile"
	run_berth build --check "$CTX"
	assert_equal "$output" "Check complete, no warnings found."
	printf '# check=experimental=CopyIgnoredFile\nFROM busybox\nCOPY secret.txt /\n' >"$CTX/Dockerfile"
	run_berth build --check "$CTX"
	assert_output_contains 'Attempting to Copy file "secret.txt" that is excluded by .dockerignore'
}

@test "--call targets and --call outline" {
	run_berth build --call targets "$BERTH_SRC/examples/seed-python"
	assert_equal "$output" "TARGET         DESCRIPTION
base           
build          
dev            
prod (default) "
	cat >"$CTX/Dockerfile" <<'DF'
ARG BASE=busybox
# VERSION the version to build
ARG VERSION=1.0
# app the application image
FROM $BASE AS app
ARG VERSION
RUN --mount=type=secret,id=tok,required true
FROM busybox AS other
ARG UNRELATED=1
DF
	run_berth build --call outline --target app --build-arg BASE=alpine "$CTX"
	assert_equal "$output" "TARGET:      app
DESCRIPTION: the application image

BUILD ARG   VALUE    DESCRIPTION
BASE        alpine   
VERSION     1.0      the version to build

SECRET   REQUIRED   DESCRIPTION
tok      true       "
	run_berth build --call targets "$CTX"
	assert_output_contains "app             the application image"
}

@test "build: flags are parsed; the ones not implemented say so; a missing base is pulled" {
	run_berth --exit 1 build -t x:1 --target dev --build-arg A=1 --label l=1 --no-cache --progress plain \
		-q --iidfile "$CTX/iid" --network host --secret id=s,src=/dev/null -o type=local,dest="$CTX/o" \
		--cache-from type=local,src="$CTX/c" --cache-to type=local,dest="$CTX/c" "$BERTH_SRC/examples/seed-python"
	assert_output_contains "
 2 warnings found (use berth build --check to expand):
 - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)
 - LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key value\" format (line 5)"
	assert_output_contains "failed to resolve source metadata for python:3.11-slim"
	run_berth --exit 1 build -q -o type=registry,name=x/y "$BERTH_SRC/examples/seed-python"
	assert_output_contains "output type registry is not supported"
	run_berth --exit 1 build -q --cache-to type=registry,ref=x/y "$BERTH_SRC/examples/seed-python"
	assert_output_contains "--cache-to type=registry is not supported"
	printf 'FROM busybox\n' >"$CTX/Dockerfile"
	run_berth --exit 1 build "$CTX"
	# pulled as docker build does; the tests' proxy is a closed loopback port
	assert_output_contains "Unable to find image 'busybox:latest' locally"
	assert_output_contains "failed to resolve source metadata for busybox"
	run_berth --exit 125 build --progress fancy .
	assert_output_contains 'invalid progress mode "fancy"'
	run_berth --exit 125 build --network bridge2 .
	run_berth --exit 1 build
	run_berth --exit 1 build --check "$CTX/missing"
	assert_output_contains "failed to read dockerfile"
}

@test "a Dockerfile from stdin" {
	run bash -c "printf 'FROM busybox as b\n' | '$BERTH' build --check -"
	[ "$status" -eq 0 ]
	assert_output_contains "WARNING: FromAsCasing"
}
